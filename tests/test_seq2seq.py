"""Language models, seq2seq and attention helpers of chapter 13 (d2l/seq2seq.py)."""
import warnings

import numpy as np
import pytest
from mxnet import autograd, gluon, init, nd

import d2l

CTX = d2l.try_gpu()


# ---------------------------------------------------------------- truncated-BPTT batches

def test_bptt_batches_read_parallel_streams_that_continue():
    windows = list(d2l.bptt_batches(np.arange(20), batch_size=2, num_steps=3, ctx=CTX))
    assert len(windows) == 3  # streams of (20 - 1) // 2 = 9 words, 9 // 3 windows
    X = [x.asnumpy().astype(int).tolist() for x, _ in windows]
    assert X[0] == [[0, 1, 2], [9, 10, 11]]
    assert X[1] == [[3, 4, 5], [12, 13, 14]]  # each row continues where it stopped
    for x, y in windows:
        assert (y.asnumpy() == x.asnumpy() + 1).all()  # labels are the next words
        assert x.context == CTX


def test_bptt_batches_reject_bad_input():
    with pytest.raises(ValueError, match="too short"):
        list(d2l.bptt_batches(np.arange(5), batch_size=2, num_steps=3, ctx=CTX))
    with pytest.raises(ValueError, match="1-D"):
        list(d2l.bptt_batches(np.zeros((4, 4)), batch_size=1, num_steps=2, ctx=CTX))
    with pytest.raises(ValueError, match="batch_size"):
        list(d2l.bptt_batches(np.arange(50), batch_size=0, num_steps=2, ctx=CTX))


# ---------------------------------------------------------------- language models

def _lm(kind, **kwargs):
    d2l.set_seed(0)
    net = d2l.RNNLM(7, 4, 6) if kind == "rnn" else d2l.LSTMLM(7, 6, 6, **kwargs)
    net.initialize(init.Uniform(0.3), ctx=CTX)
    return net


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_language_models_shapes_and_hybridize(kind):
    net = _lm(kind)
    X = nd.array([[1, 2, 3], [4, 5, 6]], ctx=CTX)
    out, state = net(X, net.begin_state(2, CTX))
    assert out.shape == (2, 3, 7)
    assert [s.shape for s in state] == [(1, 2, 6)] * len(state)
    assert len(state) == (1 if kind == "rnn" else 2)
    net.hybridize()
    out2, _ = net(X, net.begin_state(2, CTX))
    np.testing.assert_allclose(out.asnumpy(), out2.asnumpy(), rtol=1e-5, atol=1e-6)


def test_lstm_lm_weight_tying_shares_one_matrix():
    tied, untied = _lm("lstm", tie_weights=True), _lm("lstm")
    assert tied.dense.weight is tied.embedding.weight
    count = lambda net: sum(p.data().size for p in net.collect_params().values())
    assert count(untied) - count(tied) == 7 * 6
    with pytest.raises(ValueError, match="embed_size == hidden_size"):
        d2l.LSTMLM(7, 4, 6, tie_weights=True)
    with pytest.raises(ValueError, match="dropout"):
        d2l.LSTMLM(7, 6, 6, dropout=1.0)


class _Uniform:
    """A 'language model' that gives every word the same score."""

    def __init__(self, vocab_size):
        self.vocab_size = vocab_size

    def begin_state(self, batch_size, ctx):
        return [nd.zeros((1, batch_size, 1), ctx=ctx)]

    def __call__(self, X, state):
        return nd.zeros(X.shape + (self.vocab_size,), ctx=X.context), state


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    ppl = d2l.lm_perplexity(_Uniform(11), np.arange(100) % 11, batch_size=3, num_steps=4, ctx=CTX)
    assert ppl == pytest.approx(11, rel=1e-5)


def test_train_lm_learns_a_repeating_sequence():
    corpus = np.tile([0, 1, 2, 3, 4], 40)
    net = _lm("rnn")
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.05})
    history = d2l.train_lm(net, corpus, 4, 5, trainer, CTX, 15, clip_norm=1.0, valid_corpus=corpus,
                           print_every=100)
    assert len(history["train_ppl"]) == len(history["valid_ppl"]) == 15
    assert history["train_ppl"][0] > 3  # starts near the 7-word vocabulary
    assert history["valid_ppl"][-1] < 1.3  # the next word is fully determined
    with pytest.raises(ValueError, match="num_epochs"):
        d2l.train_lm(net, corpus, 4, 5, trainer, CTX, 0)


def test_generate_words_greedy_is_deterministic_and_skips_words():
    net = _lm("lstm")
    words = ["a", "b", "c", "<unk>", "N", "d", "e"]
    word_to_id = {w: i for i, w in enumerate(words)}
    id_to_word = dict(enumerate(words))
    out1 = d2l.generate_words(net, ["a", "b"], 12, word_to_id, id_to_word, CTX, greedy=True)
    out2 = d2l.generate_words(net, ["a", "b"], 12, word_to_id, id_to_word, CTX, greedy=True)
    assert out1 == out2 and out1[:2] == ["a", "b"] and len(out1) == 14
    d2l.set_seed(1)
    sampled = d2l.generate_words(net, ["a"], 50, word_to_id, id_to_word, CTX)
    assert not {"<unk>", "N"} & set(sampled[1:])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        d2l.generate_words(net, ["zzz"], 3, word_to_id, id_to_word, CTX)


# ---------------------------------------------------------------- character sequence data

@pytest.fixture
def toy_file(tmp_path, monkeypatch):
    lines = [f"{a}+{b}".ljust(5) + "_" + str(a + b).ljust(3) for a in range(10) for b in range(10)]
    path = tmp_path / "toy.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(d2l, "download", lambda name, root=None: str(tmp_path / name))
    return path


def test_load_char_seq_splits_and_encodes(toy_file):
    (X_tr, Y_tr), (X_te, Y_te), char_to_id, id_to_char = d2l.load_char_seq("toy.txt", test_size=20, seed=0)
    assert X_tr.shape == (80, 5) and Y_tr.shape == (80, 4) and X_te.shape == (20, 5)
    assert (Y_tr[:, 0] == char_to_id["_"]).all()  # the answer starts with the start symbol
    text = lambda ids: "".join(id_to_char[int(i)] for i in ids)
    for x, y in zip(X_te, Y_te):  # every pair is still a correct sum after shuffling
        a, b = text(x).split("+")
        assert int(a) + int(b) == int(text(y[1:]))
    again = d2l.load_char_seq("toy.txt", test_size=20, seed=0)
    assert (again[1][0] == X_te).all()
    other = d2l.load_char_seq("toy.txt", test_size=20, seed=1)
    assert not (other[1][0] == X_te).all()


def test_load_char_seq_rejects_bad_files(toy_file, tmp_path):
    with pytest.raises(ValueError, match="test_size"):
        d2l.load_char_seq("toy.txt", test_size=100)
    (tmp_path / "bad.txt").write_text("1+1 _2 \n12345\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        d2l.load_char_seq("bad.txt", test_size=1)
    (tmp_path / "ragged.txt").write_text("1+1_2\n10+1_11\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fixed width"):
        d2l.load_char_seq("ragged.txt", test_size=1)


def test_load_char_seq_on_the_real_files(real_data_dir, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    (X_tr, Y_tr), (X_te, Y_te), char_to_id, _ = d2l.load_char_seq("addition.txt")
    assert X_tr.shape == (45000, 7) and Y_tr.shape == (45000, 5) and X_te.shape == (5000, 7)
    assert len(char_to_id) == 13


# ---------------------------------------------------------------- seq2seq models

DECODERS = [d2l.LSTMDecoder, d2l.PeekyDecoder, d2l.AttentionLSTMDecoder]


def _seq2seq(decoder_cls, vocab_size=9, hidden=12):
    d2l.set_seed(0)
    net = d2l.Seq2Seq(d2l.LSTMEncoder(vocab_size, 5, hidden), decoder_cls(vocab_size, 5, hidden))
    net.initialize(init.Xavier(), ctx=CTX)
    return net


@pytest.mark.parametrize("decoder_cls", DECODERS)
@pytest.mark.parametrize("hybrid", [False, True])
def test_greedy_decode_agrees_with_teacher_forcing_on_its_own_output(decoder_cls, hybrid):
    net = _seq2seq(decoder_cls)
    if hybrid:
        net.hybridize()
    d2l.set_seed(1)
    X = nd.random.randint(0, 9, (4, 6), ctx=CTX).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "input not used by any computation"
        ids, attention = d2l.greedy_decode(net, X, 8, 5)
        Y_in = nd.concat(nd.full((4, 1), 8, ctx=CTX), ids[:, :-1], dim=1)
        scores = net(X, Y_in)
    assert ids.shape == (4, 5) and scores.shape == (4, 5, 9)
    assert (scores.argmax(axis=2) == ids).min().asscalar() == 1
    if decoder_cls is d2l.AttentionLSTMDecoder:
        assert attention.shape == (4, 5, 6)
        np.testing.assert_allclose(attention.sum(axis=2).asnumpy(), 1, rtol=1e-5)
    else:
        assert attention is None


def test_decoder_state_starts_from_the_encoders_last_output():
    net = _seq2seq(d2l.PeekyDecoder)
    X = nd.array([[1, 2, 3, 4]], ctx=CTX)
    memory = net.encoder(X)
    h, c, summary = net.decoder.init_state(nd, memory)
    assert h.shape == c.shape == (1, 1, 12) and summary.shape == (1, 1, 12)
    np.testing.assert_allclose(h[0].asnumpy(), memory[:, -1].asnumpy())
    assert c.abs().sum().asscalar() == 0


def test_seq_accuracy_counts_whole_answers():
    net = _seq2seq(d2l.LSTMDecoder)
    d2l.set_seed(2)
    X = nd.random.randint(0, 9, (6, 4), ctx=CTX).astype("float32")
    ids, _ = d2l.greedy_decode(net, X, 8, 3)
    Y = np.concatenate([np.full((6, 1), 8), ids.asnumpy()], axis=1).astype(np.int32)
    Y[:3, -1] = (Y[:3, -1] + 1) % 9  # one wrong character spoils the whole answer
    assert d2l.seq_accuracy(net, X.asnumpy(), Y, CTX, batch_size=4) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same positive number"):
        d2l.seq_accuracy(net, X.asnumpy(), Y[:2], CTX)


def test_train_seq2seq_learns_to_copy():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, (256, 3)).astype(np.int32)
    Y = np.concatenate([np.full((256, 1), 4), X], axis=1).astype(np.int32)  # answer = question
    net = _seq2seq(d2l.PeekyDecoder, vocab_size=5, hidden=32)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.02})
    d2l.set_seed(0)
    history = d2l.train_seq2seq(net, (X, Y), (X[:64], Y[:64]), trainer, CTX, 8, batch_size=32)
    assert len(history["loss"]) == len(history["test_acc"]) == 8
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["test_acc"][-1] > 0.8
    with pytest.raises(ValueError, match="fewer than batch_size"):
        d2l.train_seq2seq(net, (X[:10], Y[:10]), (X, Y), trainer, CTX, 1, batch_size=32)
