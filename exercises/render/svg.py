"""SVG back end: a standalone, deterministic SVG document (for Markdown and Typst)."""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape

from exercises.figures import Bracket, Cell, Figure, Label, Line, Unit

SCALE = 28  # viewBox pixels per grid unit
FONT_PX = 13  # label size in viewBox pixels at the preferred scale
MARGIN = 0.4
FILL = {"plain": "#ffffff", "shade": "#9ecae1", "pad": "#eeeeee", "mark": "#fdae6b", "kernel": "#c7e9c0",
        "faint": "#ffffff"}
STROKE = {"plain": "#333333", "shade": "#08519c", "pad": "#999999", "mark": "#a63603", "kernel": "#238b45",
          "faint": "#bbbbbb"}
_ANCHOR = {"west": "start", "east": "end", "center": "middle"}


@functools.lru_cache(maxsize=4096)  # drawings repeat their coordinates
def _n(value: float) -> str:
    """A coordinate in pixels, without float noise."""
    return f"{value * SCALE:.1f}".rstrip("0").rstrip(".")


def to_svg(figure: Figure, screen: bool = False) -> str:
    """The figure as an SVG document string, sized for paper (in cm: its labels print at 7 pt, two thirds of the
    sheet's text), or with `screen` for a web page (in em: its labels at the page's text size, larger than on
    paper next to the text and the column; the page's stylesheet narrows it to a column narrower than it)."""
    left, top, right, bottom = figure.bounds()
    left, top, right, bottom = left - MARGIN, top - MARGIN, right + MARGIN, bottom + MARGIN
    unit_cm = figure.unit_cm()
    # Printed at unit_cm per grid unit; the font grows as the drawing shrinks, so text keeps its size.
    font = FONT_PX * 0.55 / unit_cm
    width, height = (right - left) * SCALE, (bottom - top) * SCALE  # in viewBox pixels
    size = (f'width="{width / font:.2f}em" height="{height / font:.2f}em"' if screen else
            f'width="{width / SCALE * unit_cm:.2f}cm" height="{height / SCALE * unit_cm:.2f}cm"')
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_n(left)} {_n(top)} {_n(right - left)} '
        f'{_n(bottom - top)}" {size} font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="{font:.1f}">'
    ]
    if figure.caption:
        out.append(f"<title>{escape(figure.caption)}</title>")
    for shape in figure.shapes:
        out.append(_shape(shape))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _text(x: float, y: float, text: str, anchor: str = "center") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{_ANCHOR[anchor]}" dominant-baseline="central">'
            f"{escape(text)}</text>")


def _shape(shape: object) -> str:
    if isinstance(shape, Cell):
        dash = ' stroke-dasharray="3,2"' if shape.style == "pad" else ""
        rect = (f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.width)}" height="{_n(shape.height)}" '
                f'fill="{FILL[shape.style]}" stroke="{STROKE[shape.style]}"{dash}/>')
        label = _text(shape.x + shape.width / 2, shape.y + shape.height / 2, shape.label) if shape.label else ""
        return rect + label
    if isinstance(shape, Unit):
        circle = (f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.r)}" fill="{FILL[shape.style]}" '
                  f'stroke="{STROKE[shape.style]}"/>')
        return circle + (_text(shape.x, shape.y, shape.label) if shape.label else "")
    if isinstance(shape, Line):
        width = "2" if shape.style == "shade" else "1"
        marker = ' stroke-dasharray="4,3"' if shape.style == "faint" else ""
        return (f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" y2="{_n(shape.y2)}" '
                f'stroke="{STROKE.get(shape.style, STROKE["plain"])}" stroke-width="{width}"{marker}/>')
    if isinstance(shape, Bracket):
        y, mid = shape.y + 0.15, (shape.x1 + shape.x2) / 2
        path = (f"M {_n(shape.x1)} {_n(shape.y)} L {_n(shape.x1)} {_n(y)} L {_n(shape.x2)} {_n(y)} "
                f"L {_n(shape.x2)} {_n(shape.y)} M {_n(mid)} {_n(y)} L {_n(mid)} {_n(y + 0.15)}")
        return f'<path d="{path}" fill="none" stroke="#333333"/>' + _text(mid, y + 0.55, shape.label)
    if isinstance(shape, Label):
        return _text(shape.x, shape.y, shape.text, shape.anchor)
    raise TypeError(f"unknown shape {shape!r}")
