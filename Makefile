# d2l-ko-gluon: one entry point.
#   make course   set up, then execute every notebook (full mode) into build/_out
#   make test     set up, then run the d2l unit tests and execute every notebook (smoke mode);
#                 in CI (CI=true) it first proves that the GPU environment installs and imports
#   make gpu-check  install the GPU build into .venv-gpu and check that it imports (a stub
#                 driver library stands in for libcuda.so.1 on machines without an NVIDIA GPU)
# Set-up creates .venv from requirements/ (the same pins environment*.yml use). With an active
# conda environment made from environment*.yml, pass VENV=$$CONDA_PREFIX to reuse it.
# VARIANT=gpu installs the GPU build (mxnet-cu112 + CUDA 11 wheels) instead of the CPU build.

VARIANT ?= cpu
VENV ?= .venv
PYTHON ?= $(firstword $(shell command -v python3.11 python3.10 python3.9 python3 2>/dev/null))
BIN := $(VENV)/bin
STAMP := $(VENV)/.d2l-installed-$(VARIANT)
OTHER_VARIANT := $(if $(filter cpu,$(VARIANT)),gpu,cpu)
PYTEST_NOTEBOOKS := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

GPU_VENV ?= .venv-gpu
CI_CHECKS := $(if $(filter true 1,$(CI)),gpu-check)

.PHONY: all setup course test check gpu-check clean

all: course

ifeq ($(filter $(VARIANT),cpu gpu),)
$(error VARIANT must be cpu or gpu, not '$(VARIANT)')
endif

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "No python3 found. Install Python 3.11 (3.9-3.11 work)."; exit 1; }
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; ok = (3, 9) <= v <= (3, 11); \
	  ok or print(f"{sys.executable} is Python {v[0]}.{v[1]}; the course needs 3.9-3.11 " \
	  "(MXNet 1.9.1 needs numpy<1.24, which has no wheel for newer Pythons). " \
	  "Install python3.11, or run: make PYTHON=/path/to/python3.11"); sys.exit(not ok)'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/base.txt requirements/$(VARIANT).txt requirements/test.txt pyproject.toml
	@if [ -e $(VENV)/.d2l-installed-$(OTHER_VARIANT) ]; then \
	  echo "$(VENV) already holds the $(OTHER_VARIANT) build of MXNet; the CPU and GPU builds both own"; \
	  echo "the mxnet/ folder and cannot be mixed. Run 'make clean' first or pass another VENV=..."; exit 1; fi
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements/$(VARIANT).txt -r requirements/test.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

setup: $(STAMP)

check: setup
	$(BIN)/python -m d2l.check

course: setup
	$(BIN)/python build/nbtool.py run

ifneq ($(abspath $(VENV)),$(abspath $(GPU_VENV)))
$(GPU_VENV)/.d2l-installed-gpu: requirements/base.txt requirements/gpu.txt requirements/test.txt pyproject.toml
	$(MAKE) --no-print-directory setup VARIANT=gpu VENV=$(GPU_VENV)
endif

gpu-check: $(GPU_VENV)/.d2l-installed-gpu
	$(GPU_VENV)/bin/python build/gpu_env_check.py $(GPU_VENV)

test: setup $(CI_CHECKS)
	D2L_SMOKE=1 $(BIN)/python -m pytest -v -p no:cacheprovider $(PYTEST_NOTEBOOKS) tests notebooks

clean:
	rm -rf build/_out $(VENV) $(GPU_VENV)
