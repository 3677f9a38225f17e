import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon import loss as gloss, nn

import d2l


def _toy_iters(n=400, batch=50):
    """Two well-separated 2-D blobs: any linear classifier learns them in a few epochs."""
    d2l.set_seed(3)
    X = nd.concat(nd.random.normal(-2, 0.5, shape=(n // 2, 2)), nd.random.normal(2, 0.5, shape=(n // 2, 2)), dim=0)
    y = nd.concat(nd.zeros(n // 2, dtype="int32"), nd.ones(n // 2, dtype="int32"), dim=0)
    data = gluon.data.ArrayDataset(X, y)
    return gluon.data.DataLoader(data, batch, shuffle=True), gluon.data.DataLoader(data, batch)


class _Constant:
    """A 'network' that always predicts class k."""

    def __init__(self, k):
        self.k = k

    def __call__(self, X):
        return nd.one_hot(nd.full(X.shape[0], self.k), 2)


def test_evaluate_accuracy_counts_exactly():
    _, test_iter = _toy_iters()
    assert d2l.evaluate_accuracy(test_iter, _Constant(0)) == 0.5
    X = nd.array([[0, 0], [0, 0], [0, 0]])
    y = nd.array([1, 1, 0])
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), 2)
    assert d2l.evaluate_accuracy(loader, _Constant(1)) == pytest.approx(2 / 3)


def test_evaluate_accuracy_on_empty_data():
    with pytest.raises(ValueError, match="no examples"):
        d2l.evaluate_accuracy([], _Constant(0))


def test_train_ch3_with_a_gluon_trainer(capsys):
    train_iter, test_iter = _toy_iters()
    net = nn.Dense(2)
    net.initialize(init.Normal(0.01), ctx=mx.cpu())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    history = d2l.train_ch3(net, train_iter, test_iter, gloss.SoftmaxCrossEntropyLoss(), 3, 50,
                            None, None, trainer, ctx=mx.cpu())
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1, loss ")
    assert history["test_acc"][-1] > 0.95
    assert history["loss"][-1] < history["loss"][0]


def test_train_ch3_from_scratch_params():
    train_iter, test_iter = _toy_iters()
    W = nd.random.normal(scale=0.01, shape=(2, 2))
    b = nd.zeros(2)
    for p in (W, b):
        p.attach_grad()

    def net(X):
        return nd.dot(X, W) + b

    history = d2l.train_ch3(net, train_iter, test_iter, gloss.SoftmaxCrossEntropyLoss(), 2, 50, [W, b], 0.1)
    assert history["train_acc"][-1] > 0.95
    assert len(history["seconds"]) == 2


def test_train_ch3_needs_a_way_to_update():
    with pytest.raises(ValueError, match="trainer or both params and lr"):
        d2l.train_ch3(None, [], [], None, 1, 1, params=[nd.ones(1)])


def test_train_ch3_names_a_context_mismatch():
    W = nd.ones((2, 2), ctx=mx.cpu(1))
    with pytest.raises(ValueError, match="ctx=cpu"):
        d2l.train_ch3(None, [], [], None, 1, 1, [W], 0.1, ctx=mx.cpu(0))
