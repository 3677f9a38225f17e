"""Character-level language-model helpers of chapter 12 (d2l/rnn.py)."""
import zipfile

import numpy as np
import pytest
from mxnet import gluon, nd
from mxnet.gluon import rnn as grnn

import d2l
from d2l.data import hub


# --- data --------------------------------------------------------------------------------------

def test_random_iter_covers_disjoint_pieces_and_shifts_by_one():
    d2l.set_seed(0)
    batches = list(d2l.data_iter_random(list(range(30)), 2, 6))
    assert len(batches) == 2  # (30 - 1) // 6 = 4 pieces, 2 per minibatch
    rows = []
    for X, Y in batches:
        assert X.shape == Y.shape == (2, 6) and X.dtype == np.float32
        np.testing.assert_array_equal(Y.asnumpy(), X.asnumpy() + 1)
        rows += [tuple(r) for r in X.asnumpy().astype(int)]
    assert sorted(r[0] for r in rows) == [0, 6, 12, 18]
    assert all(list(r) == list(range(r[0], r[0] + 6)) for r in rows)


def test_random_iter_order_follows_the_seed():
    def firsts(seed):
        d2l.set_seed(seed)
        return [X[:, 0].asnumpy().tolist() for X, _ in d2l.data_iter_random(list(range(200)), 3, 5)]
    assert firsts(1) == firsts(1)
    assert firsts(1) != firsts(2)


def test_consecutive_iter_continues_each_row():
    batches = list(d2l.data_iter_consecutive(list(range(30)), 2, 6))
    assert len(batches) == 2  # rows of 15; (15 - 1) // 6 = 2 minibatches
    (X1, Y1), (X2, Y2) = batches
    assert X1.asnumpy().tolist() == [list(range(0, 6)), list(range(15, 21))]
    assert X2.asnumpy().tolist() == [list(range(6, 12)), list(range(21, 27))]
    np.testing.assert_array_equal(Y2.asnumpy(), X2.asnumpy() + 1)
    # row i of the second minibatch starts where row i of the first stopped
    np.testing.assert_array_equal(X2[:, 0].asnumpy(), X1[:, -1].asnumpy() + 1)


@pytest.mark.parametrize("fn", [d2l.data_iter_random, d2l.data_iter_consecutive])
def test_iterators_reject_bad_sizes_and_yield_nothing_for_short_corpora(fn):
    with pytest.raises(ValueError, match="positive"):
        next(fn(list(range(30)), 0, 6))
    assert list(fn(list(range(5)), 2, 6)) == []


def test_lyrics_loader_matches_the_book(real_data_dir, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    corpus, char_to_idx, idx_to_char, vocab_size = d2l.load_data_jay_lyrics()
    assert len(corpus) == 10000 and vocab_size == len(idx_to_char) == 1027  # the book's 1,027
    assert idx_to_char == sorted(idx_to_char)
    assert all(char_to_idx[c] == i for i, c in enumerate(idx_to_char))
    assert ''.join(idx_to_char[i] for i in corpus[:6]) == '想要有直升机'
    assert '\n' not in char_to_idx and '\r' not in char_to_idx


def test_loaders_read_a_local_root(tmp_path, monkeypatch):
    """A file under ``root`` is used; the registry's checksum is still enforced."""
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("D2L_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "timemachine.txt").write_text("The Time-Machine!\n\nby H. G. Wells\n")
    monkeypatch.setitem(hub.REGISTRY, "timemachine.txt",
                        hub.DataFile("timemachine.txt", "http://invalid/", hub.sha1_of(tmp_path / "timemachine.txt")))
    corpus, char_to_idx, idx_to_char, vocab_size = d2l.load_data_time_machine(root=tmp_path)
    assert ''.join(idx_to_char[i] for i in corpus) == "the time machine by h g wells"
    assert idx_to_char[0] == ' ' and vocab_size == len(set("the time machine by h g wells"))
    with zipfile.ZipFile(tmp_path / "jaychou_lyrics.txt.zip", "w") as z:
        z.writestr("jaychou_lyrics.txt", "ab\r\nba" + "c" * 20000)
    monkeypatch.setitem(hub.REGISTRY, "jaychou_lyrics.txt.zip",
                        hub.DataFile("jaychou_lyrics.txt.zip", "http://invalid/",
                                     hub.sha1_of(tmp_path / "jaychou_lyrics.txt.zip")))
    corpus, _, idx_to_char, vocab_size = d2l.load_data_jay_lyrics(root=tmp_path)
    assert len(corpus) == 10000 and idx_to_char == [' ', 'a', 'b', 'c']
    assert ''.join(idx_to_char[i] for i in corpus[:6]) == "ab  ba"


# --- from-scratch pieces -----------------------------------------------------------------------

def test_to_onehot_is_time_major():
    X = nd.array([[0, 2, 1], [3, 3, 0]])
    steps = d2l.to_onehot(X, 4)
    assert len(steps) == 3 and all(s.shape == (2, 4) for s in steps)
    assert steps[1].asnumpy().tolist() == [[0, 0, 1, 0], [0, 0, 0, 1]]
    with pytest.raises(ValueError, match="num_steps"):
        d2l.to_onehot(nd.array([1, 2]), 4)


def test_grad_clipping_shrinks_only_long_gradients():
    ctx = d2l.try_gpu()
    a, b = nd.zeros(2, ctx=ctx), nd.zeros(1, ctx=ctx)
    a.attach_grad(), b.attach_grad()
    a.grad[:] = nd.array([3, 0], ctx=ctx)
    b.grad[:] = nd.array([4], ctx=ctx)  # joint norm 5
    norm = d2l.grad_clipping([a, b], 1.0, ctx)
    assert norm.asscalar() == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad.asnumpy(), [0.6, 0], rtol=1e-6)
    np.testing.assert_allclose(b.grad.asnumpy(), [0.8], rtol=1e-6)
    d2l.grad_clipping([a, b], 10.0, ctx)  # norm 1 < 10: unchanged
    np.testing.assert_allclose(a.grad.asnumpy(), [0.6, 0], rtol=1e-6)
    with pytest.raises(ValueError, match="theta"):
        d2l.grad_clipping([a, b], 0, ctx)


def _tiny_rnn(vocab_size, num_hiddens, ctx):
    def get_params():
        d2l.set_seed(0)
        shapes = [(vocab_size, num_hiddens), (num_hiddens, num_hiddens), (num_hiddens,),
                  (num_hiddens, vocab_size), (vocab_size,)]
        params = [nd.random.normal(scale=0.1, shape=s, ctx=ctx) for s in shapes]
        for p in params:
            p.attach_grad()
        return params

    def init_state(batch_size, num_hiddens, ctx):
        return (nd.zeros((batch_size, num_hiddens), ctx=ctx),)

    def net(inputs, state, params):
        W_xh, W_hh, b_h, W_hq, b_q = params
        H, = state
        outputs = []
        for X in inputs:
            H = nd.tanh(nd.dot(X, W_xh) + nd.dot(H, W_hh) + b_h)
            outputs.append(nd.dot(H, W_hq) + b_q)
        return outputs, (H,)
    return get_params, init_state, net


def test_predict_rnn_keeps_the_prefix_and_appends_num_chars():
    ctx = d2l.try_gpu()
    idx_to_char = list("abcd")
    char_to_idx = {c: i for i, c in enumerate(idx_to_char)}
    get_params, init_state, net = _tiny_rnn(4, 8, ctx)
    text = d2l.predict_rnn("dab", 5, net, get_params(), init_state, 8, 4, ctx, idx_to_char, char_to_idx)
    assert text.startswith("dab") and len(text) == 8 and set(text) <= set("abcd")
    with pytest.raises(ValueError, match="vocabulary"):
        d2l.predict_rnn("dz", 5, net, get_params(), init_state, 8, 4, ctx, idx_to_char, char_to_idx)


@pytest.mark.parametrize("is_random_iter", [True, False])
def test_scratch_training_learns_a_periodic_sequence(is_random_iter, capsys):
    ctx = d2l.try_gpu()
    idx_to_char = list("abcd")
    char_to_idx = {c: i for i, c in enumerate(idx_to_char)}
    corpus = [i % 4 for i in range(200)]  # abcdabcd...: perfectly predictable
    get_params, init_state, net = _tiny_rnn(4, 16, ctx)
    d2l.set_seed(0)
    history = d2l.train_and_predict_rnn(net, get_params, init_state, 16, 4, ctx, corpus, idx_to_char,
                                        char_to_idx, is_random_iter, 10, 5, 1.0, 1.0, 8, 10, 6, ["ab"])
    # the first epoch starts near the uniform guess (perplexity 4) and the last is near 1
    assert len(history) == 10 and history[0] > 1.5 and history[-1] < 1.2
    out = capsys.readouterr().out
    assert "epoch 10, perplexity" in out and " - abcdabcd" in out


def test_scratch_training_reports_a_too_short_corpus():
    ctx = d2l.try_gpu()
    get_params, init_state, net = _tiny_rnn(4, 8, ctx)
    with pytest.raises(ValueError, match="too short"):
        d2l.train_and_predict_rnn(net, get_params, init_state, 8, 4, ctx, [0, 1, 2], list("abcd"),
                                  {c: i for i, c in enumerate("abcd")}, True, 1, 5, 1.0, 1.0, 8, 1, 5, [])


# --- Gluon model -------------------------------------------------------------------------------

@pytest.mark.parametrize("layer, n_states", [(grnn.RNN, 1), (grnn.GRU, 1), (grnn.LSTM, 2)])
def test_rnn_model_shapes(layer, n_states):
    ctx = d2l.try_gpu()
    model = d2l.RNNModel(layer(8), 5)
    model.initialize(ctx=ctx)
    state = model.begin_state(batch_size=3, ctx=ctx)
    assert len(state) == n_states and state[0].shape == (1, 3, 8)
    out, new_state = model(nd.array([[0, 1, 2, 3], [4, 0, 1, 2], [3, 3, 3, 3]], ctx=ctx), state)
    assert out.shape == (4 * 3, 5)  # time-major rows
    assert len(new_state) == n_states


def test_gluon_training_learns_and_predicts(capsys):
    ctx = d2l.try_gpu()
    idx_to_char = list("abcd")
    char_to_idx = {c: i for i, c in enumerate(idx_to_char)}
    corpus = [i % 4 for i in range(200)]
    d2l.set_seed(0)
    model = d2l.RNNModel(grnn.RNN(16, activation="tanh"), 4)
    history = d2l.train_and_predict_rnn_gluon(model, 16, 4, ctx, corpus, idx_to_char, char_to_idx,
                                              10, 5, 1.0, 1.0, 8, 5, 6, ["ab"])
    assert len(history) == 10 and history[0] > 1.5 and history[-1] < 1.2
    assert d2l.predict_rnn_gluon("ab", 6, model, 4, ctx, idx_to_char, char_to_idx) == "abcdabcd"
    assert capsys.readouterr().out.count("perplexity") == 2
    with pytest.raises(ValueError, match="vocabulary"):
        d2l.predict_rnn_gluon("", 3, model, 4, ctx, idx_to_char, char_to_idx)
