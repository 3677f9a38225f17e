import numpy as np
import pytest
from mxnet import autograd, nd

import d2l


def test_data_iter_covers_every_example_once():
    d2l.set_seed(0)
    X = nd.arange(23).reshape((23, 1))
    y = nd.arange(23) * 10
    batches = list(d2l.data_iter(5, X, y))
    assert [len(b[0]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[0].asnumpy().ravel() for b in batches])
    assert sorted(seen.tolist()) == list(range(23))
    assert seen.tolist() != list(range(23)), "the order is shuffled"
    for Xb, yb in batches:
        np.testing.assert_array_equal(yb.asnumpy(), Xb.asnumpy().ravel() * 10)


def test_data_iter_rejects_bad_input():
    with pytest.raises(ValueError, match="positive"):
        next(d2l.data_iter(0, nd.ones((3, 1)), nd.ones(3)))
    with pytest.raises(ValueError, match="3 examples but 2 labels"):
        next(d2l.data_iter(2, nd.ones((3, 1)), nd.ones(2)))


def test_linreg_and_squared_loss_by_hand():
    X = nd.array([[1, 2], [3, 4]])
    w = nd.array([[0.5], [-1]])
    b = nd.array([2])
    y_hat = d2l.linreg(X, w, b)
    np.testing.assert_allclose(y_hat.asnumpy().ravel(), [0.5, -0.5])
    loss = d2l.squared_loss(y_hat, nd.array([1.5, 0.5]))
    assert loss.shape == (2, 1)
    np.testing.assert_allclose(loss.asnumpy().ravel(), [0.5, 0.5])


def test_sgd_step_is_averaged_over_the_batch():
    w = nd.array([1.0, 2.0])
    w.attach_grad()
    with autograd.record():
        l = (w * nd.array([3.0, 4.0])).sum()  # gradient [3, 4]
    l.backward()
    d2l.sgd([w], lr=0.5, batch_size=2)
    np.testing.assert_allclose(w.asnumpy(), [1 - 0.5 * 3 / 2, 2 - 0.5 * 4 / 2])


def test_linear_regression_recovers_the_weights():
    d2l.set_seed(1)
    true_w, true_b = nd.array([2, -3.4]), 4.2
    features = nd.random.normal(shape=(1000, 2))
    labels = nd.dot(features, true_w) + true_b + nd.random.normal(scale=0.01, shape=1000)
    w, b = nd.random.normal(scale=0.01, shape=(2, 1)), nd.zeros(1)
    w.attach_grad()
    b.attach_grad()
    for _ in range(3):
        for X, y in d2l.data_iter(10, features, labels):
            with autograd.record():
                l = d2l.squared_loss(d2l.linreg(X, w, b), y)
            l.backward()
            d2l.sgd([w, b], 0.03, 10)
    np.testing.assert_allclose(w.asnumpy().ravel(), [2, -3.4], atol=0.01)
    assert abs(b.asscalar() - 4.2) < 0.01
