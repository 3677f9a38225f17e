"""Optimization algorithms on 2-D toy functions and on the airfoil regression data (chapter 9).

``train_2d`` and ``show_trace_2d`` are taught in notebook 9.1 (gradient descent), which traces
an optimizer's path on a function of two variables; notebooks 9.3 (momentum) and 9.4 (adaptive
methods) reuse them. ``get_data_ch7``, ``train_ch7`` and ``train_gluon_ch7`` are taught in
notebook 9.2 (minibatch SGD) and reused by 9.3 and 9.4. The names keep the 2019 book's ``ch7``
suffix (optimization was its chapter 7) so the book's code runs unchanged.

Where the data lives: ``get_data_ch7(ctx=None)`` creates its arrays on ``d2l.try_gpu()``
(the course's default device: a GPU if there is one, else the CPU). The two training loops
train wherever the features are, or on ``ctx`` when it is given (the data is moved there).
"""
import time

import numpy as np
import mxnet as mx
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import nn

import d2l

__all__ = ["get_data_ch7", "show_trace_2d", "train_2d", "train_ch7", "train_gluon_ch7"]


def train_2d(trainer, num_steps=20):
    """Run the 2-D optimizer step ``trainer`` from (-5, -2); print the end point, return the path.

    Taught in notebook 9.1. ``trainer(x1, x2, s1, s2)`` returns the next ``(x1, x2, s1, s2)``;
    ``s1`` and ``s2`` are the optimizer's state for each coordinate (0 at the start; a velocity
    or a sum of squared gradients in notebooks 9.3 and 9.4). Returns the ``num_steps + 1``
    points ``(x1, x2)`` visited, starting with (-5, -2).
    """
    if num_steps < 1:
        raise ValueError(f"num_steps must be at least 1, got {num_steps}")
    x1, x2, s1, s2 = -5.0, -2.0, 0.0, 0.0
    results = [(x1, x2)]
    for _ in range(num_steps):
        new = trainer(x1, x2, s1, s2)
        if not isinstance(new, (tuple, list)) or len(new) != 4:
            raise ValueError(f"trainer must return (x1, x2, s1, s2), got {new!r}")
        x1, x2, s1, s2 = new
        results.append((float(x1), float(x2)))
    print(f"step {num_steps}, x1 {float(x1):f}, x2 {float(x2):f}")
    return results


def show_trace_2d(f, results, figsize=(3.5, 2.5)):
    """Draw the contour lines of ``f(x1, x2)`` and the path ``results`` returned by ``train_2d``.

    Taught in notebook 9.1. ``f`` is evaluated on a NumPy grid that covers the box
    [-5.5, 1] x [-3, 1], widened so that every point of the path is inside.
    """
    path = np.array(results, dtype=float)
    if path.ndim != 2 or path.shape[0] == 0 or path.shape[1] != 2:
        raise ValueError(f"results must be a list of (x1, x2) points, got shape {path.shape}")
    if not np.isfinite(path).all():
        raise ValueError("the path has inf or nan points: the optimizer diverged")
    low = np.minimum(path.min(axis=0) - 0.5, [-5.5, -3.0])
    high = np.maximum(path.max(axis=0) + 0.5, [1.0, 1.0])
    x1, x2 = np.meshgrid(np.linspace(low[0], high[0], 200), np.linspace(low[1], high[1], 200))
    d2l.set_figsize(figsize)
    d2l.plt.contour(x1, x2, f(x1, x2), colors="#1f77b4")
    d2l.plt.plot(path[:, 0], path[:, 1], "-o", color="#ff7f0e", markersize=3)
    d2l.plt.xlabel("$x_1$")
    d2l.plt.ylabel("$x_2$")


def get_data_ch7(ctx=None):
    """The airfoil self-noise data of notebook 9.2, standardized: features (1500, 5), labels (1500,).

    Every column of the 1,503 measurements (five features, then the sound pressure level used
    as the label) is shifted and scaled to mean 0 and standard deviation 1; the first 1,500
    rows are kept. The float32 arrays are created on ``ctx``, by default ``d2l.try_gpu()``.
    """
    data = np.loadtxt(d2l.download("airfoil_self_noise.dat"), delimiter="\t", dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != 6 or data.shape[0] < 1500:
        raise ValueError(f"airfoil_self_noise.dat should have 1,503 rows of 6 columns, got {data.shape}")
    data = (data - data.mean(axis=0)) / data.std(axis=0)
    ctx = d2l.try_gpu() if ctx is None else ctx
    features = nd.array(data[:1500, :-1], ctx=ctx, dtype="float32")
    labels = nd.array(data[:1500, -1], ctx=ctx, dtype="float32")
    return features, labels


def _check_ch7(features, labels, batch_size, num_epochs, ctx):
    """Validate the arguments of the chapter-9 loops; move the data to ``ctx`` (default: its own)."""
    if features.ndim != 2:
        raise ValueError(f"features must be a 2-D (examples, features) array, got shape {features.shape}")
    if labels.shape[0] != features.shape[0] or labels.size != features.shape[0]:
        raise ValueError(f"{features.shape[0]} examples but labels of shape {labels.shape}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}")
    ctx = features.context if ctx is None else ctx
    return features.as_in_context(ctx), labels.as_in_context(ctx), ctx


def _optimize_ch7(step, eval_loss, features, labels, batch_size, num_epochs, plot):
    """The loop shared by ``train_ch7`` and ``train_gluon_ch7`` (notebook 9.2).

    ``step(X, y)`` updates the model on one minibatch; ``eval_loss()`` returns the mean loss on
    all examples. The loss is recorded at the start, whenever another 100 examples have been
    used, and at the end of each epoch. Evaluation is not counted in the training time.
    """
    num_examples, record_every = features.shape[0], 100
    history = {"epoch": [0.0], "loss": [eval_loss()], "seconds": [0.0]}
    seen, last, seconds = 0, 0, 0.0  # examples used so far, and at the last record
    for _ in range(num_epochs):
        start = time.perf_counter()
        for X, y in d2l.data_iter(batch_size, features, labels):
            step(X, y)
            seen += X.shape[0]
            if seen // record_every > last // record_every or seen % num_examples == 0:
                last = seen
                nd.waitall()
                seconds += time.perf_counter() - start
                history["epoch"].append(seen / num_examples)
                history["loss"].append(eval_loss())
                history["seconds"].append(seconds)
                start = time.perf_counter()
    print(f"loss {history['loss'][-1]:.6f}, {seconds / num_epochs:.3f} sec per epoch", flush=True)
    if plot:
        d2l.set_figsize()
        d2l.plt.plot(history["epoch"], history["loss"])
        d2l.plt.xlabel("에포크")
        d2l.plt.ylabel("손실")
    return history


def train_ch7(trainer_fn, states, hyperparams, features, labels, batch_size=10, num_epochs=2,
              ctx=None, plot=True):
    """Fit linear regression with the from-scratch optimizer ``trainer_fn``; return the loss history.

    Taught in notebook 9.2. The model is ``d2l.linreg`` (weights from N(0, 0.01^2), bias 0)
    with ``d2l.squared_loss`` averaged over each minibatch, so ``trainer_fn(params, states,
    hyperparams)`` sees mean gradients in ``w.grad`` and ``b.grad`` and updates
    ``params = [w, b]`` in place. Training runs on ``ctx``, by default where ``features`` live.
    Prints the final loss and the training seconds per epoch; with ``plot``, draws loss
    against epoch. Returns ``{"epoch": [...], "loss": [...], "seconds": [...]}``: the loss on
    all examples at fractional epochs, and the training seconds spent until then.
    """
    features, labels, ctx = _check_ch7(features, labels, batch_size, num_epochs, ctx)
    w = nd.random.normal(scale=0.01, shape=(features.shape[1], 1), ctx=ctx)
    b = nd.zeros(1, ctx=ctx)
    w.attach_grad()
    b.attach_grad()

    def step(X, y):
        with autograd.record():
            l = d2l.squared_loss(d2l.linreg(X, w, b), y).mean()
        l.backward()
        trainer_fn([w, b], states, hyperparams)

    def eval_loss():
        return d2l.squared_loss(d2l.linreg(features, w, b), labels).mean().asscalar()

    return _optimize_ch7(step, eval_loss, features, labels, batch_size, num_epochs, plot)


def train_gluon_ch7(trainer_name, trainer_hyperparams, features, labels, batch_size=10,
                    num_epochs=2, ctx=None, plot=True):
    """The experiment of ``train_ch7`` with ``nn.Dense(1)`` and ``gluon.Trainer(trainer_name)``.

    Taught in notebook 9.2. ``trainer_name`` is a Gluon optimizer such as ``'sgd'`` or
    ``'adam'`` and ``trainer_hyperparams`` its settings, e.g. ``{'learning_rate': 0.05}``.
    The loss is ``gluon.loss.L2Loss`` (half the squared error, as in ``d2l.squared_loss``) and
    ``trainer.step`` divides the summed gradient by the minibatch size. Training runs on
    ``ctx``, by default where ``features`` live. Prints, plots and returns like ``train_ch7``.
    """
    if str(trainer_name).lower() not in mx.optimizer.Optimizer.opt_registry:
        raise ValueError(f"unknown Gluon optimizer {trainer_name!r}; try 'sgd', 'adagrad', 'rmsprop', "
                         "'adadelta' or 'adam'")
    features, labels, ctx = _check_ch7(features, labels, batch_size, num_epochs, ctx)
    net = nn.Dense(1)
    net.initialize(init.Normal(sigma=0.01), ctx=ctx)
    loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), trainer_name, trainer_hyperparams)

    def step(X, y):
        with autograd.record():
            l = loss(net(X), y)
        l.backward()
        trainer.step(X.shape[0])

    def eval_loss():
        return loss(net(features), labels).mean().asscalar()

    return _optimize_ch7(step, eval_loss, features, labels, batch_size, num_epochs, plot)
