"""The environment files: they parse, and conda and pip install from the same pins."""
import re

import pytest
import yaml

from conftest import ROOT

REQUIRED_BOTH = {"numpy": "1.23.5", "jupyter": None, "nbconvert": None, "matplotlib": None, "pandas": None,
                 "pytest": None, "nbval": None, "koreanize-matplotlib": None}
CUDA_WHEELS = ["nvidia-cuda-runtime-cu11", "nvidia-cuda-nvrtc-cu11", "nvidia-cublas-cu11", "nvidia-cufft-cu11",
               "nvidia-curand-cu11", "nvidia-cusolver-cu11", "nvidia-nvtx-cu11", "nvidia-nccl-cu11",
               "nvidia-cudnn-cu11"]


def read_requirements(path):
    """Exact pins of a requirements file, following -r includes: {name: version}."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            for name, version in read_requirements(path.parent / line[3:].strip()).items():
                assert name not in pins, f"{name} pinned twice (via {line})"
                pins[name] = version
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([0-9][A-Za-z0-9.]*)", line)
        assert match, f"{path.name}: {line!r} is not an exact pin (name==version)"
        name = match.group(1).lower()
        assert name not in pins, f"{name} pinned twice in {path.name}"
        pins[name] = match.group(2)
    return pins


def packages_of(yml_name):
    env = yaml.safe_load((ROOT / yml_name).read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {}
    for line in pip_lines:
        if line.startswith("-r "):
            pins.update(read_requirements(ROOT / line[3:].strip()))
    return env, conda, pip_lines, pins


@pytest.mark.parametrize("yml, mxnet", [("environment.yml", "mxnet-cu112"), ("environment-cpu.yml", "mxnet")])
def test_environment_names_every_package(yml, mxnet):
    env, conda, pip_lines, pins = packages_of(yml)
    assert env["name"].startswith("d2l-ko-gluon")
    assert "python=3.11" in conda and "pip" in conda
    assert "-e ." in pip_lines
    assert pins[mxnet] == "1.9.1"
    for name, version in REQUIRED_BOTH.items():
        assert name in pins, f"{yml} does not install {name}"
        if version:
            assert pins[name] == version
    other = "mxnet" if mxnet == "mxnet-cu112" else "mxnet-cu112"
    assert other not in pins, "the CPU and GPU builds of MXNet must never be installed together"
    for wheel in CUDA_WHEELS:
        assert (wheel in pins) == (mxnet == "mxnet-cu112"), wheel
    if mxnet == "mxnet-cu112":
        assert pins["nvidia-cudnn-cu11"].startswith("8."), "MXNet 1.9.1 links libcudnn.so.8"


def test_makefile_installs_from_the_same_files():
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements/$(VARIANT).txt -r requirements/test.txt" in makefile
    for yml in ("environment.yml", "environment-cpu.yml"):
        _, _, pip_lines, _ = packages_of(yml)
        assert "-r requirements/test.txt" in pip_lines


def test_package_metadata_forbids_numpy_that_breaks_mxnet():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("numpy") and "<1.24" in dep for dep in project["dependencies"])
    assert project["requires-python"] == ">=3.9,<3.12"
