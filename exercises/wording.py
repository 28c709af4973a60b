"""Small helpers for the prose of templates and figures: counts with the right singular or plural."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 zero', '2 zeros', '0 positions'; irregular plurals are passed in ('1 entry', '3 entries')."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
