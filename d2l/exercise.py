"""Self-checks for the exercises at the end of each notebook.

A learner calls ``d2l.exercise.check('5.6-1', my_answer)`` and is told 맞음 (right) or 틀림
(wrong) with a hint; the answer itself is never printed. Answers live in
``d2l/exercise_answers/chNN.json`` (one file per chapter), not in the notebooks, and never in plain text: exact answers
(integers, strings, shapes, booleans) as a salted SHA-256 digest, numbers with a tolerance
as an encoded value. Worked solutions in ``notebooks/solutions/`` call the same checks, so a
wrong stored answer fails the tests.

Authors register an answer with ``python build/add_exercise.py ID VALUE [--tol T] --hint TEXT``.
Introduced in notebook 2 (how to use this course).
"""
import base64
import hashlib
import json
import math
import struct
from pathlib import Path
from typing import Any, Dict, Optional

ANSWERS_DIR = Path(__file__).with_name("exercise_answers")


def _canonical(value: Any) -> str:
    """One text form per answer: 3 == 3.0 == '3', (2, 3) == [2, 3], NDArray/ndarray by value."""
    if hasattr(value, "asnumpy"):
        value = value.asnumpy()
    if hasattr(value, "tolist"):
        value = value.item() if getattr(value, "size", 0) == 1 else value.tolist()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    return str(value).strip()


def _digest(exercise_id: str, value: Any) -> str:
    return hashlib.sha256(f"{exercise_id}|{_canonical(value)}".encode("utf-8")).hexdigest()


def _key(exercise_id: str) -> bytes:
    return hashlib.sha256(exercise_id.encode("utf-8")).digest()[:8]


def _encode(exercise_id: str, number: float) -> str:
    raw = struct.pack(">d", float(number))
    return base64.b64encode(bytes(a ^ b for a, b in zip(raw, _key(exercise_id)))).decode("ascii")


def _decode(exercise_id: str, text: str) -> float:
    raw = bytes(a ^ b for a, b in zip(base64.b64decode(text), _key(exercise_id)))
    return struct.unpack(">d", raw)[0]


def load_answers(folder: Optional[Path] = None) -> Dict[str, Dict[str, Any]]:
    """The answer registry: ``{exercise id: {"digest" or "encoded"+"tol", "hint"}}``."""
    answers = {}
    for path in sorted(Path(folder or ANSWERS_DIR).glob("ch*.json")):
        answers.update(json.loads(path.read_text(encoding="utf-8")))
    return answers


def is_correct(exercise_id: str, answer: Any, answers: Optional[Dict[str, Dict[str, Any]]] = None) -> bool:
    """True when ``answer`` is right for ``exercise_id`` (KeyError for an unknown id)."""
    answers = load_answers() if answers is None else answers
    if exercise_id not in answers:
        known = ", ".join(sorted(answers)) or "none"
        raise KeyError(f"no self-check for exercise {exercise_id!r}; known: {known}")
    entry = answers[exercise_id]
    if "encoded" in entry:
        try:
            value = float(answer.asscalar() if hasattr(answer, "asscalar") else answer)
        except (TypeError, ValueError):
            return False
        return math.isfinite(value) and abs(value - _decode(exercise_id, entry["encoded"])) <= entry["tol"]
    return _digest(exercise_id, answer) == entry["digest"]


def check(exercise_id: str, answer: Any) -> bool:
    """Tell the learner whether ``answer`` is right (맞음) or not (틀림, with a hint).

    ``None`` (the placeholder in the notebooks) only asks for an answer.
    """
    if answer is None:
        is_correct(exercise_id, 0)  # fails early on an unknown id
        print(f"{exercise_id}: 답을 적은 뒤 이 셀을 다시 실행하세요.")
        return False
    ok = is_correct(exercise_id, answer)
    if ok:
        print(f"{exercise_id}: 맞음! 잘했습니다.")
    else:
        hint = load_answers()[exercise_id].get("hint", "")
        print(f"{exercise_id}: 틀림. 힌트: {hint}" if hint else f"{exercise_id}: 틀림. 다시 생각해 보세요.")
    return ok


def add(exercise_id: str, value: str, hint: str, tol: Optional[float] = None,
        folder: Optional[Path] = None) -> Dict[str, Any]:
    """Register (or replace) an answer in its chapter's file. ``value`` is parsed as JSON when
    it can be (3, 0.25, [2, 3], true), else kept as a string; with ``tol`` it must be a number."""
    chapter = exercise_id.split(".")[0].split("-")[0]
    if not chapter.isdigit():
        raise ValueError(f"exercise ids look like '5.6-1' (section-number), not {exercise_id!r}")
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    if tol is not None:
        if not isinstance(parsed, (int, float)) or isinstance(parsed, bool) or tol <= 0:
            raise ValueError("--tol needs a numeric answer and a positive tolerance")
        entry = {"encoded": _encode(exercise_id, parsed), "tol": tol, "hint": hint}
    else:
        entry = {"digest": _digest(exercise_id, parsed), "hint": hint}
    path = Path(folder or ANSWERS_DIR) / f"ch{int(chapter):02d}.json"
    answers = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    answers[exercise_id] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(answers.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return entry
