"""Figures drawn from a question's own numbers: the pictures of the lecture.

Each function takes plain numbers (lists, ints) and returns a Figure; templates decide whether
it goes with the question (in the statement) or only with the key (in a solution).
"""

from __future__ import annotations

from collections.abc import Sequence

from exercises.figures import PREFERRED_CM, Bracket, Cell, Figure, Label, Line, Shape, Unit
from exercises.wording import plural


def _cell_width(labels: Sequence[str]) -> float:
    """Wide enough for the longest label (about 3 characters per unit)."""
    return max(1.0, 0.3 * max((len(label) for label in labels), default=1) + 0.2)


CHAR_WIDTH = 0.33  # grid units per character of a label at the preferred size (as Figure.bounds estimates)
FIELD_FIGURE_WIDTH = 64  # input positions drawn at most, unless the field itself is wider
FIELD_FIGURE_PITCH = 40  # grid units the input row may take: wider rows are drawn closer together


def receptive_field(kernels: Sequence[int], strides: Sequence[int], dilations: Sequence[int] | None = None,
                    names: Sequence[str] | None = None) -> Figure:
    """Layers as rows of units over the input; the top unit and everything it sees are shaded.

    Unit m of a layer with jump j and receptive field r sits above input position m·j + (r−1)/2,
    so strides show as gaps between the units of the higher rows. The input row shows the field and,
    where the width allows, one jump on each side (the top unit's neighbours); a row of more than
    FIELD_FIGURE_PITCH positions is drawn closer together, with smaller units. Row names stand in a
    column left of the units, wide enough for them at the size they are printed (see `_name_column`)."""
    dilations = list(dilations or [1] * len(kernels))
    names = list(names or [f"L{i + 1}" for i in range(len(kernels))])
    fields, jumps = [1], [1]
    for k, s, d in zip(kernels, strides, dilations, strict=True):
        fields.append(fields[-1] + (k - 1) * d * jumps[-1])
        jumps.append(jumps[-1] * s)
    margin = max(1, min(jumps[-1], (FIELD_FIGURE_WIDTH - fields[-1]) // 2))
    width = fields[-1] + 2 * margin  # the field plus a margin on each side
    pitch = min(1.0, FIELD_FIGURE_PITCH / width)  # grid units between neighbouring inputs
    top = len(kernels)
    offset = jumps[-1] - margin  # the top row's unit 1 is the shaded one; its field starts at x = margin
    cone: list[set[int]] = [set() for _ in range(top + 1)]
    cone[top] = {1}
    for level in range(top, 0, -1):
        k, s, d = kernels[level - 1], strides[level - 1], dilations[level - 1]
        cone[level - 1] = {m * s + t * d for m in cone[level] for t in range(k)}

    def x_of(level: int, m: int) -> float:
        return pitch * (m * jumps[level] + (fields[level] - 1) / 2 - offset)

    def y_of(level: int) -> float:
        return 1.6 * (top - level)

    shapes: list[Shape] = []
    for level in range(top, 0, -1):
        k, s, d = kernels[level - 1], strides[level - 1], dilations[level - 1]
        for m in sorted(cone[level]):
            for t in range(k):
                below = m * s + t * d
                shapes.append(Line(x_of(level, m), y_of(level), x_of(level - 1, below), y_of(level - 1), "shade"))
    for level in range(top + 1):  # the units whose field, first input m·j − offset on, lies within the drawn width
        jump = jumps[level]
        for m in range(max(0, -(-offset // jump)), (width + offset - fields[level]) // jump + 1):
            style = "shade" if m in cone[level] else "plain"
            shapes.append(Unit(x_of(level, m), y_of(level), style=style, r=0.28 * pitch))
    seen = sorted(cone[0])
    left, right = x_of(0, seen[0]), x_of(0, seen[-1])
    seen_text = f"{seen[-1] - seen[0] + 1} input" + ("s" if seen[-1] > seen[0] else "")
    shapes.append(Bracket(left - 0.3 * pitch, right + 0.3 * pitch, y_of(0) + 0.45, seen_text))
    labels = ["input", *names]
    column = _name_column(Figure(tuple(shapes)), max(len(label) for label in labels))
    shapes += [Label(column, y_of(level), label, "west") for level, label in enumerate(labels)]
    positions = "input position" + ("s" if fields[-1] > 1 else "")
    caption = f"The shaded unit of {names[-1]} sees {fields[-1]} {positions} (effective stride {jumps[-1]})."
    return Figure(tuple(shapes), caption)


def _name_column(drawing: Figure, chars: int, gap: float = 0.5) -> float:
    """Where names of `chars` characters start (anchored west) so that, printed at their fixed size,
    they end `gap` left of the drawing. A wide drawing is shrunk to the page and its text is not, so a
    name takes CHAR_WIDTH·chars grid units times the shrink factor: found by iterating to the fixed
    point (the shrink grows with the column, by less than the column grows)."""
    units_left = drawing.bounds()[0]
    column = units_left - gap - CHAR_WIDTH * chars
    for _ in range(100):
        shrink = PREFERRED_CM / drawing.unit_cm_with((Label(column, 0.0, "x" * chars, "west"),))
        better = units_left - gap - CHAR_WIDTH * chars * shrink
        if abs(better - column) < 1e-6:
            break
        column = better
    return column


def layered_units(sizes: Sequence[int], reads: Sequence[Sequence[Sequence[int]]], centres: Sequence[Sequence[float]],
                  shaded: Sequence[set[int]] = (), names: Sequence[str] = (), caption: str = "") -> Figure:
    """Rows of units, the input at the bottom; unit o of layer l (l ≥ 1) is joined to the units
    `reads[l - 1][o]` of the row below and sits at x = `centres[l][o]`. Shaded units, and the lines
    between two shaded units, are highlighted (the book's figures 9.2 to 9.4)."""
    shaded = list(shaded) or [set() for _ in sizes]
    names = list(names) or ["input", *(f"layer {level}" for level in range(1, len(sizes)))]

    def y_of(level: int) -> float:
        return 1.6 * (len(sizes) - 1 - level)

    shapes: list[Shape] = []
    for level in range(1, len(sizes)):
        for o, below in enumerate(reads[level - 1]):
            for i in below:
                lit = o in shaded[level] and i in shaded[level - 1]
                shapes.append(Line(centres[level][o], y_of(level), centres[level - 1][i], y_of(level - 1),
                                   "shade" if lit else "faint"))
    for level, size in enumerate(sizes):
        for o in range(size):
            shapes.append(Unit(centres[level][o], y_of(level), style="shade" if o in shaded[level] else "plain",
                               r=0.28))
        shapes.append(Label(min(centres[level]) - 0.8, y_of(level), names[level], "east"))
    return Figure(tuple(shapes), caption)


def shrinking_layers(sizes: Sequence[int], names: Sequence[str] = ()) -> Figure:
    """One centred row of units per layer, top to bottom, each row as long as its layer (book fig. 9.13)."""
    names = list(names) or ["input", *(f"layer {level}" for level in range(1, len(sizes)))]
    widest = max(sizes)
    shapes: list[Shape] = []
    for level, size in enumerate(sizes):
        y = 0.8 * level
        start = (widest - size) / 2
        shapes += [Unit(start + i, y, r=0.3) for i in range(size)]
        shapes.append(Label(-0.8, y, f"{names[level]}: {size}", "east"))
    caption = "The input and each valid layer: " + ", ".join(str(s) for s in sizes) + " units."
    return Figure(tuple(shapes), caption)


def kernel_rows(rows: Sequence[tuple[str, Sequence[str]]], inputs: int, kernel: int) -> Figure:
    """For each (name, kernel labels) row: `inputs` input cells, and above them one cell per output
    position naming the kernel it uses, joined to the `kernel` inputs it reads (book figs. 9.14, 9.16)."""
    labels = [label for _, row in rows for label in row]
    w = _cell_width(labels)
    shapes: list[Shape] = []
    for number, (name, row) in enumerate(rows):
        y = 3.6 * number
        shapes.append(Label(-0.3, y + 0.5, name, "east"))
        for i in range(inputs):
            shapes.append(Cell(i * w, y + 2, "", "plain", w))
        for o, label in enumerate(row):
            x = (o + (kernel - 1) / 2) * w
            shapes.append(Cell(x, y, label, "kernel", w))
            for t in range(kernel):
                shapes.append(Line(x + w / 2, y + 1, (o + t + 0.5) * w, y + 2, "faint"))
    return Figure(tuple(shapes), "Along one row: the kernel each output position uses (equal names: shared weights).")


def signal_and_kernel(signal: Sequence[object], kernel: Sequence[object], padding: int | tuple[int, int] = 0,
                      dilation: int = 1, position: int = 0, names: tuple[str, str] = ("x", "w")) -> Figure:
    """The (zero-padded) signal as a row of cells, the kernel below it at one position; `names` label the rows."""
    left, right = (padding, padding) if isinstance(padding, int) else padding
    values = ["0"] * left + [str(v) for v in signal] + ["0"] * right
    kernel_labels = [str(w) for w in kernel]
    w = _cell_width(values + kernel_labels)
    shapes: list[Shape] = [Label(-0.3, 0.5, names[0], "east"), Label(-0.3, 2.5, names[1], "east")]
    for i, label in enumerate(values):
        padded = i < left or i >= left + len(signal)
        covered = any(i == position + t * dilation for t in range(len(kernel)))
        style = "pad" if padded else ("shade" if covered else "plain")
        shapes.append(Cell(i * w, 0, label, style, w))
    for t, label in enumerate(kernel_labels):
        x = (position + t * dilation) * w
        shapes.append(Cell(x, 2, label, "kernel", w))
        shapes.append(Line(x + w / 2, 2, x + w / 2, 1, "faint"))
    if left or right:
        caption = f"{plural(left, 'zero')} on the left and {right} on the right (dashed); the kernel at position " \
            f"{position}."
    else:
        caption = f"The kernel at position {position}."
    return Figure(tuple(shapes), caption)


def pooling(detector: Sequence[object], pooled: Sequence[object], windows: Sequence[tuple[int, int]],
            changed: Sequence[bool] = (), y: float = 0.0, label: str = "", padding: int = 0) -> list[Shape]:
    """A detector row (with `padding` dashed zero cells on each side) and the pooled row above it.

    Window i = [start, end) counts detector positions from the first real value (the padding is negative
    or past the end; a window may also run past the drawn cells, e.g. a cut-off one). Pooled cell i sits
    over the centre of its whole window, so windows that start at least one position apart never hide
    each other's cells; its lines reach the ends of the window's drawn part."""
    labels = [str(v) for v in list(detector) + list(pooled)]
    w = _cell_width(labels)
    first, last = -padding, len(detector) + padding
    shapes: list[Shape] = []
    if label:
        shapes.append(Label(-0.3, y + 0.5, label, "east"))
    for i in range(first, last):
        real = 0 <= i < len(detector)
        shapes.append(Cell((i - first) * w, y + 2.2, str(detector[i]) if real else "", "plain" if real else "pad",
                           w))
    for i, ((start, end), value) in enumerate(zip(windows, pooled, strict=True)):
        centre = ((start + end) / 2 - first) * w
        style = "mark" if (changed and changed[i]) else "shade"
        shapes.append(Cell(centre - w / 2, y, str(value), style, w))
        left, right = (min(max(edge, first), last) - first for edge in (start, end))
        shapes.append(Line(centre, y + 1, left * w + 0.1, y + 2.2, "faint"))
        shapes.append(Line(centre, y + 1, right * w - 0.1, y + 2.2, "faint"))
    return shapes


def pooling_figure(detector: Sequence[object], pooled: Sequence[object], windows: Sequence[tuple[int, int]],
                   padding: int = 0) -> Figure:
    """One detector row (padding dashed) and its pooled row."""
    shapes = pooling(detector, pooled, windows, padding=padding)
    caption = "Each pooled value summarises the window below it"
    return Figure(tuple(shapes), caption + (" (padding dashed)." if padding else "."))


def pooling_shift_figure(before: tuple, after: tuple, windows: Sequence[tuple[int, int]]) -> Figure:
    """Before and after a shift: (detector, pooled) pairs; pooled outputs that changed are marked."""
    changed = [a != b for a, b in zip(before[1], after[1], strict=True)]
    shapes = pooling(before[0], before[1], windows, y=0, label="before")
    shapes += pooling(after[0], after[1], windows, changed, y=4.4, label="after")
    count = sum(changed)
    verb = "changes" if count == 1 else "change"
    return Figure(tuple(shapes), f"{count} of {len(changed)} pooled outputs {verb} (marked).")


def matrix_band(matrix: Sequence[Sequence[int]], marked: frozenset[tuple[int, int]] = frozenset(),
                mark_name: str = "marked") -> Figure:
    """A matrix as a grid of cells with its non-zero band shaded; entries (row, column) in `marked` (such as a
    circulant's wrap-around corners) stand out in the marking colour."""
    labels = [str(v) for row in matrix for v in row]
    w = _cell_width(labels)
    shapes: list[Shape] = [
        Cell(j * w, i, str(v), "mark" if (i, j) in marked else "shade" if v else "plain", w)
        for i, row in enumerate(matrix) for j, v in enumerate(row)
    ]
    nonzero = sum(1 for row in matrix for v in row if v)
    caption = f"The band: {nonzero} non-zero entries of {len(labels)}."
    if marked:
        entries = "entry is" if len(marked) == 1 else "entries are"
        caption += f" The {len(marked)} {mark_name} {entries} marked."
    return Figure(tuple(shapes), caption)


def pool_gradient(signal: Sequence[object], delta: Sequence[object], windows: Sequence[tuple[int, int]],
                  winners: Sequence[int], gradient: Sequence[object]) -> Figure:
    """Max pooling backwards: each window's upstream gradient (top row) goes down to the position that won the
    window's maximum (shaded in the input row); the bottom row is what every input receives."""
    labels = [str(v) for v in [*signal, *delta, *gradient]]
    w = _cell_width(labels)
    shapes: list[Shape] = [Label(-0.3, 0.5, "dL/dy", "east"), Label(-0.3, 2.7, "x", "east"),
                           Label(-0.3, 4.9, "dL/dx", "east")]
    for (start, end), value, winner in zip(windows, delta, winners, strict=True):
        centre = (start + end) / 2 * w
        shapes.append(Cell(centre - w / 2, 0, str(value), "kernel", w))
        shapes.append(Line(centre, 1, (winner + 0.5) * w, 2.2, "shade"))
    for i, (value, grad) in enumerate(zip(signal, gradient, strict=True)):
        shapes.append(Cell(i * w, 2.2, str(value), "shade" if i in winners else "plain", w))
        shapes.append(Cell(i * w, 4.4, str(grad), "mark" if grad else "faint", w))
    return Figure(tuple(shapes), "Each window's gradient goes to the position of its maximum (shaded); "
                                 "positions that win several windows add their gradients.")


def subsample(full: Sequence[object], stride: int) -> Figure:
    """A stride-1 output row (top) and the strided output below it: every stride-th entry kept (shaded), the
    others computed for nothing (faint)."""
    kept = list(full)[::stride]
    w = _cell_width([str(v) for v in full])
    shapes: list[Shape] = [Label(-0.3, 0.5, "stride 1", "east"), Label(-0.3, 2.7, f"stride {stride}", "east")]
    for i, value in enumerate(full):
        shapes.append(Cell(i * w, 0, str(value), "faint" if i % stride else "shade", w))
    for j, value in enumerate(kept):
        x = j * stride * w
        shapes.append(Line(x + w / 2, 1, x + w / 2, 2.2, "plain"))
        shapes.append(Cell(x, 2.2, str(value), "shade", w))
    nth = {2: "second", 3: "third", 4: "fourth"}.get(stride, f"{stride}th")
    return Figure(tuple(shapes), f"Keeping every {nth} output of the stride-1 convolution gives the strided one: "
                                 f"{len(kept)} of {len(full)} outputs.")


def block_columns(columns: Sequence[tuple[str, Sequence[str]]], caption: str) -> Figure:
    """Networks side by side: for each (title, boxes) a column of labelled boxes from the top down, each joined to
    the next, the title above (the architectures lecture's block diagrams, MobileNet's and ResNet's figures)."""
    shapes: list[Shape] = []
    x = 0.0
    for title, boxes in columns:
        w = max(_cell_width(boxes), CHAR_WIDTH * len(title) + 0.2)
        shapes.append(Label(x + w / 2, -0.6, title, "center"))
        for row, label in enumerate(boxes):
            y = 1.8 * row
            shapes.append(Cell(x, y, label, "kernel", w))
            if row:
                shapes.append(Line(x + w / 2, y - 0.8, x + w / 2, y, "plain"))
        x += w + 1.5
    return Figure(tuple(shapes), caption)


def scatter_rows(inputs: Sequence[str], rows: Sequence[Sequence[tuple[int, str]]], full: Sequence[object],
                 kept: tuple[int, int], copies: Sequence[int]) -> Figure:
    """A transposed convolution as scattering: row i holds input i's scaled kernel copy at the positions it writes
    (`rows[i]`: position, value), the row below them adds the copies up over every position written (`full`),
    the output keeps positions kept[0] to kept[1] - 1 (shaded; the cropped ones dashed), and the last row counts
    the copies that land on each kept position."""
    labels = [label for row in rows for _, label in row] + [str(v) for v in full] + [str(c) for c in copies]
    w = _cell_width(labels)
    shapes: list[Shape] = []
    for i, (name, row) in enumerate(zip(inputs, rows, strict=True)):
        shapes.append(Label(-0.3, 1.2 * i + 0.5, name, "east"))
        shapes += [Cell(position * w, 1.2 * i, label, "kernel", w) for position, label in row]
    y = 1.2 * len(rows) + 0.4
    shapes.append(Label(-0.3, y + 0.5, "sum", "east"))
    for position, value in enumerate(full):
        shapes.append(Cell(position * w, y, str(value), "shade" if kept[0] <= position < kept[1] else "pad", w))
    shapes.append(Label(-0.3, y + 1.9, "copies", "east"))
    for offset, count in enumerate(copies):
        shapes.append(Cell((kept[0] + offset) * w, y + 1.4, str(count), "mark" if count > 1 else "plain", w))
    cropped = len(full) - (kept[1] - kept[0])
    caption = ("Each input adds a scaled copy of the kernel at its own positions; the output sums them"
               + (f" and keeps the shaded positions ({cropped} cropped, dashed)." if cropped else "."))
    return Figure(tuple(shapes), caption)
