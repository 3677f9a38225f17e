"""Timing helpers: the book's ``Benchmark`` context manager and a reusable ``Timer``.

Introduced in notebook 5.1 (linear regression), which times vectorized code.

MXNet runs operators asynchronously, so both wait for pending work (``nd.waitall``)
before reading the clock; otherwise they would time only the *queueing* of the work.
"""
import time
from typing import List, Optional

from mxnet import nd


class Benchmark:
    """Print how long the ``with`` block took, e.g. ``with Benchmark('hybrid'): ...``.

    The elapsed seconds are kept in ``.elapsed`` after the block ends.
    """

    def __init__(self, prefix: Optional[str] = None):
        self.prefix = f"{prefix} " if prefix else ""
        self.elapsed: Optional[float] = None

    def __enter__(self) -> "Benchmark":
        nd.waitall()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        nd.waitall()
        self.elapsed = time.perf_counter() - self._start
        print(f"{self.prefix}time: {self.elapsed:.4f} sec")


class Timer:
    """Accumulate several timed intervals: ``start()``, ``stop()``, then ``sum()``/``avg()``."""

    def __init__(self):
        self.times: List[float] = []
        self._start: Optional[float] = None
        self.start()

    def start(self) -> None:
        self._start = time.perf_counter()

    def stop(self) -> float:
        """Wait for MXNet's queued work, record the interval since ``start`` and return it."""
        if self._start is None:
            raise RuntimeError("Timer.stop() called before Timer.start()")
        nd.waitall()
        self.times.append(time.perf_counter() - self._start)
        self._start = None
        return self.times[-1]

    def sum(self) -> float:
        return sum(self.times)

    def avg(self) -> float:
        if not self.times:
            raise RuntimeError("Timer has no recorded intervals yet")
        return self.sum() / len(self.times)

    def cumsum(self) -> List[float]:
        total, out = 0.0, []
        for t in self.times:
            total += t
            out.append(total)
        return out
