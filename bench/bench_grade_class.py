"""`cnnquiz grade` on a class of 1,000 students × 20 parts with a realistic answer mix.

The key is a real build's (personal variants of nine templates, 20 parts); the answers are drawn
with a fixed seed: mostly correct (some in other notations), known misconceptions, other wrong
values, blanks and garbage, plus a few unknown ids, duplicates and students with no row.
The time is the median of a few runs of the command in a fresh process (startup included).

Run: .venv/bin/python bench/bench_grade_class.py
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import median_seconds, print_table  # noqa: E402

from exercises.bank import load_bank  # noqa: E402
from exercises.build import make_key  # noqa: E402
from exercises.roster import Student  # noqa: E402
from exercises.variant import make_variant  # noqa: E402
from grader.keyfile import KeyPart, write_key  # noqa: E402

STUDENTS = 1_000
BIN = Path(sys.executable).parent / "cnnquiz"
BANK = """\
course: "Benchmark"
salt: "bench-salt"
quizzes:
  bench:
    title: "Benchmark quiz"
    questions:
      - {template: conv1d}
      - {template: toeplitz}
      - {template: toeplitz2d}
      - {template: equivariance}
      - {template: output-size}
      - {template: same-padding}
      - {template: pooling}
      - {template: receptive-field}
      - {template: sparsity}
"""
# answer mix per part: correct, correct in another notation, misconception, other wrong, blank, garbage
MIX = {"correct": 0.55, "notation": 0.10, "misconception": 0.15, "wrong": 0.08, "blank": 0.07, "garbage": 0.05}


def answer_text(part: KeyPart, how: str, rng: np.random.Generator) -> str:
    answer = part.answer
    value = answer.expected_json()
    if how == "notation" and isinstance(value, list):
        rows = value if value and isinstance(value[0], list) else [value]
        return "; ".join(" ".join(str(v) for v in row) for row in rows).replace("-", "\u2212")
    if how == "misconception" and answer.misconceptions:
        return answer.to_text(answer.misconceptions[int(rng.integers(len(answer.misconceptions)))].value)
    if how in ("misconception", "wrong") and isinstance(value, int):
        return str(value + int(rng.integers(1, 4)))
    if how in ("misconception", "wrong") and isinstance(value, list) and value and not isinstance(value[0], list):
        changed = list(value)
        changed[int(rng.integers(len(changed)))] = 7 if changed[0] != 7 else 8
        return "[" + ", ".join(str(v) for v in changed) + "]"
    if how == "blank":
        return ""
    if how in ("garbage", "misconception", "wrong"):
        return ["idk", "[1, 2", "see paper", "½?"][int(rng.integers(4))]
    return answer.to_text()


def make_class(folder: Path) -> int:
    """key.json and submissions.csv for the class; returns the number of parts per student."""
    (folder / "bank.yaml").write_text(BANK, encoding="utf-8")
    bank = load_bank(folder / "bank.yaml")
    quiz = bank.quiz("bench")
    students = [Student(f"s{i:04d}", f"Student {i}") for i in range(STUDENTS)]
    key = make_key(bank, quiz, [make_variant(bank, quiz, s) for s in students])
    (folder / "out" / "bench").mkdir(parents=True)
    write_key(key, folder / "out" / "bench" / "key.json")
    rng = np.random.default_rng(2026)
    columns = [part.column for part in key.students[0].parts]
    rows = []
    for student in key.students[:-10]:  # ten students hand nothing in
        hows = rng.choice(list(MIX), size=len(student.parts), p=list(MIX.values()))
        answers = {p.column: answer_text(p, how, rng) for p, how in zip(student.parts, hows, strict=True)}
        rows.append([student.student_id, student.name, *(answers.get(c, "") for c in columns)])
    rows += [rows[3], rows[500]]  # duplicates
    rows += [[f"x{i}", "", *[""] * len(columns)] for i in range(3)]  # unknown ids
    with (folder / "submissions.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["student_id", "name", *columns], *rows])
    return len(columns)


def grade(folder: Path) -> None:
    result = subprocess.run([str(BIN), "grade", "bench", "submissions.csv"], cwd=folder, capture_output=True,
                            text=True)
    assert result.returncode == 1, result.stderr  # the unknown ids, duplicates and missing students
    assert "need attention" in result.stdout


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        parts = make_class(folder)
        grade(folder)  # warm up
        seconds = median_seconds(lambda: grade(folder), repeats=3)
        feedback = len(list((folder / "out" / "bench" / "grades" / "feedback").iterdir()))
        print_table("Batch grading", [
            (f"cnnquiz grade: {STUDENTS:,} students × {parts} parts", f"{seconds:.2f} s"),
            ("  per answer", f"{seconds / (STUDENTS * parts) * 1e6:.0f} µs"),
            ("  feedback files written", f"{feedback:,}"),
        ])
