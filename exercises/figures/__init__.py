"""A small figure model drawn from a question's own numbers, and its back ends (SVG, TikZ).

Coordinates are in grid units with y growing downwards; one unit is one cell of a signal.
A figure is a flat tuple of shapes; back ends draw them in order (later shapes on top).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """A labelled square (a signal value, a matrix entry); `style` picks its fill: plain, shade, pad,
    mark, kernel or faint."""

    x: float
    y: float
    label: str = ""
    style: str = "plain"
    width: float = 1.0
    height: float = 1.0


@dataclass(frozen=True)
class Unit:
    """A labelled circle of radius `r` centred at (x, y): a unit of a layer."""

    x: float
    y: float
    label: str = ""
    style: str = "plain"
    r: float = 0.3


@dataclass(frozen=True)
class Line:
    """A straight line; `style` is plain, faint, shade (highlighted) or arrow."""

    x1: float
    y1: float
    x2: float
    y2: float
    style: str = "plain"


@dataclass(frozen=True)
class Bracket:
    """A brace under the span [x1, x2] at height y, with a label below it."""

    x1: float
    x2: float
    y: float
    label: str = ""


@dataclass(frozen=True)
class Label:
    """Free text anchored at (x, y): `anchor` is west, east or center."""

    x: float
    y: float
    text: str
    anchor: str = "center"


Shape = Cell | Unit | Line | Bracket | Label


@functools.lru_cache(maxsize=4096)  # drawings repeat their coordinates: a class's key writes a million of them
def decimal(value: float) -> str:
    """A number as the LaTeX back ends write it: at most two decimals, no trailing zeros or float noise."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


PREFERRED_CM = 0.55  # centimetres per grid unit when the drawing fits the page (labels sized for it)
WIDEST_CM = 15.0  # the text width a drawing is shrunk to fit


@dataclass(frozen=True)
class Figure:
    """A drawing plus its caption. Where a template puts it decides who sees it: in the statement
    (everyone) or in a solution (the key only, e.g. when the drawing shows the answer)."""

    shapes: tuple[Shape, ...]
    caption: str = ""

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of everything drawn, in grid units, labels at their printed size."""
        return self._bounds(PREFERRED_CM / self.unit_cm())

    @functools.cached_property
    def _geometry(self) -> tuple[tuple[float, float, float, float] | None, tuple[Bracket | Label, ...]]:
        """The bounds of the shapes whose extent is the same at any text size (None if there are none), and the
        shapes with text, whose extent grows with it: computed once, for the many text sizes that fitting the
        drawing to the page (and placing labels beside it) tries."""
        xs: list[float] = []
        ys: list[float] = []
        texts: list[Bracket | Label] = []
        for s in self.shapes:
            if isinstance(s, Cell):
                xs += [s.x, s.x + s.width]
                ys += [s.y, s.y + s.height]
            elif isinstance(s, Unit):
                xs += [s.x - s.r, s.x + s.r]
                ys += [s.y - s.r, s.y + s.r]
            elif isinstance(s, Line):
                xs += [s.x1, s.x2]
                ys += [s.y1, s.y2]
            elif isinstance(s, Bracket | Label):
                texts.append(s)
        return ((min(xs), min(ys), max(xs), max(ys)) if xs else None), tuple(texts)

    def _bounds(self, text_scale: float, extra: tuple[Label, ...] = ()) -> tuple[float, float, float, float]:
        """The bounds when text is `text_scale` times its size at PREFERRED_CM per grid unit (the back ends
        print labels at one size on paper, so a drawing shrunk to fit the page has larger labels in grid units),
        with `extra` labels drawn besides."""
        fixed, texts = self._geometry
        xs, ys = ([fixed[0], fixed[2]], [fixed[1], fixed[3]]) if fixed else ([], [])
        char, half = 0.33 * text_scale, 0.3 * text_scale  # a character's width, half a label's height
        for s in (*texts, *extra):
            if isinstance(s, Bracket):  # its label is centred 0.7 below the bracket's top, 0.3 high at scale 1
                middle, width = (s.x1 + s.x2) / 2, char * len(s.label)
                xs += [s.x1, s.x2, middle - width / 2, middle + width / 2]
                ys += [s.y, s.y + 0.6 + half]
            else:
                width = char * len(s.text)
                left = {"west": s.x, "east": s.x - width}.get(s.anchor, s.x - width / 2)
                xs += [left, left + width]
                ys += [s.y - half, s.y + half]
        return (min(xs), min(ys), max(xs), max(ys)) if xs else (0, 0, 1, 1)

    def unit_cm(self) -> float:
        """Centimetres per grid unit on paper: PREFERRED_CM, shrunk to fit WIDEST_CM (labels included, which
        grow in grid units as the drawing shrinks: a few rounds find the fixed point). Computed once."""
        return self._unit

    @functools.cached_property
    def _unit(self) -> float:
        return self.unit_cm_with()

    def unit_cm_with(self, extra: tuple[Label, ...] = ()) -> float:
        """`unit_cm()` of this drawing with `extra` labels added to it (draw.py places row names by it)."""
        unit = PREFERRED_CM
        for _ in range(4):
            left, _, right, _ = self._bounds(PREFERRED_CM / unit, extra)
            unit = min(PREFERRED_CM, WIDEST_CM / max(right - left + 0.8, 1.0))
        return unit

    def width_cm(self) -> float:
        """The printed width at `unit_cm()`, margins included."""
        left, _, right, _ = self.bounds()
        return round((right - left + 0.8) * self.unit_cm(), 2)
