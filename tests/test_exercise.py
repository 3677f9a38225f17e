"""Exercise self-checks: right/wrong with a hint, answers never stored in plain text."""
import json

import numpy as np
import pytest
from mxnet import nd

from d2l import exercise


@pytest.fixture
def registry(tmp_path, monkeypatch):
    monkeypatch.setattr(exercise, "ANSWERS_DIR", tmp_path)
    exercise.add("9.1-1", "[2, 3]", hint="형상을 확인하세요")
    exercise.add("9.1-2", "0.1054", hint="-log(0.9)", tol=1e-3)
    exercise.add("9.1-3", "true", hint="참/거짓")
    exercise.add("9.1-4", "relu", hint="활성화 함수 이름")
    exercise.add("10.2-1", "7", hint="다른 장")
    return tmp_path


def test_exact_answers_in_any_natural_form(registry):
    assert exercise.is_correct("9.1-1", (2, 3))
    assert exercise.is_correct("9.1-1", [2, 3])
    assert exercise.is_correct("9.1-1", nd.zeros((2, 3)).shape)
    assert exercise.is_correct("9.1-1", np.array([2, 3]))
    assert not exercise.is_correct("9.1-1", (3, 2))
    assert exercise.is_correct("9.1-3", True) and not exercise.is_correct("9.1-3", False)
    assert exercise.is_correct("9.1-4", " relu ")
    assert exercise.is_correct("10.2-1", nd.array([3, 4]).sum())  # a one-element NDArray counts as its value


def test_numbers_within_tolerance(registry):
    assert exercise.is_correct("9.1-2", 0.10536)
    assert exercise.is_correct("9.1-2", nd.array([0.1050]))
    assert not exercise.is_correct("9.1-2", 0.11)
    assert not exercise.is_correct("9.1-2", "not a number")
    assert not exercise.is_correct("9.1-2", float("nan"))


def test_check_says_right_or_wrong_without_the_answer(registry, capsys):
    assert exercise.check("9.1-2", 0.1054) is True
    assert "맞음" in capsys.readouterr().out
    assert exercise.check("9.1-2", 0.5) is False
    out = capsys.readouterr().out
    assert "틀림" in out and "-log(0.9)" in out and "0.1054" not in out


def test_answers_are_not_stored_in_plain_text(registry):
    text = (registry / "ch09.json").read_text()
    assert "0.1054" not in text and "relu" not in text and "[2, 3]" not in text
    assert set(json.loads(text)) == {"9.1-1", "9.1-2", "9.1-3", "9.1-4"}
    assert set(json.loads((registry / "ch10.json").read_text())) == {"10.2-1"}
    assert exercise.is_correct("10.2-1", 7)


def test_placeholder_asks_for_an_answer(registry, capsys):
    assert exercise.check("9.1-1", None) is False
    assert "답을 적은 뒤" in capsys.readouterr().out


def test_unknown_exercise_and_bad_registration(registry):
    with pytest.raises(KeyError, match="9.1-9"):
        exercise.is_correct("9.1-9", 1)
    with pytest.raises(ValueError, match="--tol"):
        exercise.add("9.1-5", "abc", hint="", tol=0.1)
    with pytest.raises(ValueError, match="section-number"):
        exercise.add("intro-1", "1", hint="")
    with pytest.raises(KeyError):
        exercise.check("9.1-9", None)


def test_registered_answers_are_all_exercised_by_solutions():
    """Every stored answer is confirmed by a worked solution notebook (a wrong one fails CI)."""
    from conftest import ROOT

    answers = exercise.load_answers()
    solutions = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "notebooks" / "solutions").rglob("*.ipynb"))
    missing = [eid for eid in answers if f"check('{eid}'" not in solutions and f'check(\\"{eid}\\"' not in solutions]
    assert not missing, f"answers without a worked solution calling the check: {missing}"
