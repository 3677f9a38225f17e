"""Residual blocks and the small ResNet-18 used from notebook 8.8 on.

``Residual`` and ``resnet18`` are taught in notebook 8.8 (ResNet and DenseNet); ``resnet18`` is reused by
image augmentation (11.1) and the multi-GPU notebooks (10.2, 10.3). Both are hybridizable.
"""
from mxnet.gluon import nn

__all__ = ["Residual", "resnet18"]


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
