"""Shared by the kinds with entries (vector, tuple, matrix): reading a flat list, comparing entry by entry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Comparison, count_of, json_nested, text_number
from grader.decimals import approximates
from grader.parsing import FormatError, Nested, parse_numbers, rounded_message
from grader.parsing import Number as Rational


def parse_nested(text: str) -> Nested:
    return parse_numbers(text)


def flat(value: Nested, text: str) -> list[Rational]:
    """A vector from a flat list, a single row or a single column."""
    if not isinstance(value, list):
        return [value]
    if all(not isinstance(v, list) for v in value):
        return value
    if len(value) == 1 and isinstance(value[0], list) and all_numbers(value[0]):
        return value[0]
    if all(isinstance(v, list) and len(v) == 1 and not isinstance(v[0], list) for v in value):
        return [v[0] for v in value]
    raise FormatError("expected a list of numbers, got a table of numbers", text)


def all_numbers(values: list) -> bool:
    return all(not isinstance(v, list) for v in values)


def positions(indices: list[int], limit: int = 6) -> str:
    """Entry numbers as the sheets count them, from 0 ('0, 2, 5'); more than `limit` end in '…'."""
    shown = ", ".join(str(i) for i in indices[:limit])
    return shown + (", …" if len(indices) > limit else "")


def rounded_entries(got: list, expected: list, name: Callable[[int], str]) -> Comparison | None:
    """A format problem when an entry is a decimal standing for a fraction of the key (5.1111 for 46/9)."""
    for index, (a, b) in enumerate(zip(got, expected, strict=False)):
        if a != b and approximates(a, b):
            shown = _decimal(Fraction(a))
            where = f"{name(index)}: " if len(expected) > 1 else ""
            return Comparison(Fraction(0), sentence=where + rounded_message(shown, Fraction(b)) + ".", invalid=True)
    return None


def _decimal(value: Fraction) -> str:
    """A finite decimal written out (its places are known to be finite)."""
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    scaled = abs(value.numerator) * 10**places // value.denominator
    sign = "-" if value < 0 else ""
    return f"{sign}{scaled // 10**places}" + (f".{scaled % 10**places:0{places}d}" if places else "")


def missing_or_extra(got: list, expected: list, entry: str, entries: str) -> str:
    """Where the entries are off when their number is: 'the last position is missing' (or '')."""
    short, long = (got, expected) if len(got) < len(expected) else (expected, got)
    gap, word = len(long) - len(short), "missing" if len(got) < len(expected) else "extra"
    plural = gap > 1
    if long[:len(short)] == short:
        return f"the last {gap} positions are {word}" if plural else f"the last position is {word}"
    if long[gap:] == short:
        return f"the first {gap} positions are {word}" if plural else f"the first position is {word}"
    if gap == 1:
        for index in range(1, len(long) - 1):
            if long[:index] + long[index + 1:] == short:
                return f"{entry} {index} is {word}"
    return ""


class FlatEntries:
    """What a flat list of numbers (a vector, a tuple) says about its size, its answer boxes (one per entry), and
    the answers that need no work."""

    kind: ClassVar[str]
    box: ClassVar[str] = "number"
    value: tuple
    hide_size: bool

    def describe(self) -> str:
        return f"a {self.kind} of " + ("numbers" if self.hide_size else count_of(len(self.value), "number"))

    def stated_size(self) -> tuple[int, ...]:
        return () if self.hide_size else (len(self.value),)

    def trivial_answers(self) -> dict[str, Any]:
        length = len(self.value)
        return {**constant_answers(list(self.value), lambda v: (v,) * length), "its length": (length,)}

    def entries(self, value: Any) -> list:
        return list(value)

    def expected_json(self) -> list:
        return json_nested(self.value)

    def to_text(self, value: Any = None) -> str:
        return self.write([text_number(v) for v in (self.value if value is None else value)])

    def write(self, texts: list[str]) -> str:
        raise NotImplementedError  # each kind its brackets

    def positions(self) -> list[tuple[int, ...]]:
        return [(i,) for i in range(len(self.value))]

    def usual_spellings(self, value: Any) -> list[str]:
        entries = [text_number(v) for v in value]
        return [self.to_text(value)] + [f"{left}{separator.join(entries)}{right}" for left, right in
                                        ("()", "[]", ("", "")) for separator in (", ", ",", " ")]

    def entry_texts(self, text: str) -> list[str] | None:
        body = inside_brackets(text)
        return None if body is None else counted(body.split(", "), len(self.value))

    def from_entries(self, entries: list) -> tuple:
        return tuple(entries)


def inside_brackets(text: str) -> str | None:
    """The text between the outer brackets or parentheses of an answer that `write` wrote (None without them)."""
    body = text.strip()
    return body[1:-1] if len(body) >= 2 and body[0] + body[-1] in ("[]", "()") else None


def counted(texts: list[str], count: int) -> list[str] | None:
    """Entry texts split from a written answer, if there are `count` of them and none holds a bracket."""
    return texts if len(texts) == count and not any("[" in t or "]" in t for t in texts) else None


def constant_answers(flat: list, shaped: Callable[[object], object]) -> dict[str, object]:
    """All zeros, all ones and the key's most common entry everywhere, each in the key's shape (`shaped(v)`). The
    last only when the key has other entries too: a key that is one number repeated is found by working the
    problem, as a single number is."""
    found = {"all zeros": shaped(0), "all ones": shaped(1)}
    if len(set(flat)) > 1:
        found["one constant"] = shaped(Counter(flat).most_common(1)[0][0])
    return found


def entry_credit(got: list, expected: list, partial: bool = True) -> Fraction:
    """Per-entry credit beyond what a constant earns: max(0, (k − c)/(n − c)) for k of n entries right, where c is
    how many entries the best constant answer (every entry the key's most common value) gets right.

    All zeros for a sparse gradient, or one number repeated, so earns nothing, whatever the dimension; a key whose
    entries are all equal is all or nothing. One more wrong entry never raises the score."""
    right = sum(a == b for a, b in zip(got, expected, strict=True))
    if right == len(expected):
        return Fraction(1)
    constant = most_common_count(expected)
    if not partial or constant >= len(expected):
        return Fraction(0)
    return max(Fraction(0), Fraction(right - constant, len(expected) - constant))


def most_common_count(values: list) -> int:
    """How many entries the key's most common value fills (what the best constant answer gets right)."""
    return Counter(values).most_common(1)[0][1] if values else 0


def order_detail(got: list, expected: list) -> str:
    """'the right values, in reverse order.' or 'the right values in another order.' (or '')."""
    if got == expected or Counter(got) != Counter(expected):
        return ""
    return "the right values, in reverse order." if got == expected[::-1] else "the right values in another order."


def no_credit_note(got: list, expected: list, score: Fraction) -> str:
    """Why an answer with some right entries earns nothing: ' Every entry is 0: a constant earns no credit.'"""
    if score or got == expected or not any(a == b for a, b in zip(got, expected, strict=True)):
        return ""
    if len(set(got)) == 1:
        return f" Every entry is {text_entry(got[0])}: a constant answer earns no credit."
    value = Counter(expected).most_common(1)[0][0]
    return f" No more entries are right than in an answer with every entry {text_entry(value)}: no credit."


def text_entry(value: object) -> str:
    if isinstance(value, Fraction) and value.denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def entries_score(got: list, expected: list, partial: bool) -> Fraction:
    """The score `compare_entries` gives, without its feedback."""
    if len(got) != len(expected) or rounded_entries(got, expected, str) is not None:
        return Fraction(0)
    return entry_credit(got, expected, partial)


def compare_entries(got: list, expected: list, partial: bool, entry: str, entries: str) -> Comparison:
    if len(got) != len(expected):
        where = missing_or_extra(got, expected, entry, entries)
        if where and len(got) < len(expected):
            return Comparison(Fraction(0), f"{len(got)} of {len(expected)} {entries}: {where}.")
        if where:
            return Comparison(Fraction(0), f"{len(got)} {entries} instead of {len(expected)}: {where}.")
        return Comparison(Fraction(0), f"expected {len(expected)} {entries}, got {len(got)}.")
    rounded = rounded_entries(got, expected, lambda index: f"{entry} {index}")
    if rounded is not None:
        return rounded
    wrong = [i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
    if not wrong:
        return Comparison(Fraction(1))
    score = entry_credit(got, expected, partial)
    order = order_detail(got, expected)
    if order:
        return Comparison(score, order)
    which = entry if len(wrong) == 1 else entries
    return Comparison(score, f"{len(wrong)} of {len(expected)} {entries} wrong: {which} {positions(wrong)}."
                      + no_credit_note(got, expected, score))
