"""The item-analysis report of the synthetic class (tests/synthetic_class.py): every count, mean
and discrimination checked against hand-worked values or an independent computation
(statistics.correlation), the markdown tables, and the hand-written SVG."""

from __future__ import annotations

import re
import statistics
import xml.etree.ElementTree as ET

import pytest
from synthetic_class import COLUMNS, CORRECT_A, csv_text, roster_key, shared_key, write_class

from grader.answers import Vector
from grader.batch import grade_class
from grader.report import analyse, correlation, normal_text, report_md, report_svg
from grader.submissions import read_submissions


def graded(tmp_path, key=None, text=None):
    key = key or roster_key()
    path = write_class(tmp_path, key, text)
    return grade_class(key, read_submissions(path, COLUMNS, [s.student_id for s in key.students]))


@pytest.fixture
def book(tmp_path):
    return graded(tmp_path)


# Counted rows, in order: s01, s02, s03, s04, s05, S07, s08 (s06 is blank, the second s01 a repeat,
# s99 unknown). Totals 10, 0, 10, 5.5, 0, 7, 7 → percentages 100, 0, 100, 55, 0, 70, 70.
TOTALS = [10, 0, 10, 4 * 7 / 8 + 0 + 3 * 2 / 3, 0, 7, 7]
PART_SCORES = {  # score (0..1) of each counted row, by hand
    "q1.output": [1, 0, 1, 2 / 3, 0, 0, 0],
    "q2.matrix": [1, 0, 1, 7 / 8, 0, 1, 1],
    "q2.shape": [1, 0, 1, 0, 0, 1, 1],
    "q3.count": [1, 0, 1, 0, 0, 1, 1],
}
POINTS = {"q1.output": 3, "q2.matrix": 4, "q2.shape": 1, "q3.count": 2}
OUTCOMES = {  # correct, partial, misconception, incorrect, invalid, blank
    "q1.output": [2, 1, 3, 0, 1, 0],
    "q2.matrix": [4, 1, 1, 0, 1, 0],
    "q2.shape": [4, 0, 1, 1, 1, 0],
    "q3.count": [4, 0, 1, 0, 1, 1],
}


def test_scores_and_histogram(book):
    stats = analyse(book)
    assert (stats.rows, stats.counted, stats.attention) == (12, 7, 6)
    assert stats.histogram == [2, 0, 0, 0, 0, 1, 0, 2, 0, 2]
    summary = stats.summary()
    assert summary["mean"] == pytest.approx(sum(TOTALS) * 10 / 7, abs=1e-3)
    assert (summary["median"], summary["lowest"], summary["highest"]) == (70, 0, 100)


def test_per_part_counts_difficulty_and_discrimination(book):
    parts = {p.column: p for p in analyse(book).parts}
    assert list(parts) == COLUMNS
    for column, scores in PART_SCORES.items():
        part = parts[column]
        assert part.answered == 7 and part.points == POINTS[column]
        assert list(part.outcomes.values()) == OUTCOMES[column], column
        assert part.mean == pytest.approx(statistics.fmean(scores), abs=1e-4)
        rest = [total - score * POINTS[column] for total, score in zip(TOTALS, scores, strict=True)]
        assert part.discrimination == pytest.approx(statistics.correlation(scores, rest), abs=1e-3), column


def test_misconceptions_and_wrong_answers_within_a_variant(book):
    parts = {p.column: p for p in analyse(book).parts}
    q1 = parts["q1.output"]
    assert [(m, n) for m, n, _ in q1.misconceptions] == [("flipped-kernel", 3)]
    # s02 wrote '[1, -99, -100, -1]' and s08 '1 -99 -100 -1': one answer; S07's flip is of variant B
    assert [(w.count, w.text, w.expected, w.diagnosis) for w in q1.wrong_answers] == [
        (2, "[1, -99, -100, -1]", "[-1, 99, 100, 1]", "flipped-kernel"),
        (1, "[-1, 2, -101, 1, -2]", "[1, -2, 101, -1, 2]", "flipped-kernel"),
        (1, "[-1, 99, 100, 2]", "[-1, 99, 100, 1]", "partial"),
        (1, "idk", "[-1, 99, 100, 1]", "invalid"),
    ]
    assert (q1.distinct_wrong, q1.variants) == (4, 2)
    assert [(m, n) for m, n, _ in parts["q2.shape"].misconceptions] == [("swapped-shape", 1)]
    assert [(w.count, w.text, w.diagnosis) for w in parts["q3.count"].wrong_answers] == [
        (1, "24", "dense-count"), (1, "three", "invalid")]


def test_report_markdown_tables(book):
    stats = analyse(book)
    md = report_md(book, stats)
    assert "Submissions: answers.csv: 12 rows, 7 counted in the statistics below, 6 need attention" in md
    assert "| 7 | 56.4 % | 70.0 % | 0.0 % | 100.0 % |" in md
    assert "| 50–<60 % | 1 |" in md and "| 90–100 % | 2 |" in md
    for part in stats.parts:
        counts = " | ".join(str(n) for n in OUTCOMES[part.column])
        mean = statistics.fmean(PART_SCORES[part.column])
        assert f"| {part.column} | {POINTS[part.column]} | 7 | {mean:.2f} | {part.discrimination:.2f} | {counts} |" \
            in md
    reteach = re.findall(r"^\d+\. (q\S+): mean score", md, flags=re.M)
    assert reteach == ["q1.output", "q2.shape", "q3.count", "q2.matrix"]  # q2.shape and q3.count tie: by name
    assert "most frequent misconception `flipped-kernel` (3 of 7)" in md
    assert "| `flipped-kernel` | 3 | You flipped the kernel: in deep learning, convolution is cross-correlation. |" \
        in md
    assert "| 2 | `[1, -99, -100, -1]` | `[-1, 99, 100, 1]` | flipped-kernel |" in md
    attention = md.split("## Rows that need attention")[1]
    assert attention.count("\n| ") == 7  # header + 6 rows
    assert "| (key) | s10 | no submission |" in attention


def test_zero_variance_has_no_discrimination(tmp_path):
    rows = [(f"s{i}", CORRECT_A) for i in range(3)] + [("s9", {**CORRECT_A, "q1.output": "[0, 0, 0, 0]"})]
    book = graded(tmp_path, shared_key(), csv_text(rows))
    parts = {p.column: p for p in analyse(book).parts}
    assert parts["q3.count"].mean == 1 and parts["q3.count"].discrimination is None  # everyone right
    assert parts["q1.output"].discrimination is None  # the rest of the test does not vary
    assert "| q3.count | 2 | 4 | 1.00 | — | 4 | 0 | 0 | 0 | 0 | 0 |" in report_md(book, analyse(book))


def test_svg_is_well_formed_and_drawn_to_scale(book):
    stats = analyse(book)
    svg = report_svg(book, stats)
    assert svg == report_svg(book, analyse(book))  # deterministic
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = root.findall(f"{ns}rect")
    assert len(rects) == 1 + 10 + 2 * 4  # background, histogram bars, part track + bar
    bars = [float(r.get("height")) for r in rects[1:11]]
    assert bars[0] == pytest.approx(2 * bars[5]) and bars[9] == bars[0] and bars[1] == 0
    tracks, fills = rects[11::2], rects[12::2]
    for track, fill, column in zip(tracks, fills, COLUMNS, strict=True):
        ratio = float(fill.get("width")) / float(track.get("width"))
        assert ratio == pytest.approx(statistics.fmean(PART_SCORES[column]), abs=2e-3)
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "Quiz 4: 7 students" in texts and "q2.shape" in texts


def test_normal_text_and_correlation_helpers():
    spec = Vector(value=[-1, 99, 100, 1])
    assert normal_text(spec, "(\u22121; 99; 100; 1)") == normal_text(spec, "-1 99 100 1") == "[-1, 99, 100, 1]"
    assert normal_text(spec, "  no \n idea ") == "no idea"
    assert correlation([1, 2], [2, 4]) is None
    assert correlation([1, 2, 3], [5, 5, 5]) is None
    assert correlation([1, 2, 3], [2, 4, 7]) == pytest.approx(statistics.correlation([1, 2, 3], [2, 4, 7]))


# -- what the report says (issue 22, section 3) -------------------------------------------------------------------
FLIP_PARTS = [f"q1.p{i}" for i in range(1, 6)]


def flip_key():
    """One question of five vector parts [1, 2, 3]; reversing a vector is the same misconception in each."""
    from grader.answers import Misconception
    from grader.keyfile import Key, KeyPart, KeyQuestion, KeyStudent

    mistake = (Misconception("reversed", "You reversed the vector: read it from the first entry.", [3, 2, 1]),)
    parts = tuple(KeyPart(column.split(".")[1], column, 1, Vector(value=[1, 2, 3], misconceptions=mistake))
                  for column in FLIP_PARTS)
    question = KeyQuestion(1, "flip", 1, 1, {}, parts)
    students = tuple(KeyStudent(f"s{i}", f"Student {i}", "A", (question,)) for i in range(1, 5))
    return Key("week-07", "Quiz 7", "f00d", "0.1.0", students)


def flip_class(tmp_path, answers):
    """answers: student id → the text of each of the five parts."""
    rows = [(student, dict(zip(FLIP_PARTS, texts, strict=True))) for student, texts in answers.items()]
    key = flip_key()
    path = write_class(tmp_path, key, csv_text(rows, header=["student_id", *FLIP_PARTS]))
    return grade_class(key, read_submissions(path, key.columns, [s.student_id for s in key.students]))


def test_a_misconception_counts_once_per_student_across_the_quiz(tmp_path):
    right, wrong = "[1, 2, 3]", "[3, 2, 1]"
    book = flip_class(tmp_path, {"s1": [wrong] * 5, "s2": [wrong, right, right, right, right],
                                 "s3": [right, wrong, right, right, "[1 2"], "s4": [right] * 5})
    stats = analyse(book)
    (reversed_,) = stats.misconceptions
    assert reversed_.students == 3  # s1 made it in five parts: one student, not five
    assert reversed_.parts == [("q1.p1", 2), ("q1.p2", 2), ("q1.p3", 1), ("q1.p4", 1), ("q1.p5", 1)]
    assert reversed_.most == [("s1", 5), ("s2", 1), ("s3", 1)]
    md = report_md(book, stats)
    table = md.split("## Misconceptions across the quiz")[1].split("\n## ")[0]
    assert "| `reversed` | 3 | q1.p1 (2), q1.p2 (2), q1.p3 (1), q1.p4 (1), q1.p5 (1) | s1 (5), s2 (1), s3 (1) | " \
           "You reversed the vector: read it from the first entry. |" in table


def test_the_feedback_column_has_no_students_specifics(tmp_path):
    partly = "[1, 2, 1]"  # entry 2 wrong, as the reversed vector has it: named, with a 'Partly right' prefix
    book = flip_class(tmp_path, {"s1": [partly] * 5, "s2": [partly] * 5, "s3": ["[3, 2, 1]"] * 5,
                                 "s4": ["[1, 2, 3]"] * 5})
    result = book.rows[0].parts[0].result
    assert result.feedback.startswith("Partly right") and result.misconception == "reversed"
    md = report_md(book, analyse(book))
    assert "| `reversed` | 3 | You reversed the vector: read it from the first entry. |" in md
    assert "Partly right" not in md and "of 3 entries" not in md


def test_re_teach_leaves_out_parts_everybody_got_right_and_unreadable_answers(tmp_path):
    right = "[1, 2, 3]"
    book = flip_class(tmp_path, {
        "s1": [right, right, "[3, 2, 1]", right, "one two three"],  # p5: unreadable, not a misconception
        "s2": [right, "[1, 2, 4]", "[3, 2, 1]", right, right],
        "s3": [right, right, right, "[9, 9, 9]", right],
        "s4": [right, "[1, 2, 4]", right, right, right]})
    stats = analyse(book)
    parts = {p.column: p for p in stats.parts}
    assert parts["q1.p5"].mean == 0.75 and parts["q1.p5"].readable_mean == 1 and not parts["q1.p5"].to_reteach
    assert not parts["q1.p1"].to_reteach and parts["q1.p5"].misconceptions == []
    md = report_md(book, stats)
    reteach = re.findall(r"^\d+\. (q\S+): mean score ([\d.]+)", md, flags=re.M)
    # per entry beyond what a constant gets (1 of 3 distinct entries): p3: two reversed, 1 of 3 right, score 0 (mean
    # 1/2); p2: two with 2 of 3, each (2 - 1)/(3 - 1) = 1/2 (mean 3/4); p4: one all wrong (3/4); ties by column
    assert reteach == [("q1.p3", "0.50"), ("q1.p2", "0.75"), ("q1.p4", "0.75")]
    assert [m.id for m in stats.misconceptions] == ["reversed"] and stats.misconceptions[0].students == 2


def test_a_class_that_got_everything_right_has_nothing_to_re_teach(tmp_path):
    book = flip_class(tmp_path, {f"s{i}": ["[1, 2, 3]"] * 5 for i in range(1, 5)})
    md = report_md(book, analyse(book))
    assert "Nothing: every readable answer was right." in md and "No known misconception was seen." in md
