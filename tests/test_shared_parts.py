"""Variants share questions: key.json's equal parts are read as one KeyPart, and `graded_once` grades each text once
per distinct part, with the same results as grading every answer on its own."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from synthetic_class import roster_key, write_class

from grader.batch import grade_class, graded_once
from grader.feedback import grade
from grader.keyfile import KeyFileError, key_from_data, key_json, load_key_data, read_key, write_key
from grader.submissions import read_submissions


def test_equal_parts_are_read_once_and_unequal_ones_apart(tmp_path: Path) -> None:
    write_key(roster_key(), tmp_path / "key.json")
    data = load_key_data(tmp_path / "key.json")
    first, second = data["students"][0], data["students"][1]
    second["questions"] = copy.deepcopy(first["questions"])  # the same variant as the first student's
    changed = second["questions"][0]["parts"][0]
    changed["misconceptions"][0]["feedback"] += " (another sentence)"  # only a misconception's words differ
    key = key_from_data(data, tmp_path / "key.json")
    a, b = key.students[0].parts, key.students[1].parts
    assert a[0] is not b[0] and a[0].answer.misconceptions != b[0].answer.misconceptions
    assert all(x is y for x, y in zip(a[1:], b[1:], strict=True))
    # A's four parts, the changed one, B's output (B's matrix, shape and count are A's: equal parts of other variants
    # are shared too)
    assert len({id(part) for student in key.students for part in student.parts}) == 4 + 1 + 1


def test_a_key_read_with_shared_parts_writes_the_same_key(tmp_path: Path) -> None:
    write_key(roster_key(), tmp_path / "key.json")
    assert key_json(read_key(tmp_path / "key.json")) == (tmp_path / "key.json").read_text(encoding="utf-8")


def test_a_class_graded_once_per_text_is_graded_as_answer_by_answer(tmp_path: Path) -> None:
    answers = write_class(tmp_path)
    key = read_key(tmp_path / "out" / "week-04" / "key.json")
    submissions = read_submissions(answers, [part.column for part in key.students[0].parts],
                                   [student.student_id for student in key.students])
    once, each = grade_class(key, submissions, graded_once()), grade_class(key, submissions, grade)
    assert [(row.status, [(p.text, p.result) for p in row.parts]) for row in once.rows] == \
        [(row.status, [(p.text, p.result) for p in row.parts]) for row in each.rows]


def test_graded_once_remembers_by_answer_and_text(monkeypatch) -> None:
    answer = roster_key().students[0].parts[0].answer
    calls = []

    def counted(spec, text):
        calls.append(text)
        return grade(spec, text)

    monkeypatch.setattr("grader.batch.grade", counted)
    remember = graded_once()
    first = remember(answer, "[-1, 99, 100, 1]")
    assert remember(answer, "[-1, 99, 100, 1]") is first
    assert remember(answer, "-1 99 100 1") == first and remember(answer, "[1, 2]").status != "correct"
    other = copy.deepcopy(answer)  # an equal spec that is another object: graded on its own
    assert remember(other, "[-1, 99, 100, 1]") == first
    assert calls == ["[-1, 99, 100, 1]", "-1 99 100 1", "[1, 2]", "[-1, 99, 100, 1]"]


def test_a_damaged_part_is_still_a_damaged_key(tmp_path: Path) -> None:
    write_key(roster_key(), tmp_path / "key.json")
    data = load_key_data(tmp_path / "key.json")
    data["students"][1]["questions"][0]["parts"][0] = ["not", "a", "part"]
    with pytest.raises(KeyFileError, match="damaged key file"):
        key_from_data(data, tmp_path / "key.json")


def test_a_part_equal_only_as_python_compares_is_read_on_its_own(tmp_path: Path) -> None:
    # true == 1 in Python, not in key.json: a hand-edited part whose misconception answer says true where another
    # student's says 1 is not that student's part, and it is as damaged as it would be alone
    write_key(roster_key(), tmp_path / "key.json")
    data = load_key_data(tmp_path / "key.json")
    first, second = data["students"][0], data["students"][1]
    second["questions"] = copy.deepcopy(first["questions"])
    part, edited = first["questions"][0]["parts"][0], second["questions"][0]["parts"][0]
    part["misconceptions"][0]["answer"] = [1] * len(part["answer"])
    for unlike in (True, 1.0):  # neither is an exact number of a vector's answer
        edited["misconceptions"][0]["answer"] = [unlike] * len(part["answer"])
        assert part == edited
        with pytest.raises(KeyFileError, match="damaged key file.*not an exact number"):
            key_from_data(data, tmp_path / "key.json")
    second["questions"][0]["parts"][0] = dict(reversed(part.items()))  # the same part written in another order
    key = key_from_data(data, tmp_path / "key.json")
    assert key.students[0].parts[0].answer == key.students[1].parts[0].answer
