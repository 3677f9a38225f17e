"""Data-parallel training on several devices and on several processes with MXNet's kvstore.

``parallel_contexts`` and ``allreduce`` are taught in notebook 10.2 (multi-GPU training from
scratch); ``parallel_contexts`` is reused by notebook 10.3 (concise multi-GPU training). The
parameter-server helpers ``DistributedJobError``, ``find_free_port``, ``dmlc_env``,
``launch_local``, ``shard_range`` and ``train_worker`` are taught in notebook 10.4
(multi-machine training).

A worker of a distributed job is the command ``python -m d2l.distributed train --kvstore
dist_sync ...``. The same command becomes a scheduler or a server when ``DMLC_ROLE`` says so:
importing MXNet in such a process runs MXNet's own ps-lite server loop and exits afterwards.
``launch_local`` starts every role on 127.0.0.1, each in its own session, bounds the job by a
deadline, stops the job as soon as a process fails, and always kills every process group it
started. (MXNet's ``tools/launch.py`` does the same start-up, but its bundled ``dmlc_tracker``
calls ``Thread.isAlive``, which Python 3.9 removed, and binds to the machine's outward address.)
"""
import argparse
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import nn

import d2l

__all__ = ["allreduce", "DistributedJobError", "dmlc_env", "find_free_port", "launch_local",
           "parallel_contexts", "shard_range", "train_worker"]

LOCALHOST = "127.0.0.1"
ROLES = ("scheduler", "server", "worker")
RESULT_ENV = "D2L_DIST_RESULT"  # the JSON file a worker writes its figures to
JOB_DIR_ENV = "D2L_DIST_DIR"  # the job's folder, set for every process the launcher starts


# --- notebook 10.2: several devices in one process -------------------------------------------

def parallel_contexts(num_cpus: int = 2) -> List[mx.Context]:
    """Every usable GPU, or ``num_cpus`` CPU contexts ``cpu(0), cpu(1), ...`` when there is none.

    Taught in notebook 10.2. Gluon keeps one parameter copy per context even when the contexts
    are CPU contexts that share the same memory, so data-parallel code takes the same path
    (split, copy, sum, broadcast) on a CPU-only machine, just without a speed-up.
    """
    if not isinstance(num_cpus, int) or num_cpus < 1:
        raise ValueError(f"num_cpus must be a positive int, got {num_cpus!r}")
    gpus = [c for c in d2l.try_all_gpus() if c.device_type == "gpu"]
    return gpus or [mx.cpu(i) for i in range(num_cpus)]


def allreduce(arrays):
    """Sum same-shaped arrays that live on different devices and write the sum into each of them.

    Taught in notebook 10.2. The sum is formed on the device of ``arrays[0]`` and then copied
    back to every device, so afterwards all arrays hold the same values. Returns the sum.
    """
    if len(arrays) == 0:
        raise ValueError("allreduce needs at least one array")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"allreduce needs arrays of one shape, got {sorted(shapes)}")
    home = arrays[0].context
    total = nd.add_n(*[a.as_in_context(home) for a in arrays])
    for a in arrays:
        total.copyto(a)
    return total


# --- notebook 10.4: several processes (parameter server) --------------------------------------

class DistributedJobError(RuntimeError):
    """A launched job failed: a process exited with an error, or it ran past its deadline.

    Taught in notebook 10.4. The message names the process, its exit code and the last lines of
    its log. By the time it is raised, every process of the job has been killed.
    """

    def __init__(self, message: str):
        super().__init__(message)


def find_free_port(host: str = LOCALHOST) -> int:
    """A TCP port on ``host`` that no socket is bound to right now (the OS picks it).

    Taught in notebook 10.4: the scheduler of a local job listens on this port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _check_port_free(port: int, host: str = LOCALHOST) -> None:
    """Raise ``OSError(EADDRINUSE)`` with a clear message when ``host:port`` cannot be bound."""
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be an int in 1..65535, got {port!r}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            raise OSError(errno.EADDRINUSE,
                          f"port {port} on {host} is already in use ({err.strerror}), so the "
                          "scheduler cannot listen on it; pass another port, or port=None to let "
                          "the launcher pick a free one") from None


def dmlc_env(role: str, num_workers: int, num_servers: int, root_uri: str = LOCALHOST,
             root_port: int = 9091, node_host: Optional[str] = None) -> Dict[str, str]:
    """The ``DMLC_*`` environment variables that make a process one ``role`` of a ps-lite job.

    Taught in notebook 10.4. Every process gets the scheduler's address (``DMLC_PS_ROOT_URI``,
    ``DMLC_PS_ROOT_PORT``) and the job's size (``DMLC_NUM_WORKER``, ``DMLC_NUM_SERVER``);
    ``DMLC_ROLE`` says what the process is. ``node_host`` (``DMLC_NODE_HOST``) is the address
    the process itself listens on; without it ps-lite picks an address of a network interface.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    if not isinstance(num_workers, int) or num_workers < 1:
        raise ValueError(f"num_workers must be a positive int, got {num_workers!r}")
    if not isinstance(num_servers, int) or num_servers < 1:
        raise ValueError(f"num_servers must be a positive int, got {num_servers!r}")
    if not isinstance(root_port, int) or not 1 <= root_port <= 65535:
        raise ValueError(f"root_port must be an int in 1..65535, got {root_port!r}")
    env = {"DMLC_ROLE": role, "DMLC_PS_ROOT_URI": root_uri, "DMLC_PS_ROOT_PORT": str(root_port),
           "DMLC_NUM_WORKER": str(num_workers), "DMLC_NUM_SERVER": str(num_servers)}
    if node_host is not None:
        env["DMLC_NODE_HOST"] = node_host
    return env


class _Process:
    """One launched process: its role, its ``Popen`` and its log file."""

    def __init__(self, role, index, popen, log_path, log_file):
        self.role, self.index, self.popen = role, index, popen
        self.log_path, self.log_file = log_path, log_file

    @property
    def name(self):
        return f"{self.role} {self.index}"

    def log_tail(self, lines=15):
        self.log_file.flush()
        text = Path(self.log_path).read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.rstrip().splitlines()[-lines:])


def _kill_all(processes, grace: float = 2.0) -> None:
    """SIGTERM every process group, wait up to ``grace`` seconds, SIGKILL what is left, reap."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in processes:
            try:
                os.killpg(p.popen.pid, sig)  # each process leads its own session and group
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(p.popen.poll() is None for p in processes):
            time.sleep(0.02)
    for p in processes:
        try:
            p.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        p.log_file.close()


def launch_local(num_workers: int, num_servers: int, args: Sequence[str], timeout: float = 120.0,
                 port: Optional[int] = None, log_dir=None, threads_per_worker: Optional[int] = None,
                 env: Optional[Dict[str, str]] = None) -> List[dict]:
    """Run ``python *args`` as a parameter-server job on 127.0.0.1; return the workers' results.

    Taught in notebook 10.4. Starts one scheduler, ``num_servers`` servers and ``num_workers``
    workers, each in its own session with the ``DMLC_*`` variables of :func:`dmlc_env` and its
    output in ``log_dir/<role>-<i>.log`` (by default a temporary folder, removed after a job that
    succeeded). ``num_servers=0`` starts only the workers, without
    ``DMLC_*`` variables (a baseline with a non-distributed kvstore). Each worker writes a JSON
    dict to the file named by ``$D2L_DIST_RESULT``; the dicts (plus the worker's ``log``) are
    returned sorted by their ``rank``. Raises :class:`DistributedJobError` when a process exits
    with an error, when the job runs past ``timeout`` seconds or when a worker writes no result,
    and ``OSError`` when the requested ``port`` is taken. Every process started is killed before
    the function returns or raises.
    """
    if not isinstance(num_workers, int) or num_workers < 1:
        raise ValueError(f"num_workers must be a positive int, got {num_workers!r}")
    if not isinstance(num_servers, int) or num_servers < 0:
        raise ValueError(f"num_servers must be a non-negative int, got {num_servers!r}")
    if not timeout > 0:
        raise ValueError(f"timeout must be positive seconds, got {timeout!r}")
    if isinstance(args, str) or not args:
        raise ValueError(f"args must be a non-empty list of command-line words, got {args!r}")
    if num_servers > 0:
        if port is None:
            port = find_free_port()
        else:
            _check_port_free(port)
    threads = threads_per_worker or max(1, (os.cpu_count() or 1) // num_workers)
    folder = Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="d2l-dist-"))
    folder.mkdir(parents=True, exist_ok=True)
    succeeded = False
    roles = [("worker", i) for i in range(num_workers)]
    if num_servers > 0:
        roles = [("scheduler", 0)] + [("server", i) for i in range(num_servers)] + roles

    processes: List[_Process] = []
    start = time.monotonic()
    try:
        for role, i in roles:
            child_env = {k: v for k, v in os.environ.items() if not k.startswith("DMLC_")}
            child_env.update(env or {})
            filters = [f for f in (child_env.get("PYTHONWARNINGS"), "ignore::RuntimeWarning:runpy") if f]
            child_env.update({JOB_DIR_ENV: str(folder), "PYTHONUNBUFFERED": "1",
                              "PYTHONWARNINGS": ",".join(filters),  # quiet `python -m d2l.X`
                              "OMP_NUM_THREADS": str(threads if role == "worker" else 1)})
            if num_servers > 0:
                child_env.update(dmlc_env(role, num_workers, num_servers, LOCALHOST, port,
                                          node_host=LOCALHOST))
            if role == "worker":
                result = folder / f"worker-{i}.json"
                result.unlink(missing_ok=True)
                child_env[RESULT_ENV] = str(result)
            log_path = folder / f"{role}-{i}.log"
            log_file = open(log_path, "w", encoding="utf-8")
            try:  # a new session per process: os.killpg then reaches everything it started
                popen = subprocess.Popen([sys.executable, *args], env=child_env, stdin=subprocess.DEVNULL,
                                         stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
            except OSError:
                log_file.close()
                raise
            processes.append(_Process(role, i, popen, log_path, log_file))

        workers = [p for p in processes if p.role == "worker"]
        while True:
            for p in processes:
                code = p.popen.poll()
                if code is not None and code != 0:
                    raise DistributedJobError(
                        f"{p.name} (pid {p.popen.pid}) exited with code {code} after "
                        f"{time.monotonic() - start:.1f} s; stopping the other "
                        f"{len(processes) - 1} processes of the job. Last lines of {p.log_path}:\n"
                        + p.log_tail())
            if all(w.popen.poll() == 0 for w in workers):
                break
            if time.monotonic() - start > timeout:
                running = [p.name for p in processes if p.popen.poll() is None]
                raise DistributedJobError(
                    f"the job did not finish within {timeout:g} s (still running: "
                    f"{', '.join(running)}); all its processes were killed. A synchronous job "
                    "waits forever when one worker stops pushing; see the logs in " + str(folder))
            time.sleep(0.05)
        # The workers are done; the scheduler and servers shut down on their own shortly after.
        settle = time.monotonic() + min(10.0, max(0.0, start + timeout - time.monotonic()))
        while time.monotonic() < settle and any(p.popen.poll() is None for p in processes):
            time.sleep(0.05)

        results = []
        for w in workers:
            path = folder / f"worker-{w.index}.json"
            if not path.exists():
                raise DistributedJobError(f"{w.name} exited normally but wrote no result to {path}. "
                                          f"Last lines of its log:\n{w.log_tail()}")
            result = json.loads(path.read_text(encoding="utf-8"))
            w.log_file.flush()
            result["log"] = Path(w.log_path).read_text(encoding="utf-8", errors="replace")
            results.append(result)
        succeeded = True
        return sorted(results, key=lambda r: r.get("rank", 0))
    finally:
        _kill_all(processes)
        if succeeded and log_dir is None:
            shutil.rmtree(folder, ignore_errors=True)


def shard_range(num_examples: int, rank: int, num_workers: int) -> range:
    """Indices of the examples that worker ``rank`` of ``num_workers`` reads: one contiguous block.

    Taught in notebook 10.4. Every worker gets ``num_examples // num_workers`` examples (the
    remainder is left out), because a synchronous job needs every worker to make the same number
    of steps.
    """
    if not isinstance(num_workers, int) or num_workers < 1:
        raise ValueError(f"num_workers must be a positive int, got {num_workers!r}")
    if not isinstance(rank, int) or not 0 <= rank < num_workers:
        raise ValueError(f"rank must be in 0..{num_workers - 1}, got {rank!r}")
    if not isinstance(num_examples, int) or num_examples < num_workers:
        raise ValueError(f"num_examples must be an int >= num_workers ({num_workers}), got {num_examples!r}")
    size = num_examples // num_workers
    return range(rank * size, (rank + 1) * size)


def train_worker(kvstore: str = "dist_sync", num_examples: int = 60000, num_epochs: int = 2,
                 batch_size: int = 256, lr: float = 0.3, num_test: int = 10000, seed: int = 0,
                 crash_rank: Optional[int] = None) -> dict:
    """Train LeNet on this worker's shard of Fashion-MNIST through ``kvstore``; return its figures.

    Taught in notebook 10.4; ``python -m d2l.distributed train`` runs it. ``num_examples`` and
    ``batch_size`` count all workers together: worker ``kv.rank`` reads its
    :func:`shard_range` and takes ``batch_size // kv.num_workers`` examples per step, and
    ``trainer.step(batch_size)`` divides the summed gradient of all workers by the global batch.
    So 1 process and N workers see the same examples and make the same number of updates.
    ``crash_rank`` makes that worker raise at its second step (to test the launcher).
    """
    kv = mx.kv.create(kvstore)
    rank, num_workers = kv.rank, kv.num_workers
    if batch_size % num_workers:
        raise ValueError(f"batch_size {batch_size} is not divisible by {num_workers} workers")
    ctx = d2l.try_gpu(rank % max(d2l.num_gpus(), 1))
    d2l.set_seed(seed)  # the same initial parameters everywhere (rank 0's are broadcast anyway)

    images, labels = d2l.load_idx_dataset("fashion-mnist", train=True)
    if num_examples > len(labels):
        raise ValueError(f"num_examples must be at most {len(labels)}, got {num_examples}")
    shard = shard_range(num_examples, rank, num_workers)
    X = nd.array(images[shard.start:shard.stop, None], ctx=ctx, dtype="float32") / 255
    y = nd.array(labels[shard.start:shard.stop], ctx=ctx, dtype="float32")
    local_batch = batch_size // num_workers
    steps = len(shard) // local_batch  # full batches only: every worker makes the same steps

    net = nn.HybridSequential()
    net.add(nn.Conv2D(6, kernel_size=5, padding=2, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Conv2D(16, kernel_size=5, activation="relu"), nn.MaxPool2D(2, 2),
            nn.Dense(120, activation="relu"), nn.Dense(84, activation="relu"), nn.Dense(10))
    net.initialize(init.Xavier(), ctx=ctx)
    net.hybridize()
    params = list(net.collect_params().values())  # kvstore key i is params[i]
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": lr}, kvstore=kv)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()

    rng = np.random.RandomState(seed + 1 + rank)  # each worker shuffles its own shard
    losses = []
    nd.waitall()
    start = time.perf_counter()
    for epoch in range(num_epochs):
        order = nd.array(rng.permutation(len(shard)), ctx=ctx)
        loss_sum = nd.zeros(1, ctx=ctx)
        for step in range(steps):
            if rank == crash_rank and epoch * steps + step == 1:
                raise RuntimeError(f"injected failure on worker {rank} at step {step + 1}")
            idx = order[step * local_batch:(step + 1) * local_batch]
            with autograd.record():
                l = loss(net(X.take(idx)), y.take(idx)).sum()
            l.backward()
            trainer.step(batch_size)  # push this worker's gradient, pull the new weights
            loss_sum += l
        losses.append(loss_sum.asscalar() / (steps * local_batch))
        print(f"worker {rank}/{num_workers} epoch {epoch + 1}, loss {losses[-1]:.4f}, "
              f"{time.perf_counter() - start:.1f} sec", flush=True)
    nd.waitall()
    seconds = time.perf_counter() - start

    if "dist" in kv.type:  # wait for every worker, then read the servers' final weights
        kv._barrier()
        for i, param in enumerate(params):
            kv.pull(i, out=param.list_data())
    test_images, test_labels = d2l.load_idx_dataset("fashion-mnist", train=False)
    test_iter = gluon.data.DataLoader(gluon.data.ArrayDataset(
        nd.array(test_images[:num_test, None], dtype="float32") / 255,
        nd.array(test_labels[:num_test], dtype="float32")), 1000)
    return {"rank": rank, "num_workers": num_workers, "kvstore": kv.type, "pid": os.getpid(),
            "examples": num_epochs * steps * local_batch, "seconds": seconds,
            "examples_per_sec": num_epochs * steps * local_batch / seconds, "loss": losses,
            "test_acc": d2l.evaluate_accuracy(test_iter, net, ctx),
            "param_norm": float(sum((p.data(ctx) ** 2).sum() for p in params).asscalar())}


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Command line: ``python -m d2l.distributed train --kvstore dist_sync ...`` (notebook 10.4)."""
    parser = argparse.ArgumentParser(prog="python -m d2l.distributed",
                                     description="Run one worker of a data-parallel job on MXNet's kvstore.")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train LeNet on this worker's shard of Fashion-MNIST")
    train.add_argument("--kvstore", default="dist_sync",
                       help="local, device, dist_sync or dist_async (default dist_sync)")
    train.add_argument("--num-examples", type=int, default=60000, help="training examples, all workers")
    train.add_argument("--epochs", type=int, default=2)
    train.add_argument("--batch-size", type=int, default=256, help="global batch size")
    train.add_argument("--lr", type=float, default=0.3)
    train.add_argument("--num-test", type=int, default=10000)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--crash-rank", type=int, default=None, help="make this worker fail (tests)")
    opts = parser.parse_args(argv)
    try:
        result = train_worker(opts.kvstore, opts.num_examples, opts.epochs, opts.batch_size, opts.lr,
                              opts.num_test, opts.seed, opts.crash_rank)
    except BaseException:
        # A normal exit would run MXNet's exit-time barrier and wait for the other workers forever.
        traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    print(f"worker {result['rank']}: {result['examples']} examples in {result['seconds']:.1f} s "
          f"({result['examples_per_sec']:.0f} examples/s), test acc {result['test_acc']:.4f}", flush=True)
    path = os.environ.get(RESULT_ENV)
    if path:
        Path(path).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
