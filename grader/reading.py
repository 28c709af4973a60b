"""What the grader read in an answer, without judging it: the answer page's preview and grade()'s first step.

`read_answer(spec, text)` parses text as the part's kind and says what it read ("read as a 2×3 matrix:
[[1, 2, 3], [4, 5, 6]]") or why it could not (the format error with its caret). It never compares the
value with the expected one, so showing it to a student gives nothing away but the kind of answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.answers import Answer
from grader.parsing import FormatError, shorten


@dataclass(frozen=True)
class Reading:
    """The outcome of reading one answer: `value` is the parsed value when `valid`. What was read is put into
    words (`message`) only when asked: grading a valid answer does not need it."""

    valid: bool
    said: str = ""  # why an invalid answer could not be read
    value: Any = None
    expected: Answer | None = None  # for a valid answer: the part it answers, to say what was read

    @property
    def message(self) -> str:
        return describe_value(self.expected, self.value) if self.valid and self.expected is not None else self.said


def read_answer(expected: Answer, text: str) -> Reading:
    """Parse `text` as `expected`'s kind. Never raises on any text."""
    if not isinstance(text, str):
        return Reading(False, "The answer is not text.")
    if not text.strip():
        return Reading(False, f"No answer given: expected {expected.describe()}.")
    try:
        value = expected.parse(text)
    except FormatError as error:
        return Reading(False, f"Could not read {expected.describe()}: {error.explain()}")
    except (ValueError, ArithmeticError, RecursionError) as error:  # defensive: still a format problem
        return Reading(False, f"Could not read {expected.describe()}: {shorten(str(error), 120)}")
    return Reading(True, value=value, expected=expected)


def describe_value(expected: Answer, value: Any) -> str:
    """'Read as …': the parsed value named by its own shape (not by the expected one), in student notation (the
    kind's `read_as`). Never raises: a value this cannot write out (an LMS box left unreadable) is named without it."""
    try:
        return expected.read_as(value)
    except (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, RecursionError):
        return f"Read as {expected.describe()}"
