"""The book (smoke mode): the HTML site in a real browser, and the PDF.

``make test`` builds the smoke-mode book (build/_out/smoke) before the tests run; run alone,
these tests reuse it, or build it when the executed notebooks and the tools are there. They
skip with the reason when the book cannot be built on this machine (no xelatex, chromium ...),
except under CI (CI=true), where a book that cannot be built is a failure.
Screenshots of the pages and PDF pages checked go to build/_out/screenshots/.
"""
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "build"))
import book as book_tool  # noqa: E402

OUT = ROOT / "build" / "_out" / "smoke"
HTML = OUT / "html"
PDF = OUT / "pdf" / "d2l-ko-gluon.pdf"
LATEX_LOG = OUT / "latex" / "d2l-ko-gluon.log"
SHOTS = ROOT / "build" / "_out" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")
CHROMIUM = os.environ.get("D2L_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def unavailable(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI must build and check the book; see build/install_book_deps.sh)")
    pytest.skip(reason)


def missing_tools():
    missing = [tool for tool in ("xelatex", "latexmk", "rsvg-convert", "pdftotext", "pdftoppm")
               if shutil.which(tool) is None]
    if not book_tool.MATHJAX.joinpath("tex-mml-chtml.js").exists():
        missing.append("MathJax (npm)")
    try:
        import myst_nb  # noqa: F401
        import sphinx_book_theme  # noqa: F401
    except ImportError:
        missing.append("sphinx/myst-nb (requirements/book.txt)")
    return missing


@functools.lru_cache(maxsize=None)
def build_once():
    """Build the smoke book if it is missing; return None or why it cannot be built."""
    if (HTML / "index.html").exists() and PDF.exists():
        return None
    missing = missing_tools()
    if missing:
        return f"the book is not built and cannot be: missing {', '.join(missing)} (run build/install_book_deps.sh)"
    env = dict(os.environ, D2L_DATA_DIR=os.environ.get("D2L_DATA_DIR", str(ROOT.parent / "shared" / "data")))
    run = subprocess.run([sys.executable, "build/nbtool.py", "run", "--smoke", "--out", str(OUT / "notebooks")],
                         cwd=ROOT, env=env)
    if not list((OUT / "notebooks").rglob("*.ipynb")):
        return f"the book is not built and no notebook could be executed (nbtool status {run.returncode})"
    result = subprocess.run([sys.executable, "build/book.py", "--smoke"], cwd=ROOT)
    return None if result.returncode == 0 else f"build/book.py --smoke failed with status {result.returncode}"


@pytest.fixture(scope="module")
def built():
    reason = build_once()
    if reason:
        unavailable(reason)
    SHOTS.mkdir(parents=True, exist_ok=True)


# ---------------------------------------------------------------- HTML, in a browser

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built):
    """The smoke site served over HTTP on a free port of 127.0.0.1 (stopped afterwards)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(site):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (requirements/book.txt)")
    if CHROMIUM is None:
        unavailable("no chromium browser (Debian: apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, site):
    """A fresh page that records every request leaving 127.0.0.1 (the book must work offline)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.outside, page.broken = [], []
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
            and page.broken.append(f"{r.status} {r.url}"))

    def route(r):
        if r.request.url.startswith(site) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            page.outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.set_default_timeout(20000)
    try:
        yield page
    finally:
        context.close()


def page_url(site, notebook_stem):
    """URL of the page made from the notebook whose file name starts with ``notebook_stem``."""
    found = sorted(HTML.glob(f"[0-9]*/{notebook_stem}*.html"))
    assert found, f"no page for {notebook_stem} in {HTML}"
    return f"{site}/{found[0].relative_to(HTML).as_posix()}"


def sidebar_links(page):
    return page.eval_on_selector_all(
        "nav.bd-docs-nav a.reference.internal",
        "els => els.map(e => [e.getAttribute('href'), e.textContent.trim()])")


def numbers(title):
    match = re.match(r"(\d+(?:\.\d+)?)\s", title)
    return [int(n) for n in match.group(1).split(".")] if match else None


def test_index_title_and_chapters_in_course_order(page, site):
    page.goto(f"{site}/index.html")
    assert "d2l-ko-gluon" in page.title()
    assert page.locator("h1").first.inner_text().startswith("d2l-ko-gluon")
    links = sidebar_links(page)
    titles = [title for _, title in links]
    chapters = [numbers(t) for t in titles if numbers(t) and len(numbers(t)) == 1]
    assert chapters[:8] == [[n] for n in range(0, 8)], titles  # 0 is the table of contents
    assert any(href.startswith("07-appendix/7.2-d2l-index") for href, _ in links), "the d2l index page is missing"
    for href, _ in links:
        assert (HTML / href.split("#")[0]).exists(), href
    page.screenshot(path=str(SHOTS / "html-index.png"))
    assert page.outside == []


def test_sections_sorted_numerically_and_next_link(page, site):
    page.goto(page_url(site, "5.9-"))
    assert page.title().startswith("5.9 ")
    # Links to the pages of this chapter are relative to this folder (no "../").
    sections = [numbers(t) for href, t in sidebar_links(page) if not href.startswith("../")]
    chapter5 = [n for n in sections if n and n[0] == 5 and len(n) == 2]
    assert chapter5 == sorted(chapter5) and [5, 10] in chapter5 and chapter5.index([5, 10]) > chapter5.index([5, 9])
    next_link = page.locator("a.right-next")
    assert "5.10-" in next_link.get_attribute("href")
    next_link.click()
    page.wait_for_load_state()
    assert page.title().startswith("5.10 ")
    assert "5.9-" in page.locator("a.left-prev").get_attribute("href")


def test_formula_rendered_by_local_mathjax(page, site):
    page.goto(page_url(site, "5.1-"))
    page.wait_for_selector("mjx-container", state="attached")
    page.wait_for_function("document.querySelectorAll('mjx-container').length > 5")
    assert page.locator("mjx-container[display='true']").count() >= 1, "no display formula rendered"
    assert page.locator("script[src*='_static/mathjax/tex-mml-chtml.js']").count() == 1
    page.locator("mjx-container[display='true']").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "html-5.1-math.png"))
    assert page.outside == [], f"requests left the machine: {page.outside}"
    assert page.broken == [], f"missing files (MathJax loads extensions on demand): {page.broken}"


def test_plot_image_and_notebook_download(page, site):
    page.goto(page_url(site, "5.1-"))
    images = page.locator("div.cell_output img")
    assert images.count() >= 1, "no plot on the 5.1 page"
    plot = images.first
    plot.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=plot.element_handle())
    assert plot.get_attribute("src").endswith((".svg", ".png"))
    plot.screenshot(path=str(SHOTS / "html-5.1-plot.png"))
    download = page.locator("a[href$='.ipynb']")
    assert download.count() >= 1, "no link to download the notebook"
    response = page.request.get(f"{site}/{download.first.get_attribute('href').replace('../', '')}")
    assert response.ok and b'"cells"' in response.body()


@pytest.mark.parametrize("query, expected", [("선형", "5.1 "), ("회귀", "5.1 "), ("선형회귀", "5.1 "), ("퍼셉트론", "5.8 ")])
def test_korean_search(page, site, query, expected):
    page.goto(f"{site}/search.html?q={query}")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for()
    titles = results.locator("a").all_inner_texts()
    assert any(t.startswith(expected) for t in titles), titles
    if query == "선형":
        page.screenshot(path=str(SHOTS / "html-search.png"))


def test_korean_search_indexes_hangul_bigrams(built):
    sys.path.insert(0, str(ROOT / "build" / "book"))
    from korean_search import SearchKorean

    words = SearchKorean({}).split("선형회귀는 간단합니다 (MXNet)")
    assert {"선형회귀는", "선형", "회귀", "MXNet", "간단", "는간"} <= set(words)
    assert {"선형", "형회", "회귀"} <= set(SearchKorean({}).split("선형 회귀를 봅시다"))
    index = (HTML / "searchindex.js").read_text(encoding="utf-8")
    assert '"\\uc120\\ud615"' in index or '"선형"' in index  # the bigram 선형 is a term


# ---------------------------------------------------------------- PDF

def test_pdf_pages_and_korean_text(built):
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 100 <= pages <= 1500, pages
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True,
                          check=True).stdout
    for word in ("차례", "선형 회귀", "소프트맥스 회귀", "다층 퍼셉트론", "연습 문제", "d2l 패키지 색인"):
        assert word in text, f"{word!r} not in the PDF text"
    assert len(HANGUL.findall(text)) > 20000
    # Hangul in a font without Hangul glyphs would print boxes: xelatex logs each one.
    missing = [line for line in LATEX_LOG.read_text(errors="replace").splitlines()
               if line.startswith("Missing character") and HANGUL.search(line)]
    assert missing == [], missing[:5]
    fonts = subprocess.run(["pdffonts", str(PDF)], capture_output=True, text=True, check=True).stdout
    assert "NanumMyeongjo" in fonts and "DejaVuSansMono" in fonts


def test_pdf_pages_render(built):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    toc = next(i for i, p in enumerate(pages) if "차례" in p) + 1
    # The first page of section 5.1 after the table of contents, and a page with a plot.
    start = next(i for i, p in enumerate(pages) if i + 1 > toc + 2 and "5.1 선형 회귀" in p) + 1
    plot = next(i for i, p in enumerate(pages) if "여러 정규 분포의 밀도" in p) + 1
    for number, name in ((toc, "pdf-toc"), (start, "pdf-5_1"), (plot, "pdf-5_1-plot")):
        prefix = SHOTS / name
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", "-f", str(number), "-l", str(number),
                        str(PDF), str(prefix)], check=True)
        png = prefix.with_suffix(".png")
        assert png.stat().st_size > 10000, f"{png} looks empty"


def test_pdf_has_the_plots(built):
    """SVG plots reach the PDF (converted by rsvg-convert), not their "<Figure ...>" text."""
    tex = (OUT / "latex" / "d2l-ko-gluon.tex").read_text(encoding="utf-8")
    figures = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]+)\}(\.\w+)\}", tex)
    assert len(figures) >= 20, len(figures)
    assert all(ext == ".pdf" and (OUT / "latex" / (name + ext)).exists() for name, ext in figures)
    assert "<Figure size" not in tex


def test_book_requirements_are_exact_pins():
    from test_environment_files import read_requirements

    pins = read_requirements(ROOT / "requirements" / "book.txt")
    assert {"sphinx", "myst-nb", "sphinx-book-theme", "sphinxcontrib-svg2pdfconverter", "playwright"} <= set(pins)
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements/book.txt" in makefile


def test_solutions_are_left_out_unless_asked_for(tmp_path):
    for rel in ("05-x/5.1-a.ipynb", "05-x/5.10-b.ipynb", "05-x/5.9-c.ipynb", "solutions/05-x/5.1-a.ipynb"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    names = [str(p.relative_to(tmp_path)) for p in book_tool.executed_notebooks(tmp_path)]
    assert names == ["05-x/5.1-a.ipynb", "05-x/5.9-c.ipynb", "05-x/5.10-b.ipynb"]
    with_solutions = book_tool.executed_notebooks(tmp_path, with_solutions=True)
    assert str(with_solutions[-1].relative_to(tmp_path)) == "solutions/05-x/5.1-a.ipynb"
