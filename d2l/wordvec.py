"""Count-based word vectors and word2vec helpers (chapter 13, NLP from scratch).

``preprocess``, ``co_occurrence_matrix``, ``cos_similarity``, ``most_similar``, ``ppmi`` and
``randomized_svd`` are taught in notebook 13.2 (count-based word vectors);
``create_contexts_target`` in notebook 13.3 (simple CBOW); ``UnigramSampler``,
``CBOWNegSampling`` and ``analogy`` in notebook 13.4 (negative sampling on PTB).

Corpora are 1-D NumPy arrays of integer word ids (as :func:`d2l.data.text.load_ptb` returns
them); matrices of counts and word vectors are NDArrays on the context the caller picks.
"""
from typing import Dict, List, Tuple

import mxnet as mx
import numpy as np
from mxnet import gluon, nd

from .data import text as _text  # noqa: F401  (so that d2l.data.text.load_ptb is reachable)

__all__ = ["CBOWNegSampling", "UnigramSampler", "analogy", "co_occurrence_matrix",
           "cos_similarity", "create_contexts_target", "most_similar", "ppmi", "preprocess",
           "randomized_svd"]


def preprocess(text: str) -> Tuple[np.ndarray, Dict[str, int], Dict[int, str]]:
    """Lower-case ``text``, split it into words (``.`` is a word of its own) and number them.

    Ids follow first appearance (notebook 13.2). Returns ``(corpus, word_to_id, id_to_word)``
    with ``corpus`` an int32 array of ids, the same layout as ``load_ptb``.
    """
    words = text.lower().replace(".", " .").split()
    if not words:
        raise ValueError(f"no words in text {text!r}")
    word_to_id: Dict[str, int] = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array([word_to_id[w] for w in words], dtype=np.int32), word_to_id, id_to_word


def co_occurrence_matrix(corpus, vocab_size: int, window_size: int = 1, ctx=None) -> nd.NDArray:
    """Count how often word ``j`` appears within ``window_size`` words of word ``i`` (notebook 13.2).

    Vectorized: for each distance ``d`` the pairs ``(corpus[:-d], corpus[d:])`` are counted in
    both directions with ``np.unique``, so the matrix is symmetric. Returns a float32
    ``(vocab_size, vocab_size)`` NDArray on ``ctx`` (default CPU).
    """
    corpus = np.asarray(corpus)
    if corpus.ndim != 1 or not np.issubdtype(corpus.dtype, np.integer):
        raise ValueError(f"corpus must be a 1-D array of integer word ids, got shape "
                         f"{corpus.shape} and dtype {corpus.dtype}")
    if corpus.size and not 0 <= corpus.min() <= corpus.max() < vocab_size:
        raise ValueError(f"word ids must lie in [0, {vocab_size}), got ids from {corpus.min()} "
                         f"to {corpus.max()}")
    if window_size < 1:
        raise ValueError(f"window_size must be at least 1, got {window_size}")
    centers, neighbors = [], []
    for d in range(1, window_size + 1):
        left, right = corpus[:-d], corpus[d:]
        centers += [left, right]
        neighbors += [right, left]
    flat = np.concatenate(centers).astype(np.int64) * vocab_size + np.concatenate(neighbors)
    cells, counts = np.unique(flat, return_counts=True)
    C = np.zeros(vocab_size * vocab_size, dtype=np.float32)
    C[cells] = counts
    return nd.array(C.reshape(vocab_size, vocab_size), ctx=ctx or mx.cpu(), dtype="float32")


def cos_similarity(x: nd.NDArray, y: nd.NDArray, eps: float = 1e-8) -> float:
    """Cosine of the angle between two vectors, ``x . y / (|x| |y|)`` (notebook 13.2).

    ``eps`` keeps an all-zero vector from dividing by zero (its similarity is then 0).
    """
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"need two vectors of the same length, got shapes {x.shape} and {y.shape}")
    nx = x / (nd.norm(x) + eps)
    ny = y / (nd.norm(y) + eps)
    return float(nd.dot(nx, ny).asscalar())


def most_similar(query: str, word_to_id: Dict[str, int], id_to_word: Dict[int, str],
                 word_matrix: nd.NDArray, top: int = 5, verbose: bool = True
                 ) -> List[Tuple[str, float]]:
    """The ``top`` words whose vectors have the largest cosine similarity to ``query``'s.

    All similarities are one matrix-vector product of unit-length rows (notebook 13.2); the
    query itself is left out. Prints them unless ``verbose`` is False and returns a list of
    ``(word, similarity)``, most similar first.
    """
    if query not in word_to_id:
        raise KeyError(f"{query!r} is not in the vocabulary")
    unit = word_matrix / (nd.norm(word_matrix, axis=1, keepdims=True) + 1e-8)
    query_id = word_to_id[query]
    similarity = nd.dot(unit, unit[query_id])
    similarity[query_id] = -np.inf  # never answer the query itself
    top = min(top, len(id_to_word) - 1)
    best = nd.topk(similarity, k=top, ret_typ="indices").asnumpy().astype(np.int64)
    values = similarity.asnumpy()[best]
    found = [(id_to_word[int(i)], float(v)) for i, v in zip(best, values)]
    if verbose:
        print(f"[query] {query}")
        for word, sim in found:
            print(f"  {word}: {sim:.4f}")
    return found


def ppmi(C: nd.NDArray, eps: float = 1e-8) -> nd.NDArray:
    """Positive pointwise mutual information of a co-occurrence matrix, vectorized (notebook 13.2).

    ``PPMI(i, j) = max(0, log2(C[i, j] N / (S_i S_j) + eps))`` with ``N`` the sum of all
    counts and ``S_i``, ``S_j`` the row and column sums: a handful of whole-matrix NDArray
    operations instead of a Python loop over the cells. ``eps`` turns ``log2(0)`` into a large
    negative number, which the ``max`` then sets to 0. Words that never co-occur get 0 rows.
    """
    if C.ndim != 2:
        raise ValueError(f"C must be a 2-D matrix of counts, got shape {C.shape}")
    N = C.sum()
    row = nd.maximum(C.sum(axis=1), 1).reshape((-1, 1))  # an all-zero row stays all zero
    col = nd.maximum(C.sum(axis=0), 1).reshape((1, -1))
    pmi = nd.log2(nd.broadcast_div(nd.broadcast_div(C * N, row), col) + eps)
    return nd.maximum(pmi, 0)


def _orthonormal_basis(Y: nd.NDArray) -> nd.NDArray:
    """Orthonormal columns spanning ``Y``'s column space (a thin QR in NumPy, float64)."""
    Q, _ = np.linalg.qr(Y.asnumpy().astype(np.float64))
    return nd.array(Q, ctx=Y.context, dtype="float32")


def randomized_svd(M: nd.NDArray, k: int, n_oversamples: int = 10, n_iter: int = 4
                   ) -> Tuple[nd.NDArray, nd.NDArray, nd.NDArray]:
    """The ``k`` largest singular triplets of ``M`` by randomized range finding (notebook 13.2).

    ``M`` (dense or CSR) is multiplied by a random Gaussian matrix of ``k + n_oversamples``
    columns and the result is sharpened by ``n_iter`` power iterations; the orthonormal basis
    ``Q`` of that range then gives a small matrix ``Q^T M`` that NumPy decomposes exactly.
    The products with ``M`` run as NDArray operations on ``M``'s context (sparse ones for a
    CSR matrix); the thin QR and the small SVD run in NumPy. Seed MXNet with
    :func:`d2l.set_seed` for repeatable results. Returns float32 ``U`` ``(m, k)``, ``S``
    ``(k,)`` in descending order and ``Vt`` ``(k, n)``, all on ``M``'s context.
    """
    m, n = M.shape
    width = k + n_oversamples
    if k < 1 or n_oversamples < 0 or width > min(m, n):
        raise ValueError(f"need k >= 1, n_oversamples >= 0 and k + n_oversamples <= {min(m, n)} "
                         f"for a {M.shape} matrix, got k={k}, n_oversamples={n_oversamples}")
    ctx = M.context
    omega = nd.random.normal(shape=(n, width), ctx=ctx)
    Q = _orthonormal_basis(nd.dot(M, omega, forward_stype="default"))
    for _ in range(n_iter):
        Z = _orthonormal_basis(nd.dot(M, Q, transpose_a=True, forward_stype="default"))
        Q = _orthonormal_basis(nd.dot(M, Z, forward_stype="default"))
    Bt = nd.dot(M, Q, transpose_a=True, forward_stype="default")  # (Q^T M)^T, shape (n, width)
    Ub, S, Vt = np.linalg.svd(Bt.asnumpy().T.astype(np.float64), full_matrices=False)
    U = nd.dot(Q, nd.array(Ub[:, :k], ctx=ctx))
    return U, nd.array(S[:k], ctx=ctx), nd.array(Vt[:k], ctx=ctx)


def create_contexts_target(corpus, window_size: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    """Every word with ``window_size`` words on each side as ``(contexts, target)`` (notebook 13.3).

    Words closer than ``window_size`` to either end of the corpus are not targets. Returns
    int32 arrays ``contexts`` of shape ``(len(corpus) - 2 w, 2 w)`` (left words then right
    words, in corpus order) and ``target`` of shape ``(len(corpus) - 2 w,)``.
    """
    corpus = np.asarray(corpus)
    if corpus.ndim != 1:
        raise ValueError(f"corpus must be a 1-D array of word ids, got shape {corpus.shape}")
    n, w = len(corpus), window_size
    if w < 1:
        raise ValueError(f"window_size must be at least 1, got {window_size}")
    if n <= 2 * w:
        raise ValueError(f"a corpus of {n} words has no word with {w} neighbours on each side")
    offsets = [o for o in range(-w, w + 1) if o != 0]
    contexts = np.stack([corpus[w + o:n - w + o] for o in offsets], axis=1)
    return contexts.astype(np.int32), corpus[w:n - w].astype(np.int32)


class UnigramSampler:
    """Draw negative words with probability proportional to ``count ** power`` (notebook 13.4).

    ``word_p`` holds the probabilities (NumPy, one per word id). ``sample(target)`` returns
    ``sample_size`` word ids per target, drawn with replacement from NumPy's global generator
    (seed it with :func:`d2l.set_seed`) by binary search in the cumulative distribution; a
    draw equal to its own target is redrawn. The result is an int32 NDArray on ``ctx``.
    """

    def __init__(self, corpus, power: float = 0.75, sample_size: int = 5, ctx=None):
        corpus = np.asarray(corpus)
        if corpus.ndim != 1 or not np.issubdtype(corpus.dtype, np.integer):
            raise ValueError(f"corpus must be a 1-D array of integer word ids, got shape "
                             f"{corpus.shape} and dtype {corpus.dtype}")
        if sample_size < 1:
            raise ValueError(f"sample_size must be at least 1, got {sample_size}")
        if not 0 <= power <= 1:
            raise ValueError(f"power must be in [0, 1], got {power}")
        counts = np.bincount(corpus).astype(np.float64)
        if np.count_nonzero(counts) < 2:
            raise ValueError("the corpus needs at least two distinct words to draw negatives")
        p = np.where(counts > 0, counts ** power, 0.0)
        self.word_p = p / p.sum()
        self.vocab_size = len(counts)
        self.sample_size = sample_size
        self.ctx = ctx or mx.cpu()
        self._cdf = np.cumsum(self.word_p)

    def _draw(self, n: int) -> np.ndarray:
        ids = np.searchsorted(self._cdf, np.random.random_sample(n) * self._cdf[-1], side="right")
        return np.minimum(ids, self.vocab_size - 1)

    def sample(self, target) -> nd.NDArray:
        target = np.asarray(target.asnumpy() if isinstance(target, nd.NDArray) else target)
        target = target.reshape(-1).astype(np.int64)
        neg = self._draw(target.size * self.sample_size).reshape(target.size, self.sample_size)
        clash = neg == target[:, None]
        while clash.any():  # redraw only the clashing cells
            neg[clash] = self._draw(int(clash.sum()))
            clash = neg == target[:, None]
        return nd.array(neg, ctx=self.ctx, dtype="int32")


class CBOWNegSampling(gluon.HybridBlock):
    """CBOW scores for negative sampling: mean context embedding . candidate embedding (13.4).

    ``forward(contexts, candidates)`` takes word ids of shapes ``(B, 2 w)`` and ``(B, K)``
    (the target word first, then the negatives) and returns raw scores ``(B, K)``; a sigmoid
    binary cross-entropy against labels ``[1, 0, ..., 0]`` is the loss. Both embedding tables
    use ``sparse_grad`` so that each step touches only the rows of the words in the batch.
    """

    def __init__(self, vocab_size: int, hidden_size: int, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.embed_in = gluon.nn.Embedding(vocab_size, hidden_size, sparse_grad=True)
            self.embed_out = gluon.nn.Embedding(vocab_size, hidden_size, sparse_grad=True)

    def hybrid_forward(self, F, contexts, candidates):
        h = self.embed_in(contexts).mean(axis=1, keepdims=True)  # (B, 1, H)
        u = self.embed_out(candidates)  # (B, K, H)
        return F.batch_dot(h, u, transpose_b=True).reshape((0, -1))  # (B, K)


def analogy(a: str, b: str, c: str, word_to_id: Dict[str, int], id_to_word: Dict[int, str],
            word_matrix: nd.NDArray, top: int = 5, verbose: bool = True) -> List[Tuple[str, float]]:
    """Answer "``a`` is to ``b`` as ``c`` is to ?" with the words nearest ``b - a + c`` (13.4).

    Vectors are normalized to unit length first; the three question words are left out of the
    answers. Prints them unless ``verbose`` is False and returns ``(word, similarity)`` pairs.
    """
    missing = [w for w in (a, b, c) if w not in word_to_id]
    if missing:
        raise KeyError(f"not in the vocabulary: {missing}")
    unit = word_matrix / (nd.norm(word_matrix, axis=1, keepdims=True) + 1e-8)
    ids = [word_to_id[w] for w in (a, b, c)]
    query = unit[ids[1]] - unit[ids[0]] + unit[ids[2]]
    similarity = nd.dot(unit, query / (nd.norm(query) + 1e-8))
    for i in ids:  # the question words are not answers
        similarity[i] = -np.inf
    top = min(top, len(id_to_word) - len(set(ids)))
    best = nd.topk(similarity, k=top, ret_typ="indices").asnumpy().astype(np.int64)
    values = similarity.asnumpy()[best]
    found = [(id_to_word[int(i)], float(v)) for i, v in zip(best, values)]
    if verbose:
        print(f"[analogy] {a}:{b} = {c}:?")
        for word, sim in found:
            print(f"  {word}: {sim:.4f}")
    return found
