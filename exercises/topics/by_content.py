"""Results of pure functions of a template's parameters, remembered by the parameters' content.

A template's misconceptions each start from the same derived facts (the stack with its shapes, the traced
shapes …), and the sampler's fairness check asks for them again before the build: dozens of times per variant
for the same parameters. A function decorated with `by_content` computes them once per content of its
argument (plain data: what key.json records) and returns the same, frozen, result after that.
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")


def by_content(size: int) -> Callable[[Callable[[Any], R]], Callable[[Any], R]]:
    """Decorator: remember the results of a pure function of one argument of plain data (dicts, lists, numbers,
    text), the `size` latest, by the argument's content. Its repr is the key (it tells 1 from True and 1.0, and
    a dict's order); an argument that is not plain data (json cannot write it) is not remembered. The results
    are shared: callers must not change them."""
    def decorate(function: Callable[[Any], R]) -> Callable[[Any], R]:
        results: OrderedDict[str, R] = OrderedDict()

        @functools.wraps(function)
        def remembered(value: Any) -> R:
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

        return remembered

    return decorate
