"""Where things are on a PDF page, for the layout tests: text runs (pypdf), stroked and filled paths (pikepdf),
each with its bounding box in points from the page's bottom left corner."""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf
from pypdf import PageObject

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def multiply(first: Matrix, then: Matrix) -> Matrix:
    """The transformation `first`, then `then` (PDF's row-vector convention: first × then)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


@dataclass(frozen=True)
class Run:
    """A piece of text shown at one position: its baseline's start, font size in points, font name."""

    x: float
    y: float
    size: float
    text: str
    font: str

    @property
    def math(self) -> bool:
        return "Math" in self.font


def text_runs(page: PageObject) -> list[Run]:
    """The page's text runs, in the order the content stream shows them."""
    found: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        if text.strip():
            matrix = multiply(tuple(tm), tuple(cm))  # type: ignore[arg-type]
            x, y = apply(matrix, 0, 0)
            scale = abs(matrix[3]) or abs(matrix[1])
            found.append(Run(round(x, 2), round(y, 2), round(size * scale, 2), text,
                             str(font.get("/BaseFont", "")) if font else ""))

    page.extract_text(visitor_text=visit)
    return found


@dataclass(frozen=True)
class Path:
    """A painted path: its bounding box, whether it was stroked or filled, and the stroke's grey level (None for a
    colour)."""

    left: float
    bottom: float
    right: float
    top: float
    stroked: bool
    grey: float | None

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


_PAINT = {"S": True, "s": True, "B": True, "b": True, "B*": True, "b*": True, "f": False, "F": False, "f*": False}


def painted_paths(pdf: pikepdf.Pdf, index: int) -> list[Path]:
    """The paths painted on page `index` (not those in form XObjects)."""
    ctm, stack, grey = IDENTITY, [], None
    points: list[tuple[float, float]] = []
    paths = []
    for operands, operator in pikepdf.parse_content_stream(pdf.pages[index]):
        op = str(operator)
        values = [float(v) for v in operands if _is_number(v)]
        if op == "q":
            stack.append((ctm, grey))
        elif op == "Q":
            ctm, grey = stack.pop()
        elif op == "cm":
            ctm = multiply(tuple(values), ctm)  # type: ignore[arg-type]
        elif op in ("SCN", "SC", "G", "RG", "K"):
            grey = values[0] if len(values) == 1 else (values[0] if len(set(values)) == 1 else None)
        elif op in ("m", "l"):
            points.append(apply(ctm, *values))
        elif op == "c":
            points += [apply(ctm, values[i], values[i + 1]) for i in (0, 2, 4)]
        elif op == "re":
            x, y, w, h = values
            points += [apply(ctm, x, y), apply(ctm, x + w, y + h)]
        elif op in _PAINT or op == "n":
            if op != "n" and points:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                paths.append(Path(min(xs), min(ys), max(xs), max(ys), _PAINT[op], grey))
            points = []
    return paths


def _is_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True
