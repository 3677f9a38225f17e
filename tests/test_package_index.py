"""The generated package index: every public name has a summary and a home notebook."""
import inspect
from pathlib import Path

import pytest

import d2l
from d2l import index
from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
ROWS = index.package_index(NOTEBOOKS)


def test_all_lists_every_public_helper():
    public = {name for name, obj in vars(d2l).items()
              if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))}
    assert public <= set(d2l.__all__), f"not in d2l.__all__: {sorted(public - set(d2l.__all__))}"
    assert all(hasattr(d2l, name) for name in d2l.__all__)


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_each_name_has_a_summary_and_a_home(row):
    assert row.summary, f"d2l.{row.name} has no docstring"
    assert row.notebook, f"d2l.{row.name} names no notebook that introduces it"
    homes = [p for p in NOTEBOOKS.rglob("*.ipynb")
             if p.stem.split("-")[0] == row.notebook and "solutions" not in p.relative_to(NOTEBOOKS).parts]
    assert len(homes) == 1, f"d2l.{row.name}: no notebook numbered {row.notebook}"


def test_markdown_table_has_one_row_per_name():
    table = index.to_markdown(ROWS)
    body = table.splitlines()[2:]
    assert len(body) == len(d2l.__all__)
    assert all(line.count(" | ") == 2 for line in body), "a summary broke the table"
    assert "| `d2l.try_gpu(i: int = 0) -> mxnet.context.Context` | 4.2 |" in table


def test_saved_cells_decide_the_home(tmp_path):
    import json

    cell = {"cell_type": "code", "source": ["#@save\n", "def linreg(X, w, b):\n", "    pass\n"]}
    folder = tmp_path / "09-x"
    folder.mkdir()
    (folder / "9.3-demo.ipynb").write_text(json.dumps({"cells": [cell]}))
    assert index.saved_in_notebooks(tmp_path) == {"linreg": "9.3"}
    assert index.home_notebook("linreg", {"linreg": "9.3"}) == "9.3"
    assert index.home_notebook("linreg", {}) == "5.2"  # from linear.py's module docstring
