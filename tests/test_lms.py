"""The grader's side of the LMS round trip (grader/lms.py, moodle.py, canvas.py), piece by piece:
tags, answer boxes back in our notation, box-by-box credit, option texts, and each LMS's cells."""

from __future__ import annotations

import pytest

import grader
from grader.answers import KINDS, Choices, Integer, Matrix, Tuple, Vector
from grader.canvas import read_canvas, split_answer
from grader.keyfile import Key, KeyPart, KeyQuestion, KeyStudent
from grader.lms import (
    NONE_OF_THESE,
    LmsExport,
    LmsRow,
    Tag,
    assemble,
    boxed,
    cells,
    choice_text,
    find_tags,
    join_cells,
    option_text,
)
from grader.moodle import read_moodle, split_response
from grader.submissions import SubmissionsError


def test_tags_round_trip_with_any_quiz_id():
    tags = [Tag("week-04", 1, 7), Tag("Übung 4 — Faltung & <Co>", 12, 123), Tag("a] q1 r2 [b", 3, 4)]
    for tag in tags:
        assert find_tags(f"Question text … {tag} …") == [tag]
    assert find_tags("[cnnquiz  week-04\nq1   r07 ]") == [Tag("week-04", 1, 7)]  # wrapped by html_to_text
    assert find_tags("no tag [cnnquiz week-04 q1]") == []
    assert find_tags("1234: … [cnnquiz Faltung &amp; &lt;Co&gt; q2 r03]") == [Tag("Faltung & <Co>", 2, 3)]
    assert str(Tag("w", 2, 3)) == "[cnnquiz w q2 r03]"


def test_boxes_follow_the_value():
    assert cells(Vector(value=[1, 2, 3])) == [(0,), (1,), (2,)]
    assert cells(Matrix(value=[[1, 2], [3, 4]])) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert cells(Integer(value=5)) == [()]


def test_box_texts_join_into_our_notation():
    assert join_cells(Vector(value=[1, 2]), [" 1 ", "−2"]) == "[1, −2]"
    assert join_cells(Tuple(value=[6, 4]), ["6", "4"]) == "(6, 4)"
    assert join_cells(Matrix(value=[[1, 0], [0, 1]]), ["1", "0", "0", "1"]) == "[[1, 0], [0, 1]]"
    assert join_cells(Vector(value=[1, 2]), ["", " "]) == ""  # nothing typed: a blank answer
    assert join_cells(Vector(value=[1, 2]), ["3,5", "2"]) == "[3.5, 2]"  # a decimal comma in a box
    assert join_cells(Integer(value=5), ["5"]) == "5"


def test_an_empty_or_unreadable_box_is_one_wrong_entry():
    spec = boxed(Vector(value=[1, 2, 3]))
    for text in ("[1, , 3]", "[1, abc, 3]"):
        result = grader.grade(spec, text)
        assert (result.status, result.score) == ("partial", 0.5), text  # (2 - 1)/(3 - 1): per entry
        assert "entry 1" in result.feedback  # the middle box, counted from 0
    assert grader.grade(spec, "[1, 2, 3]").status == "correct"
    assert grader.grade(spec, "[1, 2]").score == 0  # a whole answer that parses is graded as it is


def test_an_unreadable_box_in_a_matrix_never_scores_below_zero():
    spec = boxed(Matrix(value=[[1, 0, 0], [0, 1, 0]]))
    result = grader.grade(spec, "[[1, x, 0], [0, 1, 0]]")
    assert result.status == "partial" and 0 < result.score < 1  # the bad box counts as a wrong entry
    assert grader.grade(spec, "[[x, x, x], [x, x, x]]").score == 0


def test_boxed_answers_keep_their_kind_and_misconceptions():
    spec = Vector(value=[1, 2], misconceptions=(grader.answers.Misconception("flip", "Flipped.", (2, 1)),))
    wrapped = boxed(spec)
    assert wrapped.kind == "vector" and wrapped.misconceptions == spec.misconceptions
    assert wrapped.to_json() == spec.to_json() and KINDS["vector"] is Vector
    assert grader.grade(wrapped, "[2, 1]").misconception == "flip"
    assert boxed(Integer(value=3)) == Integer(value=3)


CHOICES = Choices(value=("a", "c"), options=(("a", "first; with a semicolon"), ("b", "second"), ("c", "third")))


def test_option_texts_become_labels():
    assert option_text(CHOICES, 1) == "B. second"
    assert choice_text(CHOICES, "A. first; with a semicolon; C. third") == "A, C"
    assert choice_text(CHOICES, "third") == "C"
    assert choice_text(CHOICES, NONE_OF_THESE) == "none"
    assert choice_text(CHOICES, "D. nothing") == "D. nothing"  # unknown text: the grader says what is wrong
    assert grader.grade(CHOICES, choice_text(CHOICES, "A. first; with a semicolon; C. third")).status == "correct"


def test_moodle_response_summaries_split_into_boxes():
    assert split_response("part 1: 3; part 2: -1; part 3: 7/2", 3) == ["3", "-1", "7/2"]
    assert split_response("part 1: ; part 2: 4", 2) == ["", "4"]
    assert split_response("-", 3) == ["", "", ""]
    assert split_response("part 1: A. x; C. y; part 2: 5", 2) == ["A. x; C. y", "5"]
    assert len(split_response("part 1: 3", 2)) == 1  # a part missing: the caller reports the mismatch


def test_canvas_cells_split_into_boxes():
    assert split_answer("1,-2,3\\,5", "fill_in_multiple_blanks_question", 3) == ["1", "-2", "3,5"]
    assert split_answer("", "fill_in_multiple_blanks_question", 2) == ["", ""]
    assert split_answer("A. x,C. y\\, z", "multiple_answers_question") == ["A. x; C. y, z"]
    assert split_answer("42", "numerical_question") == ["42"]


def _key() -> Key:
    question = KeyQuestion(1, "conv1d", 1, 5, {}, (KeyPart("output", "q1.output", 2, Vector(value=[1, 2])),))
    other = KeyQuestion(1, "conv1d", 1, 6, {}, (KeyPart("output", "q1.output", 2, Vector(value=[3, 4])),))
    return Key("w", "W", "", "", (KeyStudent("replicate-1", "", "", (question,)),
                                  KeyStudent("replicate-2", "", "", (other,))))


def test_assemble_builds_each_students_variant_from_the_replicates_drawn():
    rows = [LmsRow("f line 2", "s1", "A", [(Tag("w", 1, 2), ["3", "4"])]),
            LmsRow("f line 3", "s2", "B", [(Tag("w", 1, 1), ["1"])]),
            LmsRow("f line 4", "s3", "C", [(Tag("w", 1, 9), ["1", "2"])])]
    key, submissions = assemble(_key(), LmsExport(rows, "f", "ID number"))
    assert [s.questions[0].seed for s in key.students] == [6, 5, 5]
    assert submissions.rows[0].answers == {"q1.output": "[3, 4]"} and submissions.rows[0].issues == []
    assert "unreadable cell q1.output" in submissions.rows[1].issues[0]
    assert "r09] is not in the key" in submissions.rows[2].issues[0]
    assert "q1: no response in the export" in submissions.rows[2].issues[1]


def test_readers_say_what_is_missing(tmp_path):
    moodle = tmp_path / "responses.csv"
    moodle.write_text("Last name,First name,ID number,Response 1\nA,B,s1,part 1: 3\n", encoding="utf-8")
    with pytest.raises(SubmissionsError, match="tick 'Question text'"):
        read_moodle(moodle, _key())
    moodle.write_text("Last name,First name,Question 1,Response 1\nA,B,[cnnquiz w q1 r01],part 1: 3\n",
                      encoding="utf-8")
    with pytest.raises(SubmissionsError, match="no student identity column"):
        read_moodle(moodle, _key())
    canvas = tmp_path / "analysis.csv"
    canvas.write_text("name,id,sis_id,section,1: no tag here,1.0\nA,1,s1,S,3,1\n", encoding="utf-8")
    with pytest.raises(SubmissionsError, match="Student Analysis"):
        read_canvas(canvas, _key())
