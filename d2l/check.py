"""Environment self-check: ``python -m d2l.check``.

Introduced in notebook 4.2 (getting started). Prints the Python, MXNet and NumPy versions,
the MXNet build and its features (CUDA, cuDNN), the GPUs seen with their compute
capability, then runs one tiny matrix product and one convolution on the CPU and on every
GPU, and says which context the notebooks will use. Exits non-zero when something would
stop the course from running.
"""
import platform
import sys
from typing import List

import mxnet as mx
import numpy as np
from mxnet import nd

from . import __version__, config, context, plot
from .data import hub


def smoke_test(ctx) -> str:
    """Run a 2x2 matrix product and a 3x3 convolution on ``ctx``; return 'ok' or the error."""
    try:
        a = nd.array([[1, 2], [3, 4]], ctx=ctx)
        product = nd.dot(a, a).asnumpy()
        image = nd.ones((1, 1, 4, 4), ctx=ctx)
        kernel = nd.ones((1, 1, 3, 3), ctx=ctx)
        conv = nd.Convolution(image, kernel, no_bias=True, kernel=(3, 3), num_filter=1).asnumpy()
    except mx.base.MXNetError as err:
        return "FAILED: " + str(err).strip().splitlines()[0]
    if not (np.array_equal(product, [[7, 10], [15, 22]]) and np.all(conv == 9)):
        return "FAILED: wrong numbers"
    return "ok"


def report() -> List[str]:
    """Return the check's lines; lines that start with 'PROBLEM' describe a blocker."""
    features = mx.runtime.Features()
    gpu_build = context.mxnet_gpu_build_installed()
    enabled = [name for name in ("CUDA", "CUDNN", "NCCL", "MKLDNN", "OPENMP") if features.is_enabled(name)]
    lines = [
        f"Python  {platform.python_version()} ({sys.executable})",
        f"d2l     {__version__}",
        f"MXNet   {mx.__version__} ({'GPU build' if gpu_build else 'CPU build'}; features: {', '.join(enabled) or 'none'})",
        f"NumPy   {np.__version__}",
    ]
    if tuple(int(p) for p in np.__version__.split(".")[:2]) >= (1, 24):
        lines.append("PROBLEM NumPy >= 1.24 breaks MXNet 1.9.1; install numpy==1.23.5")
    gpus = context.num_gpus()
    lines.append(f"GPUs    {gpus}")
    if gpu_build and gpus == 0:
        lines.append("  the GPU build sees no GPU: is the NVIDIA driver installed (nvidia-smi)?")
    contexts = [mx.cpu()]
    for i in range(gpus):
        capability = context.gpu_compute_capability(i)
        shown = "unknown" if capability is None else f"{capability[0]}.{capability[1]}"
        supported = context.gpu_supported(i)
        verdict = "supported" if supported else "NOT supported by MXNet 1.9.1 (needs 5.0-8.9; notebooks use the CPU)"
        lines.append(f"  gpu({i}) compute capability {shown}: {verdict}")
        contexts.append(mx.gpu(i))
    for ctx in contexts:
        result = smoke_test(ctx)
        expected_failure = ctx.device_type == "gpu" and not context.gpu_supported(ctx.device_id)
        label = "run" if result == "ok" or expected_failure else "PROBLEM"
        lines.append(f"{label} matmul + conv on {ctx}: {result}")
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
