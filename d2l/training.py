"""Evaluation and training loops shared by the chapters.

``evaluate_accuracy`` and ``train_ch3`` are taught in notebook 5.6 (softmax regression from
scratch) and reused by 5.7, 5.9, 5.10 and 5.13. Batches are moved to ``ctx`` explicitly;
sums are kept on the device and read back once per epoch, not once per batch. Other helpers
are called as ``d2l.name`` so that the notebook's teaching copy is the same code.
"""
import time

import mxnet as mx
from mxnet import autograd, gluon, nd

import d2l


def evaluate_accuracy(data_iter, net, ctx=mx.cpu()):
    """Fraction of examples in ``data_iter`` whose predicted class (argmax) equals the label.

    ``ctx`` is one context or a list of them; with a list (notebook 11.1) every batch is split
    across the contexts and each part is scored where it lives.
    """
    ctxs = ctx if isinstance(ctx, (list, tuple)) else [ctx]
    correct, n = nd.zeros(1, ctx=ctxs[0]), 0
    for X, y in data_iter:
        X_parts = gluon.utils.split_and_load(X, ctxs, even_split=False)
        y_parts = gluon.utils.split_and_load(y, ctxs, even_split=False)
        for X_part, y_part in zip(X_parts, y_parts):
            hits = net(X_part).argmax(axis=1) == y_part.astype("float32")
            correct += hits.sum().as_in_context(ctxs[0])
            n += y_part.size
    if n == 0:
        raise ValueError("data_iter yielded no examples")
    return correct.asscalar() / n


def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size,
              params=None, lr=None, trainer=None, ctx=None):
    """Train a classifier and print loss, train accuracy and test accuracy after every epoch.

    Without ``trainer``, ``params`` are updated by :func:`d2l.sgd` with learning rate ``lr``
    (the from-scratch models); with a Gluon ``trainer``, ``trainer.step`` is used. ``ctx``
    (default CPU) is where every batch is moved. Returns the per-epoch history.
    """
    if trainer is None and (params is None or lr is None):
        raise ValueError("give either a Gluon trainer or both params and lr")
    ctx = ctx or mx.cpu()
    if params is not None and any(p.context != ctx for p in params):
        raise ValueError(f"params live on {[str(p.context) for p in params]} but ctx={ctx}; "
                         "pass the context the parameters were created on")
    history = {"loss": [], "train_acc": [], "test_acc": [], "seconds": []}
    for epoch in range(num_epochs):
        start = time.perf_counter()
        loss_sum, correct, n = nd.zeros(1, ctx=ctx), nd.zeros(1, ctx=ctx), 0
        for X, y in train_iter:
            X, y = X.as_in_context(ctx), y.as_in_context(ctx)
            with autograd.record():
                y_hat = net(X)
                l = loss(y_hat, y).sum()
            l.backward()
            if trainer is None:
                d2l.sgd(params, lr, batch_size)
            else:
                trainer.step(batch_size)
            y = y.astype("float32")
            loss_sum += l
            correct += (y_hat.argmax(axis=1) == y).sum()
            n += y.size
        test_acc = evaluate_accuracy(test_iter, net, ctx)
        history["loss"].append(loss_sum.asscalar() / n)
        history["train_acc"].append(correct.asscalar() / n)
        history["test_acc"].append(test_acc)
        history["seconds"].append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}, loss {history['loss'][-1]:.4f}, train acc {history['train_acc'][-1]:.3f}, "
              f"test acc {test_acc:.3f}, {history['seconds'][-1]:.1f} sec", flush=True)
    return history


def _get_batch(batch, ctx):
    """Split one ``(features, labels)`` batch across the contexts in ``ctx``.

    Returns the list of feature parts, the list of label parts and the batch size.
    """
    features, labels = batch
    if labels.dtype != features.dtype:
        labels = labels.astype(features.dtype)
    return (gluon.utils.split_and_load(features, ctx, even_split=False),
            gluon.utils.split_and_load(labels, ctx, even_split=False), features.shape[0])


def train(train_iter, test_iter, net, loss, trainer, ctx, num_epochs):
    """Train on every context in ``ctx`` (one or a list): each batch is split across them.

    Taught in notebook 11.1 (image augmentation). Gradients of all parts are summed by the
    ``trainer``; loss and accuracy are printed per epoch and returned as a history dict.
    """
    ctx = list(ctx) if isinstance(ctx, (list, tuple)) else [ctx]
    print("training on", ctx, flush=True)
    history = {"loss": [], "train_acc": [], "test_acc": [], "seconds": []}
    for epoch in range(num_epochs):
        start = time.perf_counter()
        loss_sum, correct, n, m = nd.zeros(1, ctx=ctx[0]), nd.zeros(1, ctx=ctx[0]), 0, 0
        for batch in train_iter:
            Xs, ys, batch_size = _get_batch(batch, ctx)
            with autograd.record():
                y_hats = [net(X) for X in Xs]
                ls = [loss(y_hat, y) for y_hat, y in zip(y_hats, ys)]
            for l in ls:
                l.backward()
            trainer.step(batch_size)
            loss_sum += sum(l.sum().as_in_context(ctx[0]) for l in ls)
            correct += sum((y_hat.argmax(axis=1) == y).sum().as_in_context(ctx[0])
                           for y_hat, y in zip(y_hats, ys))
            n += sum(l.size for l in ls)
            m += sum(y.size for y in ys)
        if m == 0:
            raise ValueError("train_iter yielded no examples")
        test_acc = evaluate_accuracy(test_iter, net, ctx)
        history["loss"].append(loss_sum.asscalar() / n)
        history["train_acc"].append(correct.asscalar() / m)
        history["test_acc"].append(test_acc)
        history["seconds"].append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}, loss {history['loss'][-1]:.4f}, train acc {history['train_acc'][-1]:.3f}, "
              f"test acc {test_acc:.3f}, time {history['seconds'][-1]:.1f} sec", flush=True)
    return history
