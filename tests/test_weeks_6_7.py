"""Weeks 6 and 7 (the rest of chapter 9) and week 8 (the architectures lecture) end to end: `cnnquiz build week-0N
--roster examples/roster.csv` in a fresh process (PDFs included), then a filled answers.csv graded by `cnnquiz
grade`: the keys score full marks in any accepted notation, typical mistakes are named and earn only their right
entries, a blank row is flagged, and `cnnquiz check --key` regenerates every variant."""

import csv
import io
import json

import pytest
from conftest import ROOT

from grader import grade
from grader.keyfile import read_key

QUIZZES = {  # quiz → its templates in order, and its points
    "week-06": (["weight-sharing", "connections", "shape-trace", "conv-cost", "affected-outputs", "valid-shrink"], 27),
    "week-07": (["flip", "circulant", "conv2d-channels", "strided-conv", "conv-backprop", "pool-backprop"], 34),
    "week-08": (["depthwise-separable", "grouped-conv", "bottleneck", "transposed-conv", "dilated-stack"], 26),
}


def _other_notation(answer) -> str:
    """The key as students also write it: digits grouped by spaces, 'a x b x c' shapes, bare lists, matrix rows
    split by ';', choices by their ids."""
    value = answer.expected_json()
    if answer.kind == "integer":
        return f"{value:,}".replace(",", " ")
    if answer.kind == "number":
        return str(value).replace("-", "\u2212")
    if answer.kind == "tuple":
        return " x ".join(str(v) for v in value)
    if answer.kind == "matrix":
        return "; ".join(" ".join(str(v) for v in row) for row in value).replace("-", "\u2212")
    if answer.kind in ("choice", "choices"):
        return value if isinstance(value, str) else ", ".join(value) or "none"
    return " ".join(str(v) for v in value).replace("-", "\u2212")


@pytest.mark.parametrize("quiz", QUIZZES)
def test_build_and_grade(cli, tmp_path, quiz):
    templates, points = QUIZZES[quiz]
    out = tmp_path / "out"
    built = cli("build", quiz, "--roster", str(ROOT / "examples" / "roster.csv"), "--out", str(out))
    assert built.returncode == 0, built.stderr
    folder = out / quiz
    assert (folder / "quiz.pdf").stat().st_size > 10_000 and (folder / "key.pdf").is_file()
    key = read_key(folder / "key.json")
    assert [q.template for q in key.students[0].questions] == templates
    if quiz == "week-06":
        assert r"122\,304" in (folder / "key.md").read_text(encoding="utf-8")  # LeNet-5's C1, pinned in the bank
    parts = {s.student_id: s.parts for s in key.students}
    assert len({json.dumps([p.answer.expected_json() for p in ps]) for ps in parts.values()}) == len(parts)

    answers = {
        "s1001": {p.column: p.answer.to_text() for p in parts["s1001"]},
        "s1002": {p.column: p.answer.to_text(p.answer.misconceptions[0].value) for p in parts["s1002"]},
        "s1003": {p.column: _other_notation(p.answer) for p in parts["s1003"]},
    }
    assert all(p.answer.misconceptions for p in parts["s1002"])  # every part names a typical mistake
    sheet = list(csv.reader(io.StringIO((folder / "answers.csv").read_text(encoding="utf-8"), newline="")))
    header = sheet[0]
    filled = [[answers.get(row[0], {}).get(column, cell) for column, cell in zip(header, row, strict=True)]
              for row in sheet[1:]]
    submissions = tmp_path / "answers.csv"
    with submissions.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *filled])

    graded = cli("grade", quiz, str(submissions), "--out", str(out))
    assert graded.returncode == 1, graded.stderr  # the blank rows need attention
    rows = {row[0]: row for row in csv.reader(io.StringIO(
        (folder / "grades" / "grades.csv").read_text(encoding="utf-8"), newline=""))}
    maximum = str(sum(p.points for p in parts["s1001"]))
    assert maximum == str(points) and rows["s1001"][-4:] == [maximum, maximum, "100", "ok"]
    assert rows["s1003"][-4:] == [maximum, maximum, "100", "ok"]
    # a misconception is named but scored like any answer (grader's monotone rule): a wrong number earns
    # nothing, a list or shape only its right entries beyond what a constant gets (often none); never full marks
    earned = sum(p.points * grade(p.answer, answers["s1002"][p.column]).score for p in parts["s1002"])
    assert 0 <= earned < int(maximum) and float(rows["s1002"][-4]) == pytest.approx(earned, abs=0.01)
    assert rows["s1002"][-3] == maximum and rows["s1002"][-1] == "ok"
    assert float(rows["s1002"][-2]) == pytest.approx(100 * earned / int(maximum), abs=0.05)
    assert all(grade(p.answer, answers["s1002"][p.column]).score == 0 for p in parts["s1002"]
               if p.answer.kind == "integer")
    assert rows["s1004"][-1] == "all answers blank"
    details = json.loads((folder / "grades" / "grades.json").read_text(encoding="utf-8"))
    tom = next(r for r in details["rows"] if r["student_id"] == "s1002")
    named = [p["misconception"] for q in tom["questions"] for p in q["parts"]]
    assert named == [p.answer.misconceptions[0].id for p in parts["s1002"]]
    feedback = (folder / "grades" / "feedback" / "s1002.md").read_text(encoding="utf-8")
    assert parts["s1002"][0].answer.misconceptions[0].feedback.split(":")[0] in feedback
    checked = cli("check", "--key", str(folder / "key.json"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("quiz", ["week-07", "week-08"])
def test_every_sampled_part_knows_a_typical_mistake(quiz):
    """flip, circulant, conv2d-channels, strided-conv, conv-backprop and pool-backprop, and the architecture
    templates: whatever the seed draws, every part has a computed misconception for the grader to name."""
    import exercises

    for template_id in QUIZZES[quiz][0]:
        for seed in range(100):
            for part in exercises.generate(template_id, seed=seed).parts:
                assert part.answer.misconceptions, (template_id, seed, part.id)
