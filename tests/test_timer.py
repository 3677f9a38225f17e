import time

import pytest

import d2l


def test_benchmark_prints_prefix_and_time(capsys):
    with d2l.Benchmark("sleep") as bench:
        time.sleep(0.05)
    out = capsys.readouterr().out
    assert out.startswith("sleep time: ")
    assert out.strip().endswith("sec")
    assert 0.05 <= bench.elapsed < 1.0
    assert float(out.split()[2]) == pytest.approx(bench.elapsed, abs=1e-4)


def test_benchmark_without_prefix(capsys):
    with d2l.Benchmark():
        pass
    assert capsys.readouterr().out.startswith("time: ")


def test_timer_accumulates():
    timer = d2l.Timer()
    time.sleep(0.02)
    first = timer.stop()
    timer.start()
    time.sleep(0.01)
    second = timer.stop()
    assert first >= 0.02 and second >= 0.01
    assert timer.sum() == pytest.approx(first + second)
    assert timer.avg() == pytest.approx((first + second) / 2)
    assert timer.cumsum() == pytest.approx([first, first + second])


def test_timer_misuse_is_reported():
    timer = d2l.Timer()
    timer.stop()
    with pytest.raises(RuntimeError, match="before"):
        timer.stop()
    empty = d2l.Timer()
    empty.times.clear()
    with pytest.raises(RuntimeError, match="no recorded"):
        empty.avg()
