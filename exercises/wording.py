"""Small helpers for the prose of templates and figures: counts with the right singular or plural, and whole
numbers grouped as the sheets print them (one rule: the printers group by digit_groups too)."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 zero', '2 zeros', '0 positions'; irregular plurals are passed in ('1 entry', '3 entries')."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


GROUPED_FROM = 10_000  # the sheets ask for large numbers in groups of three digits (267 960), never with commas
NARROW_SPACE = "\u202f"  # a thin space that never breaks a number across lines


def digit_groups(value: int) -> list[str]:
    """The digits of |value| in groups of three from the right once it has five digits (267960 → 267, 960);
    shorter numbers are one group (4096), as the sheets' instructions write them."""
    digits = str(abs(value))
    if abs(value) < GROUPED_FROM:
        return [digits]
    head = len(digits) % 3 or 3
    return [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]


def number(value: int) -> str:
    """A whole number for plain text (feedback, captions), grouped as the sheets print it: '267 960', '−3'."""
    return ("\u2212" if value < 0 else "") + NARROW_SPACE.join(digit_groups(value))
