"""The benchmark tool d2l.bench, on tiny inputs: what it computes and reports, not how fast."""
import json

import numpy as np
import pytest
from mxnet import nd

from d2l import bench

RUN_TIMES = """# Notebook run times ({mode} mode)

| notebook | seconds | result |
|---|---:|---|
| 04-crash-course/4.2-getting-started.ipynb | {a} | ok |
| 05-deep-learning-basics/5.9-mlp-scratch.ipynb | {b} | ok (cached) |
| 05-deep-learning-basics/5.10-mlp-gluon.ipynb | {c} | FAILED |
| **total** | 0.5 | 3/3 ok |
"""


def _run_times(tmp_path, mode, a, b, c):
    path = tmp_path / f"{mode}.md"
    path.write_text(RUN_TIMES.format(mode=mode, a=a, b=b, c=c), encoding="utf-8")
    return path


def _images(n=512, seed=0):
    """Ten classes that an MLP tells apart at once: class k has a bright band at rows 2k..2k+2."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = 0.1 * rng.random((n, 1, 28, 28), dtype=np.float32)
    for k in range(10):
        images[labels == k, 0, 2 * k:2 * k + 3, :] += 1
    return images, labels


def test_read_run_times_keeps_rows_in_order_without_total(tmp_path):
    rows = bench.read_run_times(_run_times(tmp_path, "full", 2.0, 22.5, 13.0))
    assert list(rows) == ["04-crash-course/4.2-getting-started.ipynb",
                          "05-deep-learning-basics/5.9-mlp-scratch.ipynb",
                          "05-deep-learning-basics/5.10-mlp-gluon.ipynb"]
    assert rows["05-deep-learning-basics/5.9-mlp-scratch.ipynb"] == (22.5, "ok (cached)")


def test_bench_notebooks_joins_both_modes_and_ranks_the_slowest(tmp_path):
    full = _run_times(tmp_path, "full", 2.0, 22.5, 13.0)
    smoke = _run_times(tmp_path, "smoke", 1.5, 4.0, 3.0)
    result = bench.bench_notebooks(full, smoke, top=2)
    assert [r["notebook"] for r in result["slowest"]] == ["05-deep-learning-basics/5.9-mlp-scratch.ipynb",
                                                           "05-deep-learning-basics/5.10-mlp-gluon.ipynb"]
    assert result["slowest"][0]["smoke_s"] == 4.0
    assert result["total_full_s"] == pytest.approx(37.5)  # the sum, not the file's total row
    assert result["total_smoke_s"] == pytest.approx(8.5)
    missing = bench.bench_notebooks(full, tmp_path / "absent.md")
    assert missing["smoke_file"] is None and missing["total_smoke_s"] is None
    assert all(r["smoke_s"] is None for r in missing["rows"]) and len(missing["slowest"]) == 3


def test_mxnet_thread_count_follows_mxnets_rule(monkeypatch):
    for name in ("MXNET_OMP_MAX_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bench.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(bench.platform, "machine", lambda: "x86_64")
    assert bench.mxnet_omp_threads() == 2  # half the processors on x86
    monkeypatch.setattr(bench.platform, "machine", lambda: "arm64")
    assert bench.mxnet_omp_threads() == 4
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert bench.mxnet_omp_threads() == 3
    monkeypatch.setenv("MXNET_OMP_MAX_THREADS", "5")
    assert bench.mxnet_omp_threads() == 5


@pytest.mark.parametrize("model, parameters", [("mlp", 203_530), ("lenet", 44_426)])
def test_gluon_models_have_the_books_shapes(model, parameters):
    net = bench.GLUON_MODELS[model]()
    net.initialize()
    assert net(nd.ones((4, 1, 28, 28))).shape == (4, 10)
    assert sum(p.data().size for p in net.collect_params().values()) == parameters


@pytest.mark.parametrize("model, parameters", [("mlp", 203_530), ("lenet", 44_426)])
def test_torch_models_are_the_same_models(model, parameters):
    torch = pytest.importorskip("torch")
    net = bench.TORCH_MODELS[model](torch)
    bench.torch_xavier_(torch, net)
    assert net(torch.ones(4, 1, 28, 28)).shape == (4, 10)
    assert sum(p.numel() for p in net.parameters()) == parameters
    biases = [p for name, p in net.named_parameters() if name.endswith("bias")]
    assert biases and all(float(b.detach().abs().sum()) == 0 for b in biases)


def test_gluon_epochs_learn_and_hybridizing_changes_no_number():
    images, labels = _images()
    X, y = nd.array(images), nd.array(labels, dtype="float32")
    imperative = bench.gluon_trainee("mlp", False, X, y, 64)
    hybrid = bench.gluon_trainee("mlp", True, X, y, 64)
    first, second = imperative(), imperative()
    assert first[0] > 0 and second[1] < first[1] < 2.3
    assert [hybrid()[1], hybrid()[1]] == pytest.approx([first[1], second[1]], rel=1e-4)


def test_torch_epochs_learn():
    torch = pytest.importorskip("torch")
    images, labels = _images()
    epoch = bench.torch_trainee(torch, "mlp", torch.from_numpy(images), torch.from_numpy(labels), 64)
    first, second = epoch(), epoch()
    assert second[1] < first[1] < 2.3


def test_alternate_rotates_the_order_and_keeps_every_time():
    calls = []

    def contender(name, loss):
        def epoch():
            calls.append(name)
            return 0.01, loss
        return epoch

    times, cpu_times, losses = bench.alternate({"a": contender("a", 1.0), "b": contender("b", 2.0),
                                                "c": contender("c", 3.0)}, reps=3)
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert times == {"a": [0.01] * 3, "b": [0.01] * 3, "c": [0.01] * 3}
    assert all(len(t) == 3 and min(t) >= 0 for t in cpu_times.values())
    assert losses == {"a": 1.0, "b": 2.0, "c": 3.0}


def test_vectorization_demo_reports_both_ratios():
    result = bench.bench_vectorization(n=300, reps=1)
    assert result["loop_s"] > result["vectorized_s"] > 0
    assert result["ratio"] == pytest.approx(result["loop_s"] / result["vectorized_s"])
    assert result["book_ratio"] == pytest.approx(1.84 / 0.00046)


def test_loader_reads_one_epoch(real_data_dir, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    monkeypatch.setenv("D2L_SMOKE", "1")  # the first 10,000 examples
    row, slices = bench.bench_loader(workers=(0,), batch_size=1000, reps=1, per_image=False)
    assert row["examples"] == 10000 and row["workers"] == 0 and row["seconds"] > 0
    assert slices["examples"] == 10000 and slices["pipeline"] == "slices of in-memory arrays"


def test_quick_run_writes_markdown_and_json(real_data_dir, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    full = _run_times(tmp_path, "full", 2.0, 22.5, 13.0)
    status = bench.main(["--quick", "--only", "notebooks", "training", "vectorization", "--examples", "512",
                         "--full-times", str(full), "--smoke-times", str(tmp_path / "none.md"),
                         "--out", str(tmp_path / "out")])
    assert status == 0
    report = (tmp_path / "out" / "bench.md").read_text(encoding="utf-8")
    assert report == capsys.readouterr().out.split("Wrote ")[0]
    result = json.loads((tmp_path / "out" / "bench.json").read_text(encoding="utf-8"))
    assert result["quick"] and result["reps"] == 1
    assert [row["model"] for row in result["training"]] == ["mlp", "lenet"]
    assert all(row["examples"] == 512 for row in result["training"])
    for heading in ("## 1. Notebook", "## 3. Training", "## 4. Vectorization", "GPU: "):
        assert heading in report
    if result["environment"]["torch"]:
        assert all(set(row["ratio_to_torch"]) == {"gluon", "hybrid", "torch"} for row in result["training"])
    else:
        assert "PyTorch is not installed" in report


def test_report_without_torch_says_so():
    env = {"cpus": 2, "cpu_model": "test CPU", "python": "3.11", "mxnet": "1.9.1", "mkldnn": True,
           "torch": None, "mxnet_omp_threads": 1, "torch_threads": None, "thread_env": {},
           "gpus": [], "gpus_seen": 0, "load_average": [0.5, 0.5, 0.5]}
    row = {"context": "cpu(0)", "model": "mlp", "batch_size": 256, "examples": 59904,
           "seconds": {"gluon": 1.0, "hybrid": 0.8}}
    report = bench.report_markdown({"environment": env, "reps": 3, "seconds": 10.0, "training": [row]})
    assert "PyTorch not installed" in report and "no PyTorch column" in report
    assert "| cpu(0) | mlp | 1.00 | 0.80 | - | - | - | - |" in report
    assert "GPU: no GPU" in report
