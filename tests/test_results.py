import json

import pytest

import d2l
from d2l import results


def test_prints_both_figures(monkeypatch, capsys):
    monkeypatch.setenv("D2L_SMOKE", "0")
    assert d2l.compare_with_book("test acc", 0.846, 0.843, tol=0.02) is True
    assert capsys.readouterr().out.startswith("test acc: book 0.843 | here 0.846")


def test_full_mode_asserts(monkeypatch):
    monkeypatch.setenv("D2L_SMOKE", "0")
    with pytest.raises(AssertionError, match="not within"):
        d2l.compare_with_book("acc", 0.70, 0.843, tol=0.02)
    with pytest.raises(AssertionError):
        d2l.compare_with_book("loss", 0.01, 0.00005, factor=10)
    assert d2l.compare_with_book("loss", 0.0002, 0.00005, factor=10)


def test_smoke_mode_only_reports(monkeypatch, capsys):
    monkeypatch.setenv("D2L_SMOKE", "1")
    assert d2l.compare_with_book("acc", 0.5, 0.843, tol=0.02) is False
    assert "OFF, smoke mode" in capsys.readouterr().out


def test_bad_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        d2l.compare_with_book("x", 1, 1)
    with pytest.raises(ValueError, match="factor"):
        d2l.compare_with_book("x", 1, 1, factor=0.5)


def test_records_for_the_results_table(monkeypatch, tmp_path):
    monkeypatch.setenv("D2L_SMOKE", "0")
    monkeypatch.setenv(results.RESULTS_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(results.NOTEBOOK_ENV, "05-x/5.6-softmax")
    d2l.compare_with_book("acc", 0.84, 0.843, tol=0.02)
    d2l.compare_with_book("acc", 0.845, 0.843, tol=0.02)  # a rerun replaces the row
    rows = json.loads((tmp_path / "05-x__5.6-softmax.json").read_text())
    assert rows == [{"notebook": "05-x/5.6-softmax", "name": "acc", "book": 0.843, "here": 0.845,
                     "tolerance": "+-0.02", "ok": True, "mode": "full"}]
