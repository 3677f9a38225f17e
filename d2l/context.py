"""Device contexts: ``try_gpu`` / ``try_all_gpus`` and the CUDA libraries of the GPU build.

Introduced in notebook 4.2 (getting started); used by every notebook that computes.

The GPU wheel ``mxnet-cu112`` links against CUDA 11 libraries that pip installs under
``site-packages/nvidia/*/lib``, a folder ``libmxnet.so`` does not search. Importing
:mod:`d2l` loads them (in dependency order) *before* MXNet is imported, so a notebook
needs no ``LD_LIBRARY_PATH``. Import ``d2l`` before ``mxnet``.
"""
import ctypes
import functools
import glob
import importlib.metadata
import os
import sys
import warnings
from typing import List, Optional, Tuple

# Load order matters: each library needs the ones before it.
_CUDA_LIBRARIES = [
    "cuda_runtime/lib/libcudart.so.11.0",
    "cuda_nvrtc/lib/libnvrtc.so.11.2",
    "cublas/lib/libcublasLt.so.11",
    "cublas/lib/libcublas.so.11",
    "cufft/lib/libcufft.so.10",
    "curand/lib/libcurand.so.10",
    "cusolver/lib/libcusolver.so.11",
    "nvtx/lib/libnvToolsExt.so.1",
    "nccl/lib/libnccl.so.2",
    "cudnn/lib/libcudnn.so.8",
]

# Oldest and newest compute capability that the official MXNet 1.9.1 GPU wheels carry code for.
MIN_COMPUTE_CAPABILITY = (5, 0)
MAX_COMPUTE_CAPABILITY = (8, 9)


def mxnet_gpu_build_installed() -> bool:
    """True when a CUDA build of MXNet (``mxnet-cu1xx``) is the installed distribution."""
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name.startswith("mxnet-cu"):
            return True
    return False


def preload_cuda_libraries() -> List[str]:
    """Load the pip-installed CUDA 11 libraries so that ``import mxnet`` finds them.

    Returns the paths loaded. Does nothing for the CPU build or when MXNet is already
    imported (too late to help). Libraries that are not installed are skipped; MXNet's
    own import error then names the missing one.
    """
    if "mxnet" in sys.modules or not mxnet_gpu_build_installed():
        return []
    roots = [os.path.join(p, "nvidia") for p in sys.path if os.path.isdir(os.path.join(p, "nvidia"))]
    loaded = []
    for relative in _CUDA_LIBRARIES:
        for root in roots:
            path = os.path.join(root, relative)
            if os.path.exists(path):
                ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
                loaded.append(path)
                break
    return loaded


preload_cuda_libraries()

try:
    import mxnet as mx  # noqa: E402  (must follow the preload above)
except OSError as err:  # the GPU build without an NVIDIA driver or CUDA library
    raise ImportError(
        f"MXNet could not load a library it needs: {err}.\n"
        "The GPU build (mxnet-cu112) needs the NVIDIA driver (libcuda.so.1) and the CUDA 11 "
        "wheels of requirements/gpu.txt. On a machine without a supported NVIDIA GPU, install "
        "the CPU build instead: make clean && make setup (VARIANT=cpu). / GPU용 MXNet에 필요한 "
        "드라이버나 CUDA 라이브러리를 찾지 못했습니다. GPU가 없다면 CPU용으로 설치하세요."
    ) from err


def num_gpus() -> int:
    """Number of GPUs MXNet can see (0 on the CPU build or without a driver)."""
    try:
        return mx.context.num_gpus()
    except mx.base.MXNetError:
        return 0


@functools.lru_cache(maxsize=None)
def gpu_compute_capability(i: int = 0) -> Optional[Tuple[int, int]]:
    """Compute capability ``(major, minor)`` of GPU ``i`` asked from the driver, or None.

    Uses the driver library directly (no MXNet kernel runs), so it answers even on GPUs
    that MXNet cannot run on.
    """
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return None
    if cuda.cuInit(0) != 0:
        return None
    device = ctypes.c_int()
    if cuda.cuDeviceGet(ctypes.byref(device), i) != 0:
        return None
    major, minor = ctypes.c_int(), ctypes.c_int()
    # CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, ..._MINOR = 76
    if cuda.cuDeviceGetAttribute(ctypes.byref(major), 75, device) != 0:
        return None
    if cuda.cuDeviceGetAttribute(ctypes.byref(minor), 76, device) != 0:
        return None
    return major.value, minor.value


def gpu_supported(i: int = 0) -> bool:
    """True when GPU ``i`` exists and MXNet 1.9.1 has machine code for its architecture."""
    if i >= num_gpus():
        return False
    capability = gpu_compute_capability(i)
    if capability is None:
        return True  # cannot ask the driver; let MXNet try
    return MIN_COMPUTE_CAPABILITY <= capability <= MAX_COMPUTE_CAPABILITY


@functools.lru_cache(maxsize=None)
def _warn_unsupported(i: int) -> None:
    major, minor = gpu_compute_capability(i)
    warnings.warn(
        f"GPU {i} has compute capability {major}.{minor}; MXNet 1.9.1 runs only on "
        f"{MIN_COMPUTE_CAPABILITY[0]}.{MIN_COMPUTE_CAPABILITY[1]}-"
        f"{MAX_COMPUTE_CAPABILITY[0]}.{MAX_COMPUTE_CAPABILITY[1]} (Maxwell..Ada; Hopper and "
        "newer are not supported). Using the CPU instead. / 이 GPU는 MXNet 1.9.1이 지원하지 "
        "않는 세대라서 CPU를 사용합니다.",
        RuntimeWarning,
        stacklevel=3,
    )


def try_gpu(i: int = 0) -> mx.Context:
    """Return ``mx.gpu(i)`` if that GPU exists and MXNet can run on it, else ``mx.cpu()``.

    >>> ctx = try_gpu()          # mx.gpu(0) on a GPU machine, mx.cpu() on a laptop
    """
    if not isinstance(i, int) or i < 0:
        raise ValueError(f"GPU index must be a non-negative int, got {i!r}")
    if i < num_gpus():
        if gpu_supported(i):
            return mx.gpu(i)
        _warn_unsupported(i)
    return mx.cpu()


def try_all_gpus() -> List[mx.Context]:
    """Return every usable GPU as ``[mx.gpu(0), mx.gpu(1), ...]``, or ``[mx.cpu()]`` if none."""
    contexts = [mx.gpu(i) for i in range(num_gpus()) if gpu_supported(i)]
    return contexts or [mx.cpu()]
