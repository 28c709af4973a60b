"""Multiple-choice answers: one option (`Choice`) or a set of options (`Choices`).

Options have stable semantic ids ("sparse", "dense-weights") and a text; the student sees them
labelled A, B, C … in display order (`option_label`, the one rule the printers use too) and may
answer with the label ("B", "b", "(b)", "B."), the option id, or the option's exact text.
Expected answers and misconceptions are ids, never positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from grader.answers.base import Answer, Comparison
from grader.parsing import FormatError, Source, read, shorten
from grader.text import CONFUSABLES

Options = tuple[tuple[str, str], ...]
RULES = ("all-or-nothing", "net-correct", "each-answer")
_NONE = {"none", "no option", "no options", "nothing", "none of them", "none of the options", "-", "{}", "[]", "∅"}
_SEPARATORS = re.compile(r"[\s,;&+/|]+|\band\b", re.IGNORECASE)
_PIECES = re.compile(r"[^,;\n]+")
_WORDS = re.compile(r"[^\s&+/|]+")
_LABEL = re.compile(r"\(?([A-Za-z])\s*[).:]?")
_LABEL_WITH_TEXT = re.compile(r"\(?([A-Za-z])\s*[).:]\s+(\S.*)", re.DOTALL)


def option_label(index: int) -> str:
    """The label students see and type for the index-th option: A, B, C …"""
    return chr(ord("A") + index)


def _plain_text(text: str) -> str:
    """Text as an option is matched: Unicode look-alikes folded as in student text (an option's 'q − 1', '3 × 3'
    and '267 960' match what a student types, 'q - 1', '3 x 3', '267 960'), case and spacing ignored."""
    return " ".join(text.translate(_FOLDED).lower().split()).rstrip(".")


_FOLDED = str.maketrans(CONFUSABLES)


def _check_options(options: Any) -> Options:
    checked = tuple((str(option_id), str(text)) for option_id, text in options)
    ids = [option_id for option_id, _ in checked]
    if not 1 <= len(ids) <= 26:
        raise ValueError(f"a choice needs between 1 and 26 options, got {len(ids)}")
    if len(set(ids)) != len(ids) or not all(ids):
        raise ValueError(f"option ids must be distinct and non-empty: {ids}")
    return checked


@dataclass(frozen=True, kw_only=True)
class _Options(Answer):
    """Shared by Choice and Choices: the options and how a student names one of them."""

    options: Options

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", _check_options(self.options))
        super().__post_init__()
        ids = self.ids
        for value in (self.value, *(m.value for m in self.misconceptions)):
            unknown = [v for v in ([value] if isinstance(value, str) else value) if v not in ids]
            if unknown:
                raise ValueError(f"not an option id: {', '.join(unknown)} (options: {', '.join(ids)})")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(option_id for option_id, _ in self.options)

    def label(self, option_id: str) -> str:
        return option_label(self.ids.index(option_id))

    def labels(self) -> str:
        return f"{option_label(0)}–{option_label(len(self.options) - 1)}" if len(self.options) > 1 else "A"

    def lookup(self, word: str) -> str | None:
        """The option a whole answer names: its label, its id or its exact text."""
        word = word.strip()
        label = _LABEL.fullmatch(word)
        if label:
            index = ord(label.group(1).upper()) - ord("A")
            return self.ids[index] if index < len(self.options) else None
        lowered = _plain_text(word)
        for option_id, text in self.options:
            if lowered in (option_id.lower(), _plain_text(text)):
                return option_id
        return None

    def read_one(self, word: str, source: Source, position: int) -> str:
        """One option named by a label, id or text; a FormatError that lists the labels otherwise."""
        found = self.lookup(word) or self.labelled_text(word, source, position)
        if found is not None:
            return found
        raise source.error(f"there is no option {shorten(word.strip())!r}", position)

    def labelled_text(self, word: str, source: Source, position: int) -> str | None:
        """'B) sparse interactions': a label and some text (a FormatError if it is another option's text)."""
        with_text = _LABEL_WITH_TEXT.fullmatch(word.strip())
        if not with_text:
            return None
        chosen = self.lookup(with_text.group(1))
        if chosen is not None and self.lookup(with_text.group(2)) not in (chosen, None):
            raise source.error(f"the label {with_text.group(1).upper()} does not go with the text that follows "
                               "it: give just the letter", position)
        return chosen

    def extra_json(self) -> dict[str, Any]:
        return {"options": [[option_id, text] for option_id, text in self.options]}

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        return {"options": tuple((str(i), str(t)) for i, t in data["options"])}


@dataclass(frozen=True, kw_only=True)
class Choice(_Options):
    """Exactly one option is right; the value is its id."""

    kind: ClassVar[str] = "choice"
    box: ClassVar[str] = "choice"
    value: str

    @staticmethod
    def coerce(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"a choice is an option id, not {value!r}")
        return value

    def parse(self, text: str) -> str:
        source = read(text)
        body = source.text.strip()
        if not body:
            raise FormatError("the answer is empty")
        start = len(source.text) - len(source.text.lstrip())
        whole = self.lookup(body) or self.labelled_text(body, source, start)
        if whole is not None:
            return whole
        words = [w for w in _SEPARATORS.split(body) if w]
        if len(words) > 1 and all(self.lookup(w) for w in words):
            raise source.error(f"choose one option, not {len(words)}")
        return self.read_one(body, source, start)

    def compare(self, value: str) -> Comparison:
        if value == self.value:
            return Comparison(Fraction(1))
        return Comparison(Fraction(0), f"{self.label(value)} is not the right option.")

    def expected_json(self) -> str:
        return self.value

    def to_text(self, value: Any = None) -> str:
        return self.label(self.value if value is None else value)

    def value_json(self, value: Any) -> str:
        return value

    def describe(self) -> str:
        return f"one of the options {self.labels()}"

    def read_as(self, value: Any) -> str:
        return f"Read as option {self.to_text(value)}"

    def spellings(self, value: str) -> list[str]:
        label, text = self.label(value), dict(self.options)[value]
        return [label, label.lower(), f"({label.lower()})", f"{label}.", value, text, f"{label}) {text}",
                f"answer: {label}"]

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> str:
        return cls.coerce(data)

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Choice:
        return cls(value=cls.coerce(data), **options)


@dataclass(frozen=True, kw_only=True)
class Choices(_Options):
    """Any number of options are right (possibly none); the value is the sorted tuple of their ids.

    Partial credit by `rule`: "all-or-nothing"; "net-correct" (right picks minus wrong picks, over
    the number of right options, at least 0); "each-answer" (the fraction of options correctly
    picked or left out).
    """

    kind: ClassVar[str] = "choices"
    box: ClassVar[str] = "choices"
    value: tuple[str, ...]
    rule: str = "net-correct"

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown partial-credit rule {self.rule!r} (choose from {', '.join(RULES)})")
        super().__post_init__()

    @staticmethod
    def coerce(value: Any) -> tuple[str, ...]:
        values = [value] if isinstance(value, str) else list(value)
        if not all(isinstance(v, str) for v in values):
            raise ValueError(f"choices are option ids, not {value!r}")
        return tuple(sorted(set(values)))

    def parse(self, text: str) -> tuple[str, ...]:
        source = read(text)
        body = source.text.strip().strip("{}[]()").strip()
        if _plain_text(body) in _NONE or source.text.strip() in _NONE:
            return ()
        if not body:
            raise FormatError("the answer is empty")
        chosen: list[str] = []
        for piece in _PIECES.finditer(source.text):  # 'A, C', 'sparse; dense weights'
            if not piece.group().strip("{}[]() "):
                continue
            found = self.lookup(piece.group().strip("{}[]() "))
            if found is not None:
                chosen.append(found)
                continue
            for word in _WORDS.finditer(source.text, piece.start(), piece.end()):  # 'a c', 'AC', 'A and C'
                name = word.group().strip("(){}[].:")
                if not name or name.lower() == "and":
                    continue
                found_words = self.lookup(name) or self.glued_labels(name)
                if found_words is None:
                    self.read_one(name, source, word.start())  # raises, listing the labels
                chosen.extend([found_words] if isinstance(found_words, str) else found_words)
        return tuple(sorted(set(chosen)))

    def glued_labels(self, word: str) -> tuple[str, ...] | None:
        """'AC' or 'ac': several labels written together."""
        if not word.isalpha() or len(word) > len(self.options):
            return None
        indices = [ord(c) - ord("A") for c in word.upper()]
        if not all(0 <= i < len(self.options) for i in indices):
            return None
        return tuple(self.ids[i] for i in indices)

    def compare(self, value: tuple[str, ...]) -> Comparison:
        picked, right = set(value), set(self.value)
        if picked == right:
            return Comparison(Fraction(1))
        wrong_picks, missed = sorted(picked - right, key=self.ids.index), sorted(right - picked, key=self.ids.index)
        return Comparison(self.score(picked), _choice_detail(self, wrong_picks, missed))

    def score(self, picked: Any) -> Fraction:
        """The credit for a set of picks (any collection of option ids) under this part's rule."""
        picked, right = set(picked), set(self.value)
        if picked == right:
            return Fraction(1)
        if self.rule == "all-or-nothing" or not self.partial:
            return Fraction(0)
        if self.rule == "each-answer":
            judged_right = sum((option_id in picked) == (option_id in right) for option_id in self.ids)
            return Fraction(judged_right, len(self.ids))
        if not right:
            return Fraction(0)
        return max(Fraction(0), Fraction(len(picked & right) - len(picked - right), len(right)))

    def expected_json(self) -> list[str]:
        return list(self.value)

    def value_json(self, value: Any) -> list[str]:
        return list(value)

    def to_text(self, value: Any = None) -> str:
        chosen = self.value if value is None else value
        return ", ".join(sorted(self.label(v) for v in chosen)) if chosen else "none"

    def describe(self) -> str:
        return f"a set of the options {self.labels()} (or 'none')"

    def read_as(self, value: Any) -> str:
        return f"Read as the options {self.to_text(value)}" if value else "Read as: none of the options"

    def spellings(self, value: tuple[str, ...]) -> list[str]:
        if not value:
            return ["none", "None", "{}", "none of the options"]
        labels = sorted(self.label(v) for v in value)
        found = [", ".join(labels), "".join(labels), " ".join(labels).lower(), "{" + ",".join(labels) + "}",
                 " and ".join(labels), ", ".join(value)]
        texts = [dict(self.options)[v] for v in value]
        if not any(mark in text for text in texts for mark in ",;\n"):
            found.append("; ".join(texts))
        return found

    def trivial_answers(self) -> dict[str, Any]:
        return {"every option": self.ids, "no option": ()}

    def extra_json(self) -> dict[str, Any]:
        return {**super().extra_json(), "rule": self.rule}

    @classmethod
    def options_from_json(cls, data: dict) -> dict[str, Any]:
        return {**super().options_from_json(data), "rule": str(data.get("rule", "net-correct"))}

    @classmethod
    def value_from_json(cls, data: Any, **options: Any) -> tuple[str, ...]:
        if not isinstance(data, list):
            raise ValueError(f"not a list of option ids: {data!r}")
        return cls.coerce(data)

    @classmethod
    def from_json(cls, data: Any, **options: Any) -> Choices:
        return cls(value=cls.value_from_json(data), **options)


def _choice_detail(spec: Choices, wrong_picks: list[str], missed: list[str]) -> str:
    parts = []
    if wrong_picks:
        labels = ", ".join(spec.label(v) for v in wrong_picks)
        parts.append(f"{labels} {'is' if len(wrong_picks) == 1 else 'are'} not right")
    if missed:
        parts.append(f"{len(missed)} right option{'s' if len(missed) > 1 else ''} not picked")
    return "; ".join(parts) + "."
