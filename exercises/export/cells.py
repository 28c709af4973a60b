"""What every exported format needs to know about a part's answer boxes, format-neutral.

A part has one box per entry of a vector, tuple or matrix (row by row, at its kind's positions) and one box
otherwise, in the order of `grader.lms.cells` (the LMS readers rely on it); a vector, tuple or matrix whose size
must stay hidden (`hide_size`: a box per entry would count its entries), or that accepts other values than the
key (a tuple's `alternatives`: boxes scored one by one would take any mix of them), has one box for its whole
answer in cnnquiz's notation (`grader.lms.whole_answer`). Each box knows its expected value, how the LMS should
check it (an integer exactly, an exact fraction by its spellings, a number within a tolerance, a choice, a
formula by its key's spelling, or a whole answer by its kind's usual spellings, which cnnquiz regrades: its kind's
`box`), the texts an LMS that compares text should accept (`accepted`), its share of the part's points, and the
wrong values that a misconception gives in this box, with the misconception's feedback. The boxes are laid out
like the value (`box_rows`, `brackets`, by the answer's kind).

Per-entry credit as near the grader's as fixed weights come: the grader gives credit only for the right
entries beyond those that the best constant answer gets right (every entry the key's most common value), so
when a value fills several entries of the key those entries carry no points and the others share the part's
points equally (an all-zero answer to a banded matrix or a sparse gradient earns nothing, as with the grader,
which also takes off for a wrong entry among them: an LMS cannot); when every value appears once, the entries
share the points equally. An LMS that computes (QTI 2.1) applies the grader's rule itself (`constant_count`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from exercises.model import Part, Question
from grader.answers import Answer, Matrix, Tuple, Vector, for_kind
from grader.answers.entries import most_common_count
from grader.answers.number import decimal_text
from grader.lms import NUMBER_BOXES, box_type, cells
from grader.parsing import FormatError

GROUPED_FROM = 10_000  # integers from here on are also accepted with their digits grouped by spaces (12 209 103 000)
T = TypeVar("T")


@dataclass(frozen=True)
class Box:
    """One answer box of a part."""

    part: int  # the part's index in the question
    position: tuple[int, ...]  # the entry's position in a grid, () for a single box
    check: str  # integer, exact, tolerance, choice, choices, formula or text (a whole answer of a grid)
    value: Any  # the expected value: an exact number, an option id, a tuple of option ids, a formula or answer text
    share: Fraction  # this box's share of the part's points
    wrong: tuple[tuple[Any, str], ...] = ()  # (a misconception's value in this box, its feedback)
    tolerance: Fraction = Fraction(0)
    accepted: tuple[str, ...] = ()  # what an LMS comparing text takes as right (every spelling, every alternative)


def boxes(question: Question) -> list[list[Box]]:
    """The boxes of every part, part by part."""
    return [part_boxes(index, part) for index, part in enumerate(question.parts)]


def part_boxes(index: int, part: Part) -> list[Box]:
    spec = part.answer
    positions = cells(spec)
    check = box_type(spec)
    if check in ("choice", "choices"):
        wrong = _distinct((m.value, m.feedback) for m in spec.misconceptions)
        return [Box(index, (), check, spec.value, Fraction(1), wrong)]
    if check not in NUMBER_BOXES:  # one box: a formula, or a whole answer as text
        wrong = _distinct((spec.to_text(m.value), m.feedback) for m in spec.misconceptions)
        if check == "formula":
            return [Box(index, (), "formula", spec.to_text(), Fraction(1), wrong, accepted=(spec.to_text(),))]
        right = [spec.value, *getattr(spec, "alternatives", ())]
        accepted = tuple(dict.fromkeys(text for value in right for text in whole_spellings(spec, value)))
        return [Box(index, (), "text", spec.to_text(), Fraction(1), wrong, accepted=accepted)]
    values = [_entry(spec.value, position) for position in positions]
    shares = _shares(values)
    tolerance = getattr(spec, "tolerance", Fraction(0))
    out = []
    for position, value, share in zip(positions, values, shares, strict=True):
        wrong = _distinct((_entry(m.value, position), m.feedback) for m in spec.misconceptions
                          if _same_shape(m.value, spec.value) and _entry(m.value, position) != value)
        check = "tolerance" if tolerance else "integer" if Fraction(value).denominator == 1 else "exact"
        out.append(Box(index, position, check, value, share, wrong, tolerance,
                       tuple(number_spellings(check, value))))
    return out


def number_spellings(check: str, value: Any) -> list[str]:
    """What an LMS comparing text should take for a number in a box: an integer as written (and, when large,
    with its digits grouped by spaces, as the quiz instructions allow), a fraction by its spellings, a number
    with a tolerance as a decimal."""
    if check == "integer":
        grouped = f"{abs(int(value)):,}".replace(",", " ")
        return [str(value)] + ([("-" if value < 0 else "") + grouped] if abs(value) >= GROUPED_FROM else [])
    if check == "exact":
        return spellings(value)
    return [number_text(value)]


def whole_spellings(spec: Answer, value: Any) -> list[str]:
    """The usual spellings of a whole answer, cnnquiz's first (its kind's `usual_spellings`: brackets or none,
    commas or spaces between entries, rows separated by ';' for a matrix); only those cnnquiz reads as `value`."""
    return [text for text in dict.fromkeys(spec.usual_spellings(value)) if _reads_as(spec, text, value)]


def _reads_as(spec: Answer, text: str, value: Any) -> bool:
    try:
        return spec.same(spec.parse(text), value)
    except (FormatError, ValueError, ArithmeticError):
        return False


def constant_count(part_boxes_: list[Box]) -> int:
    """How many of a grid part's boxes the best constant answer gets right (the grader's c in (k − c)/(n − c))."""
    return most_common_count([box.value for box in part_boxes_])


BOX_ROWS: dict[type[Answer], Callable[[Any, list], list[list] | None]] = {  # a part's boxes as table rows, like
    Answer: lambda spec, boxes: None,  # its value (None: in a line)
    Vector: lambda spec, boxes: [boxes],
    Matrix: lambda spec, boxes: [boxes[i:i + spec.shape[1]] for i in range(0, len(boxes), spec.shape[1])],
}
BRACKETS: dict[type[Answer], tuple[str, str]] = {Answer: ("", ""), Tuple: ("(", ")")}  # around boxes in a line


def box_rows(spec: Answer, boxes: list[T]) -> list[list[T]] | None:
    """A part's boxes (or what stands for them) in the rows of a table laid out like its value, by its kind (a
    vector one row, a matrix its rows); None for boxes that stand in a line, between its kind's BRACKETS."""
    return for_kind(BOX_ROWS, spec)(spec, boxes)


def brackets(spec: Answer) -> tuple[str, str]:
    """What stands before and after a part's boxes in a line: '(' and ')' for a tuple (by its kind)."""
    return for_kind(BRACKETS, spec)


def _entry(value: Any, position: tuple[int, ...]) -> Any:
    for index in position:
        value = value[index]
    return value


def _same_shape(a: Any, b: Any) -> bool:
    if isinstance(a, (tuple, list)) != isinstance(b, (tuple, list)):
        return False
    if not isinstance(a, (tuple, list)):
        return True
    return len(a) == len(b) and all(_same_shape(x, y) for x, y in zip(a, b, strict=True))


def _distinct(pairs: Any) -> tuple[tuple[Any, str], ...]:
    """Each wrong value once (the first misconception that gives it names it)."""
    seen: dict[Any, str] = {}
    for value, feedback in pairs:
        key = tuple(value) if isinstance(value, list) else value
        seen.setdefault(key, feedback)
    return tuple(seen.items())


def _shares(values: list[Any]) -> list[Fraction]:
    (constant, filled), = Counter(values).most_common(1)
    if 1 < filled < len(values):
        return [Fraction(0) if v == constant else Fraction(1, len(values) - filled) for v in values]
    return [Fraction(1, len(values))] * len(values)


def integer_weights(question: Question, parts: list[list[Box]]) -> list[list[int]]:
    """Whole-number weights proportional to each box's points (Moodle's Cloze needs integers):
    the smallest scale at which every box's points are whole."""
    exact = [[part.points * box.share for box in part_boxes_] for part, part_boxes_ in
             zip(question.parts, parts, strict=True)]
    if not any(w for row in exact for w in row):
        return [[1] * len(row) for row in exact]  # a question worth nothing: every box the same
    scale = math.lcm(*(Fraction(w).denominator for row in exact for w in row))
    return [[int(w * scale) for w in row] for row in exact]


def spellings(value: Any) -> list[str]:
    """The exact spellings of a fraction an LMS should accept: 7/2, 3.5, 3,5 (the decimals if finite)."""
    value = Fraction(value)
    if value.denominator == 1:
        return [str(value.numerator)]
    out = [f"{value.numerator}/{value.denominator}"]
    decimal = decimal_text(value)
    if "/" not in decimal:
        out += [decimal, decimal.replace(".", ",")]
    return out


def number_text(value: Any, digits: int = 12) -> str:
    """A number as a decimal for an LMS (exact where it is finite, else to `digits` significant digits)."""
    value = Fraction(value)
    text = decimal_text(value)
    return text if "/" not in text else f"{float(value):.{digits}g}"
