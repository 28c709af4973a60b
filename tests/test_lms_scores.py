"""Inside the LMS, the same grade as cnnquiz (issue 23): each template's questions are exported for Moodle,
QTI 2.1 and Canvas, read back and scored as each LMS's own code scores them (tests/lms_scoring.py), for the key,
for each part wrong in turn and for each alternative value cnnquiz accepts; the LMS's score must be cnnquiz's to
the last decimal the LMS stores (Moodle: the fraction, 7 decimals; QTI 2.1: SCORE, a double). Canvas gives every
blank of a question the same share, so it is exact only where the parts' blanks are in proportion to their
points: the test holds the export's own account of that (`qti12.weighs_as_cnnquiz`, which `--to qti12` prints)
to what Canvas's scoring gives.

Before the fix these failed: a large integer (conv-cost: QTI 2.1 declared 8,003,072,000 a 32-bit integer, which
an engine refuses), an alternative (same-padding's (2, 3) for (3, 2): half the part in Moodle), a multi-select
with three right options (Moodle: 3 × 0.3333333 = 0.9999999) and box weights that do not add up (QTI 2.1: 1e-9
off).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from lms_scoring import (
    Picks,
    canvas_score,
    cnnquiz_score,
    moodle_fraction,
    qti21_score,
    typed,
    wrong_value,
)

import exercises
from exercises.bank import load_bank
from exercises.export import moodle, qti12, qti21
from exercises.export.replicates import Replicate, draw
from exercises.registry import all_templates
from grader.lms import Tag, cells, whole_answer

SEEDS = range(3)
PINNED = {  # the cases of the issue, each checked to be what it is meant to be
    "large integers": ("conv-cost", {"height": 280, "width": 320, "kernel": [[-1, 1]]}),
    "alternatives": ("same-padding", {"kernel": 6, "dilation": 1, "convention": "any"}),
    "three right options": ("sparsity", {}),
}
CASES = [(template, seed, {}) for template in sorted(all_templates()) for seed in SEEDS] + \
    [(template, 0, params) for template, params in PINNED.values()] + [("output-size", 0, {"ask_formula": True})]


def _id(case) -> str:
    template, seed, params = case
    return f"{template}-{seed}" + ("-pinned" if params else "")


def key_value(spec):
    return spec.to_text() if spec.kind == "formula" else spec.value


def scenarios(question) -> list[tuple[str, list[list]]]:
    """(what, the answers per part and box): the key, each part wrong in turn, each alternative of a part."""
    key = [typed(part.answer, key_value(part.answer)) for part in question.parts]
    out = [("the key", key)]
    for index, part in enumerate(question.parts):
        out.append((f"{part.id} wrong", [*key[:index], typed(part.answer, wrong_value(part.answer)), *key[index + 1:]]))
        for alternative in getattr(part.answer, "alternatives", ()):
            out.append((f"{part.id} = {alternative}",
                        [*key[:index], typed(part.answer, alternative), *key[index + 1:]]))
    return out


def one_entry_wrong(question) -> list[tuple[str, list[list]]]:
    """Each grid part of several boxes with its first box wrong (the per-entry rule beyond a constant)."""
    key = [typed(part.answer, key_value(part.answer)) for part in question.parts]
    out = []
    for index, part in enumerate(question.parts):
        if len(key[index]) > 1:
            boxes = [str(Fraction(key[index][0]) + 1000), *key[index][1:]]
            out.append((f"{part.id} one entry wrong", [*key[:index], boxes, *key[index + 1:]]))
    return out


@pytest.fixture(scope="module", params=CASES, ids=_id)
def case(request):
    template, seed, params = request.param
    question = exercises.generate(template, seed=seed, **params)
    return template, question, Replicate(Tag("scores", 1, 1), question)


def test_moodle_scores_every_case_as_cnnquiz(case):
    """Moodle's fraction is cnnquiz's exactly (from the 7-decimal fractions it stores for each answer), so the
    7 decimals it stores for the question are too."""
    _, question, replicate = case
    text = moodle.question(replicate).find("questiontext/text").text
    points = sum(part.points for part in question.parts)
    for what, answers in scenarios(question):
        assert moodle_fraction(text, question.parts, answers) == cnnquiz_score(question.parts, answers) / points, what


@pytest.fixture(scope="module")
def qti21_schema():
    etree = pytest.importorskip("lxml.etree", reason="lxml (the test extra) validates the XML against the XSD")
    return etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "qti" / "qtiv2p1" / "imsqti_v2p1.xsd")))


def test_qti21_scores_every_case_as_cnnquiz(case, qti21_schema):
    """Exactly, as a double; and the per-entry rule beyond a constant too (one entry of a grid wrong), there to the
    rounding of adding a part's share to the others' points. The item is valid QTI 2.1."""
    from lxml import etree

    _, question, replicate = case
    data = qti21.item(replicate)[0]
    assert qti21_schema.validate(etree.fromstring(data)), qti21_schema.error_log.filter_from_errors()[:3]
    item = ET.fromstring(data)
    for what, answers in scenarios(question):
        assert qti21_score(item, question.parts, answers) == float(cnnquiz_score(question.parts, answers)), what
    for what, answers in one_entry_wrong(question):
        expected = float(cnnquiz_score(question.parts, answers))
        assert qti21_score(item, question.parts, answers) == pytest.approx(expected, rel=1e-15, abs=0), what


def test_canvas_scores_as_cnnquiz_where_the_export_says_it_does(case):
    _, question, replicate = case
    item = qti12.item(replicate, {})
    exact = all(abs(canvas_score(item, question.parts, answers) - float(cnnquiz_score(question.parts, answers)))
                <= 1e-9 for _, answers in scenarios(question))
    assert exact == qti12.weighs_as_cnnquiz(question)


def test_the_issues_cases_are_what_they_are_meant_to_be():
    conv_cost = exercises.generate(PINNED["large integers"][0], **PINNED["large integers"][1])
    assert any(part.answer.kind == "integer" and part.answer.value > 2**31 - 1 for part in conv_cost.parts)
    padding = exercises.generate(PINNED["alternatives"][0], **PINNED["alternatives"][1])
    split = padding.part("split").answer
    assert (tuple(split.value), [tuple(a) for a in split.alternatives]) == ((3, 2), [(2, 3)])
    sparsity = exercises.generate(PINNED["three right options"][0], **PINNED["three right options"][1])
    assert any(part.answer.kind == "choices" and len(part.answer.value) == 3 for part in sparsity.parts)


def test_an_alternative_is_one_box_that_takes_every_accepted_value_and_no_mix():
    question = exercises.generate(PINNED["alternatives"][0], **PINNED["alternatives"][1])
    spec = question.part("split").answer
    assert whole_answer(spec) and cells(spec) == [()]
    replicate = Replicate(Tag("scores", 1, 1), question)
    text = moodle.question(replicate).find("questiontext/text").text
    item = ET.fromstring(qti21.item(replicate)[0])
    canvas = qti12.item(replicate, {})
    key = [typed(part.answer, key_value(part.answer)) for part in question.parts]
    total, split = question.part("total").points, question.part("split").points
    for value, credit in (((2, 3), 1), ((3, 2), 1), ((3, 3), 0), ((2, 2), 0)):
        answers = [key[0], [spec.to_text(value)]]
        assert cnnquiz_score(question.parts, answers) == total + credit * split
        assert moodle_fraction(text, question.parts, answers) == Fraction(total + credit * split, total + split)
        assert qti21_score(item, question.parts, answers) == total + credit * split
        assert canvas_score(canvas, question.parts, answers) == (total + credit * split if split == total else
                                                                 (1 + credit) / 2 * (total + split))


def test_a_large_integer_is_declared_as_text_and_takes_its_grouped_spelling():
    question = exercises.generate(PINNED["large integers"][0], **PINNED["large integers"][1])
    item = ET.fromstring(qti21.item(Replicate(Tag("scores", 1, 1), question))[0])
    qti = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
    declared = {d.get("identifier"): d for d in item.iter(f"{qti}responseDeclaration")}
    for index, part in enumerate(question.parts, start=1):
        if part.answer.kind != "integer":
            continue
        declaration = declared[f"R{index}_1"]
        large = part.answer.value > 2**31 - 1
        assert declaration.get("baseType") == ("string" if large else "integer")
        if large:
            key = [typed(p.answer, key_value(p.answer)) for p in question.parts]
            grouped = f"{part.answer.value:,}".replace(",", " ")
            answers = [*key[:index - 1], [grouped], *key[index:]]
            assert cnnquiz_score(question.parts, answers) == qti21_score(item, question.parts, answers) == \
                sum(p.points for p in question.parts)


def test_moodle_multi_select_fractions_add_up_to_one_at_seven_decimals():
    for right in range(8):
        shares, wrong = moodle.pick_fractions(right)
        assert sum(Fraction(share) for share in shares) == 100
        assert all(len(share.partition(".")[2]) <= 5 for share in [*shares, wrong])  # 7 decimals of a fraction
        assert Fraction(wrong) == -round(Fraction(100, max(right, 1)) * 10**5) / Fraction(10**5)


def test_a_multi_select_in_canvas_is_multiple_answers_scored_by_cnnquizs_net_correct_rule():
    question = exercises.generate("concepts", seed=1, form="select-all")
    (part,) = question.parts
    assert part.answer.kind == "choices" and len(part.answer.value) == 2
    item = qti12.item(Replicate(Tag("scores", 1, 1), question), {})
    assert {f.find("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}fieldentry").text
            for f in item.iter("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}qtimetadatafield")} >= \
        {"multiple_answers_question"}
    right, wrong = list(part.answer.value), [i for i in part.answer.ids if i not in part.answer.value]
    for picks in ([], right[:1], right, [*right, wrong[0]], [right[0], wrong[0]], wrong, [*right, *wrong[:2]]):
        answers = [[Picks(tuple(picks))]]
        if picks:  # an empty pick is Canvas's unanswered question; cnnquiz reads "none", wrong here too
            assert canvas_score(item, question.parts, answers) == pytest.approx(
                float(cnnquiz_score(question.parts, answers)), abs=1e-12)


def test_a_multi_select_blank_in_canvas_takes_the_letters_in_any_order_and_case():
    question = exercises.generate("sparsity", seed=0)
    index, part = next((i, p) for i, p in enumerate(question.parts) if p.answer.kind == "choices")
    (box,) = qti12.boxes(question)[index]
    accepted = {text.lower() for text in qti12.accepted(box, part.answer)}
    letters = sorted(chr(ord("A") + part.answer.ids.index(v)) for v in part.answer.value)
    assert len(letters) == 3
    for text in (", ".join(letters), ", ".join(reversed(letters)).lower(), "".join(letters[::-1]),
                 " ".join(letters), ",".join([letters[1], letters[0], letters[2]])):
        assert text.lower() in accepted


@pytest.mark.parametrize("quiz_id", ["week-04", "week-06", "week-07", "week-08"])
def test_the_weeks_are_scored_as_cnnquiz(quiz_id):
    """Every replicate of the shipped weeks (20 per slot): Moodle and QTI 2.1 give cnnquiz's score for every case;
    Canvas where `weighs_as_cnnquiz` says so (the count `--to qti12` prints)."""
    bank = load_bank()
    pools, _ = draw(bank, bank.quiz(quiz_id), 20)
    for pool in pools:
        for replicate in pool.replicates:
            question = replicate.question
            points = sum(part.points for part in question.parts)
            text = moodle.question(replicate).find("questiontext/text").text
            item, canvas = ET.fromstring(qti21.item(replicate)[0]), qti12.item(replicate, {})
            canvas_exact = True
            for what, answers in scenarios(question):
                score = cnnquiz_score(question.parts, answers)
                assert moodle_fraction(text, question.parts, answers) == score / points, (replicate.name, what)
                assert qti21_score(item, question.parts, answers) == float(score), (replicate.name, what)
                canvas_exact &= abs(canvas_score(canvas, question.parts, answers) - float(score)) <= 1e-9
            assert canvas_exact == qti12.weighs_as_cnnquiz(question), replicate.name


@pytest.mark.parametrize("strictness", ["all-or-nothing", "each-answer"])
def test_qti21_follows_every_multi_select_rule_and_a_bank_without_partial_credit(strictness):
    """The rules no shipped template uses: a bank's `scoring: all-or-nothing` (no partial credit, grids too) and
    a multi-select scored by each answer; QTI 2.1 gives cnnquiz's score for any picks and any one entry wrong."""
    import dataclasses
    from itertools import combinations

    from exercises.bank import apply_scoring

    question = exercises.generate("sparsity", seed=0)
    if strictness == "all-or-nothing":
        question = apply_scoring(question, "all-or-nothing")
    else:
        question = dataclasses.replace(question, parts=tuple(
            dataclasses.replace(p, answer=dataclasses.replace(p.answer, rule="each-answer"))
            if p.answer.kind == "choices" else p for p in question.parts))
    item = ET.fromstring(qti21.item(Replicate(Tag("scores", 1, 1), question))[0])
    index = next(i for i, p in enumerate(question.parts) if p.answer.kind == "choices")
    spec = question.parts[index].answer
    key = [typed(part.answer, key_value(part.answer)) for part in question.parts]
    scores = set()
    for size in range(len(spec.ids) + 1):
        for picks in combinations(spec.ids, size):
            answers = [*key[:index], [Picks(picks)], *key[index + 1:]]
            expected = float(cnnquiz_score(question.parts, answers))
            assert qti21_score(item, question.parts, answers) == pytest.approx(expected, rel=1e-15, abs=0), picks
            scores.add(expected)
    assert len(scores) > (2 if strictness == "each-answer" else 1)
    if strictness == "all-or-nothing":  # a grid without partial credit: one wrong entry loses the part
        grid = apply_scoring(exercises.generate("conv1d", seed=0), "all-or-nothing")
        grid_item = ET.fromstring(qti21.item(Replicate(Tag("scores", 1, 1), grid))[0])
        for what, answers in one_entry_wrong(grid):
            assert qti21_score(grid_item, grid.parts, answers) == float(cnnquiz_score(grid.parts, answers)) == 0, what
