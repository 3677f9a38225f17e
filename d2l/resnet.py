"""Modern CNNs at Fashion-MNIST scale: a class-balanced data subset, residual blocks, ResNet-18.

``load_data_fashion_mnist_subset`` is taught in notebook 8.5 (AlexNet and VGG) and reused by
8.6-8.8 to train reduced networks on a CPU. ``Residual`` and ``resnet18`` are taught in notebook
8.8 (ResNet and DenseNet); ``resnet18`` is reused by image augmentation (11.1) and the multi-GPU
notebooks (10.2, 10.3). Both are hybridizable.
"""
import numpy as np
from mxnet import gluon, nd
from mxnet.gluon import nn

import d2l

__all__ = ["load_data_fashion_mnist_subset", "Residual", "resnet18"]


def load_data_fashion_mnist_subset(batch_size, train_per_class, test_per_class=None, resize=None):
    """Return ``(train_iter, test_iter)`` over a class-balanced part of Fashion-MNIST.

    The first ``train_per_class`` training images of every class are kept (at most 6,000), and
    the first ``test_per_class`` test images of every class (at most 1,000; None keeps the whole
    test set). With ``resize``, all images are resized bilinearly to ``resize`` x ``resize`` once,
    up front. Batches are float32 in [0, 1] of shape ``(batch, 1, H, W)`` with int32 labels.
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    if resize is not None and resize < 1:
        raise ValueError(f"resize must be a positive size, got {resize}")

    def dataset(train, per_class):
        images, labels = d2l.load_idx_dataset("fashion-mnist", train)
        if per_class is not None:
            available = int(np.bincount(labels).min())
            if not 1 <= per_class <= available:
                raise ValueError(f"per-class size must be in 1..{available}, got {per_class}")
            keep = np.sort(np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)]))
            images, labels = images[keep], labels[keep]
        X = nd.array(images[:, None, :, :], dtype="float32") / 255
        if resize is not None:
            X = nd.concat(*[nd.contrib.BilinearResize2D(X[i:i + 1000], height=resize, width=resize)
                            for i in range(0, X.shape[0], 1000)], dim=0)
        return gluon.data.ArrayDataset(X, nd.array(labels, dtype="int32"))

    train_iter = gluon.data.DataLoader(dataset(True, train_per_class), batch_size, shuffle=True)
    test_iter = gluon.data.DataLoader(dataset(False, test_per_class), batch_size, shuffle=False)
    return train_iter, test_iter


class Residual(nn.HybridBlock):
    """Two 3x3 convolutions with batch normalization whose output is added to the input.

    ``use_1x1conv`` puts a 1x1 convolution on the shortcut so that it can change the number
    of channels and, with ``strides`` > 1, the height and width like the main path does.
    """

    def __init__(self, num_channels, use_1x1conv=False, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = nn.Conv2D(num_channels, kernel_size=3, padding=1, strides=strides)
        self.conv2 = nn.Conv2D(num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2D(num_channels, kernel_size=1, strides=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm()
        self.bn2 = nn.BatchNorm()

    def hybrid_forward(self, F, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        shortcut = self.conv3(X) if self.conv3 is not None else X
        return F.relu(Y + shortcut)


def resnet18(num_classes):
    """ResNet-18 for small images (e.g. 28x28 Fashion-MNIST): a 3x3 stem and four stages.

    The stages have 64, 128, 256 and 512 channels with two residual blocks each; every stage
    after the first halves height and width. Global average pooling feeds a dense layer with
    ``num_classes`` outputs.
    """
    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")

    def stage(num_channels, num_blocks, first_stage=False):
        blk = nn.HybridSequential()
        for i in range(num_blocks):
            if i == 0 and not first_stage:
                blk.add(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.add(Residual(num_channels))
        return blk

    net = nn.HybridSequential()
    net.add(nn.Conv2D(64, kernel_size=3, strides=1, padding=1), nn.BatchNorm(), nn.Activation("relu"))
    net.add(stage(64, 2, first_stage=True), stage(128, 2), stage(256, 2), stage(512, 2))
    net.add(nn.GlobalAvgPool2D(), nn.Dense(num_classes))
    return net
