"""Register an exercise answer for ``d2l.exercise.check`` (stored hashed/encoded, never plain).

    python build/add_exercise.py 5.6-1 0.25 --tol 1e-3 --hint "exp(50)은 float32로 얼마일까요?"
    python build/add_exercise.py 4.3-2 "[2, 3]" --hint "브로드캐스팅 뒤의 형상"
"""
import argparse
import sys

from d2l import exercise


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("exercise_id", help="section-number, e.g. 5.6-1")
    parser.add_argument("value", help="the answer, as JSON (3, 0.25, [2, 3], true) or plain text")
    parser.add_argument("--tol", type=float, help="accept numbers within this distance")
    parser.add_argument("--hint", required=True, help="shown (in Korean) when an answer is wrong")
    args = parser.parse_args(argv)
    exercise.add(args.exercise_id, args.value, args.hint, args.tol)
    print(f"registered {args.exercise_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
