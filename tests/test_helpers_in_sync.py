"""A helper taught in a notebook (#@save cell) is the same code the d2l package exports."""
import ast
import inspect
import json
import textwrap

import pytest

import d2l
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


def saved_definitions():
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "code" and text.startswith("#@save"):
                for node in ast.parse(text).body:
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                        yield path.relative_to(ROOT / "notebooks"), node


SAVED = list(saved_definitions())


def test_each_helper_is_taught_once():
    names = [node.name for _, node in SAVED]
    assert len(names) == len(set(names)), f"a helper is #@save-d twice: {sorted(names)}"


@pytest.mark.parametrize("where, node", SAVED, ids=[f"{w}:{n.name}" for w, n in SAVED])
def test_notebook_copy_matches_package(where, node):
    exported = getattr(d2l, node.name, None)
    assert exported is not None, f"{where} saves {node.name}, which d2l does not export"
    package_node = ast.parse(textwrap.dedent(inspect.getsource(exported))).body[0]
    assert ast.dump(node) == ast.dump(package_node), (
        f"{node.name} in {where} differs from {inspect.getsourcefile(exported)}; change both together")


def test_package_exports_are_unique():
    modules = [m for m in vars(d2l).values() if inspect.ismodule(m) and m.__name__.startswith("d2l.")]
    owners = {}
    for module in modules:
        for name, obj in vars(module).items():
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
                assert name not in owners, f"{name} is defined in both {owners[name]} and {module.__name__}"
                owners[name] = module.__name__
