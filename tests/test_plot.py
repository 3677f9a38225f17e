import warnings

import matplotlib
import pytest

import d2l
from d2l import plot


def test_a_korean_font_is_selected():
    assert plot.korean_font is not None
    assert matplotlib.rcParams["font.family"][0] == plot.korean_font
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_hangul_renders_without_missing_glyphs():
    fig, ax = d2l.plt.subplots()
    ax.set_title("손실 함수의 변화")
    ax.set_xlabel("에포크")
    ax.plot([-1, 0, 1], [1, 0, 1], label="훈련 손실")
    ax.legend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise here
        fig.canvas.draw()
    d2l.plt.close(fig)


def test_font_probe_tells_fonts_apart():
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    assert plot.font_has_hangul(dejavu) is False
    korean = font_manager.findfont(plot.korean_font)
    assert plot.font_has_hangul(korean) is True


def test_without_any_korean_font_it_warns(monkeypatch):
    monkeypatch.setattr(plot, "_bundled_font_files", lambda: [])
    monkeypatch.setattr(plot, "SYSTEM_KOREAN_FAMILIES", [])
    try:
        with pytest.warns(RuntimeWarning, match="No Korean font"):
            assert plot.configure_korean_font() is None
    finally:
        monkeypatch.undo()
        plot.configure_korean_font()
    assert plot.korean_font is not None


def test_set_figsize():
    d2l.set_figsize((4, 3))
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (4, 3)
    with pytest.raises(ValueError, match="figsize"):
        d2l.set_figsize((4, -1))
