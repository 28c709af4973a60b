"""Into the LMS and back: export the test bank for Moodle and for Canvas, fabricate each LMS's response
export for 30 students (right, wrong, misconceptions, partly right, blanks, garbage, unknown users,
a second attempt, a replicate or quiz that the key does not know), grade it with
`cnnquiz grade … --from moodle|canvas` and check the gradebook row by row.

The answers are written from lms-key.json (the key of the replicates), the way each LMS reports
them: Moodle's `part 1: …; part 2: …` per Cloze question, Canvas's comma-joined blanks, option texts
for choices. Which replicate a student drew is only in the question text (Moodle's "Question N"
column, Canvas's column header), as in the real reports.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction

import pytest
from lms_files import QUIZ, box_values, canvas_analysis, cloze_fields, export_to, moodle_responses, plain_text

from exercises.cli import main
from grader.answers import option_label
from grader.lms import Tag, find_tags, option_text, replicate_questions, whole_answer

QTI12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
MODES = (["right"] * 8 + ["wrong"] * 4 + ["misconception"] * 4 + ["blank"] * 2 + ["garbage"] * 2
         + ["one-wrong", "one-empty", "no-id", "no-id", "unknown-replicate", "other-quiz", "second-attempt",
            "in-progress", "right", "misconception"])


def _number(value) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _box_texts(question, mode: str, lms: str) -> list[str]:
    """The text of every answer box of a question, as the student in `mode` fills them in."""
    texts = []
    first_grid = next((i for i, p in enumerate(question.parts) if p.answer.kind in ("vector", "tuple")), None)
    for index, part in enumerate(question.parts):
        spec = part.answer
        value = spec.value
        if mode == "misconception":
            same = [m.value for m in spec.misconceptions if spec.kind in ("choice", "choices", "integer", "formula")
                    or len(m.value) == len(spec.value) and spec.entries(m.value) is not None]
            value = same[0] if same else value
        if spec.kind == "formula":
            text = {"wrong": "n + 1000", "garbage": "(((", "blank": ""}.get(mode, spec.to_text(value))
            texts.append(text)
        elif whole_answer(spec):  # one box for the whole answer, in our notation
            wrong = spec.to_text(tuple(v + 1000 for v in value) if spec.kind != "matrix" else
                                 tuple(tuple(v + 1000 for v in row) for row in value))
            texts.append({"wrong": wrong, "garbage": "abc", "blank": ""}.get(mode, spec.to_text(value)))
        elif spec.kind == "choice":
            wrong = next(i for i in spec.ids if i != spec.value)
            chosen = wrong if mode == "wrong" else value
            label = option_label(spec.ids.index(chosen))
            shown = label if lms == "canvas-blank" else option_text(spec, spec.ids.index(chosen))
            texts.append({"garbage": "Z. nothing", "blank": ""}.get(mode, shown))
        elif spec.kind == "choices":
            chosen = [i for i in spec.ids if i not in spec.value][:1] if mode == "wrong" else list(value)
            if lms == "canvas-blank":
                shown = "".join(sorted(option_label(spec.ids.index(v)) for v in chosen)) or "none"
            else:
                separator = "; " if lms == "moodle" else ","
                shown = separator.join(option_text(spec, spec.ids.index(v)).replace(",", "\\," if lms != "moodle"
                                                                                      else ",") for v in chosen)
            texts.append({"garbage": "Z. nothing", "blank": ""}.get(mode, shown))
        else:
            entries = box_values(spec, value)
            for position, entry in enumerate(entries):
                if mode == "wrong":
                    text = _number(Fraction(entry) + 1000)
                elif mode == "garbage":
                    text = "abc"
                elif mode == "blank":
                    text = ""
                elif mode in ("one-wrong", "one-empty") and index == first_grid and position == 0:
                    text = _number(Fraction(entry) + 1) if mode == "one-wrong" else ""
                else:
                    text = _number(entry)
                texts.append(text)
    return texts


def _students(key):
    """30 students: (id, name, mode, {slot: replicate tag})."""
    replicates = replicate_questions(key)
    per_slot: dict[int, list[int]] = {}
    for slot, replicate in sorted(replicates):
        per_slot.setdefault(slot, []).append(replicate)
    students = []
    for number, mode in enumerate(MODES, start=1):
        drawn = {slot: Tag(QUIZ, slot, reps[number % len(reps)]) for slot, reps in per_slot.items()}
        if mode == "unknown-replicate":
            drawn[1] = Tag(QUIZ, 1, 99)
        if mode == "other-quiz":
            drawn[2] = Tag("week-99", 2, drawn[2].replicate)
        sid = "" if mode == "no-id" else f"s{number:02d}"
        students.append((sid, f"Student {number} Ødegård", mode, drawn))
    return students


def _question(replicates, tag: Tag):
    return replicates.get((tag.slot, tag.replicate)) or replicates[tag.slot, 1]


@pytest.fixture(scope="module")
def moodle_graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("moodle-roundtrip")
    path, key = export_to(folder, "moodle")
    summaries = {}
    for question in ET.parse(path).getroot():
        if question.get("type") == "cloze":
            _, skeleton = cloze_fields(question.find("questiontext/text").text)
            (tag,) = find_tags(question.find("name/text").text)
            summaries[tag] = " ".join(plain_text(re.sub(r"\{#\d+\}", "_____", skeleton)).split())
    replicates = replicate_questions(key)
    rows = []
    for sid, name, mode, drawn in _students(key):
        questions = []
        for slot in sorted(drawn):
            tag = drawn[slot]
            known = summaries.get(Tag(QUIZ, tag.slot, tag.replicate))
            summary = known.replace(str(Tag(QUIZ, tag.slot, tag.replicate)), str(tag)) if known else \
                summaries[next(t for t in summaries if t.slot == tag.slot)].replace(
                    str(next(t for t in summaries if t.slot == tag.slot)), str(tag))
            texts = _box_texts(_question(replicates, tag), "right" if mode in ("unknown-replicate", "other-quiz",
                                                                               "second-attempt", "in-progress",
                                                                               "no-id") else mode, "moodle")
            response = "-" if mode == "blank" else "; ".join(f"part {k}: {t}" for k, t in enumerate(texts, 1))
            questions.append((summary, response))
        first, last = name.rsplit(" ", 1)
        row = {"id": sid, "first": first, "last": last, "questions": questions,
               "state": "In progress" if mode == "in-progress" else "Finished"}
        rows.append(row)
        if mode == "second-attempt":  # the same student again, with other replicates
            again = dict(row, questions=[(re.sub(r" r(\d+)\]", " r01]", s) if " r01]" not in s else
                                          re.sub(r" r01\]", " r02]", s), r) for s, r in questions])
            rows.append(again)
    (folder / "responses.csv").write_text(moodle_responses(rows), encoding="utf-8")
    code = main(["grade", QUIZ, str(folder / "responses.csv"), "--from", "moodle", "--out", str(folder)])
    return code, json.loads((folder / QUIZ / "grades" / "grades.json").read_text(encoding="utf-8")), key


@pytest.fixture(scope="module")
def canvas_graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canvas-roundtrip")
    path, key = export_to(folder, "qti12")
    with zipfile.ZipFile(path) as archive:
        assessment = ET.fromstring(archive.read("assessment.xml"))
    columns, kinds = [], {}
    for number, item in enumerate(assessment.iter(f"{QTI12}item"), start=1000):
        text = item.find(f"{QTI12}presentation/{QTI12}material/{QTI12}mattext").text
        meta = {f.find(f"{QTI12}fieldlabel").text: f.find(f"{QTI12}fieldentry").text
                for f in item.iter(f"{QTI12}qtimetadatafield")}
        (tag,) = find_tags(item.get("title"))
        kinds[tag] = (len(columns), meta["question_type"])
        columns.append((f"{number}: {' '.join(plain_text(text).split())}", meta["points_possible"]))
    extra = len(columns)  # a column for the replicate the key does not know
    columns.append((f"{2000}: {str(Tag(QUIZ, 1, 99))}", "6"))
    other = len(columns)
    columns.append((f"{2001}: {str(Tag('week-99', 2, 1))}", "3"))
    replicates = replicate_questions(key)
    rows = []
    for sid, name, mode, drawn in _students(key):
        answers = {}
        for tag in drawn.values():
            if tag.replicate == 99:
                answers[extra] = ("5", "0")
                continue
            if tag.quiz != QUIZ:
                answers[other] = ("5", "0")
                continue
            index, kind = kinds[tag]
            fill = kind == "fill_in_multiple_blanks_question"
            texts = _box_texts(_question(replicates, tag), "right" if mode in ("second-attempt", "in-progress", "no-id")
                               else mode, "canvas-blank" if fill else "canvas")
            answers[index] = (",".join(t.replace(",", "\\,") for t in texts) if fill else texts[0], "0")
        row = {"name": name, "id": str(100 + len(rows)) if sid else "", "sis_id": sid, "answers": answers}
        rows.append(row)
        if mode == "second-attempt":
            moved = {}
            for index, value in answers.items():  # the same student again, with another replicate of each slot
                tag = next(t for t, (i, _) in kinds.items() if i == index)
                other_tag = next(t for t in kinds if t.slot == tag.slot and t != tag)
                moved[kinds[other_tag][0]] = value
            rows.append(dict(row, answers=moved))
    (folder / "analysis.csv").write_text(canvas_analysis(columns, rows), encoding="utf-8")
    code = main(["grade", QUIZ, str(folder / "analysis.csv"), "--from", "canvas", "--out", str(folder)])
    return code, json.loads((folder / QUIZ / "grades" / "grades.json").read_text(encoding="utf-8")), key


@pytest.fixture(params=["moodle", "canvas"])
def graded(request, moodle_graded, canvas_graded):
    return moodle_graded if request.param == "moodle" else canvas_graded


def _by_mode(rows):
    """The gradebook rows of each mode (a second attempt has two rows; students without id keep theirs)."""
    found: dict[str, list[dict]] = {}
    positions = iter(rows)
    for mode in MODES:
        found.setdefault(mode, []).append(next(positions))
        if mode == "second-attempt":
            found["second-attempt"].append(next(positions))
    assert next(positions, None) is None, "one gradebook row per input row, and nothing else"
    return found


def test_every_row_is_in_the_gradebook_and_the_command_asks_for_attention(graded):
    code, book, _ = graded
    assert code == 1  # rows need attention (no id, unknown replicate, a second attempt …)
    assert len(book["rows"]) == len(MODES) + 1


def test_right_answers_earn_every_point(graded):
    _, book, _ = graded
    for row in _by_mode(book["rows"])["right"]:
        assert row["total"] == row["maximum"] > 0, row["issues"]
        assert row["issues"] == []
        assert all(p["outcome"] == "correct" for q in row["questions"] for p in q["parts"])


def test_wrong_garbage_and_blank_answers_earn_nothing(graded):
    _, book, _ = graded
    rows = _by_mode(book["rows"])
    for row in rows["wrong"] + rows["garbage"]:
        assert row["total"] == 0 and row["counted"], row["issues"]
    for row in rows["blank"]:
        assert row["total"] == 0 and "all answers blank" in row["issues"] and not row["counted"]


def test_misconceptions_are_named_with_their_feedback(graded):
    _, book, key = graded
    named = [p for row in _by_mode(book["rows"])["misconception"] for q in row["questions"] for p in q["parts"]
             if p["misconception"]]
    assert len(named) >= 12
    sentences: dict[str, set[str]] = {}
    for student in key.students:
        for part in student.parts:
            for misconception in part.answer.misconceptions:
                sentences.setdefault(misconception.id, set()).add(misconception.feedback)
    for part in named:
        assert any(sentence in part["feedback"] for sentence in sentences[part["misconception"]]), part


def test_one_wrong_or_empty_box_loses_only_its_share(graded):
    """One wrong entry of n costs what the grader's rule says: credit (n - 1 - c)/(n - c), c the entries of the
    key's most common value (what a constant answer gets right)."""
    _, book, key = graded
    rows = _by_mode(book["rows"])
    replicates = replicate_questions(key)
    drawn = {sid: tags for sid, _, _, tags in _students(key)}
    for mode in ("one-wrong", "one-empty"):
        (row,) = rows[mode]
        off = [(q["slot"], p) for q in row["questions"] for p in q["parts"] if p["outcome"] != "correct"]
        assert len(off) >= 2  # the first vector or tuple of each question that has one
        lost = 0.0
        for slot, part in off:
            question = _question(replicates, drawn[row["student_id"]][slot])
            spec = next(p.answer for p in question.parts if p.column.endswith("." + part["column"].split(".")[1]))
            values = box_values(spec, spec.value)
            n, c = len(values), max(values.count(v) for v in values)
            credit = max(Fraction(0), Fraction(n - 1 - c, n - c)) if c < n else Fraction(0)
            assert part["outcome"] == ("partial" if credit else "incorrect"), part
            assert part["points"] == pytest.approx(part["maximum"] * credit, abs=1e-3)
            lost += part["maximum"] * (1 - credit)
        assert row["total"] == pytest.approx(row["maximum"] - lost, abs=1e-2)


def test_rows_that_cannot_be_graded_keep_their_row_with_a_status(graded):
    _, book, _ = graded
    rows = _by_mode(book["rows"])
    for row in rows["no-id"]:
        assert "missing student id" in row["status"] and row["total"] is None
    (unknown,) = rows["unknown-replicate"]
    assert "r99] is not in the key" in unknown["status"] and "q1: no response in the export" in unknown["status"]
    assert unknown["total"] == unknown["maximum"] - unknown["questions"][0]["maximum"]
    (other,) = rows["other-quiz"]
    assert "of quiz 'week-99'" in other["status"] and "q2: no response" in other["status"]
    first, second = rows["second-attempt"]
    assert first["total"] == first["maximum"]
    assert "another attempt of the same student" in second["status"] and second["total"] is None


def test_moodle_flags_an_attempt_in_progress(moodle_graded):
    _, book, _ = moodle_graded
    (row,) = _by_mode(book["rows"])["in-progress"]
    assert "attempt state 'In progress'" in row["status"] and row["total"] == row["maximum"]


def test_each_student_is_graded_against_the_replicates_they_drew(graded):
    _, book, _ = graded
    right = _by_mode(book["rows"])["right"]
    answers: dict[str, set[str]] = {}
    for row in right:  # every part of every right row is correct …
        for part in (p for q in row["questions"] for p in q["parts"]):
            assert part["outcome"] == "correct"
            answers.setdefault(part["column"], set()).add(part["answer"])
    # … though the students drew replicates with different answers: each was graded against their own
    assert sum(len(texts) > 1 for texts in answers.values()) >= 5
