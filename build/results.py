"""Results table: the book's figures beside the last run's, per notebook.

``python build/results.py [OUT_DIR]`` reads what ``d2l.compare_with_book`` recorded during
``build/nbtool.py run`` (OUT_DIR/results/*.json) and the run times (OUT_DIR/run-times.md),
and writes OUT_DIR/results.md. ``nbtool.py run`` calls it at the end of every run.
"""
import json
import re
import sys
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "_out"


def read_times(out_dir: Path):
    times = {}
    path = out_dir / "run-times.md"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\| (\S+\.ipynb) \| ([\d.]+) \|", line)
            if match:
                times[match.group(1)[: -len(".ipynb")]] = float(match.group(2))
    return times


def write_table(out_dir: Path) -> Path:
    rows = []
    for path in (out_dir / "results").glob("*.json"):
        rows.extend(json.loads(path.read_text(encoding="utf-8")))
    rows.sort(key=lambda r: [int(n) for n in re.findall(r"\d+", r["notebook"])])
    times = read_times(out_dir)
    lines = ["# Book figures vs this course", "",
             "| notebook | figure | book | here | tolerance | within | mode | notebook time (s) |",
             "|---|---|---:|---:|---|---|---|---:|"]
    for r in rows:
        seconds = times.get(r["notebook"])
        lines.append(f"| {r['notebook']} | {r['name']} | {r['book']:.6g} | {r['here']:.6g} | {r['tolerance']} | "
                     f"{'yes' if r['ok'] else 'NO'} | {r['mode']} | {'' if seconds is None else f'{seconds:.1f}'} |")
    target = out_dir / "results.md"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write_table(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
