import numpy as np
import pytest

import d2l
from d2l.data import hub


def test_label_names():
    assert d2l.get_fashion_mnist_labels([0, 9, 3]) == ["t-shirt", "ankle boot", "dress"]
    from mxnet import nd
    assert d2l.get_fashion_mnist_labels(nd.array([1, 8])) == ["trouser", "bag"]
    with pytest.raises(ValueError, match="0-9"):
        d2l.get_fashion_mnist_labels([10])


def test_show_fashion_mnist_draws_one_titled_axis_per_image():
    images = np.zeros((3, 1, 28, 28), dtype=np.float32)
    d2l.show_fashion_mnist(images, ["a", "b", "c"])
    fig = d2l.plt.gcf()
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]
    d2l.plt.close(fig)


@pytest.mark.parametrize("smoke, sizes", [("0", (60000, 10000)), ("1", (10000, 2000))])
def test_load_data_fashion_mnist(real_data_dir, monkeypatch, smoke, sizes):
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(real_data_dir))
    monkeypatch.setenv("D2L_SMOKE", smoke)
    train_iter, test_iter = d2l.load_data_fashion_mnist(1000)
    assert (len(train_iter._dataset), len(test_iter._dataset)) == sizes
    X, y = next(iter(train_iter))
    assert X.shape == (1000, 1, 28, 28) and X.dtype == np.float32
    assert 0 <= X.min().asscalar() and X.max().asscalar() <= 1
    assert y.dtype == np.int32 and y.shape == (1000,)
    first_test, _ = next(iter(test_iter))
    images, _ = d2l.load_idx_dataset("fashion-mnist", train=False)
    np.testing.assert_allclose(first_test[0, 0].asnumpy(), images[0] / 255, atol=1e-6)


def test_load_data_fashion_mnist_resized(real_data_dir, monkeypatch):
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(real_data_dir))
    monkeypatch.setenv("D2L_SMOKE", "1")
    _, test_iter = d2l.load_data_fashion_mnist(8, resize=32, num_workers=0)
    X, _ = next(iter(test_iter))
    assert X.shape == (8, 1, 32, 32)
    with pytest.raises(ValueError, match="positive"):
        d2l.load_data_fashion_mnist(0)
