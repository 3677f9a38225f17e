"""Tests of d2l/resnet.py beyond the shape checks in test_cnn.py: the class-balanced Fashion-MNIST
subset loader (notebook 8.5) and the behaviour of Residual / resnet18 (notebook 8.8)."""
import numpy as np
import pytest
from mxnet import init, nd

import d2l


def fake_idx_dataset(name, train):
    """A stand-in for d2l.load_idx_dataset: 10 classes with uneven counts, image i filled with i."""
    assert name == "fashion-mnist"
    counts = [5, 4, 6, 4, 5, 7, 4, 5, 4, 6] if train else [3] * 10
    labels = np.concatenate([np.full(n, c, dtype=np.int32) for c, n in enumerate(counts)])
    labels = labels[np.random.RandomState(0).permutation(len(labels))]  # classes interleaved
    images = np.repeat(np.arange(len(labels), dtype=np.uint8)[:, None, None], 28 * 28, axis=1).reshape(-1, 28, 28)
    return images, labels


@pytest.fixture
def fake_data(monkeypatch):
    monkeypatch.setattr(d2l, "load_idx_dataset", fake_idx_dataset)


def collect(data_iter):
    Xs, ys = zip(*[(X.asnumpy(), y.asnumpy()) for X, y in data_iter])
    return np.concatenate(Xs), np.concatenate(ys)


def test_subset_keeps_the_first_examples_of_every_class_in_order(fake_data):
    train_iter, test_iter = d2l.load_data_fashion_mnist_subset(7, train_per_class=4, test_per_class=2)
    X, y = collect(test_iter)  # the test loader is not shuffled
    images, labels = fake_idx_dataset("fashion-mnist", False)
    expected = np.sort(np.concatenate([np.flatnonzero(labels == c)[:2] for c in range(10)]))
    assert X.shape == (20, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(y, labels[expected])
    np.testing.assert_allclose(X[:, 0, 0, 0], expected / 255, rtol=1e-6)
    _, y_train = collect(train_iter)
    assert np.bincount(y_train).tolist() == [4] * 10


def test_subset_without_test_limit_keeps_the_whole_test_set(fake_data):
    _, test_iter = d2l.load_data_fashion_mnist_subset(64, train_per_class=1)
    _, y = collect(test_iter)
    assert len(y) == 30 and np.bincount(y).tolist() == [3] * 10


def test_training_loader_is_shuffled_and_seeded(fake_data):
    orders = []
    for _ in range(2):
        d2l.set_seed(3)
        train_iter, _ = d2l.load_data_fashion_mnist_subset(100, train_per_class=4)
        orders.append(collect(train_iter)[0][:, 0, 0, 0])
    np.testing.assert_array_equal(orders[0], orders[1])
    assert not np.all(np.diff(orders[0]) > 0), "training examples should not come in file order"


def test_subset_resize_keeps_constant_images_constant(fake_data):
    train_iter, _ = d2l.load_data_fashion_mnist_subset(5, train_per_class=1, test_per_class=1, resize=12)
    X, _ = collect(train_iter)
    assert X.shape == (10, 1, 12, 12)
    np.testing.assert_allclose(X.min(axis=(1, 2, 3)), X.max(axis=(1, 2, 3)), atol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0, "train_per_class": 1}, "batch_size"),
    ({"batch_size": 8, "train_per_class": 5}, "1..4"),  # the rarest fake class has 4 examples
    ({"batch_size": 8, "train_per_class": 0}, "got 0"),
    ({"batch_size": 8, "train_per_class": 1, "test_per_class": 4}, "1..3"),
    ({"batch_size": 8, "train_per_class": 1, "resize": 0}, "resize"),
])
def test_subset_rejects_bad_arguments(fake_data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        d2l.load_data_fashion_mnist_subset(**kwargs)


def test_subset_of_the_real_data_is_balanced(real_data_dir, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    train_iter, test_iter = d2l.load_data_fashion_mnist_subset(16, train_per_class=2, test_per_class=3)
    X, y = collect(train_iter)
    assert X.shape == (20, 1, 28, 28) and 0 <= X.min() and X.max() <= 1
    assert np.bincount(y).tolist() == [2] * 10
    assert np.bincount(collect(test_iter)[1]).tolist() == [3] * 10


def test_residual_is_the_identity_when_the_last_batch_norm_scale_is_zero():
    d2l.set_seed(0)
    X = nd.random.uniform(shape=(2, 4, 5, 5))
    blk = d2l.Residual(4)
    blk.initialize(init.Xavier())
    assert not np.allclose(blk(X).asnumpy(), X.asnumpy())
    blk.bn2.gamma.set_data(nd.zeros(4))
    np.testing.assert_array_equal(blk(X).asnumpy(), X.asnumpy())


def test_resnet18_gives_the_same_output_hybridized():
    d2l.set_seed(0)
    net = d2l.resnet18(3)
    net.initialize(init.Xavier())
    X = nd.random.uniform(shape=(2, 1, 28, 28))
    before = net(X).asnumpy()
    net.hybridize()
    np.testing.assert_allclose(net(X).asnumpy(), before, rtol=1e-4, atol=1e-5)
    assert before.shape == (2, 3)
