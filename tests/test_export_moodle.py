"""`cnnquiz export --to moodle`: the Moodle XML read back the way Moodle's importer reads it
(question/format/xml and the Cloze syntax of question/type/multianswer), checked against the key of
the replicates (lms-key.json): every box's right answer, weight and misconception feedback."""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from lms_files import QUIZ, box_values, cloze_fields, export_to, plain_text

import grader
from grader.lms import NONE_OF_THESE, cells, find_tags, option_text, replicate_questions, whole_answer
from grader.parsing import parse_single_number

IMPORTER_READS = {"name", "questiontext", "generalfeedback", "penalty", "hidden"}  # import_multianswer


@pytest.fixture(scope="module")
def moodle(tmp_path_factory):
    path, key = export_to(tmp_path_factory.mktemp("moodle"), "moodle")
    root = ET.parse(path).getroot()
    return root, key, path


def _questions(root):
    """(category path, cloze question element) for every question, in file order."""
    category = None
    for element in root:
        if element.get("type") == "category":
            category = element.find("category/text").text
        else:
            yield category, element


def test_each_slot_is_a_category_of_its_replicates(moodle):
    root, key, _ = moodle
    assert root.tag == "quiz"
    categories = [e.find("category/text").text for e in root if e.get("type") == "category"]
    assert categories == [f"$course$/{QUIZ}/q{slot}" for slot in range(1, 7)]
    for category, question in _questions(root):
        assert question.get("type") == "cloze"
        (tag,) = find_tags(question.find("name/text").text)
        assert (tag.quiz, category) == (QUIZ, f"$course$/{QUIZ}/q{tag.slot}")
        assert find_tags(plain_text(question.find("questiontext/text").text)) == [tag]  # the report shows the text
    slots = replicate_questions(key)
    assert {(tag.slot, tag.replicate) for tag in _tags(root)} <= set(slots)
    assert len({tag.slot for tag in _tags(root)}) == 6


def _tags(root):
    return [find_tags(q.find("name/text").text)[0] for _, q in _questions(root)]


def test_questions_have_only_what_the_cloze_importer_reads(moodle):
    root, _, _ = moodle
    for _, question in _questions(root):
        assert {child.tag for child in question} <= IMPORTER_READS
        for field in ("questiontext", "generalfeedback"):
            assert question.find(field).get("format") == "html"
            assert question.find(f"{field}/text").text.strip()
        fields, _ = cloze_fields(question.find("questiontext/text").text)
        for field in fields:  # Moodle refuses a sub-question without a 100 % answer, a choice with one option
            assert any(a.fraction == 1 for a in field.alternatives) or field.kind == "MULTIRESPONSE"
            assert any(a.fraction > 0 for a in field.alternatives)
            if field.kind.startswith("MULTI"):
                assert len(field.alternatives) >= 2


def test_every_box_expects_the_key_of_its_replicate(moodle):
    root, key, _ = moodle
    replicates = replicate_questions(key)
    kinds = set()
    for _, question in _questions(root):
        tag = find_tags(question.find("name/text").text)[0]
        expected = replicates[tag.slot, tag.replicate]
        fields, _ = cloze_fields(question.find("questiontext/text").text)
        assert len(fields) == sum(len(cells(part.answer)) for part in expected.parts)
        position = 0
        for part in expected.parts:
            kinds.add(part.answer.kind)
            grid = part.answer.kind not in ("choice", "choices", "formula") and not whole_answer(part.answer)
            for value in box_values(part.answer) if grid else [None]:
                field = fields[position]
                position += 1
                _check_box(field, part.answer, value)
    assert kinds == {"integer", "vector", "matrix", "tuple", "choice", "choices", "formula"}


def _check_box(field, spec, value):
    if spec.kind == "formula" or whole_answer(spec):  # a formula, or a whole answer: its spellings cnnquiz reads
        assert field.kind == "SHORTANSWER" and field.right[0] == spec.to_text()
        assert spec.kind != "formula" or field.right == [spec.to_text()]
        assert all(grader.grade(spec, text).status == "correct" for text in field.right)
        assert field.alternatives[-1].answer == "*" and spec.to_text() in field.alternatives[-1].feedback
    elif spec.kind == "choice":
        assert field.kind == "MULTICHOICE_V"
        assert field.right == [option_text(spec, spec.ids.index(spec.value))]
    elif spec.kind == "choices":
        assert field.kind == "MULTIRESPONSE"
        right = [option_text(spec, spec.ids.index(v)) for v in spec.value] or [NONE_OF_THESE]
        assert sorted(field.right) == sorted(right)
        assert field.alternatives[-1].answer == NONE_OF_THESE
    elif Fraction(value).denominator == 1:
        assert field.kind == "NUMERICAL"
        assert [a.answer for a in field.alternatives if a.fraction == 1] == [f"{value}:0"]
    else:
        assert field.kind == "SHORTANSWER"
        assert f"{value.numerator}/{value.denominator}" in field.right
        assert all(parse_single_number(spelling) == value for spelling in field.right)


def test_weights_give_the_parts_their_points(moodle):
    root, key, _ = moodle
    replicates = replicate_questions(key)
    for _, question in _questions(root):
        tag = find_tags(question.find("name/text").text)[0]
        expected = replicates[tag.slot, tag.replicate]
        fields, _ = cloze_fields(question.find("questiontext/text").text)
        scale, position = set(), 0
        for part in expected.parts:
            count = len(cells(part.answer))
            weights = [f.weight for f in fields[position:position + count]]
            position += count
            scale.add(Fraction(sum(weights), part.points))
            if part.answer.kind in ("vector", "tuple", "matrix"):
                # a value that fills several (not all) entries is what a constant answer gets right: those entries
                # carry no points, the others the same share; with every value once, each entry the same share
                values = box_values(part.answer)
                repeated = [v for v in values if 1 < values.count(v) == max(map(values.count, values)) < len(values)]
                free = [w for w, v in zip(weights, values, strict=True) if repeated and v == repeated[0]]
                paid = [w for w, v in zip(weights, values, strict=True) if not repeated or v != repeated[0]]
                assert free == [0] * len(free) and len(set(paid)) == 1
        assert len(scale) == 1, f"{tag}: weights not proportional to the points"


def test_a_box_where_a_misconception_differs_carries_its_feedback(moodle):
    root, key, _ = moodle
    replicates = replicate_questions(key)
    attached = 0
    for _, question in _questions(root):
        tag = find_tags(question.find("name/text").text)[0]
        expected = replicates[tag.slot, tag.replicate]
        fields, _ = cloze_fields(question.find("questiontext/text").text)
        position = 0
        for part in expected.parts:
            boxes = fields[position:position + len(cells(part.answer))]
            position += len(boxes)
            if part.answer.kind not in ("vector", "tuple", "matrix", "integer"):
                continue
            keys = box_values(part.answer)
            for misconception in part.answer.misconceptions:
                if not _same_shape(misconception.value, part.answer.value):
                    continue  # another shape (a transposed matrix, a longer output): no box holds it
                values = box_values(part.answer, misconception.value)
                for field, right, wrong in zip(boxes, keys, values, strict=True):
                    if wrong == right:
                        continue
                    given = {Fraction(a.answer.split(":")[0]) if field.kind == "NUMERICAL" else a.answer: a.feedback
                             for a in field.wrong}
                    spelled = wrong if field.kind == "NUMERICAL" else \
                        part.answer.to_text(wrong) if whole_answer(part.answer) else str(wrong)  # a whole answer
                    assert given.get(spelled), f"{tag} {part.column}: {misconception.id} gives {wrong} here"
                    attached += 1
    assert attached > 20


def _same_shape(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_shape(x, y) for x, y in zip(a, b, strict=True))
    return not isinstance(a, (list, tuple)) and not isinstance(b, (list, tuple))


def test_figures_are_embedded_svg_files(moodle):
    root, _, _ = moodle
    seen = 0
    for _, question in _questions(root):
        for field in ("questiontext", "generalfeedback"):
            element = question.find(field)
            used = set(re.findall(r'src="@@PLUGINFILE@@/([^"]+)"', element.find("text").text))
            files = {f.get("name"): f for f in element.findall("file")}
            assert used == set(files)
            for file in files.values():
                assert (file.get("encoding"), file.get("path")) == ("base64", "/")
                assert base64.b64decode(file.text).startswith(b"<svg xmlns=")
                seen += 1
    assert seen, "the receptive-field questions have figures"


def test_math_is_latex_for_mathjax_and_text_is_escaped(moodle):
    root, key, path = moodle
    text = path.read_text(encoding="utf-8")
    assert "\\(" in text and "\\begin{bmatrix}" in text
    info = [e.find("info/text").text for e in root if e.get("type") == "category"][0]
    assert html.escape(key.title) in info  # the title, HTML-escaped inside HTML (and XML-escaped in the file)
    assert "&lt;tags&gt;" in info and "<tags>" not in info
    names = [q.find("name/text").text for _, q in _questions(root)]
    assert all(name.startswith(f"[cnnquiz {QUIZ} q") for name in names)  # a name is plain text: any Unicode


def test_the_export_is_reproducible(tmp_path, moodle):
    _, _, path = moodle
    again, _ = export_to(tmp_path, "moodle")
    assert again.read_bytes() == path.read_bytes()
