"""The package index of appendix 7.2: every public name of ``d2l``, its one-line summary and
the notebook that introduces it, generated from the package itself.

A name's home notebook is the notebook whose ``#@save`` cell teaches it; for helpers that no
notebook re-types, it is the first "notebook N.M" named in the helper's docstring, else in
the docstring of the module that defines it.
"""
import inspect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import d2l

NOTEBOOK_MENTION = re.compile(r"notebook (\d+(?:\.\d+)?)\b")


@dataclass
class Entry:
    """One row of the index."""

    name: str
    kind: str
    signature: str
    summary: str
    notebook: Optional[str]


def saved_in_notebooks(notebooks_dir: Path) -> Dict[str, str]:
    """Map each name defined in a ``#@save`` cell to its notebook's section number."""
    homes = {}
    notebooks_dir = Path(notebooks_dir)
    for path in sorted(notebooks_dir.rglob("*.ipynb")):
        if {".ipynb_checkpoints", "solutions"} & set(path.relative_to(notebooks_dir).parts):
            continue
        section = path.stem.split("-")[0]
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "code" and text.startswith("#@save"):
                for name in re.findall(r"^(?:def|class)\s+(\w+)", text, re.M):
                    homes.setdefault(name, section)
    return homes


def _defining_module(name: str, obj):
    module = inspect.getmodule(obj)
    if module is not None and module.__name__.startswith("d2l."):
        return module
    for module in vars(d2l).values():  # re-exported third-party objects such as plt
        if inspect.ismodule(module) and module.__name__.startswith("d2l.") and vars(module).get(name) is obj:
            return module
    return None


def home_notebook(name: str, saved: Dict[str, str]) -> Optional[str]:
    """Section number of the notebook that introduces ``d2l.<name>``, or None if unknown."""
    if name in saved:
        return saved[name]
    obj = getattr(d2l, name)
    own = NOTEBOOK_MENTION.search(inspect.getdoc(obj) or "") if callable(obj) and not inspect.ismodule(obj) else None
    if own:
        return own.group(1)
    module = _defining_module(name, obj)
    found = NOTEBOOK_MENTION.search((module.__doc__ or "") if module else "")
    return found.group(1) if found else None


def summary(name: str) -> str:
    """First line of the docstring; for a re-exported module, what it is and who configures it."""
    obj = getattr(d2l, name)
    if inspect.ismodule(obj):
        module = _defining_module(name, obj)
        return f"`{obj.__name__}`, configured by `{module.__name__}`" if module else f"`{obj.__name__}`"
    doc = inspect.getdoc(obj) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _signature(obj) -> str:
    """``(a, b=1)`` for a callable; ``(...)`` for a class whose constructor has no Python
    signature (an exception class inheriting a builtin ``__init__``)."""
    try:
        return str(inspect.signature(obj))
    except ValueError:
        return "(...)"


def package_index(notebooks_dir: Path) -> List[Entry]:
    """One :class:`Entry` per name in ``d2l.__all__``, sorted case-insensitively."""
    saved = saved_in_notebooks(notebooks_dir)
    rows = []
    for name in sorted(d2l.__all__, key=str.lower):
        obj = getattr(d2l, name)
        if inspect.isclass(obj):
            kind, signature = "class", _signature(obj)
        elif inspect.isfunction(obj):
            kind, signature = "function", str(inspect.signature(obj))
        else:
            kind, signature = "module" if inspect.ismodule(obj) else type(obj).__name__, ""
        rows.append(Entry(name, kind, signature, summary(name), home_notebook(name, saved)))
    return rows


def to_markdown(rows: List[Entry]) -> str:
    """The index as a Markdown table (name, notebook, summary)."""
    lines = ["| 이름 | 처음 나오는 노트북 | 설명 |", "|---|---|---|"]
    for row in rows:
        text = row.summary.replace("|", "\\|")
        lines.append(f"| `d2l.{row.name}{row.signature}` | {row.notebook or '-'} | {text} |")
    return "\n".join(lines)
