"""LaTeX picture back end, the one the sheets use: a `picture` environment whose shapes are raw PDF
drawing operators and whose labels are `\\put` boxes.

TeX typesets this about ten times faster than the same drawing in TikZ, which is what keeps a class's
answer key quick to compile. The operators go through `\\cnnquizdraw{…}`, which the sheet's preamble
defines for each engine (pdfTeX's `\\pdfliteral`, XeTeX's `pdf:literal` special); the colours are the
SVG back end's, so both PDF engines print the same figure. (`cnnquiz show --figure x.tex` still writes
TikZ, which is easier to edit by hand.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from exercises.figures import Bracket, Cell, Figure, Label, Line, Unit
from exercises.figures import decimal as _n  # short: the drawing code writes many of them
from exercises.render.svg import FILL, MARGIN, STROKE
from exercises.render.texescape import escape_latex

BP_PER_CM = 72 / 2.54
_KAPPA = 0.5523  # control-point distance of a four-Bézier circle, per unit of radius
_THIN, _THICK = 0.4, 1.2  # line widths in bp (TikZ's default and "very thick")
_BOX = {"center": "", "east": "[r]", "west": "[l]"}


@functools.cache
def _rgb(hex_colour: str) -> str:
    return " ".join(_n(int(hex_colour[i:i + 2], 16) / 255) for i in (1, 3, 5))


def to_picture(figure: Figure) -> str:
    """The figure as a LaTeX picture environment, printed at `figure.unit_cm()` per grid unit."""
    left, top, right, bottom = figure.bounds()
    left, top, right, bottom = left - MARGIN, top - MARGIN, right + MARGIN, bottom + MARGIN
    scale = figure.unit_cm() * BP_PER_CM

    def point(x: float, y: float) -> str:  # grid units, y down → bp from the bottom-left corner, y up
        return f"{_n((x - left) * scale)} {_n((bottom - y) * scale)}"

    groups: dict[tuple[str, str], list[str]] = {}  # (graphics state, paint operator) → path segments, in order
    labels: list[tuple[float, float, str, str]] = []
    for shape in figure.shapes:
        if isinstance(shape, Cell):
            dash = " [3 2] 0 d" if shape.style == "pad" else ""
            groups.setdefault((_filled(shape.style) + dash, "B"), []).append(
                f"{point(shape.x, shape.y + shape.height)} {_n(shape.width * scale)} {_n(shape.height * scale)} re")
            if shape.label:
                labels.append((shape.x + shape.width / 2, shape.y + shape.height / 2, shape.label, "center"))
        elif isinstance(shape, Unit):
            groups.setdefault((_filled(shape.style), "B"), []).append(_circle(point, shape.x, shape.y, shape.r))
            if shape.label:
                labels.append((shape.x, shape.y, shape.label, "center"))
        elif isinstance(shape, Line):
            width = _THICK if shape.style == "shade" else _THIN
            dash = " [4 3] 0 d" if shape.style == "faint" else ""
            state = f"{_rgb(STROKE.get(shape.style, STROKE['plain']))} RG {width} w{dash}"
            groups.setdefault((state, "S"), []).append(f"{point(shape.x1, shape.y1)} m {point(shape.x2, shape.y2)} l")
        elif isinstance(shape, Bracket):
            y, mid = shape.y + 0.15, (shape.x1 + shape.x2) / 2
            groups.setdefault((f"{_rgb(STROKE['plain'])} RG {_THIN} w", "S"), []).append(
                f"{point(shape.x1, shape.y)} m {point(shape.x1, y)} l {point(shape.x2, y)} l "
                f"{point(shape.x2, shape.y)} l {point(mid, y)} m {point(mid, y + 0.15)} l")
            if shape.label:
                labels.append((mid, shape.y + 0.7, shape.label, "center"))
        elif isinstance(shape, Label):
            labels.append((shape.x, shape.y, shape.text, shape.anchor))
        else:
            raise TypeError(f"unknown shape {shape!r}")
    paint = [f"q {state} {' '.join(segments)} {op} Q" for (state, op), segments in groups.items()]
    out = [f"\\setlength{{\\unitlength}}{{{_n(scale)}bp}}%",
           f"\\begin{{picture}}({_n(right - left)},{_n(bottom - top)})\\footnotesize",
           f"\\put(0,0){{\\cnnquizdraw{{{chr(10).join(paint)}}}}}"]
    out += [f"\\put({_n(x - left)},{_n(bottom - y)}){{\\makebox(0,0){_BOX[anchor]}{{{_padded(text, anchor)}}}}}"
            for x, y, text, anchor in labels]
    out.append("\\end{picture}")
    return "\n".join(out)


def _filled(style: str) -> str:
    return f"{_rgb(FILL[style])} rg {_rgb(STROKE[style])} RG {_THIN} w"


def _circle(point: Callable[[float, float], str], x: float, y: float, r: float) -> str:
    """A circle as four Bézier curves, counter-clockwise from its rightmost point."""
    k = _KAPPA * r
    return (f"{point(x + r, y)} m {point(x + r, y - k)} {point(x + k, y - r)} {point(x, y - r)} c "
            f"{point(x - k, y - r)} {point(x - r, y - k)} {point(x - r, y)} c "
            f"{point(x - r, y + k)} {point(x - k, y + r)} {point(x, y + r)} c "
            f"{point(x + k, y + r)} {point(x + r, y + k)} {point(x + r, y)} c h")


def _padded(text: str, anchor: str) -> str:
    """The label, kept 1pt clear of the point it is anchored at (like a TikZ node's inner sep)."""
    text = escape_latex(text)
    return {"east": f"{text}\\hspace{{1pt}}", "west": f"\\hspace{{1pt}}{text}"}.get(anchor, text)
