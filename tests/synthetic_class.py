"""A synthetic class for the batch-grading tests: a key built from the lecture's numbers and a
submissions table whose every score was worked out by hand (comments give the arithmetic).

Questions (10 points): q1.output, the lecture's conv1d output (3 points); q2.matrix, the lecture's
6×4 Toeplitz matrix (4 points) and q2.shape, its shape (1 point); q3.count, the convolution's free
weights, 3 (2 points). Variant A is the lecture's kernel [-1, 0, 1]; variant B its kernel [-1, 1].
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.answers import Integer, Matrix, Misconception, Tuple, Vector
from grader.keyfile import Key, KeyPart, KeyQuestion, KeyStudent, write_key

SIGNAL = [100, 101, 99, 200, 199, 201]
OUT_A, FLIPPED_A = [-1, 99, 100, 1], [1, -99, -100, -1]  # kernel [-1, 0, 1]; flipped [1, 0, -1]
OUT_B, FLIPPED_B = [1, -2, 101, -1, 2], [-1, 2, -101, 1, -2]  # kernel [-1, 1]; flipped [1, -1]
T = [[-1, 0, 0, 0], [0, -1, 0, 0], [1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1]]
T_TRANSPOSED = [list(row) for row in zip(*T, strict=True)]
T_ONE_WRONG = [[1, 0, 0, 0]] + T[1:]  # entry (1,1) wrong: 7 of the 8 entries that matter (non-zero) right
COLUMNS = ["q1.output", "q2.matrix", "q2.shape", "q3.count"]
FEEDBACK = {
    "flipped-kernel": "You flipped the kernel: in deep learning, convolution is cross-correlation.",
    "transposed": "You wrote T transposed: with the row-vector convention, the kernel runs down each column.",
    "swapped-shape": "Rows and columns are swapped: x (1×6) times T gives y (1×4), so T is 6×4.",
    "dense-count": "24 is the dense layer's weight count; the convolution shares its 3 kernel weights.",
}
NAMES = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jo"]
VARIANT_B = {"s07", "s09", "s10"}


def questions(output: list[int], flipped: list[int]) -> tuple[KeyQuestion, ...]:
    def mistake(mid: str, value) -> tuple[Misconception, ...]:
        return (Misconception(mid, FEEDBACK[mid], value),)

    return (
        KeyQuestion(1, "conv1d", 1, 11, {"signal": SIGNAL}, (
            KeyPart("output", "q1.output", 3, Vector(value=output, misconceptions=mistake("flipped-kernel", flipped))),
        ), solution_md=f"y = {output}: slide the kernel without flipping it."),
        KeyQuestion(2, "toeplitz", 1, 12, {"signal": SIGNAL}, (
            KeyPart("matrix", "q2.matrix", 4, Matrix(value=T, misconceptions=mistake("transposed", T_TRANSPOSED))),
            KeyPart("shape", "q2.shape", 1, Tuple(value=(6, 4), misconceptions=mistake("swapped-shape", (4, 6)))),
        ), solution_md="Each column of T holds the kernel, shifted down one row per column."),
        KeyQuestion(3, "sparsity", 1, 13, {}, (
            KeyPart("count", "q3.count", 2, Integer(value=3, misconceptions=mistake("dense-count", 24))),
        ), solution_md="The kernel has 3 weights, shared by every output."),
    )


def roster_key() -> Key:
    """Ten students s01…s10; s07, s09, s10 have variant B."""
    a, b = questions(OUT_A, FLIPPED_A), questions(OUT_B, FLIPPED_B)
    students = tuple(
        KeyStudent(f"s{i:02d}", name, "B" if f"s{i:02d}" in VARIANT_B else "A",
                   b if f"s{i:02d}" in VARIANT_B else a)
        for i, name in enumerate(NAMES, start=1)
    )
    return Key("week-04", "Quiz 4", "f00d", "0.1.0", students)


def shared_key() -> Key:
    """A build without a roster: one variant (A) with an empty student id."""
    return Key("week-04", "Quiz 4", "f00d", "0.1.0", (KeyStudent("", "", "A", questions(OUT_A, FLIPPED_A)),))


CORRECT_A = {"q1.output": "[-1, 99, 100, 1]", "q2.matrix": str(T), "q2.shape": "(6, 4)", "q3.count": "3"}

# The class's answers.csv, columns shuffled and with an extra column (Email), and what each row must get.
HEADER = ["q2.shape", "student_id", "q1.output", "Email", "q3.count", "q2.matrix", "name"]
ROWS = [  # (student_id, {column: text}) in file order; file line = index + 2
    ("s01", CORRECT_A),
    ("s02", {"q1.output": "[1, -99, -100, -1]", "q2.matrix": str(T_TRANSPOSED), "q2.shape": "(4, 6)",
             "q3.count": "24"}),
    ("s03", {"q1.output": "(\u22121; 99; 100; 1)",  # Unicode minus, semicolons, parentheses
             "q2.matrix": "-1 0 0 0; 0 -1 0 0; 1 0 -1 0; 0 1 0 -1; 0 0 1 0; 0 0 0 1",
             "q2.shape": "6 \u00d7 4", "q3.count": "y = 3"}),
    ("s04", {"q1.output": "[-1, 99, 100, 2]", "q2.matrix": str(T_ONE_WRONG), "q2.shape": "(6, 5)", "q3.count": ""}),
    ("s05", {"q1.output": "idk", "q2.matrix": "[[1, 2], [3", "q2.shape": "six by four", "q3.count": "three"}),
    ("s06", {"q1.output": "", "q2.matrix": "", "q2.shape": " ", "q3.count": ""}),
    (" S07", {"q1.output": "[-1, 2, -101, 1, -2]", "q2.matrix": str(T), "q2.shape": "(6,4)", "q3.count": "3"}),
    ("s08", {"q1.output": "1 -99 -100 -1", "q2.matrix": str(T), "q2.shape": "6x4", "q3.count": "3"}),
    ("s01", {"q1.output": "[-1, 99, 100, 1]", "q2.matrix": "", "q2.shape": "", "q3.count": ""}),
    ("s99", CORRECT_A),
]

DUP_LATER = "duplicate: answers.csv line 2 has the same student; this row is not counted in the report"
# grades.csv by hand: student_id, name, q1, q2, q3, total, maximum, percentage, status
EXPECTED_GRADES = [
    ["s01", "Ada", "3", "5", "2", "10", "10", "100", "duplicate: answers.csv line 10 has the same student"],
    ["s02", "Ben", "0", "0", "0", "0", "10", "0", "ok"],  # every part a known misconception
    ["s03", "Cleo", "3", "5", "2", "10", "10", "100", "ok"],  # notation variants, all correct
    # q1: 3 of 4 distinct entries, beyond the 1 a constant gets → 3·(3 − 1)/(4 − 1) = 2; q2: the matrix's 8
    # entries beyond its 16 zeros, one wrong → 4·7/8 = 3.5, shape 1 of 2 distinct → 0; q3 blank; 5.5 → 55 %
    ["s04", "Dan", "2", "3.5", "0", "5.5", "10", "55", "ok"],
    ["s05", "Eve", "0", "0", "0", "0", "10", "0", "ok"],  # unreadable notation is a graded 0, not a data problem
    ["s06", "Finn", "0", "0", "0", "0", "10", "0", "all answers blank"],
    ["S07", "Gus", "0", "5", "2", "7", "10", "70", "ok"],  # id matched case-insensitively; variant B, flipped
    ["s08", "Hana", "0", "5", "2", "7", "10", "70", "ok"],
    ["s01", "Ada", "3", "0", "0", "3", "10", "30", DUP_LATER],
    ["s99", "", "", "", "", "", "10", "", "unknown student id 's99' (did you mean 's09'?)"],
    ["s09", "Ivo", "", "", "", "", "10", "", "no submission"],
    ["s10", "Jo", "", "", "", "", "10", "", "no submission"],
]


def csv_text(rows=ROWS, header=HEADER, extra: dict[str, str] | None = None, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", delimiter=delimiter)
    writer.writerow(header)
    for student_id, answers in rows:
        values = {"student_id": student_id, "Email": f"{student_id.strip()}@uni.example", "name": "", **answers,
                  **(extra or {})}
        writer.writerow([values.get(column, "") for column in header])
    return out.getvalue()


def write_class(folder: Path, key: Key | None = None, text: str | None = None, encoding: str = "utf-8") -> Path:
    """key.json at folder/out/week-04/key.json and answers.csv at folder/answers.csv; returns the CSV path."""
    (folder / "out" / "week-04").mkdir(parents=True, exist_ok=True)
    write_key(key or roster_key(), folder / "out" / "week-04" / "key.json")
    path = folder / "answers.csv"
    path.write_bytes((csv_text() if text is None else text).encode(encoding))
    return path


def read_grades(folder: Path) -> list[list[str]]:
    text = (folder / "out" / "week-04" / "grades" / "grades.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))
