"""Language models, seq2seq and attention with fused Gluon RNN layers (chapter 13, second half).

``bptt_batches``, ``RNNLM``, ``train_lm`` and ``lm_perplexity`` are taught in notebook 13.5 (RNN
language model on PTB); ``LSTMLM`` and ``generate_words`` in notebook 13.6 (LSTM language
model, dropout, weight tying, text generation); ``load_char_seq``, ``LSTMEncoder``,
``LSTMDecoder``, ``PeekyDecoder``, ``Seq2Seq``, ``greedy_decode``, ``seq_accuracy`` and
``train_seq2seq`` in notebook 13.7 (seq2seq on ``addition.txt``); ``AttentionLSTMDecoder`` in
notebook 13.8 (attention on ``date.txt``). Every model is a ``HybridBlock`` built on the fused
``rnn.RNN``/``rnn.LSTM`` layers, so ``net.hybridize()`` compiles it.
"""
import time
import numpy as np
from mxnet import autograd, gluon, nd
from mxnet.gluon import loss as gloss, nn, rnn

import d2l

__all__ = ["AttentionLSTMDecoder", "LSTMDecoder", "LSTMEncoder", "LSTMLM", "PeekyDecoder", "RNNLM",
           "Seq2Seq", "bptt_batches", "generate_words", "greedy_decode", "lm_perplexity",
           "load_char_seq", "seq_accuracy", "train_lm", "train_seq2seq"]


def bptt_batches(corpus, batch_size: int, num_steps: int, ctx):
    """Yield ``(X, Y)`` windows of shape ``(batch_size, num_steps)`` for truncated BPTT.

    Taught in notebook 13.5. The corpus is cut into ``batch_size`` equal streams read side by
    side; window k of each stream continues window k-1, so a model may carry its hidden state
    from one window to the next. ``Y`` is ``X`` shifted by one word. Arrays are float32 on ``ctx``.
    """
    corpus = np.asarray(corpus)
    if corpus.ndim != 1:
        raise ValueError(f"corpus must be a 1-D sequence of word ids, got shape {corpus.shape}")
    if batch_size < 1 or num_steps < 1:
        raise ValueError(f"batch_size and num_steps must be >= 1, got {batch_size} and {num_steps}")
    stream_len = (len(corpus) - 1) // batch_size
    num_windows = stream_len // num_steps
    if num_windows == 0:
        raise ValueError(f"a corpus of {len(corpus)} words is too short for batch_size={batch_size}, "
                         f"num_steps={num_steps}")
    used = stream_len * batch_size
    xs = nd.array(corpus[:used].reshape(batch_size, stream_len), ctx=ctx)
    ys = nd.array(corpus[1:used + 1].reshape(batch_size, stream_len), ctx=ctx)
    for k in range(num_windows):
        start = k * num_steps
        yield xs[:, start:start + num_steps], ys[:, start:start + num_steps]


class RNNLM(nn.HybridBlock):
    """Word-level language model: embedding, one fused tanh ``rnn.RNN`` layer, dense output.

    Taught in notebook 13.5. ``net(X, state)`` maps word ids ``(batch, steps)`` to scores
    ``(batch, steps, vocab_size)`` and the next state; ``net.begin_state(batch_size, ctx)``
    gives the zero state.
    """

    def __init__(self, vocab_size: int, embed_size: int = 100, hidden_size: int = 100, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.rnn = rnn.RNN(hidden_size, activation="tanh", layout="NTC", input_size=embed_size)
            self.dense = nn.Dense(vocab_size, flatten=False, in_units=hidden_size)

    def begin_state(self, batch_size: int, ctx):
        """Zero hidden state for ``batch_size`` streams on ``ctx`` (a list of one array)."""
        return self.rnn.begin_state(batch_size, ctx=ctx)

    def hybrid_forward(self, F, X, state):
        Y, state = self.rnn(self.embedding(X), state)
        return self.dense(Y), state


def lm_perplexity(net, corpus, batch_size: int, num_steps: int, ctx) -> float:
    """Perplexity of a language model on ``corpus``: exp of the mean cross-entropy per word.

    Taught in notebook 13.5. Reads the corpus with :func:`bptt_batches`, carrying the state from
    window to window, in prediction mode (dropout off).
    """
    loss = gloss.SoftmaxCrossEntropyLoss()
    state = net.begin_state(batch_size, ctx)
    total, n = nd.zeros(1, ctx=ctx), 0
    for X, Y in bptt_batches(corpus, batch_size, num_steps, ctx):
        out, state = net(X, state)
        total += loss(out, Y).mean()  # every window has batch_size * num_steps words
        n += 1
    return float(np.exp(total.asscalar() / n))


def train_lm(net, corpus, batch_size: int, num_steps: int, trainer, ctx, num_epochs: int,
             clip_norm=None, valid_corpus=None, print_every: int = 1) -> dict:
    """Train a language model with truncated BPTT; print and return the perplexity per epoch.

    Taught in notebook 13.5. ``net(X, state)`` returns ``(scores, state)`` and
    ``net.begin_state(batch_size, ctx)`` the zero state. The state is carried from window to
    window but detached, so gradients flow back ``num_steps`` steps only. The loss is the mean
    cross-entropy per word (``trainer.step(1)``); with ``clip_norm`` the gradients are rescaled
    to that global L2 norm at most. Returns ``train_ppl``, ``valid_ppl`` (when
    ``valid_corpus`` is given) and ``seconds`` per epoch.
    """
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be >= 1, got {num_epochs}")
    loss = gloss.SoftmaxCrossEntropyLoss()
    params = [p for p in net.collect_params().values() if p.grad_req != "null"]
    history = {"train_ppl": [], "valid_ppl": [], "seconds": []}
    for epoch in range(num_epochs):
        start = time.perf_counter()
        state = net.begin_state(batch_size, ctx)
        total, n = nd.zeros(1, ctx=ctx), 0
        for X, Y in bptt_batches(corpus, batch_size, num_steps, ctx):
            state = [s.detach() for s in state]
            with autograd.record():
                out, state = net(X, state)
                l = loss(out, Y).mean()
            l.backward()
            if clip_norm is not None:
                gluon.utils.clip_global_norm([p.grad(ctx) for p in params], clip_norm,
                                             check_isfinite=False)
            trainer.step(1)
            total += l
            n += 1
        history["train_ppl"].append(float(np.exp(total.asscalar() / n)))
        if valid_corpus is not None:
            history["valid_ppl"].append(lm_perplexity(net, valid_corpus, batch_size, num_steps, ctx))
        history["seconds"].append(time.perf_counter() - start)
        if (epoch + 1) % print_every == 0 or epoch + 1 == num_epochs:
            valid = f", valid ppl {history['valid_ppl'][-1]:.2f}" if valid_corpus is not None else ""
            print(f"epoch {epoch + 1}, train ppl {history['train_ppl'][-1]:.2f}{valid}, "
                  f"{history['seconds'][-1]:.1f} sec", flush=True)
    return history


class LSTMLM(nn.HybridBlock):
    """LSTM language model with dropout and optional weight tying.

    Taught in notebook 13.6. Dropout (rate ``dropout``) is applied to the embeddings, between
    stacked LSTM layers and to the last layer's output. With ``tie_weights`` the output layer
    reuses the embedding matrix (``embed_size`` must equal ``hidden_size``). Same interface as
    :class:`RNNLM`: ``net(X, state) -> (scores, state)`` and ``net.begin_state(batch_size, ctx)``.
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, num_layers: int = 1,
                 dropout: float = 0.0, tie_weights: bool = False, **kwargs):
        super().__init__(**kwargs)
        if tie_weights and embed_size != hidden_size:
            raise ValueError(f"weight tying needs embed_size == hidden_size, got {embed_size} and "
                             f"{hidden_size}")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        with self.name_scope():
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.drop = nn.Dropout(dropout)
            self.lstm = rnn.LSTM(hidden_size, num_layers, layout="NTC", dropout=dropout,
                                 input_size=embed_size)
            if tie_weights:
                self.dense = nn.Dense(vocab_size, flatten=False, in_units=hidden_size,
                                      params=self.embedding.params)
            else:
                self.dense = nn.Dense(vocab_size, flatten=False, in_units=hidden_size)

    def begin_state(self, batch_size: int, ctx):
        """Zero ``[h, c]`` state for ``batch_size`` streams on ``ctx``."""
        return self.lstm.begin_state(batch_size, ctx=ctx)

    def hybrid_forward(self, F, X, state):
        Y, state = self.lstm(self.drop(self.embedding(X)), state)
        return self.dense(self.drop(Y)), state


def generate_words(net, prefix: list, num_words: int, word_to_id: dict, id_to_word: dict, ctx,
                   greedy: bool = False, skip=("<unk>", "N")) -> list:
    """Continue ``prefix`` by ``num_words`` words with a trained language model.

    Taught in notebook 13.6. Each next word is the most likely one (``greedy=True``) or drawn
    from the model's softmax distribution with NumPy's generator (seed it with
    ``d2l.set_seed``). Words in ``skip`` are never produced. Returns the prefix plus the new words.
    """
    if not prefix:
        raise ValueError("prefix must hold at least one word")
    unknown = [w for w in prefix if w not in word_to_id]
    if unknown:
        raise ValueError(f"words not in the vocabulary: {unknown}")
    banned = [word_to_id[w] for w in skip if w in word_to_id]
    state = net.begin_state(1, ctx)
    X = nd.array([[word_to_id[w] for w in prefix]], ctx=ctx)
    words = list(prefix)
    for _ in range(num_words):
        out, state = net(X, state)
        logits = out[0, -1].asnumpy().astype(np.float64)
        logits[banned] = -np.inf
        if greedy:
            next_id = int(logits.argmax())
        else:
            p = np.exp(logits - logits.max())
            next_id = int(np.random.choice(len(p), p=p / p.sum()))
        words.append(id_to_word[next_id])
        X = nd.array([[next_id]], ctx=ctx)
    return words


def load_char_seq(name: str, test_size: int = 5000, seed: int = 1984) -> tuple:
    """Character question/answer pairs of ``addition.txt`` or ``date.txt``, split train/test.

    Taught in notebook 13.7. Every line reads ``question_answer`` with fixed-width, space-padded
    fields; the answer keeps its leading ``_``, which the decoder reads as the start symbol.
    Characters get ids by first appearance. The pairs are shuffled with ``seed`` and the last
    ``test_size`` form the test set. Returns ``(X_train, Y_train), (X_test, Y_test), char_to_id,
    id_to_char`` with int32 arrays of shape ``(n, question length)`` and ``(n, answer length)``.
    """
    with open(d2l.download(name), encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    questions, answers = [], []
    for number, line in enumerate(lines, 1):
        cut = line.find("_")
        if cut <= 0:
            raise ValueError(f"{name} line {number} has no '_' between question and answer: {line!r}")
        questions.append(line[:cut])
        answers.append(line[cut:])
    if len({len(q) for q in questions}) != 1 or len({len(a) for a in answers}) != 1:
        raise ValueError(f"{name}: questions and answers must each have one fixed width")
    if not 0 < test_size < len(lines):
        raise ValueError(f"test_size must be between 1 and {len(lines) - 1}, got {test_size}")
    char_to_id = {}
    for q, a in zip(questions, answers):
        for ch in q + a:
            char_to_id.setdefault(ch, len(char_to_id))
    X = np.array([[char_to_id[ch] for ch in q] for q in questions], dtype=np.int32)
    Y = np.array([[char_to_id[ch] for ch in a] for a in answers], dtype=np.int32)
    order = np.random.RandomState(seed).permutation(len(X))
    X, Y = X[order], Y[order]
    cut = len(X) - test_size
    id_to_char = {i: ch for ch, i in char_to_id.items()}
    return (X[:cut], Y[:cut]), (X[cut:], Y[cut:]), char_to_id, id_to_char


class LSTMEncoder(nn.HybridBlock):
    """Embedding plus one fused LSTM layer; returns the outputs of all steps ``(batch, steps, hidden)``.

    Taught in notebook 13.7. The last step's output is the encoder's final hidden state, the
    fixed-size summary that the plain and peeky decoders start from.
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.lstm = rnn.LSTM(hidden_size, layout="NTC", input_size=embed_size)

    def hybrid_forward(self, F, X):
        return self.lstm(self.embedding(X))


class LSTMDecoder(nn.HybridBlock):
    """Plain LSTM decoder: ``decoder(Y_in, state) -> (scores, state)`` with ``state = [h, c]``.

    Taught in notebook 13.7. The encoder's information arrives only through the initial state
    from :meth:`init_state`: ``h`` is the encoder's last output and ``c`` is zero.
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.lstm = rnn.LSTM(hidden_size, layout="NTC", input_size=embed_size)
            self.dense = nn.Dense(vocab_size, flatten=False, in_units=hidden_size)

    def init_state(self, F, memory):
        """``[h, c]``, each ``(1, batch, hidden)``, from the encoder outputs ``memory``."""
        h = F.swapaxes(F.slice_axis(memory, axis=1, begin=-1, end=None), 0, 1)
        return [h, F.zeros_like(h)]

    def hybrid_forward(self, F, Y_in, state):
        out, state = self.lstm(self.embedding(Y_in), state)
        return self.dense(out), state


class PeekyDecoder(nn.HybridBlock):
    """LSTM decoder that sees the encoder's final state at every step ("peeky").

    Taught in notebook 13.7. The encoder's last output (kept in the state as ``[h, c,
    summary]``) is concatenated to the embedding that enters the LSTM and to the LSTM output
    that enters the dense layer. Called like :class:`LSTMDecoder`.
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.lstm = rnn.LSTM(hidden_size, layout="NTC", input_size=embed_size + hidden_size)
            self.dense = nn.Dense(vocab_size, flatten=False, in_units=2 * hidden_size)

    def init_state(self, F, memory):
        """``[h, c, summary]``: the plain decoder's state plus the last output ``(batch, 1, hidden)``."""
        summary = F.slice_axis(memory, axis=1, begin=-1, end=None)
        h = F.swapaxes(summary, 0, 1)
        return [h, F.zeros_like(h), summary]

    def hybrid_forward(self, F, Y_in, state):
        h, c, summary = state
        embedded = self.embedding(Y_in)
        peek = F.broadcast_like(summary, embedded, lhs_axes=(1,), rhs_axes=(1,))
        out, (h, c) = self.lstm(F.concat(peek, embedded, dim=2), [h, c])
        return self.dense(F.concat(peek, out, dim=2)), [h, c, summary]


class Seq2Seq(nn.HybridBlock):
    """Encoder and decoder trained together with teacher forcing: ``net(X, Y_in) -> scores``.

    Taught in notebook 13.7. The decoder's state starts from the encoder outputs
    (``decoder.init_state``) and the decoder reads the correct previous characters ``Y_in``.
    """

    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder

    def hybrid_forward(self, F, X, Y_in):
        state = self.decoder.init_state(F, self.encoder(X))
        return self.decoder(Y_in, state)[0]


def greedy_decode(net, X, start_id: int, num_steps: int):
    """Generate ``num_steps`` ids per row of ``X``, each time feeding back the most likely one.

    Taught in notebook 13.7. Returns ``(ids, attention)``: ``ids`` has shape ``(batch,
    num_steps)``; ``attention`` stacks the weights ``(batch, num_steps, input steps)`` when the
    decoder returns them as a third output (notebook 13.8), else it is None.
    """
    if num_steps < 1:
        raise ValueError(f"num_steps must be >= 1, got {num_steps}")
    state = net.decoder.init_state(nd, net.encoder(X))
    y = nd.full((X.shape[0], 1), start_id, ctx=X.context)
    ids, weights = [], []
    for _ in range(num_steps):
        out = net.decoder(y, state)
        scores, state = out[0], out[1]
        y = scores.argmax(axis=2)
        ids.append(y)
        if len(out) > 2:
            weights.append(out[2])
    attention = nd.concat(*weights, dim=1) if weights else None
    return nd.concat(*ids, dim=1), attention


def seq_accuracy(net, X, Y, ctx, batch_size: int = 1000) -> float:
    """Fraction of rows whose whole greedy answer equals ``Y[:, 1:]`` (padding included).

    Taught in notebook 13.7. ``X`` and ``Y`` are integer arrays (NumPy or NDArray); ``Y[:, 0]``
    is the start symbol.
    """
    X = X.asnumpy() if isinstance(X, nd.NDArray) else np.asarray(X)
    Y = Y.asnumpy() if isinstance(Y, nd.NDArray) else np.asarray(Y)
    if len(X) == 0 or len(X) != len(Y):
        raise ValueError(f"X and Y must hold the same positive number of rows, got {len(X)} and {len(Y)}")
    correct = 0
    for i in range(0, len(X), batch_size):
        Xb = nd.array(X[i:i + batch_size], ctx=ctx)
        target = Y[i:i + batch_size, 1:]
        ids, _ = greedy_decode(net, Xb, int(Y[0, 0]), target.shape[1])
        correct += int((ids.asnumpy() == target).all(axis=1).sum())
    return correct / len(X)


def train_seq2seq(net, train_data, test_data, trainer, ctx, num_epochs: int, batch_size: int,
                  clip_norm=5.0) -> dict:
    """Train a :class:`Seq2Seq` model with teacher forcing; print loss and test accuracy per epoch.

    Taught in notebook 13.7. ``train_data`` and ``test_data`` are ``(X, Y)`` integer arrays as
    returned by :func:`load_char_seq`. Each epoch shuffles the training pairs (NumPy's generator),
    drops the last incomplete batch, minimises the mean cross-entropy per answer character
    with the gradients clipped to global norm ``clip_norm``, then measures
    :func:`seq_accuracy` on ``test_data``. Returns ``loss``, ``test_acc`` and ``seconds`` per epoch.
    """
    X_train, Y_train = (np.asarray(a) for a in train_data)
    num_batches = len(X_train) // batch_size
    if num_batches == 0:
        raise ValueError(f"{len(X_train)} training pairs are fewer than batch_size={batch_size}")
    X_all, Y_all = nd.array(X_train, ctx=ctx), nd.array(Y_train, ctx=ctx)
    loss = gloss.SoftmaxCrossEntropyLoss()
    params = [p for p in net.collect_params().values() if p.grad_req != "null"]
    history = {"loss": [], "test_acc": [], "seconds": []}
    for epoch in range(num_epochs):
        start = time.perf_counter()
        order = nd.array(np.random.permutation(len(X_train)), ctx=ctx)
        total = nd.zeros(1, ctx=ctx)
        for b in range(num_batches):
            idx = order[b * batch_size:(b + 1) * batch_size]
            X, Y = nd.take(X_all, idx), nd.take(Y_all, idx)
            with autograd.record():
                l = loss(net(X, Y[:, :-1]), Y[:, 1:]).mean()
            l.backward()
            if clip_norm is not None:
                gluon.utils.clip_global_norm([p.grad(ctx) for p in params], clip_norm,
                                             check_isfinite=False)
            trainer.step(1)
            total += l
        history["loss"].append(total.asscalar() / num_batches)
        history["test_acc"].append(seq_accuracy(net, *test_data, ctx))
        history["seconds"].append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}, loss {history['loss'][-1]:.4f}, test acc "
              f"{history['test_acc'][-1]:.3f}, {history['seconds'][-1]:.1f} sec", flush=True)
    return history


class AttentionLSTMDecoder(nn.HybridBlock):
    """LSTM decoder with dot-product attention over all encoder outputs.

    Taught in notebook 13.8. The state is ``[h, c, memory]``. At every step the LSTM output
    scores each encoder output by a dot product; the softmax of the scores (the attention
    weights) averages the encoder outputs into a context vector, which is concatenated to the
    LSTM output before the dense layer. Returns ``(scores, state, weights)`` with weights of
    shape ``(batch, steps, input steps)``.
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.lstm = rnn.LSTM(hidden_size, layout="NTC", input_size=embed_size)
            self.dense = nn.Dense(vocab_size, flatten=False, in_units=2 * hidden_size)

    def init_state(self, F, memory):
        """``[h, c, memory]``: ``h`` is the encoder's last output, ``c`` is zero."""
        h = F.swapaxes(F.slice_axis(memory, axis=1, begin=-1, end=None), 0, 1)
        return [h, F.zeros_like(h), memory]

    def hybrid_forward(self, F, Y_in, state):
        h, c, memory = state
        out, (h, c) = self.lstm(self.embedding(Y_in), [h, c])
        weights = F.softmax(F.batch_dot(out, memory, transpose_b=True), axis=-1)
        context = F.batch_dot(weights, memory)
        return self.dense(F.concat(context, out, dim=2)), [h, c, memory], weights
