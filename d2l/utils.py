"""Small utilities every notebook calls in its first cell (introduced in notebook 2, how to use
this course)."""
import random

import numpy as np
import mxnet as mx


def require_version(minimum: str) -> None:
    """Fail with an install hint when the installed ``d2l`` is older than ``minimum``.

    Notebooks call ``d2l.require_version('0.1.0')`` first, so a stale package shows a clear
    message instead of ``module 'd2l' has no attribute ...`` halfway through.
    """
    from . import __version__

    def parse(version: str):
        try:
            return tuple(int(part) for part in version.split("."))
        except ValueError:
            raise ValueError(f"not a version number: {version!r}") from None

    if parse(__version__) < parse(minimum):
        raise ImportError(
            f"This notebook needs d2l >= {minimum}, but d2l {__version__} is installed. From the "
            "project folder run `pip install -e .` (or `make setup`) and restart the kernel. / "
            "d2l 패키지를 다시 설치하고 커널을 재시작하세요."
        )


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and MXNet's random generators so that reruns match."""
    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)
