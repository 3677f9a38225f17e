"""Build the course book (HTML site and PDF) from the executed notebooks.

    python build/book.py [--smoke] [--html] [--pdf] [--src DIR] [--out DIR]

Reads the notebooks that ``build/nbtool.py run`` executed (default build/_out/notebooks, or
build/_out/smoke/notebooks with --smoke), stages them with a generated table of contents and
the Sphinx configuration of build/book/ in OUT/book-src, and runs Sphinx:

    OUT/html/index.html          the site (sphinx-book-theme, MathJax served locally, Korean search)
    OUT/pdf/d2l-ko-gluon.pdf     the same content through LaTeX (xelatex, kotex, Nanum fonts)

OUT is build/_out (build/_out/smoke with --smoke). Without --html or --pdf both are built.
Nothing is executed here. The system tools come from build/install_book_deps.sh.
"""
import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtool  # noqa: E402

ROOT = nbtool.ROOT
CONF = ROOT / "build" / "book"
OUT = ROOT / "build" / "_out"
MATHJAX = ROOT / "build" / "_deps" / "node_modules" / "mathjax" / "es5"
PDF_NAME = "d2l-ko-gluon"
# Captions of chapters made of several notebooks; a folder not listed here is named after
# its notebook (one-notebook chapters) or its folder name.
CHAPTER_TITLES = {
    "04-crash-course": "딥러닝 맛보기",
    "05-deep-learning-basics": "딥러닝 기초",
    "06-deep-learning-computation": "딥러닝 계산",
    "07-appendix": "부록",
    "08-convolutional-networks": "합성곱 신경망",
    "09-optimization": "최적화 알고리즘",
    "10-computational-performance": "계산 성능과 분산 훈련",
    "11-computer-vision": "컴퓨터 비전",
    "12-recurrent-networks": "순환 신경망",
    "13-nlp-from-scratch": "밑바닥부터 자연어 처리",
    "14-nn-lecture": "신경망 강의",
    "15-keras-style": "케라스처럼 간결한 첫 신경망",
    "16-interview": "면접 질문으로 복습하기",
    "solutions": "연습 문제 풀이",
}
INTRO = """\
MXNet 1.9.1 Gluon으로 실행하는 한국어 딥러닝 강좌입니다. 각 절은 주피터 노트북 하나이고,
이 책의 코드 출력과 그림은 모든 노트북을 실제로 실행해 얻은 것입니다. 페이지 위의 내려받기
단추로 그 절의 노트북(`.ipynb`)을 받아 직접 실행해 볼 수 있습니다.
"""
SMOKE_NOTE = """
```{note}
이 판은 스모크 모드(적은 에포크, 적은 데이터)로 실행한 결과라서 수치와 그림이 책과 다릅니다.
전체 모드의 책은 `make course`로 만듭니다.
```
"""


class MissingTool(RuntimeError):
    pass


def notebook_title(path: Path) -> str:
    """The text of a notebook's first ``# `` heading (its file name if it has none)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def executed_notebooks(src: Path, with_solutions: bool = False) -> List[Path]:
    """The executed notebooks under ``src`` in course order (4.10 after 4.9); the worked
    solutions (``solutions/``) only when asked for, so readers try the exercises first."""
    found = [p for p in src.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
             and (with_solutions or p.relative_to(src).parts[0] != "solutions")]
    return sorted(found, key=lambda p: nbtool.section_key(nbtool.NOTEBOOKS / p.relative_to(src)))


def chapter_caption(folder: str) -> str:
    number = re.match(r"0*(\d+)-", folder)
    title = CHAPTER_TITLES.get(folder, re.sub(r"^\d+-", "", folder).replace("-", " "))
    return f"{number.group(1)} {title}" if number else title


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def sync_file(source: Path, target: Path) -> None:
    """Copy unless identical, so Sphinx's incremental build sees unchanged files as unchanged."""
    if not target.exists() or not filecmp.cmp(source, target, shallow=False):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def stage(src: Path, staging: Path, smoke: bool, with_solutions: bool = False) -> Dict[str, List[Path]]:
    """Copy notebooks, config and MathJax into ``staging`` and write index pages.

    A chapter folder with one notebook is a chapter by itself; a folder with several gets an
    ``index.md`` page (the chapter) whose sections are its notebooks.
    """
    notebooks = executed_notebooks(src, with_solutions)
    if not notebooks:
        raise SystemExit(f"no executed notebooks in {src}: run build/nbtool.py run{' --smoke' if smoke else ''} first")
    chapters: Dict[str, List[Path]] = {}
    for path in notebooks:
        chapters.setdefault(path.relative_to(src).parts[0], []).append(path)

    wanted = set()
    for path in notebooks:
        rel = path.relative_to(src)
        sync_file(path, staging / rel)
        wanted.add(staging / rel)
    entries = []
    for folder, paths in chapters.items():
        if len(paths) == 1:
            entries.append(str(paths[0].relative_to(src).with_suffix("")))
            continue
        lines = [f"# {chapter_caption(folder)}", "", "```{toctree}", ":maxdepth: 1", ""]
        lines += [str(p.relative_to(src / folder).with_suffix("")) for p in paths]
        lines += ["```", ""]
        write_if_changed(staging / folder / "index.md", "\n".join(lines))
        wanted.add(staging / folder / "index.md")
        entries.append(f"{folder}/index")
    index = [f"# d2l-ko-gluon: MXNet Gluon으로 배우는 딥러닝", "", INTRO, SMOKE_NOTE if smoke else "",
             "```{toctree}", ":maxdepth: 2", ""] + entries + ["```", ""]
    write_if_changed(staging / "index.md", "\n".join(index))
    wanted.add(staging / "index.md")
    # Notebooks that are no longer executed leave the book.
    for old in list(staging.rglob("*.ipynb")) + [p for p in staging.rglob("index.md")]:
        if old not in wanted and "_static" not in old.parts:
            old.unlink()

    for name in ("conf.py", "korean_search.py"):
        sync_file(CONF / name, staging / name)
    for css in (CONF / "_static").glob("*"):
        sync_file(css, staging / "_static" / css.name)
    return chapters


def stage_mathjax(staging: Path) -> None:
    """MathJax 3 into _static/mathjax: the es5 ``tex-mml-chtml.js`` component, its woff-v2
    fonts, and the TeX extensions it loads on demand (\\boldsymbol, \\cancel ...)."""
    script = MATHJAX / "tex-mml-chtml.js"
    if not script.exists():
        raise MissingTool(f"MathJax is missing ({script}): run build/install_book_deps.sh")
    target = staging / "_static" / "mathjax"
    sync_file(script, target / "tex-mml-chtml.js")
    for folder in ("output/chtml/fonts/woff-v2", "input/tex/extensions"):
        for path in (MATHJAX / folder).rglob("*"):
            if path.is_file():
                sync_file(path, target / path.relative_to(MATHJAX))


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise MissingTool(f"missing {', '.join(missing)}: run build/install_book_deps.sh")


def sphinx(builder: str, staging: Path, target: Path, smoke: bool) -> None:
    env = dict(os.environ, D2L_BOOK_MODE="smoke" if smoke else "full")
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-j", "auto",
           "-d", str(staging.parent / "doctrees"), str(staging), str(target)]
    subprocess.run(cmd, check=True, env=env)


def build_html(staging: Path, out: Path, smoke: bool) -> Path:
    stage_mathjax(staging)
    sphinx("html", staging, out / "html", smoke)
    # Sphinx copies _static only when some page is rebuilt: keep it current either way.
    for path in (staging / "_static").rglob("*"):
        if path.is_file():
            sync_file(path, out / "html" / path.relative_to(staging))
    return out / "html" / "index.html"


def build_pdf(staging: Path, out: Path, smoke: bool) -> Path:
    require("xelatex", "latexmk", "rsvg-convert")
    latex = out / "latex"
    sphinx("latex", staging, latex, smoke)
    log = latex / "build.log"
    with open(log, "w") as handle:
        result = subprocess.run(["make", "-C", str(latex), "all-pdf", "LATEXMKOPTS=-silent -halt-on-error"],
                                stdout=handle, stderr=subprocess.STDOUT)
    if result.returncode:
        tail = log.read_text(errors="replace").splitlines()[-40:]
        raise SystemExit("LaTeX failed (log: {}):\n{}".format(log, "\n".join(tail)))
    target = out / "pdf" / f"{PDF_NAME}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(latex / f"{PDF_NAME}.pdf", target)
    return target


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="the smoke-mode book (build/_out/smoke)")
    parser.add_argument("--html", action="store_true", help="build the HTML site")
    parser.add_argument("--pdf", action="store_true", help="build the PDF")
    parser.add_argument("--src", type=Path, help="executed notebooks (default OUT/notebooks)")
    parser.add_argument("--out", type=Path, help="output folder (default build/_out[/smoke])")
    parser.add_argument("--with-solutions", action="store_true",
                        help="include the worked exercise solutions (left out by default)")
    args = parser.parse_args(argv)
    out = (args.out or (OUT / "smoke" if args.smoke else OUT)).resolve()
    src = (args.src or out / "notebooks").resolve()
    want_html, want_pdf = (args.html, args.pdf) if (args.html or args.pdf) else (True, True)
    staging = out / "book-src"
    try:
        chapters = stage(src, staging, args.smoke, args.with_solutions)
        count = sum(len(v) for v in chapters.values())
        print(f"Book from {count} notebooks in {src} ({'smoke' if args.smoke else 'full'} mode)", flush=True)
        absent = [str(p.relative_to(nbtool.NOTEBOOKS)) for p in nbtool.course_notebooks()
                  if not (src / p.relative_to(nbtool.NOTEBOOKS)).exists()
                  and (args.with_solutions or p.relative_to(nbtool.NOTEBOOKS).parts[0] != "solutions")]
        if absent:
            print(f"  not executed yet, so not in the book: {', '.join(absent)}", flush=True)
        if want_html:
            start = time.perf_counter()
            page = build_html(staging, out, args.smoke)
            print(f"HTML: {page} ({time.perf_counter() - start:.1f} s)", flush=True)
        if want_pdf:
            start = time.perf_counter()
            pdf = build_pdf(staging, out, args.smoke)
            print(f"PDF:  {pdf} ({time.perf_counter() - start:.1f} s)", flush=True)
    except MissingTool as err:
        print(f"book: {err}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as err:
        print(f"book: {' '.join(map(str, err.cmd[:4]))} ... failed with status {err.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
