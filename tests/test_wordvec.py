"""Count-based word vectors and word2vec helpers of d2l.wordvec."""
import numpy as np
import pytest
from mxnet import nd

import d2l

TOY = "You say goodbye and I say hello."


def loop_co_matrix(corpus, vocab_size, window):
    C = np.zeros((vocab_size, vocab_size), dtype=np.float32)
    for i, word in enumerate(corpus):
        for d in range(1, window + 1):
            for j in (i - d, i + d):
                if 0 <= j < len(corpus):
                    C[word, corpus[j]] += 1
    return C


def test_preprocess_toy_sentence():
    corpus, word_to_id, id_to_word = d2l.preprocess(TOY)
    assert corpus.tolist() == [0, 1, 2, 3, 4, 1, 5, 6] and corpus.dtype == np.int32
    assert word_to_id["say"] == 1 and id_to_word[6] == "." and len(word_to_id) == 7
    with pytest.raises(ValueError, match="no words"):
        d2l.preprocess("   ")


def test_co_occurrence_matches_a_loop():
    corpus, word_to_id, _ = d2l.preprocess(TOY)
    C = d2l.co_occurrence_matrix(corpus, len(word_to_id)).asnumpy()
    assert C[word_to_id["say"]].tolist() == [1, 0, 1, 0, 1, 1, 0]
    rng = np.random.RandomState(0)
    random_corpus = rng.randint(0, 12, size=200)
    for window in (1, 3):
        fast = d2l.co_occurrence_matrix(random_corpus, 12, window).asnumpy()
        assert np.array_equal(fast, loop_co_matrix(random_corpus, 12, window))
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        d2l.co_occurrence_matrix(random_corpus, 5)
    with pytest.raises(ValueError, match="window_size"):
        d2l.co_occurrence_matrix(corpus, 7, window_size=0)


def test_cos_similarity():
    x, y = nd.array([1.0, 0.0]), nd.array([1.0, 1.0])
    assert abs(d2l.cos_similarity(x, y) - 2 ** -0.5) < 1e-6
    assert abs(d2l.cos_similarity(x, -3 * x) + 1) < 1e-6
    assert d2l.cos_similarity(x, nd.zeros(2)) == 0.0
    with pytest.raises(ValueError, match="same length"):
        d2l.cos_similarity(x, nd.ones(3))


def test_most_similar_ranks_and_leaves_out_the_query(capsys):
    word_to_id = {"a": 0, "b": 1, "c": 2, "d": 3}
    id_to_word = {i: w for w, i in word_to_id.items()}
    W = nd.array([[1, 0], [0.9, 0.1], [0, 1], [-1, 0]])
    found = d2l.most_similar("a", word_to_id, id_to_word, W, top=3)
    assert [w for w, _ in found] == ["b", "c", "d"]
    assert abs(found[2][1] + 1) < 1e-6
    assert "[query] a" in capsys.readouterr().out
    assert len(d2l.most_similar("a", word_to_id, id_to_word, W, top=10, verbose=False)) == 3
    with pytest.raises(KeyError, match="zebra"):
        d2l.most_similar("zebra", word_to_id, id_to_word, W)


def test_ppmi_matches_the_definition():
    rng = np.random.RandomState(1)
    C = rng.randint(0, 5, size=(6, 6)).astype(np.float32)
    C[4] = 0  # a word that never co-occurs
    C[:, 4] = 0
    N, rows, cols = C.sum(), C.sum(axis=1), C.sum(axis=0)
    expected = np.zeros_like(C)
    for i in range(6):
        for j in range(6):
            if C[i, j] > 0:
                expected[i, j] = max(0.0, np.log2(C[i, j] * N / (rows[i] * cols[j])))
    got = d2l.ppmi(nd.array(C)).asnumpy()
    assert np.allclose(got, expected, atol=1e-5)
    assert not np.isnan(got).any() and (got[4] == 0).all()


def test_ppmi_of_the_toy_corpus():
    corpus, word_to_id, _ = d2l.preprocess(TOY)
    W = d2l.ppmi(d2l.co_occurrence_matrix(corpus, len(word_to_id))).asnumpy()
    assert abs(W[0, 1] - 1.807355) < 1e-5 and abs(W[5, 6] - 2.807355) < 1e-5
    assert np.allclose(W, W.T)


def test_randomized_svd_recovers_a_low_rank_matrix():
    d2l.set_seed(0)
    rng = np.random.RandomState(0)
    A = (rng.randn(60, 5) * [10, 6, 3, 2, 1]) @ rng.randn(5, 40)
    M = nd.array(A)
    U, S, Vt = d2l.randomized_svd(M, 5, n_oversamples=5)
    assert U.shape == (60, 5) and S.shape == (5,) and Vt.shape == (5, 40)
    exact = np.linalg.svd(A, compute_uv=False)[:5]
    assert np.allclose(S.asnumpy(), exact, rtol=1e-3)
    rebuilt = (U.asnumpy() * S.asnumpy()) @ Vt.asnumpy()
    assert np.allclose(rebuilt, A, atol=1e-2 * np.abs(A).max())
    d2l.set_seed(0)
    S_csr = d2l.randomized_svd(M.tostype("csr"), 5, n_oversamples=5)[1]
    assert np.allclose(S_csr.asnumpy(), exact, rtol=1e-3)
    with pytest.raises(ValueError, match="k=50"):
        d2l.randomized_svd(M, 50)


def test_create_contexts_target():
    corpus, _, _ = d2l.preprocess(TOY)
    contexts, target = d2l.create_contexts_target(corpus, window_size=1)
    assert target.tolist() == [1, 2, 3, 4, 1, 5]
    assert contexts.tolist()[:2] == [[0, 2], [1, 3]] and contexts.shape == (6, 2)
    contexts2, target2 = d2l.create_contexts_target(corpus, window_size=2)
    assert contexts2.tolist()[0] == [0, 1, 3, 4] and target2.tolist() == [2, 3, 4, 1]
    with pytest.raises(ValueError, match="8 words"):
        d2l.create_contexts_target(corpus, window_size=4)


def test_unigram_sampler():
    corpus = np.array([0] * 80 + [1] * 15 + [2] * 5)
    sampler = d2l.UnigramSampler(corpus, power=0.75, sample_size=3)
    p = np.array([80, 15, 5]) ** 0.75
    assert np.allclose(sampler.word_p, p / p.sum())
    d2l.set_seed(0)
    target = np.array([0, 1, 2] * 2000)
    neg = sampler.sample(nd.array(target, dtype="int32")).asnumpy()
    assert neg.shape == (6000, 3) and neg.dtype == np.int32
    assert not (neg == target[:, None]).any(), "a negative never equals its own target"
    rows_of_2 = neg[target == 2].ravel()  # draws for target 2 come from words 0 and 1 only
    share_of_0 = (rows_of_2 == 0).mean()
    assert abs(share_of_0 - p[0] / (p[0] + p[1])) < 0.03
    d2l.set_seed(0)
    assert np.array_equal(sampler.sample(target).asnumpy(), neg)
    with pytest.raises(ValueError, match="two distinct words"):
        d2l.UnigramSampler(np.zeros(5, dtype=np.int64))


def test_cbow_negative_sampling_scores():
    d2l.set_seed(0)
    net = d2l.CBOWNegSampling(10, 4)
    net.initialize()
    contexts = nd.array([[1, 2, 3, 4], [5, 5, 6, 7]], dtype="int32")
    candidates = nd.array([[0, 8, 9], [1, 2, 3]], dtype="int32")
    scores = net(contexts, candidates)
    assert scores.shape == (2, 3)
    W_in, W_out = net.embed_in.weight.data(), net.embed_out.weight.data()
    h = nd.take(W_in, contexts[1]).mean(axis=0)
    assert np.allclose(scores[1].asnumpy(), nd.dot(nd.take(W_out, candidates[1]), h).asnumpy(), atol=1e-6)
    net.hybridize()
    assert np.allclose(net(contexts, candidates).asnumpy(), scores.asnumpy(), atol=1e-6)


def test_analogy_finds_the_parallel_word():
    words = ["king", "man", "queen", "woman", "apple"]
    word_to_id = {w: i for i, w in enumerate(words)}
    id_to_word = dict(enumerate(words))
    W = nd.array([[1, 1, 0], [0, 1, 0], [1, 0, 1], [0, 0, 1], [-1, -1, -1]])
    found = d2l.analogy("king", "man", "queen", word_to_id, id_to_word, W, top=2, verbose=False)
    assert found[0][0] == "woman" and len(found) == 2
    with pytest.raises(KeyError, match="prince"):
        d2l.analogy("king", "prince", "queen", word_to_id, id_to_word, W)
