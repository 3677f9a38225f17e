"""Character-level language-model data and recurrent networks (chapter 12).

``load_data_jay_lyrics``, ``data_iter_random`` and ``data_iter_consecutive`` are taught in
notebook 12.1 (language-model data); ``to_onehot``, ``grad_clipping``, ``predict_rnn`` and
``train_and_predict_rnn`` in notebook 12.2 (an RNN from scratch); ``RNNModel``,
``predict_rnn_gluon`` and ``train_and_predict_rnn_gluon`` in notebook 12.3 (the concise RNN).
Notebook 12.4 (GRU and LSTM) reuses all of them. Names and call signatures follow the 2019
book's ``d2l`` package; helpers taught in another notebook are called as ``d2l.name`` so the
notebooks' teaching copies are the same code.
"""
import math
import re
import random
import time
import zipfile

import numpy as np
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import nn

import d2l

__all__ = [
    "RNNModel",
    "data_iter_consecutive",
    "data_iter_random",
    "grad_clipping",
    "load_data_jay_lyrics",
    "load_data_time_machine",
    "predict_rnn",
    "predict_rnn_gluon",
    "to_onehot",
    "train_and_predict_rnn",
    "train_and_predict_rnn_gluon",
]


def load_data_jay_lyrics(*, root=None):
    """Jay Chou's lyrics as character indices: ``(corpus_indices, char_to_idx, idx_to_char, vocab_size)``.

    Taught in notebook 12.1. As in the 2019 book, line breaks become spaces and only the first
    10,000 characters are kept. Characters are numbered in sorted order, so the indices are the
    same in every run. ``root`` is an extra folder searched for ``jaychou_lyrics.txt.zip``.
    """
    with zipfile.ZipFile(d2l.download('jaychou_lyrics.txt.zip', root)) as archive:
        lyrics = archive.read('jaychou_lyrics.txt').decode('utf-8')
    lyrics = lyrics.replace('\n', ' ').replace('\r', ' ')[:10000]
    idx_to_char = sorted(set(lyrics))
    char_to_idx = {char: i for i, char in enumerate(idx_to_char)}
    corpus_indices = [char_to_idx[char] for char in lyrics]
    return corpus_indices, char_to_idx, idx_to_char, len(idx_to_char)


def load_data_time_machine(*, root=None):
    """H. G. Wells' *The Time Machine* as character indices, shaped like :func:`load_data_jay_lyrics`.

    Shown beside the lyrics in notebook 12.1 (not re-typed there). Each line is lower-cased, every
    run of non-letters becomes one space, and the lines are joined with spaces, leaving 27
    characters (space and a-z), numbered in sorted order. ``root`` is an extra folder searched
    for ``timemachine.txt``.
    """
    with open(d2l.download('timemachine.txt', root), encoding='utf-8') as f:
        lines = [re.sub('[^a-z]+', ' ', line.lower()).strip() for line in f]
    book = ' '.join(line for line in lines if line)
    idx_to_char = sorted(set(book))
    char_to_idx = {char: i for i, char in enumerate(idx_to_char)}
    corpus_indices = [char_to_idx[char] for char in book]
    return corpus_indices, char_to_idx, idx_to_char, len(idx_to_char)


def data_iter_random(corpus_indices, batch_size, num_steps, ctx=None):
    """Random sampling: minibatches ``(X, Y)`` of non-overlapping subsequences in random order.

    Taught in notebook 12.1. The corpus is cut into ``(len(corpus_indices) - 1) // num_steps``
    pieces of ``num_steps`` indices, whose order is shuffled with Python's ``random`` (seed it
    with ``d2l.set_seed``); each minibatch takes ``batch_size`` of them and leftovers are
    dropped. ``Y`` is ``X`` shifted one position ahead. Both are float32 NDArrays of shape
    ``(batch_size, num_steps)`` on ``ctx``. Two minibatches in a row are not neighbours in the
    text, so the hidden state must start afresh for every minibatch.
    """
    if batch_size < 1 or num_steps < 1:
        raise ValueError(f'batch_size and num_steps must be positive, got {batch_size} and {num_steps}')
    corpus = np.asarray(corpus_indices, dtype=np.float32)
    starts = list(range(0, (len(corpus) - 1) // num_steps * num_steps, num_steps))
    random.shuffle(starts)
    for i in range(len(starts) // batch_size):
        batch = starts[i * batch_size:(i + 1) * batch_size]
        X = np.stack([corpus[s:s + num_steps] for s in batch])
        Y = np.stack([corpus[s + 1:s + num_steps + 1] for s in batch])
        yield nd.array(X, ctx=ctx), nd.array(Y, ctx=ctx)


def data_iter_consecutive(corpus_indices, batch_size, num_steps, ctx=None):
    """Consecutive sampling: row ``i`` of each minibatch continues row ``i`` of the previous one.

    Taught in notebook 12.1. The corpus is split into ``batch_size`` equal rows (the remainder
    is dropped) and the rows are read left to right, ``num_steps`` columns at a time. ``Y`` is
    ``X`` shifted one position ahead. Both are float32 NDArrays of shape
    ``(batch_size, num_steps)`` on ``ctx``. Because the minibatches are neighbours, the hidden
    state of one minibatch can start the next.
    """
    if batch_size < 1 or num_steps < 1:
        raise ValueError(f'batch_size and num_steps must be positive, got {batch_size} and {num_steps}')
    row_len = len(corpus_indices) // batch_size
    rows = nd.array(corpus_indices[:batch_size * row_len], ctx=ctx).reshape((batch_size, row_len))
    for i in range((row_len - 1) // num_steps):
        j = i * num_steps
        yield rows[:, j:j + num_steps], rows[:, j + 1:j + num_steps + 1]


def to_onehot(X, size):
    """Turn a ``(batch_size, num_steps)`` minibatch of indices into ``num_steps`` one-hot matrices.

    Taught in notebook 12.2. Element ``t`` of the returned list has shape ``(batch_size, size)``
    and encodes column ``t`` of ``X``: the from-scratch RNN reads its input one time step at a
    time.
    """
    if X.ndim != 2:
        raise ValueError(f'X must be (batch_size, num_steps), got shape {X.shape}')
    return [nd.one_hot(X[:, t], size) for t in range(X.shape[1])]


def grad_clipping(params, theta, ctx):
    """Rescale the gradients of ``params`` so that their joint L2 norm is at most ``theta``.

    Taught in notebook 12.2. With ``g`` all gradients stacked into one vector, every gradient is
    multiplied by ``min(1, theta / ||g||)``; the direction is kept and only a too-long step is
    shortened. The factor is computed on ``ctx`` without copying to the host. Returns ``||g||``
    before clipping, a ``(1,)`` NDArray on ``ctx``.
    """
    if theta <= 0:
        raise ValueError(f'theta must be positive, got {theta}')
    norm = nd.add_n(*[(p.grad.as_in_context(ctx) ** 2).sum() for p in params]).sqrt()
    scale = nd.minimum(theta / (norm + 1e-12), nd.ones(1, ctx=ctx))
    for p in params:
        p.grad[:] *= scale.as_in_context(p.grad.context)
    return norm


def predict_rnn(prefix, num_chars, rnn, params, init_rnn_state, num_hiddens, vocab_size, ctx,
                idx_to_char, char_to_idx):
    """Continue ``prefix`` with ``num_chars`` characters chosen greedily by a from-scratch RNN.

    Taught in notebook 12.2. The prefix is fed one character at a time only to build up the
    hidden state; after its last character, each step appends the most likely next character
    and feeds it back in as the next input.
    """
    missing = sorted(set(prefix) - set(char_to_idx))
    if not prefix or missing:
        raise ValueError(f'prefix {prefix!r} is empty or has characters outside the vocabulary: {missing}')
    state = init_rnn_state(1, num_hiddens, ctx)
    output = [char_to_idx[prefix[0]]]
    for t in range(len(prefix) + num_chars - 1):
        X = to_onehot(nd.array([[output[-1]]], ctx=ctx), vocab_size)
        Y, state = rnn(X, state, params)
        if t + 1 < len(prefix):
            output.append(char_to_idx[prefix[t + 1]])
        else:
            output.append(int(Y[0].argmax(axis=1).asscalar()))
    return ''.join(idx_to_char[i] for i in output)


def train_and_predict_rnn(rnn, get_params, init_rnn_state, num_hiddens, vocab_size, ctx,
                          corpus_indices, idx_to_char, char_to_idx, is_random_iter, num_epochs,
                          num_steps, lr, clipping_theta, batch_size, pred_period, pred_len,
                          prefixes):
    """Train a from-scratch RNN language model; return its training perplexity after every epoch.

    Taught in notebook 12.2. ``get_params()`` makes fresh parameters with gradients attached.
    With ``is_random_iter`` the minibatches come from :func:`d2l.data_iter_random` and every
    minibatch starts from a zero state; otherwise from :func:`d2l.data_iter_consecutive`, and
    the state carries over from one minibatch to the next, detached from the old graph
    (truncated BPTT). Each step clips the gradient norm to ``clipping_theta`` and applies
    :func:`d2l.sgd` to the mean cross-entropy. Every ``pred_period`` epochs it prints the
    perplexity and ``pred_len`` characters generated after each of ``prefixes``.
    """
    data_iter_fn = d2l.data_iter_random if is_random_iter else d2l.data_iter_consecutive
    params = get_params()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    history = []
    for epoch in range(num_epochs):
        start, state = time.time(), None
        loss_sum, n = nd.zeros(1, ctx=ctx), 0
        for X, Y in data_iter_fn(corpus_indices, batch_size, num_steps, ctx):
            if is_random_iter or state is None:
                state = init_rnn_state(X.shape[0], num_hiddens, ctx)
            else:
                state = tuple(s.detach() for s in state)
            with autograd.record():
                outputs, state = rnn(to_onehot(X, vocab_size), state, params)
                logits = nd.concat(*outputs, dim=0)  # (num_steps * batch_size, vocab_size)
                y = Y.T.reshape((-1,))  # time-major, matching the rows of logits
                l = loss(logits, y).mean()
            l.backward()
            grad_clipping(params, clipping_theta, ctx)
            d2l.sgd(params, lr, 1)  # the loss is already a mean
            loss_sum += l * y.size
            n += y.size
        if n == 0:
            raise ValueError(f'the corpus ({len(corpus_indices)} indices) is too short for '
                             f'batch_size={batch_size} and num_steps={num_steps}')
        history.append(math.exp(loss_sum.asscalar() / n))
        if (epoch + 1) % pred_period == 0:
            print(f'epoch {epoch + 1}, perplexity {history[-1]:f}, time {time.time() - start:.2f} sec',
                  flush=True)
            for prefix in prefixes:
                print(' -', predict_rnn(prefix, pred_len, rnn, params, init_rnn_state, num_hiddens,
                                        vocab_size, ctx, idx_to_char, char_to_idx), flush=True)
    return history


class RNNModel(nn.Block):
    """A language model from a Gluon recurrent layer (``rnn.RNN``, ``rnn.GRU``, ``rnn.LSTM``) and a ``Dense`` layer.

    Taught in notebook 12.3. ``forward(inputs, state)`` takes a ``(batch_size, num_steps)``
    minibatch of indices, one-hot encodes it time-major, runs the recurrent layer and returns
    the logits, shape ``(num_steps * batch_size, vocab_size)``, with the new state.
    ``begin_state`` is the recurrent layer's.
    """

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.dense = nn.Dense(vocab_size)

    def forward(self, inputs, state):
        X = nd.one_hot(inputs.T, self.vocab_size)  # (num_steps, batch_size, vocab_size)
        Y, state = self.rnn(X, state)
        return self.dense(Y.reshape((-1, Y.shape[-1]))), state

    def begin_state(self, *args, **kwargs):
        return self.rnn.begin_state(*args, **kwargs)


def predict_rnn_gluon(prefix, num_chars, model, vocab_size, ctx, idx_to_char, char_to_idx):
    """Continue ``prefix`` with ``num_chars`` characters chosen greedily by an :class:`RNNModel`.

    Taught in notebook 12.3; the same procedure as :func:`d2l.predict_rnn`.
    """
    missing = sorted(set(prefix) - set(char_to_idx))
    if not prefix or missing:
        raise ValueError(f'prefix {prefix!r} is empty or has characters outside the vocabulary: {missing}')
    state = model.begin_state(batch_size=1, ctx=ctx)
    output = [char_to_idx[prefix[0]]]
    for t in range(len(prefix) + num_chars - 1):
        X = nd.array([[output[-1]]], ctx=ctx)
        Y, state = model(X, state)
        if t + 1 < len(prefix):
            output.append(char_to_idx[prefix[t + 1]])
        else:
            output.append(int(Y.argmax(axis=1).asscalar()))
    return ''.join(idx_to_char[i] for i in output)


def train_and_predict_rnn_gluon(model, num_hiddens, vocab_size, ctx, corpus_indices, idx_to_char,
                                char_to_idx, num_epochs, num_steps, lr, clipping_theta,
                                batch_size, pred_period, pred_len, prefixes):
    """Train an :class:`RNNModel` with consecutive sampling; return its perplexity after every epoch.

    Taught in notebook 12.3. The model is (re)initialised from N(0, 0.01^2) on ``ctx`` and
    trained with a plain SGD ``Trainer``; the state carries over between minibatches, detached
    (truncated BPTT), and gradients are clipped with :func:`d2l.grad_clipping`. Every
    ``pred_period`` epochs it prints the perplexity and text generated after each prefix.
    """
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    model.initialize(init.Normal(sigma=0.01), ctx=ctx, force_reinit=True)
    trainer = gluon.Trainer(model.collect_params(), 'sgd', {'learning_rate': lr, 'momentum': 0, 'wd': 0})
    history = []
    for epoch in range(num_epochs):
        start, state = time.time(), None
        loss_sum, n = nd.zeros(1, ctx=ctx), 0
        for X, Y in d2l.data_iter_consecutive(corpus_indices, batch_size, num_steps, ctx):
            if state is None:
                state = model.begin_state(batch_size=X.shape[0], ctx=ctx)
            else:
                state = [s.detach() for s in state]
            with autograd.record():
                output, state = model(X, state)
                y = Y.T.reshape((-1,))
                l = loss(output, y).mean()
            l.backward()
            params = [p.data(ctx) for p in model.collect_params().values()]
            d2l.grad_clipping(params, clipping_theta, ctx)
            trainer.step(1)  # the loss is already a mean
            loss_sum += l * y.size
            n += y.size
        if n == 0:
            raise ValueError(f'the corpus ({len(corpus_indices)} indices) is too short for '
                             f'batch_size={batch_size} and num_steps={num_steps}')
        history.append(math.exp(loss_sum.asscalar() / n))
        if (epoch + 1) % pred_period == 0:
            print(f'epoch {epoch + 1}, perplexity {history[-1]:f}, time {time.time() - start:.2f} sec',
                  flush=True)
            for prefix in prefixes:
                print(' -', predict_rnn_gluon(prefix, pred_len, model, vocab_size, ctx, idx_to_char,
                                              char_to_idx), flush=True)
    return history
