"""Image data sets of the course, read through the data hub.

``load_idx_dataset`` is introduced in notebook 4.7 (naive Bayes on MNIST); the Fashion-MNIST
helpers in notebook 5.5 (the Fashion-MNIST data set).
"""
import sys
from typing import Tuple

import numpy as np
from mxnet import gluon, nd

import d2l
from .hub import download
from .idx import read_idx

IDX_DATASETS = ("mnist", "fashion-mnist")
FASHION_MNIST_LABELS = ["t-shirt", "trouser", "pullover", "dress", "coat",
                        "sandal", "shirt", "sneaker", "bag", "ankle boot"]


def load_idx_dataset(name: str, train: bool = True, root=None) -> Tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)`` of MNIST or Fashion-MNIST as NumPy arrays (notebook 4.7).

    ``images`` has shape ``(N, 28, 28)`` and dtype uint8 (0 = background, 255 = ink);
    ``labels`` has shape ``(N,)`` and dtype int32. N is 60,000 (train) or 10,000 (test).
    ``root`` is an extra folder searched before the data hub's search path.
    """
    if name not in IDX_DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {IDX_DATASETS}")
    split = "train" if train else "t10k"
    images = read_idx(download(f"{name}/{split}-images-idx3-ubyte.gz", root))
    labels = read_idx(download(f"{name}/{split}-labels-idx1-ubyte.gz", root)).astype(np.int32)
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise ValueError(f"{name} {split}: images {images.shape} and labels {labels.shape} do not match")
    return images, labels


def get_fashion_mnist_labels(labels):
    """Text names of Fashion-MNIST class indices (an NDArray, array or list of ints)."""
    if hasattr(labels, "asnumpy"):
        labels = labels.asnumpy()
    names = []
    for i in np.asarray(labels).reshape(-1).astype(int):
        if not 0 <= i < len(FASHION_MNIST_LABELS):
            raise ValueError(f"Fashion-MNIST labels are 0-9, got {i}")
        names.append(FASHION_MNIST_LABELS[i])
    return names


def show_fashion_mnist(images, labels):
    """Draw images (N x 28 x 28, or N x 1 x 28 x 28) in one row, each titled by its label."""
    d2l.use_svg_display()
    _, axes = d2l.plt.subplots(1, len(images), figsize=(12, 12))
    for ax, image, label in zip(np.atleast_1d(axes), images, labels):
        image = image.asnumpy() if hasattr(image, "asnumpy") else np.asarray(image)
        ax.imshow(image.reshape((28, 28)), cmap="gray_r")
        ax.set_title(label)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)


def _fashion_mnist_dataset(train, resize, root):
    images, labels = d2l.load_idx_dataset("fashion-mnist", train, root)
    keep = d2l.smoke(len(labels), 10000 if train else 2000)
    images, labels = images[:keep], labels[:keep]
    if resize is None:
        # Convert once for the whole split: float32 in [0, 1], layout (N, 1, 28, 28).
        X = nd.array(images[:, None, :, :], dtype="float32") / 255
        return gluon.data.ArrayDataset(X, nd.array(labels, dtype="int32"))
    transform = gluon.data.vision.transforms.Compose([
        gluon.data.vision.transforms.Resize(resize),
        gluon.data.vision.transforms.ToTensor(),
    ])
    dataset = gluon.data.ArrayDataset(nd.array(images[..., None], dtype="uint8"), nd.array(labels, dtype="int32"))
    return dataset.transform_first(transform)


def load_data_fashion_mnist(batch_size, resize=None, root=None, num_workers=None):
    """Return ``(train_iter, test_iter)``: Gluon ``DataLoader``s over Fashion-MNIST.

    Batches are ``X`` of shape ``(batch, 1, 28, 28)`` (or ``resize`` x ``resize``), float32 in
    [0, 1], and int32 labels; the training set is shuffled every epoch. Without ``resize``,
    the images are converted once as a whole, so reading needs no worker processes; with
    ``resize``, each image is transformed when read, by 4 worker processes (none on Windows).
    Smoke mode keeps the first 10,000 / 2,000 examples.
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    if num_workers is None:
        num_workers = 0 if resize is None or sys.platform.startswith("win") else 4
    train = _fashion_mnist_dataset(True, resize, root)
    test = _fashion_mnist_dataset(False, resize, root)
    train_iter = gluon.data.DataLoader(train, batch_size, shuffle=True, num_workers=num_workers)
    test_iter = gluon.data.DataLoader(test, batch_size, shuffle=False, num_workers=num_workers)
    return train_iter, test_iter
