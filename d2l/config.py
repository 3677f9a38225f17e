"""Run-mode switch shared by every notebook: full mode (the default) or smoke mode.

Introduced in notebook 2 (how to use this course).

Smoke mode is for CI: ``D2L_SMOKE=1`` makes notebooks train for fewer epochs on fewer
examples so the whole course executes in minutes. Full mode reproduces the book's figures.
Notebooks never read the variable themselves; they ask :func:`smoke_mode` or pick a value
with :func:`smoke`.
"""
import os
from typing import TypeVar

T = TypeVar("T")

SMOKE_ENV = "D2L_SMOKE"
_FALSE_WORDS = {"", "0", "false", "no", "off"}


def smoke_mode() -> bool:
    """Return True when ``D2L_SMOKE`` is set to a true value (1, true, yes, on)."""
    value = os.environ.get(SMOKE_ENV, "").strip().lower()
    if value in _FALSE_WORDS:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    raise ValueError(f"{SMOKE_ENV}={value!r} is not understood; use 1 (smoke) or 0 (full).")


def smoke(full: T, small: T) -> T:
    """Pick ``small`` in smoke mode and ``full`` otherwise, e.g. ``num_epochs = smoke(10, 1)``."""
    return small if smoke_mode() else full
