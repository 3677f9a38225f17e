"""Hand-written layers of d2l.scratch: their backward passes agree with MXNet's autograd."""
import numpy as np
import pytest
from mxnet import autograd, gluon, nd

import d2l
from d2l.scratch import _unique_params


def autograd_grads(fn, *inputs, head=None):
    """Gradients of sum(fn(*inputs) * head) with respect to every input."""
    inputs = [x.copy() for x in inputs]
    for x in inputs:
        x.attach_grad()
    with autograd.record():
        out = fn(*inputs)
        total = (out * head).sum() if head is not None else out.sum()
    total.backward()
    return [x.grad for x in inputs]


def close(a, b, tol=1e-5):
    return np.allclose(a.asnumpy(), b.asnumpy(), atol=tol, rtol=1e-4)


@pytest.fixture
def rng():
    d2l.set_seed(0)
    return np.random.RandomState(0)


def test_spiral_data_shapes_labels_and_seed():
    X, y = d2l.spiral_data()
    assert X.shape == (300, 2) and X.dtype == np.float32
    assert y.shape == (300,) and y.dtype == np.int32
    assert np.bincount(y.asnumpy()).tolist() == [100, 100, 100]
    assert float(nd.norm(X, axis=1).max().asscalar()) < 1.0  # radius i/N < 1, noise only turns
    X2, _ = d2l.spiral_data()
    X3, _ = d2l.spiral_data(seed=7)
    assert close(X, X2, 0) and not close(X, X3)
    X4, y4 = d2l.spiral_data(num_per_class=5, num_classes=4)
    assert X4.shape == (20, 2) and y4.asnumpy().tolist() == [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5
    with pytest.raises(ValueError, match="num_classes=0"):
        d2l.spiral_data(num_classes=0)


def test_affine_backward_matches_autograd(rng):
    x, W, b = nd.random.normal(shape=(4, 3)), nd.random.normal(shape=(3, 5)), nd.random.normal(shape=5)
    dout = nd.random.normal(shape=(4, 5))
    layer = d2l.Affine(W, b)
    assert close(layer.forward(x), nd.dot(x, W) + b)
    dx = layer.backward(dout)
    gx, gW, gb = autograd_grads(lambda x_, W_, b_: nd.dot(x_, W_) + b_, x, W, b, head=dout)
    assert close(dx, gx) and close(layer.grads[0], gW) and close(layer.grads[1], gb)
    assert layer.params[0] is W, "parameters are kept, not copied"
    with pytest.raises(ValueError, match=r"\(4,\)"):
        d2l.Affine(W, nd.zeros(4))


def test_sigmoid_and_matmul_backward(rng):
    x, dout = nd.random.normal(shape=(3, 4)), nd.random.normal(shape=(3, 4))
    layer = d2l.Sigmoid()
    assert close(layer.forward(x), nd.sigmoid(x))
    assert close(layer.backward(dout), autograd_grads(nd.sigmoid, x, head=dout)[0])
    W, dout2 = nd.random.normal(shape=(4, 2)), nd.random.normal(shape=(3, 2))
    mm = d2l.MatMul(W)
    mm.forward(x)
    dx = mm.backward(dout2)
    gx, gW = autograd_grads(nd.dot, x, W, head=dout2)
    assert close(dx, gx) and close(mm.grads[0], gW)


def test_softmax_with_loss(rng):
    x = nd.random.normal(shape=(6, 4))
    t = nd.array([0, 3, 1, 1, 2, 0], dtype="int32")
    layer = d2l.SoftmaxWithLoss()
    loss = layer.forward(x, t)
    expected = gluon.loss.SoftmaxCrossEntropyLoss()(x, t).mean()
    assert loss.shape == (1,) and close(loss, expected)
    gx = autograd_grads(lambda x_: gluon.loss.SoftmaxCrossEntropyLoss()(x_, t).mean(), x)[0]
    assert close(layer.backward(), gx)
    assert close(layer.backward(2.0), 2 * gx)
    one_hot = d2l.SoftmaxWithLoss()
    assert close(one_hot.forward(x, nd.one_hot(t, 4)), loss)
    big = d2l.SoftmaxWithLoss().forward(nd.array([[1000.0, 0.0]]), nd.array([1]))
    assert np.isfinite(big.asscalar()) and abs(big.asscalar() - 1000) < 1e-3
    with pytest.raises(ValueError, match="do not match"):
        layer.forward(x, nd.array([0, 1]))


def test_embedding_is_a_one_hot_matmul(rng):
    W = nd.random.normal(shape=(7, 3))
    idx = nd.array([[1, 4], [4, 6]], dtype="int32")
    emb = d2l.Embedding(W)
    out = emb.forward(idx)
    assert out.shape == (2, 2, 3) and close(out[1, 0], W[4])
    dout = nd.random.normal(shape=(2, 2, 3))
    assert emb.backward(dout) is None
    expected = nd.zeros((7, 3))
    for i, word in enumerate(idx.reshape(-1).asnumpy()):
        expected[int(word)] += dout.reshape((-1, 3))[i]
    assert close(emb.grads[0], expected)  # row 4 received two rows of dout
    mm = d2l.MatMul(W)
    mm.forward(nd.one_hot(idx.reshape(-1), 7))
    mm.backward(dout.reshape((-1, 3)))
    assert close(mm.grads[0], emb.grads[0])


def test_sgd_optimizer_updates_in_place():
    p, g = nd.ones(3), nd.array([1.0, 2.0, 3.0])
    before = p
    d2l.SGDOptimizer(lr=0.5).update([p], [g])
    assert p is before and p.asnumpy().tolist() == [0.5, 0.0, -0.5]
    with pytest.raises(ValueError, match="-1"):
        d2l.SGDOptimizer(lr=-1)
    with pytest.raises(ValueError, match="1 parameters but 2"):
        d2l.SGDOptimizer().update([p], [g, g])


def test_two_layer_net_gradients_match_autograd(rng):
    net = d2l.TwoLayerNet(2, 5, 3, weight_scale=1.0)
    x, t = nd.random.normal(shape=(8, 2)), nd.array([0, 1, 2, 0, 1, 2, 0, 1])
    loss = net.forward(x, t)
    net.backward()

    def reference(W1, b1, W2, b2):
        scores = nd.dot(nd.sigmoid(nd.dot(x, W1) + b1), W2) + b2
        return gluon.loss.SoftmaxCrossEntropyLoss()(scores, t).mean()

    assert close(loss, reference(*net.params))
    for mine, theirs in zip(net.grads, autograd_grads(reference, *net.params)):
        assert close(mine, theirs)


def test_trainer_lowers_the_spiral_loss():
    d2l.set_seed(1)
    X, y = d2l.spiral_data()
    net = d2l.TwoLayerNet(2, 10, 3)
    trainer = d2l.ScratchTrainer(net, d2l.SGDOptimizer(1.0))
    history = trainer.fit(X, y, num_epochs=20, batch_size=30, print_every=0)
    assert len(history) == 20 and trainer.eval_interval == 10
    assert history[-1] < history[0] - 0.05
    assert trainer.elapsed > 0
    with pytest.raises(ValueError, match="batch_size"):
        trainer.fit(X, y, batch_size=0)
    with pytest.raises(ValueError, match="300 examples but 2 labels"):
        trainer.fit(X, y[:2])


def test_shared_parameters_are_updated_once_with_summed_gradients():
    W = nd.ones(2)
    params, grads = _unique_params([W, nd.zeros(1), W], [nd.ones(2), nd.ones(1), 2 * nd.ones(2)])
    assert len(params) == 2 and params[0] is W
    assert grads[0].asnumpy().tolist() == [3.0, 3.0]
