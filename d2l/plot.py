"""Figures: SVG display in Jupyter, figure size, and a font that renders Hangul.

Introduced in notebook 4.6 (probability), where the first plot of the course is drawn.
Importing :mod:`d2l` configures matplotlib once: it registers a Korean-capable font
(NanumGothic bundled with the ``koreanize-matplotlib`` wheel, else a system CJK font such
as Debian ``fonts-nanum`` / ``fonts-noto-cjk``) and makes it the default family, so titles
and axis labels in Korean never render as boxes. Without any such font it warns once.
"""
import importlib.util
import os
import warnings
from typing import Iterable, Optional, Tuple

import matplotlib

from matplotlib import font_manager
from matplotlib import pyplot as plt  # re-exported as d2l.plt

# Families tried in order when no bundled font is available.
SYSTEM_KOREAN_FAMILIES = ["NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR",
                          "Noto Sans CJK JP", "UnDotum", "Baekmuk Gulim", "AppleGothic", "Malgun Gothic"]
_HANGUL_PROBE = "한글"

korean_font: Optional[str] = None  # family name in use, or None when Hangul cannot be drawn


def _bundled_font_files() -> Iterable[str]:
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or spec.origin is None:
        return []
    folder = os.path.join(os.path.dirname(spec.origin), "fonts")
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".ttf"))


def font_has_hangul(path: str) -> bool:
    """True when the font file at ``path`` has glyphs for Hangul syllables."""
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(path).get_charmap()
    return all(ord(ch) in charmap for ch in _HANGUL_PROBE)


def with_minus_sign(path: str) -> str:
    """Return a copy of the font at ``path`` whose U+2212 MINUS SIGN shows its hyphen glyph.

    Matplotlib's math text (log-axis ticks such as 10^-4, ``$x - y$``) always draws U+2212,
    which NanumGothic lacks, so those minus signs would be boxes. The patched copy is made
    once and kept in matplotlib's cache folder; fonts that have the glyph are used as they are.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    cmap = font.getBestCmap()
    if 0x2212 in cmap or 0x2D not in cmap:
        return path
    stat = os.stat(path)
    folder = os.path.join(matplotlib.get_cachedir(), "d2l-fonts")
    target = os.path.join(folder, f"{stat.st_size}-{int(stat.st_mtime)}-{os.path.basename(path)}")
    if not os.path.exists(target):
        font = TTFont(path)
        for table in font["cmap"].tables:
            if table.isUnicode() and 0x2D in table.cmap:
                table.cmap[0x2212] = table.cmap[0x2D]
        os.makedirs(folder, exist_ok=True)
        partial = f"{target}.{os.getpid()}.part"
        font.save(partial)
        os.replace(partial, target)
    return target


def configure_korean_font() -> Optional[str]:
    """Register and select a Hangul-capable font; return its family name (None if none).

    A font added with ``font_manager.addfont`` is not cached between sessions, so this runs
    at every import of :mod:`d2l`.
    """
    global korean_font
    family = None
    for path in _bundled_font_files():
        if font_has_hangul(path):
            font_manager.fontManager.addfont(with_minus_sign(path))
            family = family or font_manager.FontProperties(fname=path).get_name()
    if family is None:
        installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
        for candidate in SYSTEM_KOREAN_FAMILIES:
            if candidate in installed and font_has_hangul(installed[candidate]):
                original = installed[candidate]
                patched = with_minus_sign(original)
                if patched != original:  # use the patched copy in place of the original
                    manager = font_manager.fontManager
                    manager.ttflist = [f for f in manager.ttflist if f.fname != original]
                    manager.addfont(patched)
                family = candidate
                break
    if family is None:
        warnings.warn(
            "No Korean font found: Hangul in plots will show as boxes. Install the course "
            "requirements (koreanize-matplotlib) or a system font such as fonts-nanum. / 한글 "
            "글꼴이 없어 그림의 한글이 네모로 보입니다.",
            RuntimeWarning,
            stacklevel=2,
        )
    else:
        matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]
    # With a CJK font, the Unicode minus sign is often missing: draw a hyphen instead.
    matplotlib.rcParams["axes.unicode_minus"] = False
    korean_font = family
    return family


def use_svg_display() -> None:
    """Show figures as SVG in Jupyter (sharp at any zoom, and no PNG in saved notebooks)."""
    try:
        from matplotlib_inline import backend_inline
    except ImportError:  # plain Python: nothing to configure
        return
    backend_inline.set_matplotlib_formats("svg")


def set_figsize(figsize: Tuple[float, float] = (3.5, 2.5)) -> None:
    """Use SVG display and set the default figure size in inches (width, height)."""
    if len(figsize) != 2 or min(figsize) <= 0:
        raise ValueError(f"figsize must be two positive numbers, got {figsize!r}")
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


def semilogy(x_vals, y_vals, x_label, y_label, x2_vals=None, y2_vals=None,
             legend=None, figsize=(3.5, 2.5)):
    """Plot ``y_vals`` against ``x_vals`` with a log-scale y axis, optionally a second dotted curve.

    Introduced in notebook 5.11 (model selection) for training and test loss curves.
    """
    if (x2_vals is None) != (y2_vals is None):
        raise ValueError("give both x2_vals and y2_vals, or neither")
    set_figsize(figsize)
    plt.xlabel(x_label)
    plt.ylabel(y_label)
    plt.semilogy(x_vals, y_vals)
    if x2_vals is not None:
        plt.semilogy(x2_vals, y2_vals, linestyle=":")
    if legend:
        plt.legend(legend)


configure_korean_font()
