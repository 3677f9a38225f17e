"""Prove that the GPU environment (requirements/gpu.txt) resolves and imports.

    python build/gpu_env_check.py VENV

Runs ``python -m d2l.check`` with the virtual environment VENV, where ``mxnet-cu112`` and the
CUDA 11 wheels are installed. On a machine without the NVIDIA driver, a stub driver library
(build/stubs/cuda_stub.c, compiled here) stands in for ``libcuda.so.1``: MXNet then imports
with its CUDA and cuDNN features on and sees no GPU. Exits non-zero, printing the report,
when the import or the check fails.
"""
import ctypes.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUB = ROOT / "build" / "stubs" / "cuda_stub.c"
REQUIRED = "GPU build; features: CUDA, CUDNN"


def has_driver() -> bool:
    return ctypes.util.find_library("cuda") is not None


def run_check(venv: Path, stub_dir: Path = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if stub_dir is not None:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(stub_dir), env.get("LD_LIBRARY_PATH")]))
    return subprocess.run([str(venv / "bin" / "python"), "-m", "d2l.check"], env=env,
                          capture_output=True, text=True, cwd=tempfile.gettempdir())


def main(venv: Path) -> int:
    if has_driver():
        print("NVIDIA driver found: checking with the real driver")
        result = run_check(venv)
    else:
        print("No NVIDIA driver: checking with the stub driver library")
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["gcc", "-shared", "-fPIC", "-o", f"{tmp}/libcuda.so.1", str(STUB)], check=True)
            result = run_check(venv, Path(tmp))
    print(result.stdout + result.stderr)
    if result.returncode != 0 or REQUIRED not in result.stdout:
        print(f"GPU environment check FAILED (exit {result.returncode}; expected '{REQUIRED}')")
        return 1
    print("GPU environment check passed: mxnet-cu112 imports with CUDA and cuDNN")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]).resolve()))
