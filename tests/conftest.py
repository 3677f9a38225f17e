"""Fixtures shared by the d2l unit tests."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir():
    """The offline data copies, if this machine has them (CI points D2L_DATA_DIR there)."""
    for folder in os.environ.get("D2L_DATA_DIR", "").split(os.pathsep) + [str(ROOT.parent / "shared" / "data")]:
        if folder and (Path(folder) / "mnist").is_dir():
            return Path(folder)
    return None


@pytest.fixture
def real_data_dir():
    folder = shared_data_dir()
    if folder is None:
        pytest.skip("no offline copy of the data sets (set D2L_DATA_DIR)")
    return folder
