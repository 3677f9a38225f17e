"""Building blocks of linear regression written from scratch (notebook 5.2).

Each helper is taught in ``notebooks/05-deep-learning-basics/5.2-linear-regression-scratch.ipynb``
and reused by later notebooks (weight decay, optimization).
"""
import random

from mxnet import nd


def data_iter(batch_size, features, labels):
    """Yield random minibatches ``(X, y)`` of ``features`` and ``labels``, each epoch in a new order.

    The index array is created on the features' context, so the batches stay where the
    data lives (CPU or GPU). The last batch may be smaller than ``batch_size``.
    """
    num_examples = len(features)
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    if len(labels) != num_examples:
        raise ValueError(f"{num_examples} examples but {len(labels)} labels")
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        j = nd.array(indices[i: min(i + batch_size, num_examples)], ctx=features.context)
        yield features.take(j), labels.take(j)


def linreg(X, w, b):
    """The linear regression model: ``X w + b``."""
    return nd.dot(X, w) + b


def squared_loss(y_hat, y):
    """Half the squared error of each example; ``y`` is reshaped to ``y_hat``'s shape."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent: update each parameter in place.

    The gradients are sums over the minibatch, so dividing by ``batch_size`` makes the
    step size independent of the batch size.
    """
    for param in params:
        param[:] = param - lr * param.grad / batch_size
