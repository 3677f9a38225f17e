import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import nn

import d2l


def test_corr2d_matches_a_hand_computed_example():
    X = nd.arange(9).reshape((3, 3))
    K = nd.array([[0, 1], [2, 3]])
    assert d2l.corr2d(X, K).asnumpy().tolist() == [[19, 25], [37, 43]]


def test_corr2d_agrees_with_mxnet_convolution():
    d2l.set_seed(0)
    X, K = nd.random.normal(shape=(6, 8)), nd.random.normal(shape=(3, 2))
    conv = nd.Convolution(X.reshape((1, 1, 6, 8)), K.reshape((1, 1, 3, 2)), no_bias=True,
                          kernel=(3, 2), num_filter=1)
    np.testing.assert_allclose(d2l.corr2d(X, K).asnumpy(), conv[0, 0].asnumpy(), rtol=1e-5, atol=1e-5)


def test_corr2d_is_differentiable_in_kernel_and_input():
    X = nd.array([[1, 2, 0], [0, 3, 1]])
    K = nd.array([[2, -1]])
    X.attach_grad()
    K.attach_grad()
    with autograd.record():
        Y = d2l.corr2d(X, K)  # [[0, 4], [-3, 5]]
        loss = (Y * Y).sum() / 2
    loss.backward()
    assert Y.asnumpy().tolist() == [[0, 4], [-3, 5]]
    # dL/dK[0, b] = sum_ij Y[i, j] X[i, j + b]; dL/dX[i, j] = sum of Y over the windows covering it
    assert K.grad.asnumpy().tolist() == [[23, -4]]
    assert X.grad.asnumpy().tolist() == [[0, 8, -4], [-6, 13, -5]]


def test_corr2d_single_window_and_context():
    X = nd.ones((2, 3), ctx=mx.cpu(1))
    Y = d2l.corr2d(X, nd.ones((2, 3), ctx=mx.cpu(1)))
    assert Y.shape == (1, 1) and Y.asscalar() == 6 and Y.context == mx.cpu(1)


def test_corr2d_rejects_bad_shapes():
    with pytest.raises(ValueError, match="larger than the input"):
        d2l.corr2d(nd.ones((2, 2)), nd.ones((3, 3)))
    with pytest.raises(ValueError, match="2-D"):
        d2l.corr2d(nd.ones((1, 2, 2)), nd.ones((1, 1)))


def test_residual_keeps_or_changes_shape():
    blk = d2l.Residual(3)
    blk.initialize()
    assert blk(nd.ones((4, 3, 6, 6))).shape == (4, 3, 6, 6)
    blk = d2l.Residual(6, use_1x1conv=True, strides=2)
    blk.initialize()
    assert blk(nd.ones((4, 3, 6, 6))).shape == (4, 6, 3, 3)


def test_resnet18_shapes_and_parameter_count():
    net = d2l.resnet18(10)
    net.initialize(init.Xavier())
    net.hybridize()
    assert net(nd.ones((2, 1, 28, 28))).shape == (2, 10)
    n_params = sum(p.data().size for p in net.collect_params().values())
    # 11.17 M weights (BatchNorm running statistics included): the small-image ResNet-18.
    assert 11_100_000 < n_params < 11_250_000
    with pytest.raises(ValueError):
        d2l.resnet18(0)


def _blobs(n=200, batch=25):
    d2l.set_seed(5)
    X = nd.concat(nd.random.normal(-2, 0.5, shape=(n // 2, 1, 2, 2)),
                  nd.random.normal(2, 0.5, shape=(n // 2, 1, 2, 2)), dim=0)
    y = nd.concat(nd.zeros(n // 2), nd.ones(n // 2), dim=0)
    data = gluon.data.ArrayDataset(X, y)
    return gluon.data.DataLoader(data, batch, shuffle=True), gluon.data.DataLoader(data, batch)


def test_train_ch5_learns_separable_data(capsys):
    train_iter, test_iter = _blobs()
    net = nn.Dense(2)
    net.initialize(init.Normal(0.01), ctx=mx.cpu())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    history = d2l.train_ch5(net, train_iter, test_iter, 25, trainer, mx.cpu(), 3)
    out = capsys.readouterr().out
    assert "training on cpu(0)" in out and out.count("epoch ") == 3
    assert history["test_acc"][-1] > 0.95 and history["loss"][-1] < history["loss"][0]


def test_train_splits_batches_over_several_contexts(capsys):
    ctxs = [mx.cpu(0), mx.cpu(1)]
    train_iter, test_iter = _blobs()
    net = nn.Dense(2)
    net.initialize(init.Normal(0.01), ctx=ctxs)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    history = d2l.train(train_iter, test_iter, net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer, ctxs, 3)
    assert "training on [cpu(0), cpu(1)]" in capsys.readouterr().out
    assert history["test_acc"][-1] > 0.95
    assert d2l.evaluate_accuracy(test_iter, net, ctxs) == pytest.approx(history["test_acc"][-1])
    assert d2l.evaluate_accuracy(test_iter, net, mx.cpu(1)) == pytest.approx(history["test_acc"][-1])
