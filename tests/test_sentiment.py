"""IMDb sentiment helpers of chapter 12 (d2l/sentiment.py)."""
import collections
import io
import tarfile

import pytest
from mxnet import gluon, nd
from mxnet.gluon import nn

import d2l
from d2l.data import hub


def test_count_tokens():
    counts = d2l.count_tokens([["a", "b", "a"], [], ["b", "c"]])
    assert isinstance(counts, collections.Counter)
    assert counts == {"a": 2, "b": 2, "c": 1}


def test_tokenizer_splits_punctuation_and_drops_line_breaks():
    data = [["Great movie!<br /><br />It wasn't BAD, really.", 1]]
    assert d2l.get_tokenized_imdb(data) == [
        ["great", "movie", "!", "it", "wasn't", "bad", ",", "really", "."]]


def test_sample_has_the_real_layout_and_is_reproducible(tmp_path):
    root = d2l.make_sample_imdb(tmp_path / "a", 6, seed=3)
    assert root == tmp_path / "a" / "aclImdb"
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            files = sorted((root / split / label).glob("*.txt"))
            assert len(files) == 6
            for f in files:
                rating = int(f.stem.split("_")[1])
                assert (7 <= rating <= 10) if label == "pos" else (1 <= rating <= 4)
    again = d2l.make_sample_imdb(tmp_path / "b", 6, seed=3)
    one = sorted(p.read_text() for p in root.rglob("*_*.txt"))
    assert one == sorted(p.read_text() for p in again.rglob("*_*.txt"))
    other = d2l.make_sample_imdb(tmp_path / "c", 6, seed=4)
    assert one != sorted(p.read_text() for p in other.rglob("*_*.txt"))
    # rewriting a sample is allowed; overwriting anything else is not
    d2l.make_sample_imdb(tmp_path / "a", 2, seed=3)
    assert len(list((root / "train" / "pos").glob("*.txt"))) == 2
    (tmp_path / "d" / "aclImdb").mkdir(parents=True)
    with pytest.raises(FileExistsError):
        d2l.make_sample_imdb(tmp_path / "d", 2, seed=0)
    with pytest.raises(ValueError, match="n_per_class"):
        d2l.make_sample_imdb(tmp_path / "e", 0, seed=0)


def test_read_imdb_labels_shuffles_and_complains(tmp_path):
    root = d2l.make_sample_imdb(tmp_path, 10, seed=0)
    data = d2l.read_imdb("train", data_root=root)
    assert len(data) == 20 and sorted(label for _, label in data) == [0] * 10 + [1] * 10
    assert all(review == review.lower() and "\n" not in review for review, _ in data)
    assert [label for _, label in data] != [1] * 10 + [0] * 10  # shuffled
    assert data == d2l.read_imdb("train", data_root=root)  # same seed, same order
    assert data != d2l.read_imdb("train", data_root=root, seed=1)
    positive = (root / "train" / "pos").glob("*.txt")
    texts = {review: label for review, label in data}
    assert all(texts[p.read_text().lower()] == 1 for p in positive)
    with pytest.raises(ValueError, match="'valid'"):
        d2l.read_imdb("valid", data_root=root)
    with pytest.raises(FileNotFoundError, match="download_imdb"):
        d2l.read_imdb("train", data_root=tmp_path / "missing")


def test_vocab_and_preprocess():
    data = [["good good good good good film .", 1], ["bad bad bad bad bad film film film film .", 0]]
    vocab = d2l.get_vocab_imdb(data)
    assert vocab.idx_to_token[:2] == ["<unk>", "<pad>"]
    assert set(vocab.idx_to_token[2:]) == {"good", "bad", "film"}  # '.' occurs twice only
    features, labels = d2l.preprocess_imdb(data, vocab, max_len=6)
    assert features.shape == (2, 6) and labels.asnumpy().tolist() == [1, 0]
    good, film, pad = vocab.token_to_idx["good"], vocab.token_to_idx["film"], 1
    assert features[0].asnumpy().tolist() == [good] * 5 + [film]  # cut to 6
    short, _ = d2l.preprocess_imdb([["film zzz", 1]], vocab, max_len=4)
    assert short.asnumpy().tolist() == [[film, 0, pad, pad]]  # unknown -> 0, then padding
    with pytest.raises(ValueError, match="max_len"):
        d2l.preprocess_imdb(data, vocab, max_len=0)


class _FirstTokenNet(nn.Block):
    """Scores 'positive' exactly when the first token has an even index (enough to test routing)."""

    def forward(self, X):
        even = (X[:, 0] % 2 == 0).reshape((-1, 1))
        return nd.concat(1 - even, even, dim=1)


def test_predict_sentiment_accepts_strings_and_token_lists():
    data = [["good good good good good bad bad bad bad bad", 1]]
    vocab = d2l.get_vocab_imdb(data)
    net = _FirstTokenNet()
    ctx = d2l.try_gpu()
    even = [t for t in ("good", "bad") if vocab.token_to_idx[t] % 2 == 0][0]
    odd = "bad" if even == "good" else "good"
    assert d2l.predict_sentiment(net, vocab, f"{even.upper()} movie", ctx=ctx) == "positive"
    assert d2l.predict_sentiment(net, vocab, [odd, "movie"], ctx=ctx) == "negative"
    with pytest.raises(ValueError, match="no tokens"):
        d2l.predict_sentiment(net, vocab, "  ", ctx=ctx)
    dense = nn.Dense(2)
    dense.initialize(ctx=ctx)
    dense(nd.ones((1, 2), ctx=ctx))
    assert d2l.predict_sentiment(dense, vocab, "good bad") in ("positive", "negative")  # ctx from net


def _tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, payload in members:
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def _register_archive(tmp_path, monkeypatch, payload):
    archive = tmp_path / "src" / "aclImdb_v1.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(payload)
    monkeypatch.setenv("D2L_DATA_DIR", str(archive.parent))
    monkeypatch.setitem(hub.REGISTRY, "aclImdb_v1.tar.gz",
                        hub.DataFile("aclImdb_v1.tar.gz", "http://invalid/", hub.sha1_of(archive)))


def test_download_imdb_unpacks_once(tmp_path, monkeypatch):
    members = [(f"aclImdb/{s}/{l}/0_{r}.txt", b"Fine film.") for s in ("train", "test")
               for l, r in (("pos", 9), ("neg", 2))]
    _register_archive(tmp_path, monkeypatch, _tar_bytes(members))
    root = d2l.download_imdb(tmp_path / "out")
    assert root == tmp_path / "out" / "aclImdb"
    assert [r for r, _ in d2l.read_imdb("test", data_root=root)] == ["fine film."] * 2
    (tmp_path / "src" / "aclImdb_v1.tar.gz").unlink()
    assert d2l.download_imdb(tmp_path / "out") == root  # reused, no archive needed
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".aclImdb-")]


def test_download_imdb_refuses_paths_outside(tmp_path, monkeypatch):
    _register_archive(tmp_path, monkeypatch, _tar_bytes([("../evil.txt", b"x")]))
    with pytest.raises(ValueError, match="refusing"):
        d2l.download_imdb(tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out" / "aclImdb").exists()


class _MeanEmbedding(nn.Block):
    """Average of the token embeddings, then a Dense layer: a fast stand-in for the BiLSTM."""

    def __init__(self, vocab_size):
        super().__init__()
        self.embedding, self.out = nn.Embedding(vocab_size, 16), nn.Dense(2)

    def forward(self, X):
        return self.out(self.embedding(X).mean(axis=1))


def test_the_sample_is_learnable_end_to_end(tmp_path):
    ctx = d2l.try_gpu()
    root = d2l.make_sample_imdb(tmp_path, 60, seed=0)
    train = d2l.read_imdb("train", data_root=root)
    vocab = d2l.get_vocab_imdb(train)
    features, labels = d2l.preprocess_imdb(train, vocab, max_len=40)
    d2l.set_seed(0)
    net = _MeanEmbedding(len(vocab))
    net.initialize(ctx=ctx)
    it = gluon.data.DataLoader(gluon.data.ArrayDataset(features, labels), 16, shuffle=True)
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.05})
    history = d2l.train(it, it, net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer, ctx, 8)
    assert history["train_acc"][-1] > 0.9
