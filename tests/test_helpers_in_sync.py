"""A helper taught in a notebook (#@save cell) is the same code the d2l package exports."""
import ast
import inspect
import json
import sys
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


def package_definition(name):
    """The function or class ``name`` defined in one of d2l's modules (None if none)."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("d2l"):
            obj = vars(module).get(name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
                return obj
    return None


@pytest.mark.parametrize("where, node", SAVED, ids=[f"{w}:{n.name}" for w, n in SAVED])
def test_notebook_copy_matches_package(where, node):
    exported = package_definition(node.name)
    assert exported is not None, f"{where} saves {node.name}, which no d2l module defines"
    if not node.name.startswith("_"):
        assert getattr(d2l, node.name, None) is exported, f"d2l does not export {node.name}"
    package_node = ast.parse(textwrap.dedent(inspect.getsource(exported))).body[0]
    assert ast.dump(node) == ast.dump(package_node), (
        f"{node.name} in {where} differs from {inspect.getsourcefile(exported)}; change both together")


def test_package_definitions_are_unique():
    modules = [m for name, m in list(sys.modules.items()) if name.startswith("d2l.")]
    owners = {}
    for module in modules:
        for name, obj in vars(module).items():
            if name == "main":  # each command-line module (python -m d2l.X) has its own
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
                assert name not in owners, f"{name} is defined in both {owners[name]} and {module.__name__}"
                owners[name] = module.__name__
