"""Benchmarks of the course: ``python -m d2l.bench`` (or ``make bench``).

A tool for maintainers, not a helper of the book: ``d2l`` does not export it. It measures,
on the machine it runs on, and writes ``build/_out/bench.md`` and ``build/_out/bench.json``:

1. notebooks      wall time of every notebook in full and smoke mode, read from the
                  ``run-times.md`` files of ``build/nbtool.py run`` (``--notebooks`` runs
                  them first), and the slowest ten;
2. loader         one training epoch of Fashion-MNIST read through
                  ``d2l.load_data_fashion_mnist`` at batch 256, with 0, 2 and 4 workers
                  (the book: 1.27 s);
3. training       seconds per epoch of the 784-256-10 MLP and of LeNet with minibatch SGD
                  on data already in memory: Gluon imperative, Gluon hybridized and
                  PyTorch (optional: ``requirements/bench.txt``), alternated in one run,
                  with the same batch size, threads and initialization; the median of
                  ``--reps``, in wall-clock and in CPU seconds;
4. vectorization  the book's demo: 10,000 scalar additions in a Python loop versus one
                  vectorized ``+`` (the book: 1.84 s versus 0.00046 s);
5. profile        MXNet's profiler over one hybridized epoch of each model (and PyTorch's
                  over the same epoch): the operators that take the time.

GPUs: the training benchmark also runs on every GPU that ``d2l.try_all_gpus()`` returns
(the notebooks pick their GPU themselves); without one the report says "no GPU".

Threads: MXNet fixes its OpenMP thread count when it is imported (``OMP_NUM_THREADS``, else
half the logical CPUs on x86), so ``--threads N`` restarts the benchmark with
``OMP_NUM_THREADS=N``; PyTorch is then set to the same count. ``--sweep`` repeats the
training benchmark in fresh processes under other thread settings and batch sizes.

Memory: glibc's malloc is told to keep freed blocks (:func:`steady_malloc`), so that
PyTorch's time does not depend on what ran before it in the process.
"""
import argparse
import ctypes
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import d2l  # before mxnet: loads the CUDA libraries of the GPU build
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import loss as gloss, nn

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "_out"
BOOK = {"loader_epoch_s": 1.27, "loop_s": 1.84, "vectorized_s": 0.00046}
LEARNING_RATES = {"mlp": 0.5, "lenet": 0.9}  # the book's rates for these models
SWEEP = [  # (label, extra environment, extra arguments) of --sweep
    ("OMP_NUM_THREADS=1", {"OMP_NUM_THREADS": "1"}, []),
    ("OMP_NUM_THREADS=2", {"OMP_NUM_THREADS": "2"}, []),
    ("OMP_NUM_THREADS=2, MXNET_CPU_WORKER_NTHREADS=2",
     {"OMP_NUM_THREADS": "2", "MXNET_CPU_WORKER_NTHREADS": "2"}, []),
    ("MXNET_ENGINE_TYPE=NaiveEngine (synchronous)", {"MXNET_ENGINE_TYPE": "NaiveEngine"}, []),
    ("batch 1024", {}, ["--batch-size", "1024"]),
]


# ---------------------------------------------------------------------------------------
# The environment
# ---------------------------------------------------------------------------------------

def mxnet_omp_threads() -> int:
    """OpenMP threads MXNet's operators use, by the rule of MXNet 1.9's ``src/engine/openmp.cc``.

    ``MXNET_OMP_MAX_THREADS`` wins, then ``OMP_NUM_THREADS``; otherwise MXNet takes the number
    of processors and, on x86, halves it (assuming two hyper-threads per core).
    """
    for name in ("MXNET_OMP_MAX_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").split(",")[0].strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    procs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if platform.machine().lower() in ("x86_64", "amd64", "i386", "i686"):
        procs >>= 1
    return max(procs, 1)


def import_torch():
    """Return the ``torch`` module with as many threads as MXNet uses, or None if not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(mxnet_omp_threads())
    return torch


def steady_malloc() -> bool:
    """Keep glibc's malloc from handing large blocks back to the OS; True if it took effect.

    By default glibc serves blocks above 128 KiB with fresh ``mmap`` calls and trims the heap
    eagerly, so a process that allocates and frees activations every batch (PyTorch does;
    MXNet keeps its own memory pool) pays page faults each time: up to 1.5 s of system time
    per LeNet epoch in a fresh process, and none in one whose earlier work happened to raise
    glibc's adaptive threshold. Fixing the thresholds (32 MiB, glibc's ceiling, for mmap;
    64 MiB for trimming) makes the result independent of what ran before.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to tune
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 64 << 20))


def gpu_contexts() -> List[mx.Context]:
    """The GPUs MXNet can run on here (``d2l.try_all_gpus()`` without its CPU fallback)."""
    return [ctx for ctx in d2l.try_all_gpus() if ctx.device_type == "gpu"]


def environment() -> dict:
    """What the figures depend on: versions, CPUs, threads, GPUs and the load of the machine."""
    torch = import_torch()
    features = mx.runtime.Features()
    return {
        "python": platform.python_version(),
        "mxnet": mx.__version__,
        "mkldnn": features.is_enabled("MKLDNN"),
        "torch": torch.__version__ if torch else None,
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "mxnet_omp_threads": mxnet_omp_threads(),
        "torch_threads": torch.get_num_threads() if torch else None,
        "thread_env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "MXNET_OMP_MAX_THREADS",
                                                  "MXNET_CPU_WORKER_NTHREADS", "MXNET_ENGINE_TYPE")
                       if k in os.environ},
        "gpus_seen": d2l.num_gpus(),
        "gpus": [str(ctx) for ctx in gpu_contexts()],
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def median_seconds(run: Callable[[], float], reps: int) -> Tuple[float, List[float]]:
    """Call ``run`` (which returns seconds) ``reps`` times; return the median and every time."""
    times = [run() for _ in range(reps)]
    return statistics.median(times), times


# ---------------------------------------------------------------------------------------
# 1. Notebooks
# ---------------------------------------------------------------------------------------

def read_run_times(path: Path) -> Dict[str, Tuple[float, str]]:
    """Parse a ``run-times.md`` of ``build/nbtool.py run``: ``{notebook: (seconds, result)}``.

    Rows are kept in the file's order (the course's); the total row is left out.
    """
    rows = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].endswith(".ipynb"):
            try:
                rows[cells[0]] = (float(cells[1]), cells[2])
            except ValueError:
                continue
    return rows


def run_notebooks(smoke: bool, out: Path = OUT) -> Path:
    """Execute every notebook with ``build/nbtool.py run --force``; return its ``run-times.md``.

    Full mode writes into ``out/notebooks``, smoke mode into ``out/smoke/notebooks`` (with the
    default ``out``, where ``make course`` and ``make book SMOKE=1`` put them).
    """
    out = Path(out) / "smoke" / "notebooks" if smoke else Path(out) / "notebooks"
    command = [sys.executable, str(ROOT / "build" / "nbtool.py"), "run", "--out", str(out)]
    subprocess.run(command + ["--force"] + (["--smoke"] if smoke else []), check=False)
    return out.parent / "run-times.md"


def bench_notebooks(full_times: Path, smoke_times: Path, run: bool = False, top: int = 10,
                    out: Path = OUT) -> dict:
    """Per-notebook wall time in full and smoke mode, and the ``top`` slowest (by full time).

    The times are read from ``full_times`` and ``smoke_times``; with ``run``, every notebook is
    executed first (see :func:`run_notebooks`) and the new files are read instead.
    """
    if run:
        full_times, smoke_times = run_notebooks(False, out), run_notebooks(True, out)
    modes = {}
    for mode, path in (("full", full_times), ("smoke", smoke_times)):
        modes[mode] = read_run_times(path) if path and Path(path).exists() else {}
    names = list(dict.fromkeys([*modes["full"], *modes["smoke"]]))  # in the order of the course
    rows = [{"notebook": name,
             "full_s": modes["full"].get(name, (None,))[0],
             "smoke_s": modes["smoke"].get(name, (None,))[0],
             "result": modes["full"].get(name, modes["smoke"].get(name, (None, "?")))[1]}
            for name in names]
    slowest = sorted(rows, key=lambda r: -(r["full_s"] if r["full_s"] is not None else r["smoke_s"] or 0))
    return {
        "full_file": str(full_times) if modes["full"] else None,
        "smoke_file": str(smoke_times) if modes["smoke"] else None,
        "device": str(d2l.try_gpu()),
        "total_full_s": _total(rows, "full_s"),
        "total_smoke_s": _total(rows, "smoke_s"),
        "rows": rows,
        "slowest": slowest[:top],
    }


def _total(rows: List[dict], key: str) -> Optional[float]:
    """Sum of one column (the run's own total row is short when nbtool reused cached notebooks)."""
    values = [row[key] for row in rows if row[key] is not None]
    return sum(values) if values else None


# ---------------------------------------------------------------------------------------
# 2. The Fashion-MNIST input pipeline
# ---------------------------------------------------------------------------------------

def read_epoch(data_iter) -> Tuple[float, int]:
    """Seconds to read every batch of ``data_iter`` once, and the number of examples read."""
    start, n = time.perf_counter(), 0
    for X, y in data_iter:
        n += y.shape[0]
    X.wait_to_read()
    return time.perf_counter() - start, n


def bench_loader(workers: Sequence[int] = (0, 2, 4), batch_size: int = 256, reps: int = 3,
                 per_image: bool = True) -> List[dict]:
    """Read one training epoch with ``d2l.load_data_fashion_mnist`` for each worker count.

    Two pipelines: the course's (images converted once as a whole, ``resize=None``) and the
    book's (each image transformed as it is read: here ``resize=28``, Resize + ToTensor).
    For reference, the last row slices the same epoch from arrays in memory, as the training
    benchmark does.
    """
    results = []
    for resize, pipeline in ((None, "DataLoader, converted once"), (28, "DataLoader, per image")):
        if resize is not None and not per_image:
            continue
        for num_workers in workers:
            train_iter, _ = d2l.load_data_fashion_mnist(batch_size, resize=resize, num_workers=num_workers)
            epochs = [read_epoch(train_iter) for _ in range(reps)]
            del train_iter  # ends the worker processes
            times = [seconds for seconds, _ in epochs]
            results.append({"pipeline": pipeline, "workers": num_workers, "seconds": statistics.median(times),
                            "times": times, "examples": epochs[0][1], "batch_size": batch_size})
    images, labels = fashion_mnist_arrays(d2l.smoke(None, 10000))
    X, y = nd.array(images), nd.array(labels, dtype="int32")

    def slices():
        return ((X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size))

    seconds, times = median_seconds(lambda: read_epoch(slices())[0], reps)
    results.append({"pipeline": "slices of in-memory arrays", "workers": 0, "seconds": seconds,
                    "times": times, "examples": len(X), "batch_size": batch_size})
    return results


# ---------------------------------------------------------------------------------------
# 3. Training throughput: the models, their epochs, the contest
# ---------------------------------------------------------------------------------------

def mlp() -> nn.HybridSequential:
    """The multilayer perceptron of notebook 5.10: 784 inputs, 256 ReLU units, 10 outputs."""
    net = nn.HybridSequential()
    net.add(nn.Dense(256, activation="relu"), nn.Dense(10))
    return net


def lenet() -> nn.HybridSequential:
    """LeNet as the 2019 book builds it (the CNN chapter will reuse this definition).

    Two 5x5 convolutions with sigmoid (6 then 16 channels), each followed by 2x2 max pooling
    with stride 2, then dense layers of 120 and 84 sigmoid units and 10 outputs. Input:
    ``(batch, 1, 28, 28)``; 44,426 parameters.
    """
    net = nn.HybridSequential()
    net.add(nn.Conv2D(channels=6, kernel_size=5, activation="sigmoid"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=5, activation="sigmoid"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation="sigmoid"),
            nn.Dense(84, activation="sigmoid"),
            nn.Dense(10))
    return net


def torch_mlp(torch):
    """The same MLP in PyTorch."""
    tnn = torch.nn
    return tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 10))


def torch_lenet(torch):
    """The same LeNet in PyTorch."""
    tnn = torch.nn
    return tnn.Sequential(tnn.Conv2d(1, 6, 5), tnn.Sigmoid(), tnn.MaxPool2d(2, 2),
                          tnn.Conv2d(6, 16, 5), tnn.Sigmoid(), tnn.MaxPool2d(2, 2), tnn.Flatten(),
                          tnn.Linear(16 * 4 * 4, 120), tnn.Sigmoid(), tnn.Linear(120, 84), tnn.Sigmoid(),
                          tnn.Linear(84, 10))


def torch_xavier_(torch, net) -> None:
    """Initialize like Gluon's ``init.Xavier()`` (uniform, fan average, magnitude 3), biases 0."""
    for layer in net.modules():
        if isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)


GLUON_MODELS = {"mlp": mlp, "lenet": lenet}
TORCH_MODELS = {"mlp": torch_mlp, "lenet": torch_lenet}


def fashion_mnist_arrays(n: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """The Fashion-MNIST training set in memory: float32 ``(N, 1, 28, 28)`` in [0, 1], int64 labels."""
    images, labels = d2l.load_idx_dataset("fashion-mnist", train=True)
    if n is not None:
        images, labels = images[:n], labels[:n]
    return (images[:, None, :, :].astype(np.float32) / 255), labels.astype(np.int64)


def gluon_epoch(net, loss, trainer, X: nd.NDArray, y: nd.NDArray, batch_size: int) -> Tuple[float, float]:
    """One epoch of minibatch SGD over in-memory NDArrays; return (seconds, mean loss).

    Batches are taken in order and only full ones (a last, smaller batch would make a
    ``static_shape`` graph rebuild itself). The loss is summed on the device and read once.
    """
    total, batches = nd.zeros(1, ctx=X.context), len(X) // batch_size
    nd.waitall()
    start = time.perf_counter()
    for i in range(0, batches * batch_size, batch_size):
        Xb, yb = X[i:i + batch_size], y[i:i + batch_size]
        with autograd.record():
            l = loss(net(Xb), yb)
        l.backward()
        trainer.step(batch_size)
        total += l.sum()
    nd.waitall()
    seconds = time.perf_counter() - start
    return seconds, total.asscalar() / max(batches * batch_size, 1)


def torch_epoch(torch, net, optimizer, X, y, batch_size: int) -> Tuple[float, float]:
    """The same epoch in PyTorch (``X``, ``y`` are tensors on the device)."""
    loss = torch.nn.CrossEntropyLoss()
    total, batches = torch.zeros((), device=X.device), len(X) // batch_size
    _torch_sync(torch, X.device)
    start = time.perf_counter()
    for i in range(0, batches * batch_size, batch_size):
        optimizer.zero_grad(set_to_none=True)
        l = loss(net(X[i:i + batch_size]), y[i:i + batch_size])
        l.backward()
        optimizer.step()
        total += l.detach()
    _torch_sync(torch, X.device)
    seconds = time.perf_counter() - start
    return seconds, total.item() / max(batches, 1)


def _torch_sync(torch, device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def gluon_trainee(model: str, hybridize: bool, X: nd.NDArray, y: nd.NDArray, batch_size: int):
    """A fresh Gluon ``model`` on ``X``'s context, warmed up; return its one-epoch function.

    ``hybridize`` compiles the network and the loss, each into one static graph.
    """
    d2l.set_seed(0)
    net, loss = GLUON_MODELS[model](), gloss.SoftmaxCrossEntropyLoss()
    net.initialize(init.Xavier(), ctx=X.context)
    if hybridize:
        net.hybridize(static_alloc=True, static_shape=True)
        loss.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": LEARNING_RATES[model]})
    gluon_epoch(net, loss, trainer, X[:2 * batch_size], y[:2 * batch_size], batch_size)  # build, allocate
    return lambda: gluon_epoch(net, loss, trainer, X, y, batch_size)


def torch_trainee(torch, model: str, X, y, batch_size: int):
    """A fresh PyTorch ``model`` on ``X``'s device, warmed up; return its one-epoch function."""
    torch.manual_seed(0)
    net = TORCH_MODELS[model](torch)
    torch_xavier_(torch, net)
    net = net.to(X.device)
    optimizer = torch.optim.SGD(net.parameters(), lr=LEARNING_RATES[model])
    torch_epoch(torch, net, optimizer, X[:2 * batch_size], y[:2 * batch_size], batch_size)
    return lambda: torch_epoch(torch, net, optimizer, X, y, batch_size)


def alternate(epochs: Dict[str, Callable[[], Tuple[float, float]]], reps: int):
    """Run one epoch of every contender in turn, ``reps`` times, rotating the order.

    A change in the machine's load then hits every contender alike. Returns the wall-clock
    seconds and the CPU seconds (all threads of this process) of every epoch, and the last
    mean loss, each as ``{contender: ...}``.
    """
    names = list(epochs)
    times, cpu_times, losses = {name: [] for name in names}, {name: [] for name in names}, {}
    for rep in range(reps):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            cpu_start = time.process_time()
            seconds, losses[name] = epochs[name]()
            cpu_times[name].append(time.process_time() - cpu_start)
            times[name].append(seconds)
    return times, cpu_times, losses


def bench_training(models: Sequence[str] = ("mlp", "lenet"), batch_size: int = 256, reps: int = 3,
                   n: Optional[int] = None, contexts: Optional[List[mx.Context]] = None) -> List[dict]:
    """Seconds per training epoch of each model for each contender (see :func:`alternate`).

    Contenders: ``gluon`` (imperative), ``hybrid`` (hybridized) and ``torch`` when PyTorch is
    installed (on a GPU context: when it sees that GPU). Returns one row per (context, model)
    with the median wall and CPU seconds, every repetition, the last mean loss and the
    ratios to PyTorch.
    """
    torch = import_torch()
    images, labels = fashion_mnist_arrays(n)
    rows = []
    for ctx in contexts or [mx.cpu()]:
        X, y = nd.array(images, ctx=ctx), nd.array(labels, ctx=ctx, dtype="float32")
        device = None
        if torch is not None:
            device = torch.device("cpu") if ctx.device_type == "cpu" else _torch_gpu(torch, ctx)
        if device is not None:
            tX, ty = torch.from_numpy(images).to(device), torch.from_numpy(labels).to(device)
        for model in models:
            epochs = {"gluon": gluon_trainee(model, False, X, y, batch_size),
                      "hybrid": gluon_trainee(model, True, X, y, batch_size)}
            if device is not None:
                epochs["torch"] = torch_trainee(torch, model, tX, ty, batch_size)
            times, cpu_times, losses = alternate(epochs, reps)
            row = {"context": str(ctx), "model": model, "batch_size": batch_size,
                   "examples": (len(images) // batch_size) * batch_size,
                   "seconds": {name: statistics.median(t) for name, t in times.items()},
                   "cpu_seconds": {name: statistics.median(t) for name, t in cpu_times.items()},
                   "times": times, "cpu_times": cpu_times, "loss": losses}
            if "torch" in row["seconds"]:
                row["ratio_to_torch"] = {name: t / row["seconds"]["torch"] for name, t in row["seconds"].items()}
                row["cpu_ratio_to_torch"] = {name: t / row["cpu_seconds"]["torch"]
                                             for name, t in row["cpu_seconds"].items()}
            rows.append(row)
    return rows


def _torch_gpu(torch, ctx):
    if torch.cuda.is_available() and ctx.device_id < torch.cuda.device_count():
        return torch.device("cuda", ctx.device_id)
    return None


# ---------------------------------------------------------------------------------------
# 4. The book's vectorization demo
# ---------------------------------------------------------------------------------------

def bench_vectorization(n: int = 10000, reps: int = 3) -> dict:
    """Time ``c[i] = a[i] + b[i]`` for every i in a Python loop against one ``a + b``.

    Unlike the book, both timings wait for MXNet to finish (``wait_to_read``); the book's
    0.00046 s for ``a + b`` measured only the queueing of the addition.
    """
    a, b = nd.ones(n), nd.ones(n)

    def loop():
        nd.waitall()
        start = time.perf_counter()
        c = nd.zeros(n)
        for i in range(n):
            c[i] = a[i] + b[i]
        c.wait_to_read()
        return time.perf_counter() - start

    def vectorized():
        nd.waitall()
        start = time.perf_counter()
        d = a + b
        d.wait_to_read()
        return time.perf_counter() - start

    loop_s, _ = median_seconds(loop, reps)
    vectorized_s, _ = median_seconds(vectorized, 101)
    return {"n": n, "loop_s": loop_s, "vectorized_s": vectorized_s, "ratio": loop_s / vectorized_s,
            "book_loop_s": BOOK["loop_s"], "book_vectorized_s": BOOK["vectorized_s"],
            "book_ratio": BOOK["loop_s"] / BOOK["vectorized_s"]}


# ---------------------------------------------------------------------------------------
# 5. Where the time goes: MXNet's (and PyTorch's) profiler over one epoch
# ---------------------------------------------------------------------------------------

def profile_gluon(model: str, batch_size: int = 256, n: Optional[int] = None, top: int = 10) -> dict:
    """Profile one hybridized epoch of ``model`` on the CPU with ``mx.profiler``.

    Returns the ``top`` operators by total time and the epoch's seconds with and without the
    profiler. Bulk execution is switched off for this network, so that the profiler times
    each operator rather than runs of them. The profiler must already be configured
    (:func:`bench_profile` does it once: MXNet refuses a second configuration in one process).
    """
    images, labels = fashion_mnist_arrays(n)
    X, y = nd.array(images), nd.array(labels, dtype="float32")
    bulk = os.environ.get("MXNET_EXEC_BULK_EXEC_TRAIN")
    os.environ["MXNET_EXEC_BULK_EXEC_TRAIN"] = "0"
    try:
        epoch = gluon_trainee(model, True, X, y, batch_size)
    finally:
        if bulk is None:
            del os.environ["MXNET_EXEC_BULK_EXEC_TRAIN"]
        else:
            os.environ["MXNET_EXEC_BULK_EXEC_TRAIN"] = bulk
    plain_s, _ = epoch()
    mx.profiler.dumps(reset=True)  # forget whatever was recorded before
    mx.profiler.set_state("run")
    profiled_s, _ = epoch()
    mx.profiler.set_state("stop")
    stats = json.loads(mx.profiler.dumps(reset=True, format="json"))
    operators = []
    for name, entry in stats.get("Time", {}).get("operator", {}).items():  # not the C API calls
        operators.append({"name": name, "count": entry["Count"], "total_ms": entry["Total"]})
    operators.sort(key=lambda op: -op["total_ms"])
    return {"model": model, "framework": "mxnet (hybridized)", "epoch_s": plain_s,
            "profiled_epoch_s": profiled_s, "top": operators[:top]}


def profile_torch(model: str, batch_size: int = 256, n: Optional[int] = None, top: int = 10) -> Optional[dict]:
    """The same epoch under ``torch.profiler``: the ``top`` operators by self CPU time."""
    torch = import_torch()
    if torch is None:
        return None
    images, labels = fashion_mnist_arrays(n)
    epoch = torch_trainee(torch, model, torch.from_numpy(images), torch.from_numpy(labels), batch_size)
    plain_s, _ = epoch()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        profiled_s, _ = epoch()
    operators = [{"name": e.key, "count": e.count, "total_ms": e.self_cpu_time_total / 1000}
                 for e in prof.key_averages()]
    operators.sort(key=lambda op: -op["total_ms"])
    return {"model": model, "framework": "pytorch", "epoch_s": plain_s, "profiled_epoch_s": profiled_s,
            "top": operators[:top]}


def bench_profile(models: Sequence[str] = ("mlp", "lenet"), batch_size: int = 256,
                  n: Optional[int] = None, out: Path = OUT) -> List[dict]:
    """Profiles of each model: MXNet hybridized, then PyTorch when it is installed.

    MXNet's trace of all the profiled epochs (for chrome://tracing) goes to
    ``out/profile-mxnet.json``.
    """
    trace = Path(out) / "profile-mxnet.json"
    trace.parent.mkdir(parents=True, exist_ok=True)
    mx.profiler.set_config(profile_symbolic=True, profile_imperative=True, aggregate_stats=True,
                           filename=str(trace))
    profiles = []
    for model in models:
        profiles.append(profile_gluon(model, batch_size, n))
        profiles[-1]["trace"] = str(trace)
        torch_profile = profile_torch(model, batch_size, n)
        if torch_profile is not None:
            profiles.append(torch_profile)
    mx.profiler.dump()
    return profiles


# ---------------------------------------------------------------------------------------
# Thread settings and batch sizes, each in a fresh process (--sweep)
# ---------------------------------------------------------------------------------------

def bench_sweep(reps: int, n: Optional[int] = None, settings=SWEEP, out: Path = OUT) -> List[dict]:
    """Rerun the training benchmark in a fresh process for every setting of ``settings``.

    Each run writes its own report under ``out/sweep/<setting>/``.
    """
    rows = []
    for label, env, args in settings:
        folder = Path(out) / "sweep" / "".join(c if c.isalnum() else "-" for c in label)
        command = [sys.executable, "-m", "d2l.bench", "--only", "training", "--reps", str(reps),
                   "--out", str(folder)] + args + (["--examples", str(n)] if n else [])
        proc = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
        if proc.returncode != 0 or not (folder / "bench.json").exists():
            rows.append({"setting": label, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]})
            continue
        result = json.loads((folder / "bench.json").read_text(encoding="utf-8"))
        rows.append({"setting": label, "environment": result["environment"], "training": result["training"]})
    return rows


# ---------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------

def _loads(values) -> str:
    return ", ".join(f"{x:.1f}" for x in values) if values else "-"


def _s(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def training_table(rows: List[dict]) -> List[str]:
    """Markdown rows: median seconds per epoch and the ratios to PyTorch (wall clock and CPU time)."""
    lines = ["| device | model | Gluon s/epoch | hybridized s/epoch | PyTorch s/epoch | Gluon / PyTorch | "
             "hybridized / PyTorch | hybridized / PyTorch, CPU time |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        sec, ratio, cpu = row["seconds"], row.get("ratio_to_torch", {}), row.get("cpu_ratio_to_torch", {})
        lines.append(f"| {row['context']} | {row['model']} | {_s(sec.get('gluon'))} | {_s(sec.get('hybrid'))} | "
                     f"{_s(sec.get('torch'))} | {_s(ratio.get('gluon'))} | {_s(ratio.get('hybrid'))} | "
                     f"{_s(cpu.get('hybrid'))} |")
    return lines


def sweep_table(items: List[dict]) -> List[str]:
    """Markdown rows of :func:`bench_sweep`: one per setting and model (CPU rows only)."""
    lines = ["| setting | model | threads (MXNet / PyTorch) | Gluon s/epoch | hybridized s/epoch | "
             "PyTorch s/epoch | hybridized / PyTorch | same, CPU time |", "|---|---|---|---:|---:|---:|---:|---:|"]
    for item in items:
        if "error" in item:
            lines.append(f"| {item['setting']} | failed: {item['error']} | | | | | | |")
            continue
        env = item["environment"]
        for row in item["training"]:
            if row["context"] != "cpu(0)":
                continue
            sec, ratio, cpu = row["seconds"], row.get("ratio_to_torch", {}), row.get("cpu_ratio_to_torch", {})
            lines.append(f"| {item['setting']} | {row['model']} | {env['mxnet_omp_threads']} / "
                         f"{env['torch_threads'] or '-'} | {_s(sec.get('gluon'))} | {_s(sec.get('hybrid'))} | "
                         f"{_s(sec.get('torch'))} | {_s(ratio.get('hybrid'))} | {_s(cpu.get('hybrid'))} |")
    return lines


def report_markdown(result: dict) -> str:
    """The report of :func:`run` as markdown (also printed)."""
    env = result["environment"]
    lines = ["# d2l-ko-gluon benchmarks", "",
             f"Machine: {env['cpus']} CPUs ({env['cpu_model']}), Python {env['python']}, "
             f"MXNet {env['mxnet']} (MKLDNN {'on' if env['mkldnn'] else 'off'}), "
             f"PyTorch {env['torch'] or 'not installed'}. Threads: MXNet OpenMP {env['mxnet_omp_threads']}, "
             f"PyTorch {env['torch_threads'] or '-'}"
             + (f" ({', '.join(f'{k}={v}' for k, v in env['thread_env'].items())})" if env["thread_env"] else "")
             + f". GPUs: {', '.join(env['gpus']) or 'no GPU'}. Load average (1, 5, 15 min) at the start: "
             f"{_loads(env['load_average'])}; at the end: {_loads(result.get('load_average_end'))}.",
             f"Median of {result['reps']} repetitions; whole benchmark {result['seconds']:.0f} s."
             + (" glibc malloc thresholds fixed (see `steady_malloc`)." if result.get("steady_malloc") else "")]
    if "notebooks" in result:
        nb = result["notebooks"]
        lines += ["", "## 1. Notebook wall time (slowest ten)", "",
                  f"Full mode: {nb['full_file'] or 'no run-times file'}; smoke mode: "
                  f"{nb['smoke_file'] or 'no run-times file'}. Device: {nb['device']}.", "",
                  "| notebook | full s | smoke s |", "|---|---:|---:|"]
        lines += [f"| {r['notebook']} | {_s(r['full_s'], 1)} | {_s(r['smoke_s'], 1)} |" for r in nb["slowest"]]
        lines.append(f"| **all {len(nb['rows'])} notebooks** | {_s(nb['total_full_s'], 1)} | "
                     f"{_s(nb['total_smoke_s'], 1)} |")
    if "loader" in result:
        lines += ["", "## 2. Fashion-MNIST input pipeline (one training epoch)", "",
                  f"`d2l.load_data_fashion_mnist`, batch {result['loader'][0]['batch_size']}; "
                  f"the book: {BOOK['loader_epoch_s']} s (ToTensor per image, 4 workers).", "",
                  "| pipeline | workers | examples | seconds |", "|---|---:|---:|---:|"]
        lines += [f"| {r['pipeline']} | {r['workers']} | {r['examples']} | {r['seconds']:.3f} |"
                  for r in result["loader"]]
    if "training" in result:
        rows = result["training"]
        lines += ["", "## 3. Training throughput (one epoch, SGD, data in memory)", "",
                  f"Batch {rows[0]['batch_size']}, {rows[0]['examples']} examples per epoch, fixed order. "
                  "Gluon: imperative; hybridized: network and loss `hybridize(static_alloc=True, "
                  "static_shape=True)`; PyTorch: eager, same initialization (Xavier). Ratios below 1 "
                  "mean faster than PyTorch. CPU time counts every thread of the process and is "
                  "less sensitive than wall time to other work on the machine."
                  + ("" if env["torch"] else " PyTorch is not installed (`pip install -r requirements/bench.txt`): "
                     "no PyTorch column."), ""]
        lines += training_table(rows)
    if "sweep" in result:
        lines += ["", "### Other thread settings and batch sizes (a fresh process each)", ""]
        lines += sweep_table(result["sweep"])
    if "vectorization" in result:
        v = result["vectorization"]
        lines += ["", "## 4. Vectorization (the book's demo)", "",
                  "| | loop of scalar adds (s) | one vectorized add (s) | ratio |", "|---|---:|---:|---:|",
                  f"| here (n={v['n']}) | {v['loop_s']:.3f} | {v['vectorized_s']:.6f} | {v['ratio']:.0f} |",
                  f"| book | {v['book_loop_s']} | {v['book_vectorized_s']} | {v['book_ratio']:.0f} |"]
    if "profile" in result:
        lines += ["", "## 5. Where the time goes (one epoch under the profiler)", ""]
        for p in result["profile"]:
            lines += [f"**{p['model']}, {p['framework']}**: {p['epoch_s']:.2f} s per epoch, "
                      f"{p['profiled_epoch_s']:.2f} s profiled" + (f"; trace {p['trace']}" if p.get("trace") else "")
                      + ".", "", "| operator | calls | total ms |", "|---|---:|---:|"]
            lines += [f"| {op['name']} | {op['count']} | {op['total_ms']:.0f} |" for op in p["top"]]
            lines.append("")
    if env["gpus"]:
        gpu_note = f"GPU: {', '.join(env['gpus'])} (training rows above; notebooks use d2l.try_gpu())."
    elif env["gpus_seen"]:
        gpu_note = (f"GPU: {env['gpus_seen']} seen, none that MXNet 1.9.1 supports (see d2l.check); "
                    "everything ran on the CPU.")
    else:
        gpu_note = "GPU: no GPU; everything ran on the CPU."
    lines += ["", gpu_note]
    return "\n".join(lines).rstrip() + "\n"


ITEMS = ("notebooks", "loader", "training", "vectorization", "profile")


def run(items: Sequence[str] = ITEMS, quick: bool = False, reps: int = 3, batch_size: int = 256,
        workers: Sequence[int] = (0, 2, 4), examples: Optional[int] = None, notebooks: bool = False,
        full_times: Path = OUT / "run-times.md", smoke_times: Path = OUT / "smoke" / "run-times.md",
        sweep: bool = False, out: Path = OUT) -> dict:
    """Run the chosen benchmarks and return their results (what bench.json holds).

    ``quick`` shrinks everything for a test: 2,048 training examples, one repetition, the
    loader with no worker processes only, 1,000 additions in the vectorization demo.
    """
    if quick:
        reps, workers, examples = 1, (0,), examples or 2048
    start = time.perf_counter()
    result = {"environment": environment(), "reps": reps, "quick": quick, "steady_malloc": steady_malloc()}
    contexts = [mx.cpu()] + gpu_contexts()
    if "notebooks" in items:
        result["notebooks"] = bench_notebooks(full_times, smoke_times, run=notebooks, out=out)
    if "vectorization" in items:
        result["vectorization"] = bench_vectorization(1000 if quick else 10000, reps)
    if "loader" in items:
        result["loader"] = bench_loader(workers, batch_size, reps, per_image=not quick)
    if "training" in items:
        result["training"] = bench_training(("mlp", "lenet"), batch_size, reps, examples, contexts)
    if "profile" in items:
        result["profile"] = bench_profile(("mlp", "lenet"), batch_size, examples, out)
    if sweep:
        result["sweep"] = bench_sweep(reps, examples, out=out)
    result["seconds"] = time.perf_counter() - start
    result["load_average_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m d2l.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=ITEMS, default=list(ITEMS), help="run only these items")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition (for tests)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported (3)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--workers", default="0,2,4", help="loader worker counts (0,2,4)")
    parser.add_argument("--examples", type=int, help="train on the first N examples only")
    parser.add_argument("--threads", type=int, help="restart with OMP_NUM_THREADS=N (MXNet and PyTorch)")
    parser.add_argument("--notebooks", action="store_true",
                        help="execute every notebook (full, then smoke mode) into --out first and read those times")
    parser.add_argument("--full-times", type=Path, default=OUT / "run-times.md")
    parser.add_argument("--smoke-times", type=Path, default=OUT / "smoke" / "run-times.md")
    parser.add_argument("--sweep", action="store_true", help="also rerun training under other thread settings")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of bench.md and bench.json")
    args = parser.parse_args(argv)
    if args.threads and os.environ.get("OMP_NUM_THREADS") != str(args.threads):
        # MXNet fixed its thread count when it was imported: run again in a fresh process.
        command = [sys.executable, "-m", "d2l.bench"] + (sys.argv[1:] if argv is None else list(argv))
        return subprocess.call(command, env={**os.environ, "OMP_NUM_THREADS": str(args.threads)})
    result = run(args.only, args.quick, args.reps, args.batch_size,
                 [int(w) for w in args.workers.split(",") if w.strip()], args.examples, args.notebooks,
                 args.full_times, args.smoke_times, args.sweep, args.out)
    report = report_markdown(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (args.out / "bench.md").write_text(report, encoding="utf-8")
    print(report, end="")
    print(f"Wrote {args.out / 'bench.md'} and {args.out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
