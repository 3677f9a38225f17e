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


def test_minus_signs_in_math_text_and_log_ticks(caplog):
    """Math text draws U+2212, which NanumGothic lacks: d2l registers a patched copy."""
    fig, ax = d2l.plt.subplots()
    ax.semilogy([1, 2, 3], [1e-4, 1e-2, 1])
    ax.set_title("$x_2 - \\alpha$일 때의 손실")
    with caplog.at_level("WARNING"):
        fig.canvas.draw()
    d2l.plt.close(fig)
    assert not [r for r in caplog.records if "does not have a glyph" in r.getMessage()]


def test_with_minus_sign_patches_only_fonts_that_lack_it(tmp_path):
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    assert plot.with_minus_sign(dejavu) == dejavu
    bundled = [p for p in plot._bundled_font_files() if p.endswith("NanumGothic.ttf")]
    if bundled:
        patched = plot.with_minus_sign(bundled[0])
        assert patched != bundled[0]
        assert 0x2212 in TTFont(patched).getBestCmap()
        assert plot.with_minus_sign(bundled[0]) == patched  # cached


def test_semilogy_draws_both_curves_on_a_log_axis():
    d2l.plt.close("all")
    d2l.semilogy([1, 2, 3], [1.0, 0.1, 0.01], "에포크", "손실", [1, 2, 3], [2.0, 0.5, 0.3], ["훈련", "테스트"])
    ax = d2l.plt.gca()
    assert ax.get_yscale() == "log"
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", ":"]
    assert ax.get_xlabel() == "에포크" and ax.get_ylabel() == "손실"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["훈련", "테스트"]
    d2l.plt.close("all")
    with pytest.raises(ValueError, match="both x2_vals and y2_vals"):
        d2l.semilogy([1], [1], "x", "y", x2_vals=[1])
