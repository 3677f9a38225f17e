"""Book figures next to ours: ``compare_with_book`` prints both, checks them in full mode and
records them for the results table (``python build/results.py``). Introduced in notebook 4.7
(naive Bayes on MNIST), the first notebook that reproduces a book figure."""
import json
import math
import os
from pathlib import Path
from typing import Optional

from .config import smoke_mode

RESULTS_DIR_ENV = "D2L_RESULTS_DIR"
NOTEBOOK_ENV = "D2L_NOTEBOOK"


def compare_with_book(name: str, here: float, book: float, tol: Optional[float] = None,
                      factor: Optional[float] = None) -> bool:
    """Print ``book X | here Y`` for one figure; in full mode assert it is close to the book's.

    Give either ``tol`` (absolute, e.g. accuracy +-0.02) or ``factor`` (``here`` within
    ``book/factor .. book*factor``; ``factor=10`` is "the same order of magnitude" for tiny
    losses). Smoke mode trains too little to match, so it only prints. When the notebook
    runs under ``build/nbtool.py``, the figure is also saved for the results table.
    Returns whether the figure is within tolerance.
    """
    if (tol is None) == (factor is None):
        raise ValueError("give exactly one of tol= (absolute) or factor= (ratio)")
    here, book = float(here), float(book)
    if tol is not None:
        ok = abs(here - book) <= tol
        allowed = f"+-{tol:g}"
    else:
        if factor <= 1 or book <= 0:
            raise ValueError("factor must be > 1 and the book's figure positive")
        ok = here > 0 and abs(math.log(here / book)) <= math.log(factor)
        allowed = f"x/ {factor:g}"
    mode = "smoke" if smoke_mode() else "full"
    print(f"{name}: book {book:.6g} | here {here:.6g}  ({allowed}, {'ok' if ok else 'OFF'}, {mode} mode)")
    _record(name, here, book, allowed, ok, mode)
    if mode == "full" and not ok:
        raise AssertionError(f"{name}: {here:.6g} is not within {allowed} of the book's {book:.6g}")
    return ok


def _record(name, here, book, allowed, ok, mode):
    folder, notebook = os.environ.get(RESULTS_DIR_ENV), os.environ.get(NOTEBOOK_ENV)
    if not folder or not notebook:
        return
    path = Path(folder) / (notebook.replace("/", "__") + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    rows = [r for r in rows if r["name"] != name]
    rows.append({"notebook": notebook, "name": name, "book": book, "here": here,
                 "tolerance": allowed, "ok": ok, "mode": mode})
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
