import os
import sys

import nbformat

from conftest import ROOT

sys.path.insert(0, str(ROOT / "build"))
import nbtool  # noqa: E402


def test_sections_sort_by_number():
    names = ["4.10-a.ipynb", "4.9-b.ipynb", "4.0-c.ipynb", "4.1-d.ipynb"]
    paths = [nbtool.NOTEBOOKS / "04-x" / n for n in names]
    ordered = [p.name for p in sorted(paths, key=nbtool.section_key)]
    assert ordered == ["4.0-c.ipynb", "4.1-d.ipynb", "4.9-b.ipynb", "4.10-a.ipynb"]


def test_strip_keeps_only_checked_text():
    nb = nbformat.v4.new_notebook()
    plain = nbformat.v4.new_code_cell("x = 1\nx", execution_count=1,
                                      outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=1)])
    checked = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)\nplot()", execution_count=2, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
        nbformat.v4.new_output("display_data", {"image/png": "AAAA", "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", {"image/svg+xml": "<svg/>"}),
    ])
    nb.cells = [plain, checked]
    nb.metadata = {"kernelspec": {"name": "conda-env-foo"}}
    out = nbtool.strip(nb)
    assert out.cells[0].outputs == [] and out.cells[0].execution_count is None
    kept = out.cells[1].outputs
    assert [o.output_type for o in kept] == ["stream", "display_data"]
    assert kept[1].data == {"text/plain": "<Figure>"}
    assert out.cells[1].execution_count == 2
    assert out.metadata.kernelspec.name == "d2l-ko"


def test_results_table(tmp_path):
    import json
    import results

    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a.json").write_text(json.dumps([
        {"notebook": "05-x/5.6-s", "name": "test acc", "book": 0.843, "here": 0.85, "tolerance": "+-0.02",
         "ok": True, "mode": "full"}]))
    (tmp_path / "run-times.md").write_text("| notebook | seconds | result |\n|---|---:|---|\n| 05-x/5.6-s.ipynb | 12.5 | ok |\n")
    table = results.write_table(tmp_path).read_text()
    assert "| 05-x/5.6-s | test acc | 0.843 | 0.85 | +-0.02 | yes | full | 12.5 |" in table


def _course(tmp_path, monkeypatch):
    """A one-notebook course and d2l package in tmp_path; execution is recorded, not run."""
    notebooks, package = tmp_path / "notebooks", tmp_path / "d2l"
    (notebooks / "01-x").mkdir(parents=True)
    package.mkdir()
    (package / "__init__.py").write_text("VERSION = 1\n")
    source = notebooks / "01-x" / "1.1-a.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 1.1 a"), nbformat.v4.new_code_cell("print(1)")]
    nbformat.write(nb, source)
    monkeypatch.setattr(nbtool, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(nbtool, "PACKAGE", package)
    for name in ("D2L_SMOKE", "D2L_RESULTS_DIR"):  # cmd_run sets them; restore them afterwards
        monkeypatch.setenv(name, os.environ.get(name, ""))
    ran = []

    def fake_execute(path, timeout=1800):
        ran.append(os.environ["D2L_SMOKE"])
        nb = nbformat.read(path, as_version=4)
        failing = "raise" in nb.cells[1].source
        return nb, ("ValueError: boom" if failing else None)

    monkeypatch.setattr(nbtool, "execute", fake_execute)
    return source, package, tmp_path / "out" / "notebooks", ran


def test_run_caches_unchanged_notebooks(tmp_path, monkeypatch, capsys):
    source, package, out, ran = _course(tmp_path, monkeypatch)
    executed = out / "01-x" / "1.1-a.ipynb"

    assert nbtool.cmd_run([], out, smoke=True) == 0
    assert ran == ["1"] and "ok" in capsys.readouterr().out
    record = nbformat.read(executed, as_version=4).metadata[nbtool.RUN_KEY]
    assert record["mode"] == "smoke" and len(record["hash"]) == 64

    assert nbtool.cmd_run([], out, smoke=True) == 0          # nothing changed: cached
    printed = capsys.readouterr().out
    assert ran == ["1"]
    assert "1.1-a.ipynb ... cached" in printed and "(1 cached)" in printed
    assert "| 01-x/1.1-a.ipynb |" in (out.parent / "run-times.md").read_text()

    assert nbtool.cmd_run([], out, smoke=False) == 0         # other mode: executed again
    assert ran == ["1", "0"]
    assert nbformat.read(executed, as_version=4).metadata[nbtool.RUN_KEY]["mode"] == "full"
    nbtool.cmd_run([], out, smoke=False)
    assert ran == ["1", "0"]

    (package / "__init__.py").write_text("VERSION = 2\n")     # d2l changed: executed again
    nbtool.cmd_run([], out, smoke=False)
    assert ran == ["1", "0", "0"]

    nb = nbformat.read(source, as_version=4)                  # notebook changed: executed again
    nb.cells[1].source = "print(2)"
    nbformat.write(nb, source)
    nbtool.cmd_run([], out, smoke=False)
    assert ran == ["1", "0", "0", "0"]

    nbtool.cmd_run([], out, smoke=False, force=True)          # --force: executed again
    assert ran == ["1", "0", "0", "0", "0"]


def test_run_never_caches_a_failure(tmp_path, monkeypatch, capsys):
    source, _, out, ran = _course(tmp_path, monkeypatch)
    nb = nbformat.read(source, as_version=4)
    nb.cells[1].source = "raise ValueError('boom')"
    nbformat.write(nb, source)
    assert nbtool.cmd_run([], out, smoke=True) == 1
    assert nbtool.cmd_run([], out, smoke=True) == 1
    assert ran == ["1", "1"]
    assert "FAILED" in capsys.readouterr().out
    assert nbtool.RUN_KEY not in nbformat.read(out / "01-x" / "1.1-a.ipynb", as_version=4).metadata


def test_exclude_patterns():
    everything = nbtool.course_notebooks()
    without = nbtool.course_notebooks(exclude=["solutions/"])
    assert any("solutions" in p.parts for p in everything)
    assert without == [p for p in everything if "solutions" not in p.parts]
    assert nbtool.course_notebooks(["4.7-"], exclude=["solutions/"]) == [
        p for p in everything if p.name.startswith("4.7-") and "solutions" not in p.parts]
