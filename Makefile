# d2l-ko-gluon: one entry point.
#   make course   set up, execute every notebook (full mode) into build/_out, then build the
#                 book from them: build/_out/html/index.html and build/_out/pdf/d2l-ko-gluon.pdf
#   make test     set up, execute every notebook once in smoke mode while building the
#                 smoke-mode book (build/_out/smoke), then run the tests: d2l unit tests, the
#                 notebooks' checked outputs against those executed copies, the book in a
#                 browser and as a PDF; in CI (CI=true) it first proves that the GPU
#                 environment installs and imports, and a book that cannot be built fails
#   make book     build the book from the notebooks already executed (build/_out/notebooks);
#                 SMOKE=1: execute in smoke mode first (unchanged notebooks are cached) and
#                 build build/_out/smoke/{html,pdf}
#   make book-deps  install what the book needs: requirements/book.txt into the venv, system
#                 packages (build/install_book_deps.sh: apt-get as root) and MathJax (npm)
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

GPU_VENV ?= .venv-gpu
IN_CI := $(filter true 1,$(CI))
CI_CHECKS := $(if $(IN_CI),gpu-check)
BOOK_STAMP := $(VENV)/.d2l-book-installed
SMOKE ?=

.PHONY: all setup course test check gpu-check clean book book-deps

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

course: setup book-deps
	$(BIN)/python build/nbtool.py run; status=$$?; $(BIN)/python build/book.py && exit $$status

$(BOOK_STAMP): $(STAMP) requirements/book.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements/book.txt
	@touch $@

book-deps: $(BOOK_STAMP)
	bash build/install_book_deps.sh

ifeq ($(SMOKE),)
book: book-deps
	$(BIN)/python build/book.py
else
book: book-deps
	$(BIN)/python build/nbtool.py run --smoke --out build/_out/smoke/notebooks || \
	  echo "Some notebooks failed; the book shows their errors."
	$(BIN)/python build/book.py --smoke
endif

ifneq ($(abspath $(VENV)),$(abspath $(GPU_VENV)))
$(GPU_VENV)/.d2l-installed-gpu: requirements/base.txt requirements/gpu.txt requirements/test.txt pyproject.toml
	$(MAKE) --no-print-directory setup VARIANT=gpu VENV=$(GPU_VENV)
endif

gpu-check: $(GPU_VENV)/.d2l-installed-gpu
	$(GPU_VENV)/bin/python build/gpu_env_check.py $(GPU_VENV)

test: setup lab-deps $(CI_CHECKS)
	$(MAKE) --no-print-directory book SMOKE=1 $(if $(IN_CI),,|| echo "The book was not built (see above); its tests will skip.")
	D2L_SMOKE=1 $(BIN)/python -m pytest -v -p no:cacheprovider tests

clean:
	rm -rf build/_out build/_deps $(VENV) $(GPU_VENV)

# make bench    benchmarks (python -m d2l.bench): notebook times, the Fashion-MNIST loader,
#               training throughput of Gluon against PyTorch, the vectorization demo; writes
#               build/_out/bench.md and bench.json. Installs requirements/bench.txt (PyTorch
#               CPU build; without it the PyTorch column is skipped).
#               BENCH_ARGS="--notebooks" also executes every notebook (full and smoke) first.
BENCH_ARGS ?=
BENCH_STAMP := $(VENV)/.d2l-bench-installed

.PHONY: bench

$(BENCH_STAMP): $(STAMP) requirements/bench.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements/bench.txt && touch $@ || echo "PyTorch was not installed: the benchmark skips its PyTorch column."

bench: setup $(BENCH_STAMP)
	$(BIN)/python -m d2l.bench $(BENCH_ARGS)

# make lab      JupyterLab in Korean, opened on the table of contents (notebooks/00-contents):
#               installs requirements/lab.txt (JupyterLab + Korean language pack), registers
#               this environment as the kernel "d2l-ko (MXNet 1.9.1)", makes ko_KR the default
#               UI language (build/lab.py). make notebook: the same in Jupyter Notebook 7.
#               LAB_ARGS="--no-browser --port 8899" passes options to Jupyter.
LAB_ARGS ?=
LAB_STAMP := $(VENV)/.d2l-lab-installed

.PHONY: lab notebook lab-deps

$(LAB_STAMP): $(STAMP) requirements/lab.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements/lab.txt
	@touch $@

lab-deps: $(LAB_STAMP)

lab: lab-deps
	$(BIN)/python build/lab.py $(LAB_ARGS)

notebook: lab-deps
	$(BIN)/python build/lab.py --classic $(LAB_ARGS)
