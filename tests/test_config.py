import pytest

import d2l


@pytest.mark.parametrize("value, expected", [("", False), ("0", False), ("false", False),
                                             ("1", True), ("true", True), ("YES", True)])
def test_smoke_mode_reads_the_variable(monkeypatch, value, expected):
    monkeypatch.setenv("D2L_SMOKE", value)
    assert d2l.smoke_mode() is expected
    assert d2l.smoke(10, 1) == (1 if expected else 10)


def test_smoke_mode_defaults_to_full(monkeypatch):
    monkeypatch.delenv("D2L_SMOKE", raising=False)
    assert d2l.smoke_mode() is False


def test_unknown_value_is_an_error(monkeypatch):
    monkeypatch.setenv("D2L_SMOKE", "maybe")
    with pytest.raises(ValueError, match="D2L_SMOKE"):
        d2l.smoke_mode()
