"""Environment self-check: ``python -m d2l.check``.

Introduced in notebook 4.2 (getting started). Prints the Python, MXNet and NumPy versions,
which MXNet build is installed, the GPUs seen with their compute capability, the context
the notebooks will use, the plotting font, the run mode and where data is looked for.
Exits non-zero when something would stop the course from running.
"""
import platform
import sys
from typing import List

import mxnet as mx
import numpy as np

from . import __version__, config, context, plot
from .data import hub


def report() -> List[str]:
    """Return the check's lines; lines that start with 'PROBLEM' describe a blocker."""
    lines = [
        f"Python  {platform.python_version()} ({sys.executable})",
        f"d2l     {__version__}",
        f"MXNet   {mx.__version__} ({'GPU build' if context.mxnet_gpu_build_installed() else 'CPU build'})",
        f"NumPy   {np.__version__}",
    ]
    if tuple(int(p) for p in np.__version__.split(".")[:2]) >= (1, 24):
        lines.append("PROBLEM NumPy >= 1.24 breaks MXNet 1.9.1; install numpy==1.23.5")
    gpus = context.num_gpus()
    lines.append(f"GPUs    {gpus}")
    for i in range(gpus):
        capability = context.gpu_compute_capability(i)
        shown = "unknown" if capability is None else f"{capability[0]}.{capability[1]}"
        verdict = "supported" if context.gpu_supported(i) else "NOT supported by MXNet 1.9.1 (uses CPU)"
        lines.append(f"  gpu({i}) compute capability {shown}: {verdict}")
    lines.append(f"context {context.try_gpu()}  (ctx = d2l.try_gpu())")
    lines.append(f"font    {plot.korean_font or 'none (Hangul will render as boxes)'}")
    lines.append(f"mode    {'smoke (D2L_SMOKE=1)' if config.smoke_mode() else 'full'}")
    lines.append("data    " + " : ".join(str(p) for p in hub.search_path()))
    return lines


def main() -> int:
    lines = report()
    print("\n".join(lines))
    return 1 if any(line.startswith("PROBLEM") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
