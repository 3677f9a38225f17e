"""Notebook tool of the course: execute notebooks and keep committed notebooks clean.

    python build/nbtool.py run [--smoke] [--force] [--out DIR] [PATTERN ...]
        Execute the course's notebooks in order (chapter, section) in fresh kernels and write
        the executed copies under DIR (default build/_out/notebooks), printing progress and
        time per notebook. A failing notebook is saved with its error and the run goes on;
        the exit status is non-zero if any failed. Writes DIR/../run-times.md.
        A notebook is not executed again ("cached") while its source, the run mode and the
        d2l package sources are unchanged since its executed copy was written: the copy
        stores their hash in its metadata (``d2l_run``). ``--force`` executes everything.

    python build/nbtool.py clean NOTEBOOK ...
        Make notebooks ready to commit: execute each in smoke mode, then keep outputs only in
        cells marked ``# NBVAL_CHECK_OUTPUT`` (text outputs, compared by the tests), drop
        images and execution counts everywhere else, and set the common kernelspec.
"""
import argparse
import hashlib
import os
import re
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

import nbformat
import results
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "_out" / "notebooks"
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
# The kernel `make lab` registers (build/lab.py); committed notebooks name it so they never open on
# a wrong environment. Execution here uses the current environment's "python3" kernel.
KERNELSPEC = {"name": "d2l-ko", "display_name": "d2l-ko (MXNet 1.9.1)", "language": "python"}
TEXT_MIME = ("text/plain",)
PACKAGE = ROOT / "d2l"
RUN_KEY = "d2l_run"  # metadata of an executed copy: {"hash", "mode", "seconds"}


def section_key(path: Path) -> Tuple:
    """Sort key from the numbers in a notebook's name: 4.10 comes after 4.9."""
    rel = path.relative_to(NOTEBOOKS)
    numbers = [int(n) for n in re.findall(r"\d+", rel.name.split("-")[0])]
    return (str(rel.parent), numbers, rel.name)


def course_notebooks(patterns: Optional[List[str]] = None, exclude: Optional[List[str]] = None) -> List[Path]:
    """All notebooks of the course in reading order, optionally filtered by substrings."""
    found = [p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    if patterns:
        found = [p for p in found if any(pat in str(p.relative_to(NOTEBOOKS)) for pat in patterns)]
    if exclude:
        found = [p for p in found if not any(pat in str(p.relative_to(NOTEBOOKS)) for pat in exclude)]
    return sorted(found, key=section_key)


def package_digest() -> str:
    """Hash of the d2l package's sources (every file under d2l/ but caches)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_hash(path: Path, mode: str, package: str) -> str:
    """What an executed copy depends on: the notebook's source, the run mode, the d2l sources."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(f"\0{mode}\0{package}".encode())
    return digest.hexdigest()


def cached_run(target: Path, wanted: str) -> Optional[dict]:
    """The run record of an executed copy that is still up to date, else None."""
    try:
        record = nbformat.read(target, as_version=4).metadata.get(RUN_KEY)
    except (OSError, ValueError):
        return None
    return dict(record) if record and record.get("hash") == wanted else None


def absolutize_data_dirs() -> None:
    """Kernels run in the notebook's folder: make ``D2L_DATA_DIR`` entries absolute."""
    value = os.environ.get("D2L_DATA_DIR")
    if value:
        os.environ["D2L_DATA_DIR"] = os.pathsep.join(str(Path(p).resolve()) for p in value.split(os.pathsep) if p)


def execute(path: Path, timeout: int = 1800) -> Tuple[nbformat.NotebookNode, Optional[str]]:
    """Execute a notebook in a fresh kernel in its own folder; return (notebook, error or None).

    The kernel learns which notebook it runs from ``D2L_NOTEBOOK`` (for the results table).
    """
    nb = nbformat.read(path, as_version=4)
    if NOTEBOOKS in path.parents:
        os.environ["D2L_NOTEBOOK"] = str(path.relative_to(NOTEBOOKS).with_suffix(""))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        return nb, str(err).strip().splitlines()[-1] if str(err).strip() else repr(err)
    return nb, None


def is_check_cell(cell) -> bool:
    return cell.cell_type == "code" and any(line.strip() == CHECK_MARKER for line in cell.source.splitlines())


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep text outputs of check cells only; everything else is committed unexecuted."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if is_check_cell(cell):
            kept = []
            for out in cell.outputs:
                if out.output_type == "stream" and out.name == "stderr":
                    continue
                if "data" in out:
                    out.data = {k: v for k, v in out.data.items() if k in TEXT_MIME}
                    if not out.data:
                        continue
                    out.metadata = {}
                kept.append(out)
            cell.outputs = kept
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    return nb


def cmd_clean(paths: List[str]) -> int:
    os.environ["D2L_SMOKE"] = "1"
    absolutize_data_dirs()
    status = 0
    for name in paths:
        path = Path(name).resolve()
        start = time.perf_counter()
        nb, error = execute(path)
        if error:
            print(f"FAILED {name}: {error}", file=sys.stderr)
            status = 1
            continue
        nbformat.write(strip(nb), path)
        print(f"cleaned {name} ({time.perf_counter() - start:.1f} s)")
    return status


def cmd_run(patterns: List[str], out: Path, smoke: bool, force: bool = False,
            exclude: Optional[List[str]] = None) -> int:
    os.environ["D2L_SMOKE"] = "1" if smoke else "0"
    os.environ["D2L_RESULTS_DIR"] = str(out.parent / "results")
    absolutize_data_dirs()
    notebooks = course_notebooks(patterns, exclude)
    if not notebooks:
        print("no notebooks matched", file=sys.stderr)
        return 1
    mode = "smoke" if smoke else "full"
    package = package_digest()
    print(f"Executing {len(notebooks)} notebooks ({mode} mode) into {out}", flush=True)
    rows, failed, total_start = [], [], time.perf_counter()
    for i, path in enumerate(notebooks, 1):
        rel = path.relative_to(NOTEBOOKS)
        print(f"[{i:>3}/{len(notebooks)}] {rel} ...", end=" ", flush=True)
        target = out / rel
        wanted = run_hash(path, mode, package)
        record = None if force else cached_run(target, wanted)
        if record:
            seconds = float(record.get("seconds", 0.0))
            print(f"cached (ran {seconds:.1f} s)", flush=True)
            rows.append((str(rel), seconds, "ok (cached)"))
            continue
        stale = out.parent / "results" / (str(rel.with_suffix("")).replace("/", "__") + ".json")
        stale.unlink(missing_ok=True)
        start = time.perf_counter()
        nb, error = execute(path)
        seconds = time.perf_counter() - start
        if error:
            nb.metadata.pop(RUN_KEY, None)
        else:
            nb.metadata[RUN_KEY] = {"hash": wanted, "mode": mode, "seconds": round(seconds, 2)}
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        print(f"{'FAILED' if error else 'ok'} {seconds:.1f} s" + (f"\n      {error}" if error else ""), flush=True)
        rows.append((str(rel), seconds, "FAILED" if error else "ok"))
        if error:
            failed.append(str(rel))
    total = time.perf_counter() - total_start
    table = [f"# Notebook run times ({mode} mode)", "", "| notebook | seconds | result |", "|---|---:|---|"]
    table += [f"| {name} | {sec:.1f} | {res} |" for name, sec, res in rows]
    table += [f"| **total** | {total:.1f} | {len(rows) - len(failed)}/{len(rows)} ok |"]
    (out.parent / "run-times.md").write_text("\n".join(table) + "\n", encoding="utf-8")
    results.write_table(out.parent)
    cached = sum(res == "ok (cached)" for _, _, res in rows)
    print(f"Done in {total:.1f} s: {len(rows) - len(failed)} ok ({cached} cached), {len(failed)} failed")
    for name in failed:
        print(f"  failed: {name} (executed copy with the error: {out / name})")
    return 1 if failed else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute the course's notebooks into build/_out")
    run.add_argument("patterns", nargs="*", help="only notebooks whose path contains one of these")
    run.add_argument("--smoke", action="store_true", help="smoke mode (few epochs, few examples)")
    run.add_argument("--out", type=Path, default=DEFAULT_OUT)
    run.add_argument("--force", action="store_true", help="execute even notebooks whose executed copy is current")
    run.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                     help="skip notebooks whose path contains PATTERN (repeatable), e.g. --exclude solutions/")
    clean = sub.add_parser("clean", help="execute and strip notebooks for committing")
    clean.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "run":
        return cmd_run(args.patterns, args.out.resolve(), args.smoke, args.force, args.exclude)
    return cmd_clean(args.paths)


if __name__ == "__main__":
    sys.exit(main())
