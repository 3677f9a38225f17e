"""The lecture-style training loop of chapter 14 (the neural-network lecture, re-taught in Gluon).

``load_data_mnist`` is introduced in notebook 14.1; ``train_epoch``, ``test_epoch``,
``run_epochs`` and ``plot_history`` in notebook 14.2, and reused by 14.3 and 14.4. The loop
mirrors the PyTorch lecture's ``train``/``test`` functions: one call is one pass over a loader,
returning the mean loss and the accuracy.
"""
from typing import Dict, List, Optional, Tuple

from mxnet import autograd, gluon, nd

import d2l

__all__ = ["load_data_mnist", "train_epoch", "test_epoch", "run_epochs", "plot_history"]


def load_data_mnist(batch_size, name="mnist", num_train=None, root=None):
    """Return ``(train_iter, test_iter)`` over MNIST or Fashion-MNIST (``name='fashion-mnist'``).

    Images are converted once to float32 in [0, 1] with layout ``(N, 1, 28, 28)``; labels are
    int32. ``num_train`` keeps the first examples of the training set (default: all of them, or
    6,000 in smoke mode, where the test set is cut to 2,000).
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    loaders = []
    for train in (True, False):
        images, labels = d2l.load_idx_dataset(name, train, root)
        keep = (num_train or d2l.smoke(len(labels), 6000)) if train else d2l.smoke(len(labels), 2000)
        X = nd.array(images[:keep, None, :, :], dtype="float32") / 255
        data = gluon.data.ArrayDataset(X, nd.array(labels[:keep], dtype="int32"))
        loaders.append(gluon.data.DataLoader(data, batch_size, shuffle=train))
    return loaders[0], loaders[1]


def train_epoch(net, train_iter, loss, trainer, ctx) -> Tuple[float, float]:
    """One pass over ``train_iter`` with updates; return (mean loss, accuracy) of that pass.

    ``loss(y_hat, y)`` gets the network's raw outputs and the integer labels, so a loss that
    needs one-hot targets (MSE) wraps the conversion itself.
    """
    loss_sum, hits, n = nd.zeros(1, ctx=ctx), nd.zeros(1, ctx=ctx), 0
    for X, y in train_iter:
        X, y = X.as_in_context(ctx), y.as_in_context(ctx)
        with autograd.record():
            y_hat = net(X)
            l = loss(y_hat, y)
        l.backward()
        trainer.step(X.shape[0])
        loss_sum += l.sum()
        hits += (y_hat.argmax(axis=1) == y.astype("float32")).sum()
        n += X.shape[0]
    if n == 0:
        raise ValueError("train_iter yielded no examples")
    return loss_sum.asscalar() / n, hits.asscalar() / n


def test_epoch(net, test_iter, loss, ctx) -> Tuple[float, float]:
    """One pass over ``test_iter`` without updates; return (mean loss, accuracy)."""
    loss_sum, hits, n = nd.zeros(1, ctx=ctx), nd.zeros(1, ctx=ctx), 0
    for X, y in test_iter:
        X, y = X.as_in_context(ctx), y.as_in_context(ctx)
        y_hat = net(X)
        loss_sum += loss(y_hat, y).sum()
        hits += (y_hat.argmax(axis=1) == y.astype("float32")).sum()
        n += X.shape[0]
    if n == 0:
        raise ValueError("test_iter yielded no examples")
    return loss_sum.asscalar() / n, hits.asscalar() / n


def run_epochs(net, train_iter, test_iter, loss, trainer, ctx, num_epochs,
               verbose=True) -> Dict[str, List[float]]:
    """Alternate ``train_epoch`` and ``test_epoch`` for ``num_epochs``; return the history.

    The history has the keys ``train_loss``, ``train_acc``, ``test_loss`` and ``test_acc``,
    one value per epoch; with ``verbose`` each epoch is printed as it ends.
    """
    history: Dict[str, List[float]] = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch(net, train_iter, loss, trainer, ctx)
        test_loss, test_acc = test_epoch(net, test_iter, loss, ctx)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
        if verbose:
            print(f"epoch {epoch + 1}: train loss {train_loss:.4f}, acc {train_acc:.4f} | "
                  f"test loss {test_loss:.4f}, acc {test_acc:.4f}", flush=True)
    return history


def plot_history(histories: Dict[str, Dict[str, List[float]]], keys=("test_acc", "train_loss"),
                 titles: Optional[Tuple[str, ...]] = None):
    """Plot one panel per history key, one line per named run; return the axes."""
    titles = titles or tuple(keys)
    if len(titles) != len(keys):
        raise ValueError(f"{len(keys)} keys but {len(titles)} titles")
    d2l.set_figsize((3.2 * len(keys), 2.6))
    _, axes = d2l.plt.subplots(1, len(keys), squeeze=False)
    for ax, key, title in zip(axes[0], keys, titles):
        for name, history in histories.items():
            ax.plot(range(1, len(history[key]) + 1), history[key], ".-", label=name)
        ax.set_xlabel("에포크")
        ax.set_title(title)
    axes[0][0].legend()
    d2l.plt.tight_layout()
    return axes[0]
