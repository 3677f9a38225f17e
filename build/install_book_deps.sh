#!/usr/bin/env bash
# System tools for the book (build/book.py) and its tests, installed only when missing:
#   xelatex + kotex + latexmk + Nanum fonts  (PDF), rsvg-convert (SVG figures in the PDF),
#   chromium (browser test), pdftotext/pdftoppm (PDF test), MathJax 3 via npm (offline math).
# Debian/Ubuntu: apt-get as root. Anything else: install the same tools yourself; this script
# then finds them and does nothing. Exit status 1 with the list of what is missing otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
DEPS=build/_deps            # ignored; holds node_modules/mathjax

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need xelatex texlive-xetex
need latexmk latexmk
need rsvg-convert librsvg2-bin
need pdftotext poppler-utils
need pdftoppm poppler-utils
need chromium chromium
need npm npm
kpsewhich kotex.sty >/dev/null 2>&1 || missing+=(texlive-lang-korean)
kpsewhich fncychap.sty >/dev/null 2>&1 || missing+=(texlive-latex-extra)
kpsewhich pzdr.tfm >/dev/null 2>&1 || missing+=(texlive-fonts-recommended)  # hyperref (xetex)
fc-list 2>/dev/null | grep -q NanumMyeongjo || missing+=(fonts-nanum)
fc-list 2>/dev/null | grep -q "DejaVu Sans Mono" || missing+=(fonts-dejavu-core)
# shellcheck disable=SC2207
missing=($(printf '%s\n' "${missing[@]:-}" | sort -u | grep -v '^$' || true))

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "The book needs these system packages (Debian names): ${missing[*]}" >&2
    echo "Install them as root:  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing system packages for the book: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  }
fi

MATHJAX_VERSION=3.2.2
if [ ! -f "$DEPS/node_modules/mathjax/es5/tex-mml-chtml.js" ]; then
  echo "Installing MathJax $MATHJAX_VERSION into $DEPS (served locally by the HTML book)"
  mkdir -p "$DEPS"
  npm install --prefix "$DEPS" --no-save --no-audit --no-fund --loglevel=error "mathjax@$MATHJAX_VERSION"
fi
