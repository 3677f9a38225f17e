"""d2l.distributed: multi-device helpers and local parameter-server jobs on MXNet's kvstore.

The launch tests start real ps-lite jobs (scheduler, server and workers on 127.0.0.1); after each
one they check that no process the job started is still alive, by looking for the job folder in
the environment of every process on the machine.
"""
import errno
import socket
import tempfile
import time
from pathlib import Path

import pytest

import d2l
import mxnet as mx
from mxnet import nd
from d2l import distributed

# A worker that needs no data set: push (rank + 1) and pull what the server summed.
SUM_WORKER = """
import json, os
import mxnet as mx
from mxnet import nd
kv = mx.kv.create('dist_sync')
kv.init(3, nd.zeros((3,)))
kv.push(3, nd.ones((3,)) * (kv.rank + 1))
out = nd.zeros((3,))
kv.pull(3, out=out)
with open(os.environ['D2L_DIST_RESULT'], 'w') as f:
    json.dump({'rank': kv.rank, 'num_workers': kv.num_workers, 'pulled': out.asnumpy().tolist()}, f)
"""

# Worker 1 dies (killed outright); worker 0 then waits in a barrier for it forever, unless the
# launcher steps in. (A plain sys.exit would hang too: MXNet's exit-time barrier waits for worker 0.)
DYING_WORKER = """
import os, signal
import mxnet as mx
kv = mx.kv.create('dist_sync')
if kv.rank == 1:
    os.kill(os.getpid(), signal.SIGKILL)
kv._barrier()
"""


def job_processes(folder):
    """PIDs of live processes whose environment names ``folder`` as their job folder."""
    marker = f"{distributed.JOB_DIR_ENV}={folder}"
    try:
        import psutil
    except ImportError:
        psutil = None
    found = []
    if psutil is not None:
        for proc in psutil.process_iter():
            try:
                if proc.environ().get(distributed.JOB_DIR_ENV) == str(folder):
                    found.append(proc.pid)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if marker in environ:
                found.append(int(entry.name))
    return found


@pytest.fixture
def job_dir(tmp_path):
    folder = tmp_path / "job"
    yield folder
    assert job_processes(folder) == [], "a launched process survived the job"


# --- helpers without processes -----------------------------------------------------------------

def test_parallel_contexts():
    ctxs = d2l.parallel_contexts(3)
    if d2l.num_gpus() == 0:
        assert ctxs == [mx.cpu(0), mx.cpu(1), mx.cpu(2)]
    assert len(set(ctxs)) == len(ctxs)
    with pytest.raises(ValueError, match="num_cpus"):
        d2l.parallel_contexts(0)


def test_allreduce_sums_across_contexts_in_place():
    a = nd.array([1, 2, 3], ctx=mx.cpu(0))
    b = nd.array([10, 20, 30], ctx=mx.cpu(1))
    total = d2l.allreduce([a, b])
    assert a.context == mx.cpu(0) and b.context == mx.cpu(1)
    assert a.asnumpy().tolist() == b.asnumpy().tolist() == total.asnumpy().tolist() == [11, 22, 33]
    with pytest.raises(ValueError, match="one shape"):
        d2l.allreduce([a, nd.ones((2,), ctx=mx.cpu(1))])
    with pytest.raises(ValueError, match="at least one"):
        d2l.allreduce([])


def test_shard_range_gives_equal_disjoint_blocks():
    shards = [d2l.shard_range(10, r, 3) for r in range(3)]
    assert shards == [range(0, 3), range(3, 6), range(6, 9)]  # example 9 is left out
    assert d2l.shard_range(8, 0, 1) == range(8)
    for bad in [(10, 3, 3), (10, -1, 3), (2, 0, 3)]:
        with pytest.raises(ValueError):
            d2l.shard_range(*bad)


def test_dmlc_env():
    env = d2l.dmlc_env("server", 2, 1, "10.0.0.1", 9000)
    assert env == {"DMLC_ROLE": "server", "DMLC_PS_ROOT_URI": "10.0.0.1", "DMLC_PS_ROOT_PORT": "9000",
                   "DMLC_NUM_WORKER": "2", "DMLC_NUM_SERVER": "1"}
    assert d2l.dmlc_env("worker", 1, 1, node_host="127.0.0.1")["DMLC_NODE_HOST"] == "127.0.0.1"
    with pytest.raises(ValueError, match="role"):
        d2l.dmlc_env("master", 2, 1)
    with pytest.raises(ValueError, match="num_servers"):
        d2l.dmlc_env("worker", 2, 0)


def test_find_free_port_can_be_bound():
    port = d2l.find_free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_launch_local_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="num_workers"):
        d2l.launch_local(0, 1, ["-c", "pass"], log_dir=tmp_path)
    with pytest.raises(ValueError, match="args"):
        d2l.launch_local(1, 1, "-c pass", log_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_taken_port_gives_a_clear_error(job_dir):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(OSError, match=f"port {port} on 127.0.0.1 is already in use") as info:
            d2l.launch_local(2, 1, ["-c", SUM_WORKER], timeout=30, port=port, log_dir=job_dir)
    assert info.value.errno == errno.EADDRINUSE
    assert not job_dir.exists(), "no process should start when the port is taken"


# --- real jobs -----------------------------------------------------------------------------------

def test_dist_sync_job_sums_the_pushes_of_both_workers(job_dir):
    results = d2l.launch_local(2, 1, ["-c", SUM_WORKER], timeout=60, log_dir=job_dir)
    assert [r["rank"] for r in results] == [0, 1]
    assert all(r["num_workers"] == 2 and r["pulled"] == [3.0, 3.0, 3.0] for r in results)
    assert sorted(p.name for p in job_dir.glob("*.log")) == [
        "scheduler-0.log", "server-0.log", "worker-0.log", "worker-1.log"]


def test_without_servers_the_workers_run_alone(job_dir, monkeypatch):
    monkeypatch.setenv("DMLC_ROLE", "server")  # inherited DMLC_* variables must not leak in
    code = ("import json, os; json.dump({'role': os.environ.get('DMLC_ROLE'), "
            "'threads': os.environ['OMP_NUM_THREADS']}, open(os.environ['D2L_DIST_RESULT'], 'w'))")
    results = d2l.launch_local(1, 0, ["-c", code], timeout=30, log_dir=job_dir, threads_per_worker=3)
    assert results == [{"role": None, "threads": "3", "log": ""}]


def test_default_log_folder_is_removed_only_after_success(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ok = "import json, os; json.dump({'rank': 0}, open(os.environ['D2L_DIST_RESULT'], 'w'))"
    assert d2l.launch_local(1, 0, ["-c", ok], timeout=30) == [{"rank": 0, "log": ""}]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(d2l.DistributedJobError, match="wrote no result"):
        d2l.launch_local(1, 0, ["-c", "print('no result')"], timeout=30)
    kept = list(tmp_path.iterdir())
    assert len(kept) == 1 and (kept[0] / "worker-0.log").read_text() == "no result\n"


def test_dead_worker_stops_the_job_with_a_clear_error(job_dir):
    start = time.monotonic()
    with pytest.raises(d2l.DistributedJobError, match=r"worker \d \(pid \d+\) exited with code -9"):
        d2l.launch_local(2, 1, ["-c", DYING_WORKER], timeout=60, log_dir=job_dir)
    assert time.monotonic() - start < 40, "the launcher should not wait for the timeout"


def test_timeout_kills_every_process(job_dir):
    start = time.monotonic()
    with pytest.raises(d2l.DistributedJobError, match="did not finish within 2 s"):
        d2l.launch_local(2, 1, ["-c", "import time; time.sleep(600)"], timeout=2, log_dir=job_dir)
    assert time.monotonic() - start < 10


def test_train_worker_dist_sync_two_workers_agree(real_data_dir, monkeypatch, job_dir):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    args = ["-m", "d2l.distributed", "train", "--kvstore", "dist_sync", "--num-examples", "2048",
            "--epochs", "1", "--batch-size", "256", "--num-test", "500"]
    results = d2l.launch_local(2, 1, args, timeout=90, log_dir=job_dir)
    assert [r["rank"] for r in results] == [0, 1]
    assert all(r["kvstore"] == "dist_sync" and r["num_workers"] == 2 for r in results)
    assert [r["examples"] for r in results] == [1024, 1024]  # 8 steps of 128 on each shard
    # dist_sync: both workers end with the servers' weights, so their figures are identical.
    assert results[0]["param_norm"] == results[1]["param_norm"]
    assert results[0]["test_acc"] == results[1]["test_acc"]
    assert results[0]["loss"] != results[1]["loss"]  # but each saw its own shard
    assert "test acc" in results[0]["log"]


def test_crash_in_train_worker_ends_the_job(real_data_dir, monkeypatch, job_dir):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    args = ["-m", "d2l.distributed", "train", "--num-examples", "2048", "--epochs", "1",
            "--num-test", "100", "--crash-rank", "1"]
    with pytest.raises(d2l.DistributedJobError, match="injected failure on worker 1 at step 2"):
        d2l.launch_local(2, 1, args, timeout=90, log_dir=job_dir)
