"""Results of pure functions of a template's parameters, remembered by the parameters' content.

A template's misconceptions each start from the same derived facts (the stack with its shapes, the traced
shapes …), and the sampler's fairness check asks for them again before the build: dozens of times per variant
for the same parameters. A function decorated with `by_content` computes them once per content of its
argument (plain data: what key.json records) and returns the same, frozen, result after that. While a loop of
pure functions reads one object (`holding`: `expect` over a part's misconceptions), the results for it are
found by its identity, without reading its content again. `ByIdentity` remembers results for objects that do not
change (prose, printed blocks) by their identity alone.
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

R = TypeVar("R")

_HELD: ContextVar[tuple[Any, dict[Callable, Any]] | None] = ContextVar("held", default=None)


class holding:  # noqa: N801 - a context manager, named as one (a class: entered for every part's misconceptions)
    """`with holding(value):` while open, `value` does not change (pure functions read it in turn): the results of
    `by_content` functions for it are remembered by its identity."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __enter__(self) -> None:
        self.token = _HELD.set((self.value, {}))

    def __exit__(self, *exc: object) -> None:
        _HELD.reset(self.token)


def by_content(size: int) -> Callable[[Callable[[Any], R]], Callable[[Any], R]]:
    """Decorator: remember the results of a pure function of one argument of plain data (dicts, lists, numbers,
    text), the `size` latest, by the argument's content. Its repr is the key (it tells 1 from True and 1.0, and
    a dict's order); an argument that is not plain data (json cannot write it) is not remembered. The results
    are shared: callers must not change them."""
    def decorate(function: Callable[[Any], R]) -> Callable[[Any], R]:
        results: OrderedDict[str, R] = OrderedDict()

        def by_key(value: Any) -> R:
            key = repr(value)
            if key in results:
                results.move_to_end(key)
                return results[key]
            result = function(value)
            try:
                json.dumps(value)  # only plain data is remembered: its repr shows all of its content
            except (TypeError, ValueError):
                return result
            results[key] = result
            if len(results) > size:
                results.popitem(last=False)
            return result

        @functools.wraps(function)
        def remembered(value: Any) -> R:
            held = _HELD.get()
            if held is None or held[0] is not value:
                return by_key(value)
            if remembered not in held[1]:
                held[1][remembered] = by_key(value)
            return held[1][remembered]

        return remembered

    return decorate


def read_back(value: Any) -> Any:
    """`value` as key.json gives it back (through JSON, keys sorted); as it is if it is not plain data."""
    try:
        return json.loads(json.dumps(value, sort_keys=True))
    except TypeError:
        return value


class ByIdentity:
    """Results of a function of objects that do not change, remembered by the object's identity (and a `tag`, e.g.
    the printer class): each object is held with its result, so its id stays its own while it is remembered; at
    most `size` are kept, all forgotten when full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.results: dict[tuple[Hashable, int], tuple[Any, Any]] = {}

    def get(self, value: Any, compute: Callable[[Any], R], tag: Hashable = None) -> R:
        """`compute(value)`, once per object and tag while it is remembered."""
        key = (tag, id(value))
        known = self.results.get(key)
        if known is not None and known[0] is value:
            return known[1]
        if len(self.results) >= self.size:
            self.results.clear()
        result = compute(value)
        self.results[key] = (value, result)
        return result
