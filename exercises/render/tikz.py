"""TikZ back end: a tikzpicture for the LaTeX sheets (needs \\usepackage{tikz}).

TikZ spends most of its time per command, not per segment, so shapes of one kind and style are
drawn as one path: every cell outline of a style in one `\\draw`, every line of a style in another,
all labels in one `\\path` of nodes. Groups are drawn in the order they first appear, labels last.
"""

from __future__ import annotations

from exercises.figures import Bracket, Cell, Figure, Label, Line, Shape, Unit
from exercises.figures import decimal as _n  # short: the drawing code writes many of them
from exercises.render.texescape import escape_latex

FILL = {"plain": "white", "shade": "blue!25", "pad": "gray!12", "mark": "orange!45", "kernel": "green!20",
        "faint": "white"}
DRAW = {"plain": "black!80", "shade": "blue!70!black", "pad": "gray", "mark": "orange!70!black",
        "kernel": "green!50!black", "faint": "gray!50"}


def to_tikz(figure: Figure) -> str:
    """The figure as a tikzpicture (y axis flipped so the model's y grows downwards), fitted to the page."""
    unit = _n(figure.unit_cm())
    groups: dict[str, list[str]] = {}  # path options → its segments, in order of first appearance
    labels: list[str] = []
    for shape in figure.shapes:
        for options, segment in _segments(shape):
            groups.setdefault(options, []).append(segment)
        labels += _labels(shape)
    out = [f"\\begin{{tikzpicture}}[x={unit}cm, y=-{unit}cm, font=\\footnotesize]"]
    out += [f"\\draw[{options}] {' '.join(segments)};" for options, segments in groups.items()]
    if labels:
        out.append("\\path[inner sep=1pt] " + " ".join(labels) + ";")
    out.append("\\end{tikzpicture}")
    return "\n".join(out)


def _segments(shape: Shape) -> list[tuple[str, str]]:
    """(path options, path segment) pairs that draw the shape, without its text."""
    if isinstance(shape, Cell):
        dash = ", dashed" if shape.style == "pad" else ""
        return [(f"fill={FILL[shape.style]}, draw={DRAW[shape.style]}{dash}",
                 f"({_n(shape.x)},{_n(shape.y)}) rectangle ++({_n(shape.width)},{_n(shape.height)})")]
    if isinstance(shape, Unit):
        return [(f"fill={FILL[shape.style]}, draw={DRAW[shape.style]}",
                 f"({_n(shape.x)},{_n(shape.y)}) circle ({_n(shape.r)})")]
    if isinstance(shape, Line):
        style = {"shade": "very thick, ", "faint": "dashed, "}.get(shape.style, "")
        return [(f"{style}draw={DRAW.get(shape.style, DRAW['plain'])}",
                 f"({_n(shape.x1)},{_n(shape.y1)}) -- ({_n(shape.x2)},{_n(shape.y2)})")]
    if isinstance(shape, Bracket):
        y, mid = shape.y + 0.15, (shape.x1 + shape.x2) / 2
        return [("draw=black", f"({_n(shape.x1)},{_n(shape.y)}) -- ({_n(shape.x1)},{_n(y)}) -- ({_n(shape.x2)},"
                               f"{_n(y)}) -- ({_n(shape.x2)},{_n(shape.y)}) ({_n(mid)},{_n(y)}) -- "
                               f"({_n(mid)},{_n(y + 0.15)})")]
    if isinstance(shape, Label):
        return []
    raise TypeError(f"unknown shape {shape!r}")


def _labels(shape: Shape) -> list[str]:
    """The shape's text as `(x,y) node[anchor=…] {text}` path segments."""
    if isinstance(shape, Cell) and shape.label:
        return [_node(shape.x + shape.width / 2, shape.y + shape.height / 2, shape.label)]
    if isinstance(shape, Unit) and shape.label:
        return [_node(shape.x, shape.y, shape.label)]
    if isinstance(shape, Bracket) and shape.label:
        return [_node((shape.x1 + shape.x2) / 2, shape.y + 0.7, shape.label)]
    if isinstance(shape, Label):
        return [_node(shape.x, shape.y, shape.text, shape.anchor)]
    return []


def _node(x: float, y: float, text: str, anchor: str = "center") -> str:
    return f"({_n(x)},{_n(y)}) node[anchor={anchor}] {{{escape_latex(text)}}}"
