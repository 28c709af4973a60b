"""TikZ back end: a tikzpicture for the LaTeX sheets (needs \\usepackage{tikz})."""

from __future__ import annotations

from exercises.figures import Bracket, Cell, Figure, Label, Line, Unit
from exercises.render.latex import escape_latex

FILL = {"plain": "white", "shade": "blue!25", "pad": "gray!12", "mark": "orange!45", "kernel": "green!20",
        "faint": "white"}
DRAW = {"plain": "black!80", "shade": "blue!70!black", "pad": "gray", "mark": "orange!70!black",
        "kernel": "green!50!black", "faint": "gray!50"}
_ANCHOR = {"west": "west", "east": "east", "center": "center"}


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def to_tikz(figure: Figure) -> str:
    """The figure as a tikzpicture (y axis flipped so the model's y grows downwards), fitted to the page."""
    unit = _n(figure.unit_cm())
    out = [f"\\begin{{tikzpicture}}[x={unit}cm, y=-{unit}cm, font=\\footnotesize]"]
    out += [_shape(shape) for shape in figure.shapes]
    out.append("\\end{tikzpicture}")
    return "\n".join(out)


def _node(x: float, y: float, text: str, anchor: str = "center") -> str:
    return f"\\node[anchor={_ANCHOR[anchor]}, inner sep=1pt] at ({_n(x)},{_n(y)}) {{{escape_latex(text)}}};"


def _shape(shape: object) -> str:
    if isinstance(shape, Cell):
        dash = ", dashed" if shape.style == "pad" else ""
        rect = (f"\\draw[fill={FILL[shape.style]}, draw={DRAW[shape.style]}{dash}] ({_n(shape.x)},{_n(shape.y)}) "
                f"rectangle ++({_n(shape.width)},{_n(shape.height)});")
        label = _node(shape.x + shape.width / 2, shape.y + shape.height / 2, shape.label) if shape.label else ""
        return rect + label
    if isinstance(shape, Unit):
        circle = (f"\\draw[fill={FILL[shape.style]}, draw={DRAW[shape.style]}] ({_n(shape.x)},{_n(shape.y)}) "
                  f"circle ({_n(shape.r)});")
        return circle + (_node(shape.x, shape.y, shape.label) if shape.label else "")
    if isinstance(shape, Line):
        style = {"shade": "very thick, ", "faint": "dashed, "}.get(shape.style, "")
        return (f"\\draw[{style}draw={DRAW.get(shape.style, DRAW['plain'])}] ({_n(shape.x1)},{_n(shape.y1)}) -- "
                f"({_n(shape.x2)},{_n(shape.y2)});")
    if isinstance(shape, Bracket):
        y, mid = shape.y + 0.15, (shape.x1 + shape.x2) / 2
        return (f"\\draw ({_n(shape.x1)},{_n(shape.y)}) -- ({_n(shape.x1)},{_n(y)}) -- ({_n(shape.x2)},{_n(y)}) -- "
                f"({_n(shape.x2)},{_n(shape.y)}); \\draw ({_n(mid)},{_n(y)}) -- ({_n(mid)},{_n(y + 0.15)});"
                + _node(mid, y + 0.55, shape.label))
    if isinstance(shape, Label):
        return _node(shape.x, shape.y, shape.text, shape.anchor)
    raise TypeError(f"unknown shape {shape!r}")
