"""JupyterLab in Korean, driven by a real browser (Debian ``chromium`` through Playwright).

The test starts JupyterLab from this environment (the one running pytest: ``.venv`` under
``make test``) the way ``make lab`` sets it up: kernel ``d2l-ko`` registered in the
environment and Korean as the default UI language (``build/lab.py --setup-only``). The
server listens on 127.0.0.1 on a free port with a random token, its root is a temporary copy
of ``notebooks/`` (committed files are never written), it shuts itself down when idle and is
always terminated by process id at the end. In the browser it runs every cell of a chapter 5
notebook from the Korean menu (실행 → 모든 셀 실행) and checks: no error output, plots drawn,
Hangul available to matplotlib (no missing-glyph warnings), the menu bar in Korean and the
kernel shown as "d2l-ko (MXNet 1.9.1)". It also opens the table of contents (where ``make lab``
starts) and follows a link, and answers an exercise self-check wrongly (틀림), then rightly
(맞음). Screenshots go to build/_out/screenshots/lab-*.png.

Needs ``/usr/bin/chromium`` (Debian ``chromium``; build/install_book_deps.sh installs it) and
the ``playwright`` package (requirements/book.txt; ``make test`` installs both with the book's
tools), and JupyterLab with the language pack (requirements/lab.txt). ``playwright install``
is not used. Under CI (``CI=true``) a missing piece is a failure; elsewhere the test skips
with the reason.
"""
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "build"))
import lab as lab_tool  # noqa: E402  (build/lab.py: the set-up `make lab` does)

CHROMIUM = Path(os.environ.get("D2L_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")
SCREENSHOTS = ROOT / "build" / "_out" / "screenshots"
NOTEBOOK = "05-deep-learning-basics/5.8-mlp.ipynb"  # plots, and fast in smoke mode
CONTENTS = "00-contents/0-contents.ipynb"  # where `make lab` opens
SELF_CHECK = "99-browser-test/99.1-self-check.ipynb"
EXERCISE_ID, ANSWER, HINT = "99.1-1", 42, "6 × 7"
SERVER_LIFETIME_S = 240  # hard limit: the server is killed after this long whatever happens
RUN_ALL_TIMEOUT_S = 120
ERROR_MIME = "application/vnd.jupyter.stderr"


def missing_prerequisites():
    reasons = []
    if not CHROMIUM.exists():
        reasons.append(f"{CHROMIUM} not found (Debian: apt-get install chromium, or build/install_book_deps.sh)")
    for module, package, where in [("playwright", "playwright", "book.txt"), ("jupyterlab", "jupyterlab", "lab.txt"),
                                   ("jupyterlab_language_pack_ko_KR", "jupyterlab-language-pack-ko-kr", "lab.txt")]:
        if importlib.util.find_spec(module) is None:
            reasons.append(f"{package} is not installed (pip install -r requirements/{where})")
    return reasons


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_course_kernel(path: Path) -> None:
    """Make a notebook name the course kernel, whatever the committed file says."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["kernelspec"] = {"name": lab_tool.KERNEL_NAME, "display_name": lab_tool.KERNEL_DISPLAY_NAME,
                                    "language": "python"}
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


def write_self_check_notebook(path: Path, answers: Path) -> None:
    """A small notebook with one self-check whose answer is registered in ``answers`` only."""
    def cell(kind, text):
        extra = {"outputs": [], "execution_count": None} if kind == "code" else {}
        return {"cell_type": kind, "metadata": {}, "source": text, **extra}

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        cell("markdown", "# 99.1 브라우저 테스트용 자가 점검"),
        cell("code", f"import d2l\nfrom pathlib import Path\nfrom d2l import exercise\n"
                     f"exercise.ANSWERS_DIR = Path({str(answers)!r})"),
        cell("code", f"my_answer = None\nd2l.exercise.check({EXERCISE_ID!r}, my_answer)"),
    ]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    use_course_kernel(path)


def write_user_settings(folder: Path) -> None:
    """Test-only JupyterLab user settings: no news pop-up, every cell kept in the page."""
    settings = {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }
    for name, values in settings.items():
        path = folder / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def stop(proc: subprocess.Popen) -> None:
    """Terminate the server (and its kernels, in its own process group) by process id."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # kernels left behind, if any
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    missing = missing_prerequisites()
    if missing:
        message = "browser test cannot run: " + "; ".join(missing)
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    lab_tool.setup()  # kernel d2l-ko and the ko_KR default in this environment, as `make lab` does
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "solutions"))
    for name in (CONTENTS, NOTEBOOK):
        use_course_kernel(root / name)
    from d2l import exercise

    answers = base / "answers"
    exercise.add(EXERCISE_ID, str(ANSWER), hint=HINT, folder=answers)
    write_self_check_notebook(root / SELF_CHECK, answers)
    env = dict(os.environ, D2L_SMOKE="1")
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                "JUPYTERLAB_WORKSPACES_DIR"):
        env[var] = str(base / var.lower())  # nothing from (or into) the user's own Jupyter folders
    write_user_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    if env.get("D2L_DATA_DIR"):
        env["D2L_DATA_DIR"] = os.pathsep.join(str(Path(p).resolve()) for p in env["D2L_DATA_DIR"].split(os.pathsep) if p)
    port, token = free_port(), secrets.token_hex(24)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--ServerApp.shutdown_no_activity_timeout=60",
               "--MappingKernelManager.cull_idle_timeout=120", "--MappingKernelManager.cull_interval=30"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    if shutil.which("timeout"):
        command = ["timeout", "-k", "10", str(SERVER_LIFETIME_S)] + command
    log_path = base / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                request = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
                urllib.request.urlopen(request, timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer in 60 s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
        yield {"url": url, "token": token, "root": root, "log": log_path, "started": time.monotonic()}
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ko-KR")
            page = context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def first_heading(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return next(line[2:].strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).splitlines() if line.startswith("# "))


def open_notebook(page, server, path):
    """Open a notebook in a fresh workspace (?reset); return its panel once its kernel is idle."""
    page.goto(f"{server['url']}/lab/tree/{path}?reset&token={server['token']}")
    title = page.locator(".jp-MarkdownOutput h1", has_text=first_heading(server["root"] / path))
    panel = page.locator(".jp-NotebookPanel").filter(has=title)
    panel.wait_for()
    # the kernel starts by the name in the notebook; its display name appears in the toolbar
    panel.locator(".jp-NotebookPanel-toolbar").get_by_text(lab_tool.KERNEL_DISPLAY_NAME).wait_for()
    wait_idle(page)
    return panel


def wait_idle(page, timeout_s=60):
    """Wait until the status bar shows the kernel as idle (대기)."""
    page.locator("#jp-main-statusbar").get_by_text("| 대기").wait_for(timeout=timeout_s * 1000)


PROMPTS_JS = """panel => {
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
  const errors = [...panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="%s"]')]
      .filter(o => /Traceback|Error/.test(o.textContent)).length;
  return {cells: prompts.length, done: prompts.filter(p => /^\\[\\d+\\]:$/.test(p)).length,
          running: prompts.filter(p => p.includes('*')).length, errors};
}""" % ERROR_MIME


def run_all_from_menu(page, panel):
    """실행 → 모든 셀 실행, then wait until every code cell ran (or one failed)."""
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="실행", exact=True).click()
    page.locator(".lm-Menu:visible .lm-Menu-item").filter(has=page.get_by_text("모든 셀 실행", exact=True)).click()
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
    handle = panel.element_handle()
    while True:
        state = page.evaluate(PROMPTS_JS, handle)
        if state["running"] == 0 and (state["done"] == state["cells"] or state["errors"]):
            return state
        assert time.monotonic() < deadline, f"cells still running after {RUN_ALL_TIMEOUT_S} s: {state}"
        time.sleep(0.5)


def outputs_text(panel, selector=".jp-OutputArea-output"):
    return [t for t in panel.locator(selector).all_inner_texts()]


def run_in_new_cell(page, panel, code):
    """Add a code cell at the end of the notebook, run it, return its output text."""
    panel.locator(".jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # insert a cell below (command mode)
    cell = panel.locator(".jp-Cell").nth(panel.locator(".jp-Cell").count() - 1)
    cell.locator(".cm-content").click()
    page.keyboard.insert_text(code)
    page.keyboard.press("Control+Enter")  # run, and stay on this cell
    output = cell.locator(".jp-OutputArea-output")
    output.first.wait_for(timeout=30_000)
    return cell, "\n".join(output.all_inner_texts()).strip()


def retype_and_run(page, cell, code, expect):
    """Replace a code cell's source, run it and wait for ``expect`` in its output."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)
    page.keyboard.press("Control+Enter")
    cell.locator(".jp-OutputArea-output").get_by_text(expect).wait_for(timeout=30_000)
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())


def test_contents_notebook_links_open_sections(server, page):
    panel = open_notebook(page, server, CONTENTS)
    state = run_all_from_menu(page, panel)
    assert state["done"] == state["cells"] and not state["errors"], state
    links = panel.locator(".jp-OutputArea-output a")
    assert links.count() >= 30, f"table of contents has {links.count()} links"
    links.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "lab-0-contents.png"))
    panel.locator(".jp-OutputArea-output a", has_text="5.8 다층 퍼셉트론").click()
    page.locator("#jp-main-dock-panel .lm-TabBar-tabLabel", has_text="5.8-mlp.ipynb").wait_for()


def test_chapter5_notebook_runs_in_korean_lab(server, page):
    start = time.monotonic()
    panel = open_notebook(page, server, NOTEBOOK)
    menus = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()
    assert {"파일", "편집", "실행", "커널"} <= set(menus), f"menu bar is not Korean: {menus}"
    page.screenshot(path=str(SCREENSHOTS / "lab-1-opened.png"))

    state = run_all_from_menu(page, panel)
    wait_idle(page)
    errors = [t for t in outputs_text(panel, f'.jp-OutputArea-output[data-mime-type="{ERROR_MIME}"]')
              if "Traceback" in t or "Error" in t]
    assert not errors, f"error output in {NOTEBOOK}:\n" + "\n".join(errors)[-3000:]
    assert state["done"] == state["cells"], state
    texts = outputs_text(panel)
    glyphs = [t for t in texts if "Glyph" in t or "missing from font" in t]
    assert not glyphs, f"matplotlib could not draw some characters: {glyphs}"
    plots = panel.locator(".jp-OutputArea-output img, .jp-OutputArea-output svg")
    assert plots.count() >= 1, "no plot in the outputs"
    plot_output = panel.locator('.jp-OutputArea-output[data-mime-type^="image/"]').first
    plot_output.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "lab-2-plot.png"))
    plot_output.screenshot(path=str(SCREENSHOTS / "lab-3-plot-closeup.png"))

    _, font = run_in_new_cell(page, panel, "print('korean font:', d2l.plot.korean_font)")
    assert font.startswith("korean font:") and "None" not in font, font
    toolbar = panel.locator(".jp-NotebookPanel-toolbar").inner_text()
    assert lab_tool.KERNEL_DISPLAY_NAME in toolbar, toolbar
    print(f"{NOTEBOOK}: {state['cells']} cells, {plots.count()} plots, {font}; "
          f"{time.monotonic() - start:.1f} s in the browser")


def test_exercise_self_check_says_wrong_then_right(server, page):
    panel = open_notebook(page, server, SELF_CHECK)
    state = run_all_from_menu(page, panel)
    assert state["done"] == state["cells"] == 2 and not state["errors"], state
    check_cell = panel.locator(".jp-CodeCell").nth(1)
    check_cell.locator(".jp-OutputArea-output").get_by_text("답을 적은 뒤").wait_for()
    check = f"d2l.exercise.check({EXERCISE_ID!r}, my_answer)"
    wrong = retype_and_run(page, check_cell, f"my_answer = {ANSWER - 1}\n{check}", "틀림")
    assert HINT in wrong and str(ANSWER) not in wrong.replace(EXERCISE_ID, ""), wrong
    page.screenshot(path=str(SCREENSHOTS / "lab-4-self-check-wrong.png"))
    right = retype_and_run(page, check_cell, f"my_answer = {ANSWER}\n{check}", "맞음")
    assert "맞음" in right, right
    page.screenshot(path=str(SCREENSHOTS / "lab-5-self-check-right.png"))
    print(f"browser test total {time.monotonic() - server['started']:.1f} s after the server answered")
