"""Redrawing until a draw qualifies: the one loop that every sampler shares.

A sampler draws what is not pinned, checks the draw, and draws again until it makes a good question
(a kernel that changes when flipped, a variant in which no named mistake gives the key …). `redraw`
returns the first draw that qualifies, so the draws, and the questions, are those of a plain loop; when
none of `tries` draws qualifies (the pinned parameters leave no room) it says so instead of keeping a
draw that does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from exercises.params import ParamError

T = TypeVar("T")
TRIES = 100  # draws before giving up, unless a sampler says otherwise


class NothingQualifies(ParamError):
    """No draw met the sampler's condition: with these pinned parameters the template cannot make its question."""


def redraw(draw: Callable[[], T], qualifies: Callable[[T], bool], what: str, tries: int = TRIES,
           explain: Callable[[T], str | None] | None = None) -> T:
    """The first of up to `tries` results of `draw()` that `qualifies`.

    NothingQualifies otherwise, saying that no draw gave `what` (or, with `explain`, why the last draw did
    not qualify, when it can say)."""
    value = None
    for _ in range(tries):
        value = draw()
        if qualifies(value):
            return value
    reason = explain(value) if explain is not None and value is not None else None  # type: ignore[arg-type]
    raise NothingQualifies(reason or f"could not draw {what} in {tries} tries with the pinned parameters; "
                                     "pin fewer of them, or other values")


def prefer(draw: Callable[[], T], preferred: Callable[[T], bool], acceptable: Callable[[T], bool], what: str,
           tries: int = TRIES, explain: Callable[[T], str | None] | None = None) -> T:
    """The first draw that is `preferred`; when the pinned parameters allow none in `tries`, the first of the
    following draws that is `acceptable` (NothingQualifies, as in `redraw`, if none is)."""
    try:
        return redraw(draw, preferred, what, tries)
    except NothingQualifies:
        return redraw(draw, acceptable, what, tries, explain)
