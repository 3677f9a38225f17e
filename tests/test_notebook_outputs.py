"""Every notebook runs without error in smoke mode, and its checked cells print what is committed.

This is the course's notebook regression test (what nbval's ``--nbval-lax`` mode checks): cells
marked ``# NBVAL_CHECK_OUTPUT`` keep their text output in git, and a fresh smoke-mode run must
print the same text, after the substitutions in ``tests/nbval_sanitize.cfg`` (``@cpu(0)`` ->
``@CTX``...). To avoid executing every notebook twice, the test reuses the executed copy that
``build/nbtool.py run --smoke`` (``make book SMOKE=1``) wrote under build/_out/smoke/notebooks
when that copy is up to date (same notebook source, same d2l sources, smoke mode); otherwise it
executes the notebook itself in a fresh kernel.
"""
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "build"))
import nbtool  # noqa: E402

SMOKE_COPIES = ROOT / "build" / "_out" / "smoke" / "notebooks"
SANITIZE_FILE = ROOT / "tests" / "nbval_sanitize.cfg"
NOTEBOOKS = nbtool.course_notebooks()
PACKAGE = nbtool.package_digest()


def sanitizers(path: Path = SANITIZE_FILE):
    """(pattern, replacement) pairs from an nbval sanitize file."""
    pairs, pattern = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("regex:"):
            pattern = re.compile(line[len("regex:"):].strip())
        elif line.startswith("replace:") and pattern is not None:
            pairs.append((pattern, line[len("replace:"):].strip()))
            pattern = None
    return pairs


SANITIZERS = sanitizers()


def checked_text(cell) -> list:
    """The comparable text outputs of a cell: stdout streams merged, text/plain results, errors."""
    items = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            if out.name == "stderr":
                continue
            kind, text = "stdout", out.text
        elif out.output_type in ("execute_result", "display_data"):
            if "text/plain" not in out.get("data", {}):
                continue
            kind, text = "result", out.data["text/plain"]
        elif out.output_type == "error":
            kind, text = "error", f"{out.ename}: {out.evalue}"
        else:
            continue
        for pattern, replacement in SANITIZERS:
            text = pattern.sub(replacement, text)
        if items and kind == "stdout" and items[-1][0] == "stdout":
            items[-1] = ("stdout", items[-1][1] + text)
        else:
            items.append((kind, text))
    return items


def executed_copy(path: Path, monkeypatch) -> nbformat.NotebookNode:
    """The up-to-date smoke-mode copy written by nbtool, else a fresh execution."""
    rel = path.relative_to(nbtool.NOTEBOOKS)
    if nbtool.cached_run(SMOKE_COPIES / rel, nbtool.run_hash(path, "smoke", PACKAGE)):
        return nbformat.read(SMOKE_COPIES / rel, as_version=4)
    monkeypatch.setenv("D2L_SMOKE", "1")
    monkeypatch.setenv("D2L_RESULTS_DIR", str(ROOT / "build" / "_out" / "smoke" / "results"))
    if os.environ.get("D2L_DATA_DIR"):
        monkeypatch.setenv("D2L_DATA_DIR", os.environ["D2L_DATA_DIR"])
        nbtool.absolutize_data_dirs()
    nb, error = nbtool.execute(path, timeout=900)
    assert error is None, f"{rel} failed in smoke mode: {error}"
    return nb


def test_sanitizers_are_read():
    assert any(p.search("<NDArray 2 @gpu(0)>") for p, _ in SANITIZERS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(nbtool.NOTEBOOKS)) for p in NOTEBOOKS])
def test_notebook_runs_and_checked_outputs_match(path, monkeypatch):
    committed = nbformat.read(path, as_version=4)
    executed = executed_copy(path, monkeypatch)
    assert len(executed.cells) == len(committed.cells)
    errors = [i for i, c in enumerate(executed.cells) if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert not errors, f"cells {errors} raised an error"
    for index, (old, new) in enumerate(zip(committed.cells, executed.cells)):
        if not nbtool.is_check_cell(old):
            continue
        assert new.source == old.source
        assert checked_text(new) == checked_text(old), (
            f"cell {index} of {path.name} printed something else; if the change is intended, "
            f"run `python build/nbtool.py clean {path.relative_to(ROOT)}`")
