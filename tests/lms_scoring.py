"""The score each LMS gives an exported question, computed from the export as the LMS's own code scores it,
and cnnquiz's score for the same answers, for tests/test_lms_scores.py.

- Moodle (question/type/multianswer, multichoice, numerical, shortanswer): a Cloze question's fraction is
  Σ weight × sub-fraction / Σ weight; a NUMERICAL or SHORTANSWER box takes the fraction of the first answer it
  matches (a number within the tolerance; a text by Moodle's wildcard match, `*` any text unless escaped,
  ignoring case, the response trimmed), a MULTICHOICE the chosen option's, a MULTIRESPONSE the sum of the
  chosen options' clamped to [0, 1], where the importer divides the right options' fractions by their total and,
  when no fraction is written %…%, gives each wrong option −1/total. Fractions are stored with 7 decimals
  (decimal(12,7), half away from zero): an answer's on import, the question's when graded (`stored`).
- QTI 2.1: `lms_files.run_processing`, an engine's response processing; SCORE is a double.
- Canvas (app/models/quizzes/quiz_question, its QTI importer): fill in multiple blanks scores right blanks over
  blanks (a blank is right when its text, trimmed and lower-cased, equals one it accepts: every label of its
  response_lid), multiple answers (right picks − wrong picks)/right options at least 0, multiple choice and
  numerical all or nothing; times the question's points, as a double.

A student's answers are given per part, per box: a text for a typed box, a `Picks` for a choice or multi-select.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from lms_files import QTI, box_values, cloze_fields, run_processing

from grader.answers import option_label
from grader.answers.base import text_number
from grader.lms import NONE_OF_THESE, boxed, join_cells, option_text, whole_answer
from grader.reading import read_answer

QTI12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
MOODLE_PLACES = 7


@dataclass(frozen=True)
class Picks:
    """The options picked in a choice (one) or multi-select (any) part, by option id."""

    ids: tuple[str, ...]


# -- what a student types --------------------------------------------------------------------------


def typed(spec, value) -> list:
    """A part's boxes holding `value` (in the kind's terms): entries as cnnquiz writes numbers, a whole answer
    in cnnquiz's notation, a formula as given, options as Picks."""
    if spec.kind == "choice":
        return [Picks((value,))]
    if spec.kind == "choices":
        return [Picks(tuple(value))]
    if spec.kind == "formula":
        return [value]
    if whole_answer(spec):
        return [spec.to_text(value)]
    return [text_number(entry) for entry in box_values(spec, value)]


def wrong_value(spec):
    """A value of the kind that cnnquiz gives nothing for: every number 1000 more, another option, the options
    that are not right, a formula of nothing asked."""
    if spec.kind == "choice":
        return next(option for option in spec.ids if option != spec.value)
    if spec.kind == "choices":
        return tuple(option for option in spec.ids if option not in spec.value)
    if spec.kind == "formula":
        return "n + 1000"
    if spec.kind == "matrix":
        return tuple(tuple(Fraction(v) + 1000 for v in row) for row in spec.value)
    if spec.kind in ("vector", "tuple"):
        return tuple(Fraction(v) + 1000 for v in spec.value)
    return Fraction(spec.value) + 1000


def cnnquiz_score(parts, answers: list[list]) -> Fraction:
    """cnnquiz's points for a question's boxes, read back as `cnnquiz grade --from` reads an LMS's boxes, exactly
    (grader.grade reads and judges the same way, its score rounded for the gradebook)."""
    total = Fraction(0)
    for part, boxes in zip(parts, answers, strict=True):
        spec = part.answer
        if isinstance(boxes[0], Picks):
            labels = sorted(option_label(spec.ids.index(i)) for i in boxes[0].ids)
            text = labels[0] if spec.kind == "choice" else ", ".join(labels) or "none"
        else:
            text = join_cells(spec, boxes)
        reading = read_answer(boxed(spec), text)
        comparison = boxed(spec).compare(reading.value) if reading.valid else None
        total += part.points * (comparison.score if comparison and not comparison.invalid else 0)
    return total


# -- Moodle -------------------------------------------------------------------------------------------


def stored(value: Fraction, places: int = MOODLE_PLACES) -> Decimal:
    """A number as a decimal(12, places) column stores it (half away from zero)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if value >= 0 else \
        -(-exact).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def moodle_fraction(question_text: str, parts, answers: list[list]) -> Fraction:
    """The fraction Moodle computes for a Cloze question answered with `answers` (per part, per box), exactly
    (from its sub-questions' stored fractions; `stored` gives what Moodle then keeps)."""
    fields, _ = cloze_fields(question_text)
    responses = []
    for part, boxes in zip(parts, answers, strict=True):
        for box in boxes:
            if isinstance(box, Picks):
                spec = part.answer
                texts = {option_text(spec, spec.ids.index(i)) for i in box.ids}
                responses.append(texts or {NONE_OF_THESE} if spec.kind == "choices" else texts.pop())
            else:
                responses.append(box)
    assert len(responses) == len(fields)
    weights = sum(field.weight for field in fields)
    got = sum(field.weight * _sub_fraction(field, response) for field, response in zip(fields, responses, strict=True))
    return Fraction(got) / weights


def _sub_fraction(field, response) -> Decimal:
    if field.kind.startswith("MULTIRESPONSE"):
        fractions = _imported_multiresponse(field)
        picked = sum((f for a, f in zip(field.alternatives, fractions, strict=True) if a.answer in response),
                     Decimal(0))
        return min(max(Decimal(0), picked), Decimal(1))
    for alternative in field.alternatives:
        if _matches(field.kind, alternative.answer, response):
            return stored(alternative.fraction)
    return Decimal(0)


def _imported_multiresponse(field) -> list[Decimal]:
    """The fractions the importer stores for a MULTIRESPONSE: right ones over their total, wrong ones as written
    (or −1/total when no fraction is written %…%)."""
    total = sum(a.fraction for a in field.alternatives if a.fraction > 0)
    specific = any(a.percent for a in field.alternatives)
    return [stored(a.fraction / total if a.fraction > 0 else a.fraction if specific else -1 / total)
            for a in field.alternatives]


def _matches(kind: str, answer: str, response) -> bool:
    if kind.startswith("MULTICHOICE"):
        return answer == response
    if kind == "NUMERICAL":
        if answer == "*":
            return True
        value, _, tolerance = answer.partition(":")
        try:
            return abs(Fraction(response.strip()) - Fraction(value)) <= Fraction(tolerance or 0)
        except ValueError:
            return False
    bits = [re.escape(bit.replace("\\*", "*")) for bit in re.split(r"(?<!\\)\*+", answer)]
    pattern = "^" + ".*".join(bits) + "$"
    normal = unicodedata.normalize("NFC", response.strip())
    return re.match(pattern, normal, re.IGNORECASE | re.DOTALL) is not None


# -- QTI 2.1 -----------------------------------------------------------------------------------------


def qti21_score(item: ET.Element, parts, answers: list[list]) -> float:
    """SCORE of an assessmentItem answered with `answers` (per part, per box, in the export's order)."""
    declared = [d.get("identifier") for d in item.iter(f"{QTI}responseDeclaration")]
    responses, position = {}, 0
    for part, boxes in zip(parts, answers, strict=True):
        for box in boxes:
            ident = declared[position]
            position += 1
            if isinstance(box, Picks):
                labels = {option_label(part.answer.ids.index(i)) for i in box.ids}
                responses[ident] = labels.pop() if part.answer.kind == "choice" else labels or None
            else:
                responses[ident] = box
    assert position == len(declared)
    return run_processing(item, responses)["SCORE"]


# -- Canvas ------------------------------------------------------------------------------------------


def canvas_meta(item: ET.Element) -> dict[str, str]:
    return {f.find(f"{QTI12}fieldlabel").text: f.find(f"{QTI12}fieldentry").text
            for f in item.iter(f"{QTI12}qtimetadatafield")}


def canvas_score(item: ET.Element, parts, answers: list[list]) -> float:
    """The points Canvas gives an imported item answered with `answers`."""
    meta = canvas_meta(item)
    kind, points = meta["question_type"], float(meta["points_possible"])
    if kind == "fill_in_multiple_blanks_question":
        blanks = [[m.text for m in lid.iter(f"{QTI12}mattext")][1:] for lid in item.iter(f"{QTI12}response_lid")]
        texts = [_blank_text(part.answer, box) for part, boxes in zip(parts, answers, strict=True) for box in boxes]
        assert len(texts) == len(blanks)
        if not any(text.strip() for text in texts):
            return 0.0
        right = sum(text.strip().lower() in {a.strip().lower() for a in accepted}
                    for text, accepted in zip(texts, blanks, strict=True))
        return right / len(blanks) * points
    (box,), spec = answers[0], parts[0].answer
    processing = item.find(f"{QTI12}resprocessing")
    scored = [c for c in processing.iter(f"{QTI12}respcondition") if c.find(f"{QTI12}setvar") is not None
              and c.find(f"{QTI12}setvar").text == "100"]
    if kind == "numerical_question":
        value = scored[0].find(f".//{QTI12}varequal").text
        return points if _number(box) == Fraction(value) else 0.0
    labels = {option_label(spec.ids.index(i)) for i in box.ids}
    if kind == "multiple_choice_question":
        return points if labels == {scored[0].find(f".//{QTI12}varequal").text} else 0.0
    right = {v.text for v in scored[0].find(f"{QTI12}conditionvar/{QTI12}and").findall(f"{QTI12}varequal")}
    picks = labels or {"NONE"}
    return max(0.0, len(picks & right) / len(right) * points - len(picks - right) / len(right) * points)


def _blank_text(spec, box) -> str:
    """A blank's text: as typed, or the letters of the options picked."""
    if not isinstance(box, Picks):
        return box
    labels = sorted(option_label(spec.ids.index(i)) for i in box.ids)
    return ", ".join(labels) or "none"


def _number(text: str) -> Fraction | None:
    try:
        return Fraction(text.strip())
    except ValueError:
        return None
