"""JupyterLab (or Jupyter Notebook 7) in Korean, opened on the course's table of contents.

    python build/lab.py [--classic] [--setup-only] [JUPYTER OPTIONS ...]

Run it with the course environment's python (``make lab`` and ``make notebook`` do). It

1. registers that python as the Jupyter kernel ``d2l-ko`` ("d2l-ko (MXNet 1.9.1)") inside the
   environment (``ipykernel install --sys-prefix``), so notebooks run with the course's MXNet
   and ``d2l`` whichever Jupyter opens them;
2. makes Korean (``ko_KR``, from ``jupyterlab-language-pack-ko-kr``) the default UI language
   through the environment's settings overrides (``<app dir>/settings/overrides.json``; other
   overrides there are kept). A learner's own choice (설정 → 언어) still wins;
3. starts JupyterLab (``--classic``: Jupyter Notebook 7) with ``notebooks/`` as its root,
   opened on ``00-contents/0-contents.ipynb``. Extra options go to Jupyter unchanged
   (e.g. ``--no-browser --port 8899``).

Relative ``D2L_DATA_DIR`` entries are made absolute first, because kernels run in each
notebook's own folder. ``--setup-only`` does steps 1-2 and exits (the browser test uses it).
"""
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CONTENTS = Path("00-contents") / "0-contents.ipynb"
KERNEL_NAME = "d2l-ko"
KERNEL_DISPLAY_NAME = "d2l-ko (MXNet 1.9.1)"
LOCALE = "ko_KR"
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"


def register_kernel() -> Path:
    """Install this python as kernel ``d2l-ko`` in the environment; return the spec's folder."""
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL_NAME,
                    "--display-name", KERNEL_DISPLAY_NAME], check=True, stdout=subprocess.DEVNULL)
    return Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME


def overrides_path() -> Path:
    """The settings overrides file that JupyterLab and Notebook 7 read in this environment."""
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir()) / "settings" / "overrides.json"


def set_default_locale(locale: str = LOCALE) -> Path:
    """Make ``locale`` the default UI language, keeping any other overrides in the file."""
    path = overrides_path()
    overrides = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    overrides.setdefault(TRANSLATION_PLUGIN, {})["locale"] = locale
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(overrides, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def check_language_pack() -> None:
    """Fail with the fix when the Korean language pack is not installed."""
    import importlib.util

    if importlib.util.find_spec("jupyterlab_language_pack_ko_KR") is None:
        sys.exit("The Korean language pack is missing: pip install -r requirements/lab.txt (make lab does it).")


def setup() -> None:
    check_language_pack()
    spec = register_kernel()
    path = set_default_locale()
    print(f"kernel '{KERNEL_NAME}' ({KERNEL_DISPLAY_NAME}) registered in {spec}")
    print(f"default UI language {LOCALE} set in {path}")


def absolutize_data_dirs() -> None:
    value = os.environ.get("D2L_DATA_DIR")
    if value:
        os.environ["D2L_DATA_DIR"] = os.pathsep.join(str(Path(p).resolve()) for p in value.split(os.pathsep) if p)


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    classic = "--classic" in args
    setup_only = "--setup-only" in args
    args = [a for a in args if a not in ("--classic", "--setup-only")]
    if any(a in ("-h", "--help") for a in args):
        print(__doc__)
        return 0
    setup()
    if setup_only:
        return 0
    absolutize_data_dirs()
    app = "notebook" if classic else "lab"
    command = [sys.executable, "-m", "jupyter", app, f"--ServerApp.root_dir={NOTEBOOKS}",
               str(NOTEBOOKS / CONTENTS), *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        command.append("--allow-root")  # containers often run as root; Jupyter refuses otherwise
    page = ("/notebooks/" if classic else "/lab/tree/") + CONTENTS.as_posix()
    print(f"Starting Jupyter {'Notebook' if classic else 'Lab'} on {CONTENTS} (stop with Ctrl+C); "
          f"without a browser, open {page} on the server URL printed below.", flush=True)
    os.chdir(NOTEBOOKS)
    os.execv(sys.executable, command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
