"""House rules for committed notebooks (see CONTRIBUTING.md)."""
import json
import re

import pytest

from conftest import ROOT

NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS]
MAX_BYTES = 100_000
HANGUL = re.compile("[\uac00-\ud7a3]")
CHECK = "# NBVAL_CHECK_OUTPUT"
NAME = re.compile(r"(solutions/)?\d\d-[a-z0-9-]+/\d+(\.\d+)?-[a-z0-9-]+\.ipynb")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"])


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 13


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_layout_and_metadata(path):
    assert NAME.fullmatch(str(path.relative_to(ROOT / "notebooks"))), "name as NN-chapter/N.M-topic.ipynb"
    nb = load(path)
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "d2l-ko", "name the course kernel (make lab): run build/nbtool.py clean"
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is over {MAX_BYTES} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_only_in_checked_cells(path):
    for cell in code_cells(load(path)):
        outputs = cell.get("outputs", [])
        assert "image/png" not in json.dumps(outputs), "no images in committed notebooks"
        if source(cell).lstrip().startswith(CHECK):
            assert outputs and cell["execution_count"], f"checked cell stored unexecuted:\n{source(cell)[:200]}"
        else:
            assert not outputs and cell["execution_count"] is None, f"unchecked cell has outputs:\n{source(cell)[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_korean_prose_with_heading_and_exercises(path):
    nb = load(path)
    markdown = [source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert nb["cells"][0]["cell_type"] == "markdown" and markdown[0].startswith("# ")
    assert len(HANGUL.findall("".join(markdown))) >= 300, "prose should be Korean"
    if "solutions" in path.parts:
        assert "풀이" in markdown[0].splitlines()[0], "a solution notebook's title says 풀이"
        twin = ROOT / "notebooks" / path.relative_to(ROOT / "notebooks" / "solutions")
        assert twin.exists(), f"solutions mirror the course: {twin} does not exist"
    else:
        assert any(re.search(r"^##+ 연습 문제", m, re.M) for m in markdown), "end with a '## 연습 문제' section"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_conventions(path):
    code = "\n".join(source(c) for c in code_cells(load(path)))
    if not code:
        return
    assert "import d2l" in code, "import d2l in the first code cell"
    first_d2l = code.index("import d2l")
    mxnet = re.search(r"^\s*(import mxnet|from mxnet)", code, re.M)
    assert mxnet is None or mxnet.start() > first_d2l, "import d2l before mxnet"
    assert "d2l.require_version(" in code
    if re.search(r"\bnd\.|\bnp\.", code):
        assert "ctx = d2l.try_gpu()" in code, "pick the context once with ctx = d2l.try_gpu()"
    if re.search(r"random\.|\.initialize\(", code):
        assert "d2l.set_seed(" in code, "seed the generators so reruns match"
    assert "D2L_SMOKE" not in code, "read the run mode with d2l.smoke(...)"
