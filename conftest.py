"""pytest set-up shared by the unit tests and the notebook runs (nbval).

- Kernels run in each notebook's own folder, so relative ``D2L_DATA_DIR`` entries are made
  absolute before any kernel starts.
- At the end, a table gives each notebook's total run time (nbval reports per cell).
"""
import os
import re
from collections import defaultdict
from pathlib import Path

_notebook_seconds = defaultdict(float)
_notebook_failed = set()


def pytest_configure(config):
    value = os.environ.get("D2L_DATA_DIR")
    if value:
        os.environ["D2L_DATA_DIR"] = os.pathsep.join(str(Path(p).resolve()) for p in value.split(os.pathsep) if p)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration
        if report.failed:
            _notebook_failed.add(path)


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook run times")
    width = max(len(p) for p in _notebook_seconds)
    by_section = sorted(_notebook_seconds, key=lambda p: [int(n) for n in re.findall(r"\d+", p)])
    for path in by_section:
        seconds = _notebook_seconds[path]
        mark = "FAILED" if path in _notebook_failed else "ok"
        terminalreporter.write_line(f"{path:<{width}}  {seconds:7.1f} s  {mark}")
    terminalreporter.write_line(f"{'total':<{width}}  {sum(_notebook_seconds.values()):7.1f} s")
