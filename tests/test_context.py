import os
import shutil
import subprocess
import sys
import textwrap

import mxnet as mx
import pytest

import d2l
from d2l import context

from conftest import ROOT

STUB = ROOT / "build" / "stubs" / "cuda_stub.c"
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs a C compiler (gcc)")


def test_cpu_only_machine_gets_the_cpu():
    assert d2l.num_gpus() == 0
    assert d2l.try_gpu() == mx.cpu()
    assert d2l.try_gpu(3) == mx.cpu()
    assert d2l.try_all_gpus() == [mx.cpu()]


def test_bad_index_is_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        d2l.try_gpu(-1)
    with pytest.raises(ValueError):
        d2l.try_gpu("0")


def test_supported_gpus_are_used(monkeypatch):
    monkeypatch.setattr(context, "num_gpus", lambda: 2)
    monkeypatch.setattr(context, "gpu_compute_capability", lambda i=0: (8, 6))
    assert d2l.try_gpu() == mx.gpu(0)
    assert d2l.try_gpu(1) == mx.gpu(1)
    assert d2l.try_gpu(2) == mx.cpu()
    assert d2l.try_all_gpus() == [mx.gpu(0), mx.gpu(1)]


def test_hopper_falls_back_to_cpu_with_a_warning(monkeypatch):
    monkeypatch.setattr(context, "num_gpus", lambda: 1)
    monkeypatch.setattr(context, "gpu_compute_capability", lambda i=0: (9, 0))
    context._warn_unsupported.cache_clear()
    with pytest.warns(RuntimeWarning, match="compute capability 9.0"):
        assert d2l.try_gpu() == mx.cpu()
    assert d2l.try_all_gpus() == [mx.cpu()]


def _compile_stub(tmp_path, *defines):
    libdir = tmp_path / "driver"
    libdir.mkdir()
    subprocess.run(["gcc", "-shared", "-fPIC", *defines, "-o", str(libdir / "libcuda.so.1"), str(STUB)],
                   check=True)
    return libdir


@needs_gcc
@pytest.mark.parametrize("defines, expected", [
    (["-DSTUB_DEVICES=1", "-DSTUB_MAJOR=9", "-DSTUB_MINOR=0"], "(9, 0)"),
    (["-DSTUB_DEVICES=1", "-DSTUB_MAJOR=7", "-DSTUB_MINOR=5"], "(7, 5)"),
    ([], "None"),
])
def test_compute_capability_is_asked_from_the_driver(tmp_path, defines, expected):
    libdir = _compile_stub(tmp_path, *defines)
    env = dict(os.environ, LD_LIBRARY_PATH=str(libdir))
    out = subprocess.run([sys.executable, "-c", "from d2l import context; print(context.gpu_compute_capability(0))"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == expected


@needs_gcc
def test_cuda_wheels_are_loaded_before_mxnet(tmp_path):
    """With a GPU build installed, d2l loads site-packages/nvidia/*/lib libraries first."""
    site = tmp_path / "site"
    lib = site / "nvidia" / "cuda_runtime" / "lib"
    lib.mkdir(parents=True)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(lib / "libcudart.so.11.0"), "-x", "c", "/dev/null"], check=True)
    dist = site / "mxnet_cu112-1.9.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mxnet-cu112\nVersion: 1.9.1\n")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(site)!r})
        import d2l
        maps = open('/proc/self/maps').read()
        print({str(lib / 'libcudart.so.11.0')!r} in maps)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_cpu_build_loads_nothing():
    assert context.mxnet_gpu_build_installed() is False
    assert context.preload_cuda_libraries() == []
