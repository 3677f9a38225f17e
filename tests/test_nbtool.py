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
    assert out.metadata.kernelspec.name == "python3"


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
