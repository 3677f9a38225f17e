"""Image data sets of the course, read through the data hub into NumPy arrays.

Introduced in notebook 4.7 (naive Bayes on MNIST); chapter 5 builds its Gluon data
iterators for Fashion-MNIST on top of :func:`load_idx_dataset`.
"""
from typing import Tuple

import numpy as np

from .hub import download
from .idx import read_idx

IDX_DATASETS = ("mnist", "fashion-mnist")


def load_idx_dataset(name: str, train: bool = True) -> Tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)`` of MNIST or Fashion-MNIST as NumPy arrays.

    ``images`` has shape ``(N, 28, 28)`` and dtype uint8 (0 = background, 255 = ink);
    ``labels`` has shape ``(N,)`` and dtype int32. N is 60,000 (train) or 10,000 (test).
    """
    if name not in IDX_DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {IDX_DATASETS}")
    split = "train" if train else "t10k"
    images = read_idx(download(f"{name}/{split}-images-idx3-ubyte.gz"))
    labels = read_idx(download(f"{name}/{split}-labels-idx1-ubyte.gz")).astype(np.int32)
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise ValueError(f"{name} {split}: images {images.shape} and labels {labels.shape} do not match")
    return images, labels
