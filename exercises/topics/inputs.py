"""Shared by the templates that take a signal or an image: the parameter `dims` and the checks that the
pinned arrays agree with it (no templates here)."""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.params import Int, ParamError

DIMS = Int(doc="1 for a signal, 2 for an image (drawn: a signal twice as often)", low=1, high=2)


def data_of(p: dict[str, Any]) -> list:
    """The pinned or sampled input: the signal or the image."""
    return p["signal"] if "signal" in p else p["image"]


def pick_dims(rng: np.random.Generator, p: dict[str, Any], *others: str) -> int:
    """dims as pinned, or as a pinned signal, image or other array implies; else drawn."""
    if "dims" in p:
        return p["dims"]
    if "signal" in p or "image" in p:
        return 1 if "signal" in p else 2
    for name in others:
        if name in p:
            return int(np.ndim(p[name]))
    return 1 if rng.integers(3) < 2 else 2


def check_input(template_id: str, p: dict[str, Any], *others: str) -> None:
    """One input, as many axes as dims says, and every other pinned array with as many axes."""
    if "signal" in p and "image" in p:
        raise ParamError(f"{template_id} takes a signal or an image, not both: pin only one of them")
    name = "signal" if "signal" in p else "image"
    if p["dims"] != (1 if name == "signal" else 2):
        raise ParamError(f"dims {p['dims']} does not fit the pinned {name}: a signal has dims 1, an image dims 2")
    for other in others:
        if other in p and np.ndim(p[other]) != p["dims"]:
            want = "a list" if p["dims"] == 1 else "a matrix (list of rows)"
            raise ParamError(f"{other} must be {want} like the {name}, got {np.ndim(p[other])}-D")
