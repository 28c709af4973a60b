"""The base of the answer kinds: an expected value, its misconceptions, and what every other place asks of a kind.

Each kind lives in a module of its own and registers itself here (in KINDS) by subclassing Answer. A kind owns
its value, how students write it and how it is read and compared, how it is written in JSON, how it describes
what to type and what was read, its answer boxes in an LMS, and the answers a student could give without working
the problem. The printers (sheets, answer page, LMS exports) dispatch on a kind's class, the nearest base class
first (`for_kind`, or `_answer_<Class>` methods as for content nodes), so a new kind gets the generic form of
`Answer` wherever it has no entry of its own. Values are exact: Python ints and fractions.Fraction (no sympy on
this path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, TypeVar

from grader.parsing import Number as Rational

KINDS: dict[str, type[Answer]] = {}
T = TypeVar("T")


@dataclass(frozen=True)
class Misconception:
    """A typical wrong answer, computed by the template, with the feedback that names it."""

    id: str
    feedback: str
    value: Any


@dataclass(frozen=True)
class Comparison:
    """How a parsed answer compares with the expected one: a score in [0, 1] and what is off."""

    score: Fraction
    detail: str = ""  # what is off, to follow "Not correct: " or "Partly right: "
    sentence: str = ""  # or the whole feedback sentence, when a prefix would not fit
    invalid: bool = False  # a format problem seen only against the key (a decimal for 46/9): score 0, say what to fix


@dataclass(frozen=True, kw_only=True)
class Answer:
    """Base of the answer kinds: an expected value plus its known misconceptions."""

    kind: ClassVar[str]
    box: ClassVar[str] = "text"  # what its LMS answer boxes hold: "integer" or "number" (a box per entry, see
    # `positions`), "choice" or "choices" (its options), "formula", or "text" (the whole answer in cnnquiz's
    # notation, which cnnquiz regrades)
    scalar: ClassVar[bool] = False  # a single number, right or wrong (the fairness audit holds its guesses apart)
    value: Any  # the expected value, in the kind's exact form (`coerce`)
    misconceptions: tuple[Misconception, ...] = ()
    partial: bool = True  # per-entry partial credit where the kind allows it
    hide_size: bool = False  # the hint must not state the size: it is asked, or follows from what is asked

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:  # shared bases without a kind of their own are not registered
            KINDS[cls.kind] = cls

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", self.coerce(self.value))
        object.__setattr__(self, "misconceptions", tuple(self._coerced(m) for m in self.misconceptions))

    def _coerced(self, mistake: Misconception) -> Misconception:
        """A misconception with its value in this kind's exact form (itself when it already is, as read from JSON)."""
        value = self.coerce(mistake.value)
        return mistake if value is mistake.value else Misconception(mistake.id, mistake.feedback, value)

    @staticmethod
    def coerce(value: Any) -> Any:
        """Bring a value (numpy array, list, sympy number …) into this kind's exact form."""
        raise NotImplementedError

    # -- each kind implements these ------------------------------------------------------
    def parse(self, text: str) -> Any:
        """Read student text into a value of this kind; raise FormatError if it can't."""
        raise NotImplementedError

    def compare(self, value: Any) -> Comparison:
        """Score a parsed value against the expected one."""
        raise NotImplementedError

    def score(self, value: Any) -> Fraction:
        """The score `compare` gives a parsed value, without putting what is off into words (the fairness audit
        grades thousands of trivial answers)."""
        return self.compare(value).score

    def expected_json(self) -> Any:
        """The expected value as plain JSON."""
        raise NotImplementedError

    def to_text(self, value: Any = None) -> str:
        """A value (default: the expected one) written in student notation."""
        raise NotImplementedError

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Answer:
        """Rebuild the expected answer from its JSON value."""
        raise NotImplementedError

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> Any:
        """A value of this kind read from JSON as `from_json` reads it (a misconception's, in key.json). Kinds whose
        `from_json` only converts the value override it, so that reading a key builds no answer per value."""
        return cls.from_json(data, **options).value

    # -- shared ---------------------------------------------------------------------------
    def same(self, a: Any, b: Any) -> bool:
        """Whether two parsed values are the same answer."""
        return a == b

    def describe(self) -> str:
        """What to type, for the sheets, the answer page and messages: 'an integer', 'a vector of 4 numbers' …
        (without the size when `hide_size`: 'a vector of numbers')."""
        return f"a {self.kind}"

    def read_as(self, value: Any) -> str:
        """What the grader read, named by the value's own shape (not the expected one), in student notation:
        'Read as a 2×3 matrix: [[1, 2, 3], [4, 5, 6]]' (see grader.reading)."""
        return f"Read as {self.to_text(value)}"

    def stated_size(self) -> tuple[int, ...]:
        """The numbers that `describe` states about the answer's size ((4, 2) for 'a 4×2 matrix'), () if none."""
        return ()

    def revealed_by(self, numbers: set[int], size: tuple[int, ...]) -> str | None:
        """What of this answer another part's hint gives away when it states `numbers` (`size` the size it states,
        its product and its number of LMS boxes among the numbers), as the fairness audit shows it ('5',
        '(4, 2)', '4 of (4, 2)'); None when it gives nothing away."""
        return None

    def trivial_answers(self) -> dict[str, Any]:
        """Answers a student could give without working the problem (all zeros, one constant …), by name, as
        values of this kind: the fairness audit of `cnnquiz check` grades them. None by default."""
        return {}

    def notations(self, value: Any = None) -> list[str]:
        """A value (default: the expected one) written in each notation the kind reads, as students write it
        (brackets or none, rows on lines, LaTeX, fractions or decimals, labels or ids …), each once: every one
        must grade as the value does (round-trip tests, checks and benchmarks)."""
        return list(dict.fromkeys(self.spellings(self.value if value is None else value)))

    def spellings(self, value: Any) -> list[str]:
        """The notations of a value, as `notations` lists them (repeats allowed); each kind its own."""
        return [self.to_text(value)]

    # -- answer boxes in an LMS (grader.lms) -----------------------------------------------------
    def positions(self) -> list[tuple[int, ...]]:
        """The positions of the value's entries, row by row, one LMS answer box each ((i,) in a list, (i, j) in a
        table); [()] for a value asked as a whole, in one box."""
        return [()]

    def usual_spellings(self, value: Any) -> list[str]:
        """The usual spellings of a value typed into one LMS box, this kind's notation first: what an LMS that
        compares text accepts for it (the exports keep those the kind reads as the value)."""
        return [self.to_text(value)]

    def scored_per_entry(self) -> bool:
        """Whether boxes scored one by one (an LMS's, at `positions()`) score this answer as the grader does."""
        return True

    def write(self, texts: list[str]) -> str:
        """The texts of the entries at `positions()`, in order, as one answer in this kind's notation."""
        return texts[0] if texts else ""

    def entry_texts(self, text: str) -> list[str] | None:
        """The entry texts that `write` wrote into `text` (None if it is not such a text, or has another count)."""
        return None

    def from_entries(self, entries: list) -> Any:
        """A value of this kind from its entries at `positions()`, in order."""
        return entries[0]

    def entries(self, value: Any) -> list | None:
        """A value as a flat list of entries, for kinds with per-entry credit (None otherwise)."""
        return None

    def partly_matches(self, value: Any, mistake: Any) -> bool:
        """Whether the wrong entries of `value` are exactly those a mistake gives there.

        They must be at least half the entries where the mistake differs from the key, so that a
        single coincidence does not name a misconception."""
        got, key, wrong_answer = self.entries(value), self.entries(self.value), self.entries(mistake)
        if got is None or key is None or wrong_answer is None or not len(got) == len(key) == len(wrong_answer):
            return False
        wrong = [i for i, (a, b) in enumerate(zip(got, key, strict=True)) if a != b]
        differs = sum(a != b for a, b in zip(wrong_answer, key, strict=True))
        return bool(wrong) and all(got[i] == wrong_answer[i] for i in wrong) and 2 * len(wrong) >= differs

    def extra_json(self) -> dict[str, Any]:
        """Kind-specific settings (options, tolerances, variables …) that key.json must keep."""
        return {}

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        """The inverse of `extra_json`: keyword arguments for `from_json`."""
        return {}

    def to_json(self) -> dict:
        """Everything the grader needs to grade this part later (key.json)."""
        data: dict[str, Any] = {"kind": self.kind, "answer": self.expected_json(), **self.extra_json()}
        if not self.partial:
            data["partial"] = False
        if self.hide_size:
            data["hide_size"] = True
        if self.misconceptions:
            data["misconceptions"] = [
                {"id": m.id, "feedback": m.feedback, "answer": self.value_json(m.value)}
                for m in self.misconceptions
            ]
        return data

    def value_json(self, value: Any) -> Any:
        """Any value of this kind as plain JSON (misconception values use it)."""
        return json_number(value) if not isinstance(value, (list, tuple)) else json_nested(value)


# -- exact numbers in JSON and in student notation ------------------------------------------

def json_number(value: Rational) -> int | str:
    value = Fraction(value)
    return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def json_nested(values: Any) -> Any:
    return [json_nested(v) if isinstance(v, (list, tuple)) else json_number(v) for v in values]


def from_json_number(value: Any) -> Rational:
    if type(value) is int:  # the common case, without a Fraction
        return value
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"not an exact number: {value!r}")
    number = Fraction(value)
    return int(number) if number.denominator == 1 else number


def exact(value: Any) -> Rational:
    """An int or Fraction from any exact number (Python, numpy or sympy integer/rational)."""
    if type(value) is int:  # the common case, without a Fraction
        return value
    if type(value) is Fraction and value.denominator != 1:  # already exact (Fractions are immutable)
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if hasattr(value, "p") and hasattr(value, "q"):  # sympy Rational, without importing sympy
        value = Fraction(int(value.p), int(value.q))
    number = Fraction(value)
    return int(number) if number.denominator == 1 else number


def exact_entries(values: Any, convert: Callable[[Any], Rational] = exact) -> tuple[Rational, ...]:
    """The entries of `values` as a tuple of exact numbers, each through `convert`; plain ints (the usual entries)
    are kept as they are, without a call per entry (keys hold tens of thousands of them)."""
    entries = tuple(values)
    return entries if _INT.issuperset(map(type, entries)) else tuple(map(convert, entries))


_INT = frozenset({int})  # a set of types: bool, a subclass of int, is not in it


def count_of(number: int, noun: str) -> str:
    """'1 number', '3 numbers'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def text_number(value: Rational) -> str:
    if type(value) is int:  # the common case, without a Fraction
        return str(value)
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def for_kind(table: Mapping[type, T], answer: Answer) -> T:
    """The entry of a table by answer kind (a class) for `answer`: its own class's, else the nearest base class's.
    A table that holds an entry for Answer gives every kind one, the generic form; KeyError for a table without."""
    for cls in type(answer).__mro__:
        if cls in table:
            return table[cls]
    raise KeyError(f"no entry for the answer kind {type(answer).__name__}")
