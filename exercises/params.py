"""Parameter specs: what each template parameter may be, with clear messages when pinned wrong.

A pinned value comes from the bank (`params:`) or the CLI (`--set name=value`, read as YAML
flow), so it arrives as plain YAML data; each spec checks it and returns it normalized.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from grader.errors import UserError

MISSING: Any = object()


class ParamError(UserError, ValueError):
    """A parameter value that a template cannot use; the message says what is expected."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    """Base: a documented parameter with an optional default."""

    doc: str = ""
    default: Any = MISSING

    def check(self, name: str, value: Any) -> Any:
        """Return the normalized value or raise ParamError."""
        raise NotImplementedError

    def describe(self) -> str:
        """What values are allowed, for help and error messages."""
        raise NotImplementedError

    def error(self, name: str, value: Any) -> ParamError:
        return ParamError(f"{name} must be {self.describe()}, got {_show(value)}")


@dataclass(frozen=True)
class Int(Param):
    """An integer in [low, high]."""

    low: int = 0
    high: int = 100

    def check(self, name: str, value: Any) -> int:
        if not _is_int(value) or not self.low <= value <= self.high:
            raise self.error(name, value)
        return value

    def describe(self) -> str:
        return f"an integer from {self.low} to {self.high}"


@dataclass(frozen=True)
class Bool(Param):
    """true or false."""

    def check(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(name, value)
        return value

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class OneOf(Param):
    """One of a fixed set of strings."""

    options: tuple[str, ...] = ()

    def check(self, name: str, value: Any) -> str:
        if value not in self.options:
            raise self.error(name, value)
        return value

    def describe(self) -> str:
        return "one of " + ", ".join(self.options)


@dataclass(frozen=True)
class IdList(Param):
    """A list of distinct ids, each one of `options` (e.g. the statements of a choice, in display order)."""

    options: tuple[str, ...] = ()
    min_len: int = 1
    max_len: int = 8

    def check(self, name: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not self.min_len <= len(value) <= self.max_len:
            raise self.error(name, value)
        for item in value:
            if item not in self.options:
                close = difflib.get_close_matches(str(item), self.options, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                known = ", ".join(self.options[:12]) + (", ..." if len(self.options) > 12 else "")
                raise ParamError(f"{name}: unknown id {_show(item)}{hint}; known ids: {known}")
        if len(set(value)) != len(value):
            raise ParamError(f"{name} must not repeat an id, got {_show(value)}")
        return list(value)

    def describe(self) -> str:
        return f"a list of {self.min_len} to {self.max_len} distinct ids"


@dataclass(frozen=True)
class IntList(Param):
    """A list of integers with a bounded length and bounded entries."""

    min_len: int = 1
    max_len: int = 16
    low: int = -999
    high: int = 999

    def check(self, name: str, value: Any) -> list[int]:
        if (
            not isinstance(value, list)
            or not self.min_len <= len(value) <= self.max_len
            or not all(_is_int(v) and self.low <= v <= self.high for v in value)
        ):
            raise self.error(name, value)
        return list(value)

    def describe(self) -> str:
        return f"a list of {self.min_len} to {self.max_len} integers from {self.low} to {self.high}"


def _rectangular(spec: Param, name: str, value: Any, rows: Param) -> list[list[Any]]:
    """A matrix parameter: a list of `spec.min_size`..`spec.max_size` rows that each pass `rows`, all as long."""
    if not isinstance(value, list) or not spec.min_size <= len(value) <= spec.max_size:  # type: ignore[attr-defined]
        raise spec.error(name, value)
    checked = []
    for row in value:
        try:
            checked.append(rows.check(name, row))
        except ParamError:
            raise spec.error(name, value) from None
    if len({len(row) for row in checked}) != 1:
        raise ParamError(f"{name} must be rectangular: all rows of the same length, got {_show(value)}")
    return checked


@dataclass(frozen=True)
class IntMatrix(Param):
    """A rectangular list of rows of integers."""

    min_size: int = 1
    max_size: int = 8
    low: int = -999
    high: int = 999

    def check(self, name: str, value: Any) -> list[list[int]]:
        rows = IntList(min_len=self.min_size, max_len=self.max_size, low=self.low, high=self.high)
        return _rectangular(self, name, value, rows)

    def describe(self) -> str:
        return (
            f"a matrix (list of rows) of {self.min_size} to {self.max_size} rows and columns, "
            f"integers from {self.low} to {self.high}"
        )


_DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


@dataclass(frozen=True)
class DecimalList(Param):
    """A list of integers and exact decimals (0.1, 1., -2.5) with a bounded length, size and number of places.

    Integers stay integers; a decimal becomes its text as written ("1." when quoted, a YAML float as its
    shortest form: 0.1 → "0.1", 1. → "1.0"), so that it prints as written and computes exactly."""

    min_len: int = 1
    max_len: int = 16
    low: int = -999
    high: int = 999
    places: int = 3

    def entry(self, value: Any) -> int | str | None:
        """One entry normalized, or None if it is not allowed."""
        if _is_int(value):
            return value if self.low <= value <= self.high else None
        text = repr(value) if isinstance(value, float) else value.strip() if isinstance(value, str) else None
        if text is None or not _DECIMAL.fullmatch(text):
            return None
        whole, _, fraction = text.lstrip("-").partition(".")
        if len(fraction) > self.places or not self.low <= float(text) <= self.high:
            return None
        return text if "." in text else int(text)

    def check(self, name: str, value: Any) -> list[int | str]:
        if not isinstance(value, list) or not self.min_len <= len(value) <= self.max_len:
            raise self.error(name, value)
        entries = [self.entry(v) for v in value]
        if any(e is None for e in entries):
            raise self.error(name, value)
        return entries  # type: ignore[return-value]

    def describe(self) -> str:
        return (f"a list of {self.min_len} to {self.max_len} numbers from {self.low} to {self.high} "
                f"(integers or decimals with at most {self.places} places)")


@dataclass(frozen=True)
class DecimalMatrix(Param):
    """A rectangular list of rows of integers and exact decimals (see DecimalList)."""

    min_size: int = 1
    max_size: int = 8
    low: int = -999
    high: int = 999

    def check(self, name: str, value: Any) -> list[list[int | str]]:
        rows = DecimalList(min_len=self.min_size, max_len=self.max_size, low=self.low, high=self.high)
        return _rectangular(self, name, value, rows)

    def describe(self) -> str:
        return (f"a matrix (list of rows) of {self.min_size} to {self.max_size} rows and columns, numbers from "
                f"{self.low} to {self.high} (integers or decimals)")


@dataclass(frozen=True)
class IntArray(Param):
    """A rectangular array of integers as nested lists, with one of the allowed numbers of dimensions:
    a list (1-D), a list of rows (2-D), a list of matrices (3-D: channels of an image)."""

    ndims: tuple[int, ...] = (1, 2)
    min_size: int = 1
    max_size: int = 8
    low: int = -999
    high: int = 999

    def check(self, name: str, value: Any) -> list:
        shape = _shape_of(value)
        if shape is None or len(shape) not in self.ndims or not all(self.min_size <= n <= self.max_size
                                                                       for n in shape):
            raise self.error(name, value)
        if not all(self.low <= v <= self.high for v in _flatten(value)):
            raise self.error(name, value)
        return value

    def describe(self) -> str:
        kinds = {1: "a list", 2: "a matrix (list of rows)", 3: "a list of matrices (channels)"}
        return ("rectangular: " + " or ".join(kinds[d] for d in self.ndims) + f" of {self.min_size} to "
                f"{self.max_size} entries along each axis, integers from {self.low} to {self.high}")


def _shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape of a rectangular nested list of ints (None if it is ragged, empty or not integers)."""
    if _is_int(value):
        return ()
    if not isinstance(value, list) or not value:
        return None
    shapes = {_shape_of(item) for item in value}
    if len(shapes) != 1 or None in shapes:
        return None
    (inner,) = shapes
    return (len(value), *inner)  # type: ignore[misc]


def _flatten(value: Any) -> list[int]:
    return [value] if _is_int(value) else [v for item in value for v in _flatten(item)]


def check_params(template_id: str, specs: dict[str, Param], pinned: dict[str, Any]) -> dict[str, Any]:
    """Validate pinned values by name; unknown names get a 'did you mean' hint."""
    checked = {}
    for name, value in pinned.items():
        if name not in specs:
            close = difflib.get_close_matches(name, list(specs), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(specs) or "none"
            raise ParamError(f"{template_id} has no parameter {name!r}{hint}; its parameters: {known}")
        checked[name] = specs[name].check(name, value)
    return checked
