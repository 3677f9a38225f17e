"""NDArray layers with hand-written forward and backward passes (chapter 13, NLP from scratch).

The spiral data set, the layers ``Affine``, ``Sigmoid`` and ``SoftmaxWithLoss``, the optimizer
``SGDOptimizer``, the model ``TwoLayerNet`` and the loop ``ScratchTrainer`` are taught in
notebook 13.1 (a neural-net review on the spiral data); ``MatMul`` in notebook 13.3 (simple
CBOW) and ``Embedding`` in notebook 13.4 (negative sampling).

Every layer keeps its parameters in ``params`` and their gradients in ``grads`` (two lists of
NDArrays of the same shapes). ``forward`` computes the output and remembers what ``backward``
will need; ``backward(dout)`` takes the gradient of the loss with respect to the layer's output,
writes the parameter gradients into ``grads`` in place and returns the gradient with respect to
the input. No ``autograd`` is involved: this is the chain rule written out by hand.
"""
import time
from typing import List, Optional, Sequence, Tuple

import mxnet as mx
import numpy as np
from mxnet import nd

import d2l

__all__ = ["Affine", "Embedding", "MatMul", "ScratchTrainer", "SGDOptimizer", "Sigmoid",
           "SoftmaxWithLoss", "TwoLayerNet", "spiral_data"]


def spiral_data(num_per_class: int = 100, num_classes: int = 3, noise: float = 0.2,
                seed: int = 1984, ctx=None) -> Tuple[nd.NDArray, nd.NDArray]:
    """Points on interleaved spiral arms, one arm per class (notebook 13.1).

    Point ``i`` of class ``j`` lies at radius ``r = i / num_per_class`` and angle
    ``4 j + 4 r`` plus Gaussian noise of standard deviation ``noise``. The points come from
    their own NumPy generator seeded with ``seed``, so the data set is the same on every run
    and every machine. Returns ``X`` (float32, ``(num_classes * num_per_class, 2)``) and the
    int32 labels ``y`` on ``ctx`` (default CPU), ordered class by class.
    """
    if num_per_class < 1 or num_classes < 1:
        raise ValueError(f"need at least one class and one point per class, got "
                         f"num_classes={num_classes}, num_per_class={num_per_class}")
    rng = np.random.RandomState(seed)
    radius = np.arange(num_per_class) / num_per_class
    points, labels = [], []
    for j in range(num_classes):
        theta = 4.0 * j + 4.0 * radius + noise * rng.randn(num_per_class)
        points.append(np.stack([radius * np.sin(theta), radius * np.cos(theta)], axis=1))
        labels.append(np.full(num_per_class, j))
    ctx = ctx or mx.cpu()
    return (nd.array(np.concatenate(points), ctx=ctx, dtype="float32"),
            nd.array(np.concatenate(labels), ctx=ctx, dtype="int32"))


class Affine:
    """Fully connected layer ``x W + b`` with a hand-written backward pass (notebook 13.1).

    ``W`` has shape ``(in, out)`` and ``b`` shape ``(out,)``. They are kept as given, not
    copied, so an optimizer that updates ``params`` in place trains this layer.
    """

    def __init__(self, W: nd.NDArray, b: nd.NDArray):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine needs W of shape (in, out) and b of shape (out,), "
                             f"got {W.shape} and {b.shape}")
        self.params = [W, b]
        self.grads = [nd.zeros_like(W), nd.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        self.x = x
        return nd.dot(x, W) + b

    def backward(self, dout):
        W, _ = self.params
        self.grads[0][:] = nd.dot(self.x, dout, transpose_a=True)  # dL/dW = x^T dout
        self.grads[1][:] = dout.sum(axis=0)  # b was broadcast over the batch: sum it back
        return nd.dot(dout, W, transpose_b=True)  # dL/dx = dout W^T


class Sigmoid:
    """Element-wise ``1 / (1 + exp(-x))``; its derivative is ``y (1 - y)`` (notebook 13.1)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + nd.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy loss, as one layer (notebook 13.1).

    ``forward(x, t)`` takes scores ``x`` of shape ``(N, C)`` and labels ``t``, either class
    indices of shape ``(N,)`` or one-hot rows of shape ``(N, C)``, and returns the loss as an
    NDArray of shape ``(1,)``. ``backward`` returns ``(softmax(x) - onehot(t)) / N``: the
    softmax and the logarithm cancel, which is why the two are fused into one layer.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x, t):
        if x.ndim != 2:
            raise ValueError(f"scores must have shape (N, C), got {x.shape}")
        if t.shape == x.shape:  # one-hot labels -> class indices
            t = t.argmax(axis=1)
        if t.shape != (x.shape[0],):
            raise ValueError(f"labels of shape {t.shape} do not match scores of shape {x.shape}")
        log_y = nd.log_softmax(x, axis=1)  # stable: never takes the log of 0
        self.y, self.t = nd.exp(log_y), t
        return -nd.pick(log_y, t, axis=1).mean()

    def backward(self, dout=1.0):
        n, num_classes = self.y.shape
        dx = self.y - nd.one_hot(self.t, num_classes, dtype=self.y.dtype)
        return dx * (dout / n)


class MatMul:
    """Matrix product ``x W`` without a bias (notebook 13.3, the simple CBOW model)."""

    def __init__(self, W: nd.NDArray):
        if W.ndim != 2:
            raise ValueError(f"MatMul needs a 2-D weight, got shape {W.shape}")
        self.params = [W]
        self.grads = [nd.zeros_like(W)]
        self.x = None

    def forward(self, x):
        self.x = x
        return nd.dot(x, self.params[0])

    def backward(self, dout):
        W = self.params[0]
        self.grads[0][:] = nd.dot(self.x, dout, transpose_a=True)
        return nd.dot(dout, W, transpose_b=True)


class Embedding:
    """Row lookup ``W[idx]``: a ``MatMul`` with one-hot inputs, without the one-hot (notebook 13.4).

    ``forward(idx)`` takes integer word ids of any shape and returns their rows of ``W``
    (shape ``idx.shape + (W.shape[1],)``). ``backward(dout)`` adds each row of ``dout`` into
    the gradient row of its word id (ids that repeat accumulate) and returns None: word ids
    have no gradient. The scatter-add is written as ``onehot(idx)^T dout`` to stay in NDArray
    operations; it costs ``len(idx) * vocab_size`` memory, fine for the demos of 13.4.
    """

    def __init__(self, W: nd.NDArray):
        if W.ndim != 2:
            raise ValueError(f"Embedding needs a 2-D weight (vocab_size, dim), got shape {W.shape}")
        self.params = [W]
        self.grads = [nd.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        self.idx = idx
        return nd.take(self.params[0], idx)

    def backward(self, dout):
        vocab_size, dim = self.params[0].shape
        onehot = nd.one_hot(self.idx.reshape((-1,)), vocab_size, dtype=dout.dtype)
        self.grads[0][:] = nd.dot(onehot, dout.reshape((-1, dim)), transpose_a=True)
        return None


class SGDOptimizer:
    """Plain SGD for the scratch layers: ``param -= lr * grad`` in place (notebook 13.1).

    ``update(params, grads)`` works on the ``params``/``grads`` lists of a scratch model. The
    name keeps it apart from :func:`d2l.sgd` (chapter 5, for ``attach_grad`` parameters) and
    from Gluon's ``gluon.Trainer``, which updates Gluon parameters.
    """

    def __init__(self, lr: float = 0.01):
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr}")
        self.lr = lr

    def update(self, params: Sequence[nd.NDArray], grads: Sequence[nd.NDArray]) -> None:
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        for param, grad in zip(params, grads):
            param -= self.lr * grad  # in place: the layers see the new values


class TwoLayerNet:
    """Affine -> Sigmoid -> Affine with ``SoftmaxWithLoss``, all hand-written (notebook 13.1).

    Weights start as ``weight_scale`` times standard normal samples (MXNet's generator, so
    seed it with :func:`d2l.set_seed`) and biases at zero, all on ``ctx``. ``forward(x, t)``
    returns the loss, ``backward()`` fills ``grads``, ``predict(x)`` returns the class scores.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_scale: float = 0.01, ctx=None):
        ctx = ctx or mx.cpu()
        W1 = weight_scale * nd.random.normal(shape=(input_size, hidden_size), ctx=ctx)
        W2 = weight_scale * nd.random.normal(shape=(hidden_size, output_size), ctx=ctx)
        self.layers = [Affine(W1, nd.zeros(hidden_size, ctx=ctx)), Sigmoid(),
                       Affine(W2, nd.zeros(output_size, ctx=ctx))]
        self.loss_layer = SoftmaxWithLoss()
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x, t):
        return self.loss_layer.forward(self.predict(x), t)

    def backward(self, dout=1.0):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


def _unique_params(params, grads):
    """Keep each parameter once (the same NDArray may be listed twice), summing its gradients."""
    first = {}
    kept_params, kept_grads = [], []
    for param, grad in zip(params, grads):
        if id(param) in first:
            i = first[id(param)]
            kept_grads[i] = kept_grads[i] + grad
        else:
            first[id(param)] = len(kept_params)
            kept_params.append(param)
            kept_grads.append(grad)
    return kept_params, kept_grads


class ScratchTrainer:
    """Minibatch loop for the scratch models: shuffle, forward, backward, update (notebook 13.1).

    ``model`` needs ``forward(x, t) -> loss``, ``backward()``, ``params`` and ``grads``; a
    parameter listed twice (weights shared by two layers) is updated once with the sum of its
    gradients. ``fit`` appends the average loss of every ``eval_interval`` iterations to
    ``loss_list`` and keeps the training seconds in ``elapsed``.
    """

    def __init__(self, model, optimizer):
        self.model, self.optimizer = model, optimizer
        self.loss_list: List[float] = []
        self.eval_interval: Optional[int] = None
        self.elapsed = 0.0

    def fit(self, x, t, num_epochs: int = 10, batch_size: int = 32,
            eval_interval: Optional[int] = None, print_every: Optional[int] = None) -> List[float]:
        """Train for ``num_epochs`` epochs; return ``loss_list``.

        Each epoch visits the examples in a new order from NumPy's global generator (seed it
        with :func:`d2l.set_seed`) and drops the last incomplete batch. ``eval_interval``
        defaults to one epoch's worth of iterations. A progress line is printed every
        ``print_every`` recorded losses (default: about ten lines in all; 0 prints nothing).
        The loss is summed on the device and read back only once per ``eval_interval``.
        """
        n = x.shape[0]
        if t.shape[0] != n:
            raise ValueError(f"{n} examples but {t.shape[0]} labels")
        if not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be between 1 and {n}, got {batch_size}")
        iters_per_epoch = n // batch_size
        eval_interval = eval_interval or iters_per_epoch
        total_evals = num_epochs * iters_per_epoch // eval_interval
        if print_every is None:
            print_every = max(1, total_evals // 10)
        self.eval_interval = eval_interval
        loss_sum, count, iteration = nd.zeros(1, ctx=x.context, dtype=x.dtype), 0, 0
        start = time.perf_counter()
        for epoch in range(num_epochs):
            order = nd.array(np.random.permutation(n), ctx=x.context, dtype="int32")
            x_epoch, t_epoch = x.take(order), t.take(order)
            for i in range(iters_per_epoch):
                batch_x = x_epoch[i * batch_size:(i + 1) * batch_size]
                batch_t = t_epoch[i * batch_size:(i + 1) * batch_size]
                loss_sum += self.model.forward(batch_x, batch_t)
                self.model.backward()
                self.optimizer.update(*_unique_params(self.model.params, self.model.grads))
                count, iteration = count + 1, iteration + 1
                if iteration % eval_interval == 0:
                    self.loss_list.append(loss_sum.asscalar() / count)
                    loss_sum[:], count = 0, 0
                    if print_every and len(self.loss_list) % print_every == 0:
                        print(f"epoch {epoch + 1:4d} | iteration {iteration:6d} | "
                              f"loss {self.loss_list[-1]:.4f} | {time.perf_counter() - start:.1f} s")
        nd.waitall()
        self.elapsed += time.perf_counter() - start
        return self.loss_list

    def plot(self, ylim=None):
        """Plot ``loss_list`` against the iteration count, with Korean axis labels."""
        if not self.loss_list:
            raise RuntimeError("nothing to plot: call fit() first")
        d2l.set_figsize()
        steps = np.arange(1, len(self.loss_list) + 1) * self.eval_interval
        d2l.plt.plot(steps, self.loss_list)
        d2l.plt.xlabel("반복")
        d2l.plt.ylabel("손실")
        if ylim is not None:
            d2l.plt.ylim(*ylim)
