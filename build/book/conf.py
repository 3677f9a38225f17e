"""Sphinx configuration of the course book (HTML and PDF).

build/book.py copies this folder's files next to the executed notebooks in a staging folder
and runs sphinx-build there; do not run Sphinx on this folder directly. The notebooks are
executed beforehand by build/nbtool.py, so nothing is executed here.
"""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

project = "d2l-ko-gluon"
book_title = "d2l-ko-gluon: MXNet Gluon으로 배우는 딥러닝"
author = "d2l-ko-gluon 기여자"
copyright = "d2l-ko-gluon contributors"
language = "ko"
smoke = os.environ.get("D2L_BOOK_MODE") == "smoke"

extensions = [
    "myst_nb",
    "sphinxcontrib.rsvgconverter",  # SVG plots -> PDF for LaTeX (rsvg-convert, librsvg2-bin)
    "korean_search",                # Korean full-text search (Hangul bigrams)
]
with open(os.path.join(HERE, "korean_search.py"), "rb") as source:
    korean_search_version = hashlib.sha256(source.read()).hexdigest()
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

# Notebooks: outputs come from build/nbtool.py, never executed by Sphinx.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True  # "$$...$$" inside a paragraph or list item, as Jupyter allows
myst_heading_anchors = 3
# Plots are SVG only (d2l.set_figsize): let LaTeX take them too (converted to PDF by
# sphinxcontrib.rsvgconverter) instead of falling back to "<Figure size ...>".
nb_mime_priority_overrides = [
    ("latex", "image/svg+xml", 15),
    ("latex", "image/png", 20),
    ("latex", "text/html", None),
]

# HTML: sphinx-book-theme, MathJax 3 served from _static (works offline and from file://).
html_theme = "sphinx_book_theme"
html_title = book_title + (" (스모크 모드)" if smoke else "")
html_static_path = ["_static"]
html_css_files = ["book.css"]
mathjax_path = "mathjax/tex-mml-chtml.js"
html_search_language = "ko"
html_copy_source = True
html_last_updated_fmt = None
html_theme_options = {
    "use_download_button": True,     # this page's .ipynb (with outputs) and print-to-PDF
    "use_fullscreen_button": True,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
}

# PDF: xelatex + kotex with Nanum fonts. DejaVu Sans Mono for code: NanumGothicCoding has
# no U+2423 (the visible space Sphinx puts where it wraps a long code line).
latex_engine = "xelatex"
latex_documents = [("index", "d2l-ko-gluon.tex", book_title, author, "manual")]
latex_show_urls = "no"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    "polyglossia": "",
    "babel": "",
    "fontpkg": r"""
\setmainfont{DejaVu Serif}
\setsansfont{DejaVu Sans}
\setmonofont{DejaVu Sans Mono}[Scale=0.85]
""",
    "preamble": r"""
\usepackage{kotex}
\setmainhangulfont{NanumMyeongjo}
\setsanshangulfont{NanumGothic}
\setmonohangulfont{NanumGothicCoding}
\renewcommand{\contentsname}{차례}
\usepackage{newunicodechar}
\newunicodechar{⋮}{\ensuremath{\vdots}}
""",
    # The notebooks number their own headings ("# 4.3 NDArray 다루기"), so LaTeX must not.
    "secnumdepth": r"\setcounter{secnumdepth}{-1}",
    "fncychap": r"\usepackage[Bjarne]{fncychap}",
    "printindex": "",
    "sphinxsetup": "verbatimwrapslines=true",
}
