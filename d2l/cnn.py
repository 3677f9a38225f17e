"""Convolution from first principles and the CNN training loop.

``corr2d`` is taught in notebook 8.1 (the 2-D cross-correlation behind ``nn.Conv2D``) and
``train_ch5`` in notebook 8.4 (LeNet), which the modern CNNs of chapter 8 reuse.
"""
import time

from mxnet import autograd, gluon, nd

import d2l

__all__ = ["corr2d", "train_ch5"]


def corr2d(X, K):
    """2-D cross-correlation of the matrix ``X`` with the kernel ``K`` (no padding, stride 1).

    The output has shape ``(X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1)`` and
    lives on ``X``'s context. Each output element is the sum of one window of ``X`` times
    ``K``; the windows are joined without in-place writes, so ``autograd`` can differentiate
    the result with respect to both ``X`` and ``K``.
    """
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError(f"corr2d needs 2-D X and K, got shapes {X.shape} and {K.shape}")
    kh, kw = K.shape
    out_h, out_w = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    if out_h < 1 or out_w < 1:
        raise ValueError(f"kernel {K.shape} is larger than the input {X.shape}")
    windows = [(X[i:i + kh, j:j + kw] * K).sum() for i in range(out_h) for j in range(out_w)]
    return nd.concat(*windows, dim=0).reshape((out_h, out_w))


def train_ch5(net, train_iter, test_iter, batch_size, trainer, ctx, num_epochs):
    """Train a classifier with softmax cross-entropy on ``ctx``; print and return per-epoch figures.

    Every batch is moved to ``ctx``; loss and hit counts are summed on the device and read once
    per epoch. Returns a history dict with ``loss``, ``train_acc``, ``test_acc`` and ``seconds``.
    """
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    history = {"loss": [], "train_acc": [], "test_acc": [], "seconds": []}
    print("training on", ctx, flush=True)
    for epoch in range(num_epochs):
        start = time.perf_counter()
        loss_sum, correct, n = nd.zeros(1, ctx=ctx), nd.zeros(1, ctx=ctx), 0
        for X, y in train_iter:
            X, y = X.as_in_context(ctx), y.as_in_context(ctx).astype("float32")
            with autograd.record():
                y_hat = net(X)
                l = loss(y_hat, y).sum()
            l.backward()
            trainer.step(batch_size)
            loss_sum += l
            correct += (y_hat.argmax(axis=1) == y).sum()
            n += y.size
        if n == 0:
            raise ValueError("train_iter yielded no examples")
        test_acc = d2l.evaluate_accuracy(test_iter, net, ctx)
        history["loss"].append(loss_sum.asscalar() / n)
        history["train_acc"].append(correct.asscalar() / n)
        history["test_acc"].append(test_acc)
        history["seconds"].append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}, loss {history['loss'][-1]:.4f}, train acc {history['train_acc'][-1]:.3f}, "
              f"test acc {test_acc:.3f}, time {history['seconds'][-1]:.1f} sec", flush=True)
    return history
