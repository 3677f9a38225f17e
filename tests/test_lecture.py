import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon import nn

import d2l


def _blobs(n=120, batch=20):
    d2l.set_seed(2)
    X = nd.concat(nd.random.normal(-2, 0.5, shape=(n // 2, 4)), nd.random.normal(2, 0.5, shape=(n // 2, 4)), dim=0)
    y = nd.concat(nd.zeros(n // 2, dtype="int32"), nd.ones(n // 2, dtype="int32"), dim=0)
    data = gluon.data.ArrayDataset(X, y)
    return gluon.data.DataLoader(data, batch, shuffle=True), gluon.data.DataLoader(data, batch), (X, y)


def _net():
    d2l.set_seed(0)
    net = nn.Dense(2, in_units=4)
    net.initialize(init.Normal(0.01), ctx=mx.cpu())
    return net


def test_test_epoch_reports_mean_loss_and_accuracy_without_updating():
    _, test_iter, (X, y) = _blobs()
    net = _net()
    before = net.weight.data().copy()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    mean_loss, acc = d2l.test_epoch(net, test_iter, loss, mx.cpu())
    assert mean_loss == pytest.approx(loss(net(X), y).mean().asscalar(), rel=1e-5)
    assert acc == pytest.approx((net(X).argmax(axis=1) == y.astype("float32")).mean().asscalar())
    assert (net.weight.data() == before).min().asscalar() == 1


def test_run_epochs_learns_and_records_every_epoch(capsys):
    train_iter, test_iter, _ = _blobs()
    net = _net()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    history = d2l.run_epochs(net, train_iter, test_iter, gluon.loss.SoftmaxCrossEntropyLoss(), trainer,
                             mx.cpu(), 3)
    assert set(history) == {"train_loss", "train_acc", "test_loss", "test_acc"}
    assert all(len(v) == 3 for v in history.values())
    assert history["test_acc"][-1] == 1.0 and history["train_loss"][-1] < history["train_loss"][0]
    assert capsys.readouterr().out.count("epoch ") == 3


def test_empty_loaders_are_reported():
    net = _net()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    with pytest.raises(ValueError, match="no examples"):
        d2l.train_epoch(net, [], gluon.loss.L2Loss(), trainer, mx.cpu())
    with pytest.raises(ValueError, match="no examples"):
        d2l.test_epoch(net, [], gluon.loss.L2Loss(), mx.cpu())


def test_load_data_mnist_shapes_and_subset(real_data_dir, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    train_iter, test_iter = d2l.load_data_mnist(100, name="fashion-mnist", num_train=300)
    X, y = next(iter(train_iter))
    assert X.shape == (100, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int32
    assert 0 <= X.min().asscalar() and X.max().asscalar() <= 1
    assert len(train_iter._dataset) == 300
    with pytest.raises(ValueError):
        d2l.load_data_mnist(0)


def test_plot_history_checks_titles():
    hist = {"a": {"test_acc": [0.5, 0.6]}}
    axes = d2l.plot_history(hist, keys=("test_acc",), titles=("정확도",))
    assert axes[0].get_title() == "정확도" and len(axes[0].lines) == 1
    with pytest.raises(ValueError):
        d2l.plot_history(hist, keys=("test_acc",), titles=("a", "b"))
    d2l.plt.close("all")
