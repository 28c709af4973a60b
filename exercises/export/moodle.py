"""Moodle XML: each slot a category (`$course$/QUIZ/q1`) of Cloze questions, one per replicate.

The structure follows what Moodle's `question/format/xml` importer reads for a Cloze question (`<question
type="cloze">` with name, questiontext, generalfeedback, penalty, hidden). Moodle scores a Cloze question as
the weighted mean of its sub-questions' fractions, weights their integer `{weight:…}`: each box weighs its
points (cells.integer_weights), so the key earns every point and a wrong part loses exactly its points. The
question's default mark is always the sum of the weights (the importer reads no defaultgrade), so it equals the
points only where every box is worth whole points: the slot's maximum mark must be set in the quiz (the
category's description and `grading_note` say so). Sub-questions: an integer box is NUMERICAL with tolerance 0,
a fraction box SHORTANSWER accepting its exact spellings, a choice MULTICHOICE_V, a multi-select MULTIRESPONSE
with a last option "None of these": the right options' fractions add up to exactly 1 at the 7 decimals Moodle
stores (a share each, the remainder spread by units of 1e-7), each wrong one takes one share back (cnnquiz's
net-correct rule, Moodle's sum clamped to [0, 1]). A formula, or a whole answer (a grid whose size must stay
hidden, a tuple with alternatives), is a SHORTANSWER whose right answers are the accepted spellings (the key's
for a formula; every usual spelling of every accepted value for a whole answer) plus a catch-all whose feedback
says cnnquiz grades it (Cloze has no essay sub-question). A box where a misconception's value differs from the
key lists that value with the misconception's feedback. Figures are SVG files embedded with `@@PLUGINFILE@@`;
the worked solution is the general feedback.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from fractions import Fraction
from html import escape

from exercises.bank import Quiz
from exercises.export.cells import Box, boxes, integer_weights, number_spellings, number_text
from exercises.export.html import LmsHtmlPrinter, grid_html, points_text
from exercises.export.replicates import Pool, Replicate
from grader.answers.number import decimal_text
from grader.lms import NONE_OF_THESE, option_text

FRACTION_PLACES = 7  # Moodle stores an answer's fraction with 7 decimals (question_answers.fraction, decimal(12,7))

FORMULA_NOTE = "cnnquiz grades formulas by their meaning when your instructor runs it; the expected formula: "
TEXT_NOTE = "cnnquiz reads your answer in every notation it accepts when your instructor runs it; the expected answer: "


def export_file(quiz: Quiz, pools: list[Pool]) -> bytes:
    """moodle.xml, as `cnnquiz export --to moodle` writes it (exercises.export.FORMATS)."""
    return moodle_xml(quiz, pools).encode("utf-8")


def grading_note(quiz: Quiz, pools: list[Pool]) -> str | None:
    """What `cnnquiz export --to moodle` tells the user: the slots' maximum marks to set."""
    other = sum(default_mark(r) != sum(p.points for p in r.question.parts) for pool in pools for r in pool.replicates)
    if not other:
        return None
    marks = ", ".join(f"q{pool.slot}: {pool.points}" for pool in pools)
    return (f"Moodle makes a Cloze question's default mark the sum of its box weights ({other} of "
            f"{sum(len(pool.replicates) for pool in pools)} questions): in the quiz, set each slot's maximum mark "
            f"to its points ({marks}); the scores are then cnnquiz's")


def default_mark(replicate: Replicate) -> int:
    """The default mark Moodle gives a replicate's Cloze question: the sum of its box weights."""
    return sum(sum(row) for row in integer_weights(replicate.question, boxes(replicate.question)))


def moodle_xml(quiz: Quiz, pools: list[Pool]) -> str:
    """The whole export: a category per slot, then its replicates."""
    root = ET.Element("quiz")
    root.append(ET.Comment(f" cnnquiz export of {quiz.id}: add 'a random question' from each category "))
    for pool in pools:
        root.append(category(quiz, pool))
        root.extend(question(replicate) for replicate in pool.replicates)
    return serialize(root)


def serialize(element: ET.Element) -> str:
    ET.indent(element, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode") + "\n"


def category(quiz: Quiz, pool: Pool) -> ET.Element:
    element = ET.Element("question", type="category")
    path = "$course$/" + quiz.id.replace("/", "//") + f"/q{pool.slot}"  # '//' is a literal '/' in a name
    _text(ET.SubElement(element, "category"), path)
    info = ET.SubElement(element, "info", format="html")
    _text(info, f"<p>{escape(quiz.title)}, question {pool.slot} ({points_text(pool.points)}): "
                f"{len(pool.replicates)} replicates. Add one random question from this category to the quiz and set "
                f"its maximum mark to {pool.points}.</p>")
    return element


def question(replicate: Replicate) -> ET.Element:
    """One replicate as a Cloze question."""
    q = replicate.question
    element = ET.Element("question", type="cloze")
    _text(ET.SubElement(element, "name"), replicate.name)
    body = LmsHtmlPrinter(src="@@PLUGINFILE@@/")
    text = ET.SubElement(element, "questiontext", format="html")
    _text(text, cloze_text(replicate, body))
    _files(text, body.files)
    feedback = LmsHtmlPrinter(src="@@PLUGINFILE@@/")
    general = ET.SubElement(element, "generalfeedback", format="html")
    _text(general, feedback.solution(q))
    _files(general, feedback.files)
    ET.SubElement(element, "penalty").text = "0"
    ET.SubElement(element, "hidden").text = "0"
    return element


def cloze_text(replicate: Replicate, printer: LmsHtmlPrinter) -> str:
    """The question text with its Cloze sub-questions, ending with the replicate's tag."""
    q = replicate.question
    parts = boxes(q)
    weights = integer_weights(q, parts)
    out = printer.blocks(q.statement)
    for index, part in enumerate(q.parts):
        out.append(f"<p><b>({chr(ord('a') + index)})</b> {printer.prose(part.prompt)} "
                   f"<small>({points_text(part.points)})</small></p>")
        fields = [subquestion(box, weight, part.answer) for box, weight in zip(parts[index], weights[index],
                                                                                 strict=True)]
        out.append(grid_html(part.answer, fields))
    out.append(f"<p><small>{escape(str(replicate.tag))}</small></p>")
    return "\n".join(out)


def subquestion(box: Box, weight: int, spec) -> str:
    """One Cloze sub-question `{weight:TYPE:answers}`."""
    if box.check in ("integer", "tolerance"):
        margin = number_text(box.tolerance) if box.check == "tolerance" else "0"
        answers = [f"={number_text(box.value)}:{margin}"]
        answers += [f"%0%{number_text(v)}:{margin}#{_feedback(f)}" for v, f in box.wrong if _finite(v)]
        return f"{{{weight}:NUMERICAL:{'~'.join(answers)}}}"
    if box.check == "exact":
        answers = [f"={_pattern(s)}" for s in box.accepted]
        answers += [f"%0%{_pattern(s)}#{_feedback(f)}" for v, f in box.wrong for s in number_spellings("exact", v)]
        return f"{{{weight}:SHORTANSWER:{'~'.join(answers)}}}"
    if box.check in ("formula", "text"):
        answers = [f"={_pattern(s)}" for s in box.accepted]
        answers += [f"%0%{_pattern(v)}#{_feedback(f)}" for v, f in box.wrong if v not in box.accepted]
        answers.append(f"*#{_feedback((FORMULA_NOTE if box.check == 'formula' else TEXT_NOTE) + box.value)}")
        return f"{{{weight}:SHORTANSWER:{'~'.join(answers)}}}"
    wrong = dict(box.wrong)
    chosen = {box.value} if box.check == "choice" else set(box.value)
    if box.check == "choice":
        options = []
        for index, (option_id, _) in enumerate(spec.options):
            note = f"#{_feedback(wrong[option_id])}" if option_id in wrong and option_id != box.value else ""
            options.append(("=" if option_id in chosen else "") + _answer(option_text(spec, index)) + note)
        return f"{{{weight}:MULTICHOICE_V:{'~'.join(options)}}}"
    right, wrong_pick = pick_fractions(len(chosen))
    shares = iter(right)
    options = []
    for index, (option_id, _) in enumerate(spec.options):  # a misconception is a set of picks: its feedback goes
        note = next((f"#{_feedback(f)}" for v, f in box.wrong if option_id in v and option_id not in chosen), "")
        fraction = next(shares) if option_id in chosen else wrong_pick  # with the options it wrongly adds
        options.append(f"%{fraction}%{_answer(option_text(spec, index))}{note}")
    options.append(f"%{next(shares) if not chosen else wrong_pick}%{_answer(NONE_OF_THESE)}")
    return f"{{{weight}:MULTIRESPONSE:{'~'.join(options)}}}"


def pick_fractions(right: int) -> tuple[list[str], str]:
    """A multi-select's percentages: each right option's (they add up to exactly 100 at the 7 decimals of a
    fraction that Moodle stores: one share each, the remainder spread by units of 1e-7), and each wrong option's
    (one share taken back, rounded). With no right option, "None of these" is the one right pick."""
    unit = 10 ** FRACTION_PLACES
    base, remainder = divmod(unit, max(right, 1))
    shares = [base + (index < remainder) for index in range(max(right, 1))]
    wrong = -round(Fraction(unit, max(right, 1)))
    return [_percent(share) for share in shares], _percent(wrong)


def _percent(units: int) -> str:
    """Units of 1e-7 as Moodle's percentage: 3333334 → '33.33334'."""
    return decimal_text(Fraction(units, 10 ** (FRACTION_PLACES - 2)))


def _finite(value) -> bool:
    return "/" not in number_text(value) and "e" not in number_text(value)


def _cloze_escape(html: str) -> str:
    """HTML made safe inside a Cloze sub-question: `}` and `#` escaped, `~` as an entity."""
    return html.replace("}", "\\}").replace("#", "\\#").replace("~", "&#126;")


def _answer(text: str) -> str:
    """An answer (Moodle decodes HTML entities in it once, then unescapes `\\}` and `\\#`)."""
    return _cloze_escape(escape(text, quote=False))


def _pattern(text: str) -> str:
    """A SHORTANSWER answer: as `_answer`, with `*` escaped (unescaped, Moodle reads it as a wildcard: 2*p would
    also take 2 + p)."""
    return _answer(text).replace("*", "\\*")


def _feedback(text: str) -> str:
    """Feedback: Moodle decodes entities once and then shows it as HTML, so it is escaped twice."""
    return _cloze_escape(escape(escape(text, quote=False), quote=False))


def _text(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "text").text = text


def _files(parent: ET.Element, files: dict[str, bytes]) -> None:
    for name, data in sorted(files.items()):
        file = ET.SubElement(parent, "file", name=name, path="/", encoding="base64")
        file.text = base64.b64encode(data).decode("ascii")


def replicate_xml(replicate: Replicate) -> str:
    """One replicate's question element alone (the golden files show one per template)."""
    return serialize(question(replicate))
