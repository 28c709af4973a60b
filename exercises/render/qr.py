"""A student's answer-page link as a QR code (segno, pure Python), drawn for each sheet format: SVG for
Markdown and Typst, a `picture` of rules for LaTeX (no TikZ, any engine)."""

from __future__ import annotations

import functools

QR_CM = 2.2  # printed size, quiet zone included
QUIET = 2  # modules of white border (the printed page around it is white too)


@functools.lru_cache(maxsize=1024)
def modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The dark (True) and light modules of the QR code of `url`, with its quiet zone."""
    import segno

    code = segno.make_qr(url, error="m")
    matrix = [[bool(cell) for cell in row] for row in code.matrix]
    size = len(matrix) + 2 * QUIET
    blank = [(False,) * size] * QUIET
    return tuple(blank + [(False,) * QUIET + tuple(row) + (False,) * QUIET for row in matrix] + blank)


def _runs(row: tuple[bool, ...]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    runs, start = [], None
    for index, dark in enumerate((*row, False)):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def qr_svg(url: str, size_cm: float = QR_CM) -> str:
    """An SVG document of the code: one path, a rectangle per run of dark modules."""
    grid = modules(url)
    count = len(grid)
    path = "".join(f"M{x} {y}h{length}v1h-{length}z" for y, row in enumerate(grid) for x, length in _runs(row))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {count} {count}" width="{size_cm}cm" '
            f'height="{size_cm}cm" shape-rendering="crispEdges"><title>QR code of {url}</title>'
            f'<rect width="{count}" height="{count}" fill="#ffffff"/><path d="{path}" fill="#000000"/></svg>')


def qr_picture(url: str, size_cm: float = QR_CM) -> str:
    """A LaTeX picture of the code: a \\rule per run of dark modules (y grows upwards in a picture)."""
    grid = modules(url)
    count = len(grid)
    unit = size_cm / count
    rules = "".join(f"\\put({x},{count - 1 - y}){{\\rule{{{length}\\unitlength}}{{\\unitlength}}}}"
                    for y, row in enumerate(grid) for x, length in _runs(row))
    return (f"{{\\setlength{{\\unitlength}}{{{unit:.4f}cm}}\\begin{{picture}}({count},{count}){rules}"
            "\\end{picture}}")
