"""Max and average pooling of a signal or an image, with stride, padding and ceil_mode as in PyTorch."""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Call, Eq, Op, Part, Question, Sym, prose
from exercises.params import Bool, Int, IntList, IntMatrix, OneOf, ParamError
from exercises.registry import Template, template
from grader.answers import Matrix, Vector

Window = tuple[int, int, int]  # real elements [start, end) and the divisor of count_include_pad=True


def pool_windows(n: int, width: int, stride: int, padding: int = 0, ceil_mode: bool = False) -> list[Window]:
    """The windows along one axis of length n, by PyTorch's rules.

    Windows start at -padding and move by stride; they must fit in the padded input. With ceil_mode,
    if the last full window stops before the end of the padded input, one more window is added (cut
    off at that end) unless it would start in the right padding. Each window is returned as the real
    elements [start, end) it covers and the number of positions inside the padded input it covers."""
    starts = list(range(-padding, n + padding - width + 1, stride))
    following = starts[-1] + stride
    if ceil_mode and starts[-1] + width < n + padding and following < n:
        starts.append(following)
    return [(max(a, 0), min(a + width, n), min(a + width, n + padding) - a) for a in starts]


def pool_output_size(n: int, width: int, stride: int, padding: int = 0, ceil_mode: bool = False) -> int:
    """PyTorch's formula: floor((n + 2p - k)/s) + 1, or ceil(...) + 1 without a window starting in the right
    padding."""
    span = n + 2 * padding - width
    size = (-(-span // stride) if ceil_mode else span // stride) + 1
    return size - 1 if ceil_mode and (size - 1) * stride >= n + padding else size


def pool(data: list, width: int, stride: int, op: str, padding: int = 0, ceil_mode: bool = False,
         exact: bool = True, count_padding: bool = True) -> list:
    """Pool a signal (list) or an image (list of rows) with square windows: plain loops over the windows.

    Max pooling pads with -inf (padding never wins); average pooling pads with zeros that count in the
    divisor (count_include_pad=True). The two misconceptions: `exact=False` divides with integer
    division, `count_padding=False` divides by the number of real values only."""

    def reduce(values: list[int], divisor: int) -> int | Fraction:
        if op == "max":
            return max(values)
        divisor = divisor if count_padding else len(values)
        return Fraction(sum(values), divisor) if exact else sum(values) // divisor

    if not isinstance(data[0], list):
        return [reduce(data[a:b], size) for a, b, size in pool_windows(len(data), width, stride, padding, ceil_mode)]
    rows = pool_windows(len(data), width, stride, padding, ceil_mode)
    cols = pool_windows(len(data[0]), width, stride, padding, ceil_mode)
    return [[reduce([v for row in data[r0:r1] for v in row[c0:c1]], rs * cs) for c0, c1, cs in cols]
            for r0, r1, rs in rows]


def pool_numpy(data: list, width: int, stride: int, op: str, padding: int = 0, ceil_mode: bool = False) -> list:
    """The same by numpy: pad (with a counting mask), take every window with sliding_window_view, reduce."""
    x = np.asarray(data, dtype=np.int64)
    sizes = [pool_output_size(n, width, stride, padding, ceil_mode) for n in x.shape]
    overhang = [max(0, (size - 1) * stride + width - (n + 2 * padding)) for size, n in zip(sizes, x.shape, strict=True)]
    fill = np.iinfo(np.int64).min if op == "max" else 0
    values = np.pad(np.pad(x, padding, constant_values=fill), [(0, e) for e in overhang], constant_values=fill)
    counted = np.pad(np.ones_like(x), [(padding, padding + e) for e in overhang])
    counted[tuple(slice(0, n + 2 * padding) for n in x.shape)] = 1
    keep = tuple(slice(0, size * stride, stride) for size in sizes)
    window = (width,) * x.ndim
    axes = tuple(range(x.ndim, 2 * x.ndim))
    windows = sliding_window_view(values, window)[keep]
    if op == "max":
        return windows.max(axis=axes).tolist()
    totals, counts = windows.sum(axis=axes), sliding_window_view(counted, window)[keep].sum(axis=axes)
    return np.vectorize(Fraction, otypes=[object])(totals, counts).tolist()


# -- misconceptions --------------------------------------------------------------------------


def data_of(p: dict[str, Any]) -> list:
    """The pinned or sampled input: the signal or the image."""
    return p["signal"] if "signal" in p else p["image"]


def _pooled(p: dict[str, Any], **changes: Any) -> list | None:
    q = {**p, **changes}
    data = data_of(q)
    shortest = min(len(data), len(data[0]) if isinstance(data[0], list) else len(data))
    if shortest + 2 * q["padding"] < q["width"]:
        return None
    return pool(data, q["width"], q["stride"], q["op"], q["padding"], q["ceil_mode"], q.get("exact", True),
                q.get("count_padding", True))


def _swapped(p: dict[str, Any]) -> list | None:
    return _pooled(p, op="avg" if p["op"] == "max" else "max")


def _stride_ignored(p: dict[str, Any]) -> list | None:
    return None if p["stride"] == 1 else _pooled(p, stride=1)


def _padding_ignored(p: dict[str, Any]) -> list | None:
    return None if p["padding"] == 0 else _pooled(p, padding=0)


def _ceil_mode_confused(p: dict[str, Any]) -> list | None:
    return _pooled(p, ceil_mode=not p["ceil_mode"])


def _integer_division(p: dict[str, Any]) -> list | None:
    return None if p["op"] == "max" else _pooled(p, exact=False)


def _padding_not_counted(p: dict[str, Any]) -> list | None:
    return None if p["op"] == "max" or p["padding"] == 0 else _pooled(p, count_padding=False)


MISTAKES = (
    Mistake("avg-max-swapped", "You used the other pooling operation: max pooling takes the largest value of each "
            "window, average pooling their mean.", _swapped),
    Mistake("stride-ignored", "You moved the window one step at a time: with stride s the windows start s "
            "positions apart.", _stride_ignored),
    Mistake("padding-ignored", "You left out the padding: pad both sides first (-inf for max, zeros for avg), "
            "then place the windows from the padded start.", _padding_ignored),
    Mistake("ceil-mode-confused", "Check ceil_mode: off (floor) keeps only windows that fit; on (ceil) also keeps "
            "a last window cut off at the end, unless it would start in the right padding.", _ceil_mode_confused),
    Mistake("integer-division", "You rounded the averages down: an average is an exact fraction such as 7/2.",
            _integer_division),
    Mistake("padding-not-counted", "You divided by the number of real values only: with count_include_pad=True "
            "the padded zeros count in the divisor.", _padding_not_counted),
)


@template
class Pooling(Template):
    id = "pooling"
    version = 1
    topic = "pooling"
    summary = "max or average pooling of a signal or an image, with stride, padding and ceil_mode (PyTorch)"
    params = {
        "signal": IntList(doc="input signal (pin this or image)", min_len=1, max_len=16),
        "image": IntMatrix(doc="input image, a list of rows (pin this or signal)", min_size=1, max_size=8),
        "width": Int(doc="window width (square windows for an image)", low=1, high=6),
        "stride": Int(doc="step between windows; default: the width", low=1, high=6),
        "op": OneOf(doc="max or average pooling", options=("max", "avg")),
        "padding": Int(doc="padding on each side: -inf for max, counted zeros for avg", default=0, low=0, high=3),
        "ceil_mode": Bool(doc="keep a last, cut-off window (PyTorch's ceil_mode)", default=False),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "op" not in p:
            p["op"] = ("max", "avg")[int(rng.integers(2))]
        if "width" not in p:
            p["width"] = int(rng.integers(2, 4))
        if "stride" not in p:
            p["stride"] = p["width"]
        if "signal" in p or "image" in p:
            return p
        use_image = bool(rng.integers(2))
        shortest = p["width"] + p["stride"]
        for _ in range(50):  # redraw until the pooled values are not all the same
            if use_image:
                low = max(4, shortest)
                rows, cols = (int(v) for v in rng.integers(low, max(low, 6) + 1, size=2))
                q = {**p, "image": rng.integers(0, 10, size=(rows, cols)).tolist()}
            else:
                low = max(6, shortest)
                q = {**p, "signal": rng.integers(0, 10, size=int(rng.integers(low, max(low, 10) + 1))).tolist()}
            if len(np.unique(np.asarray(_pooled(q), dtype=object))) > 1:
                break
        return q

    def validate(self, p: dict[str, Any]) -> None:
        if "signal" in p and "image" in p:
            raise ParamError("pooling takes a signal or an image, not both: pin only one of them")
        k, pad = p["width"], p["padding"]
        if pad > k // 2:
            raise ParamError(f"padding {pad} is more than half the width {k}: as in PyTorch, padding must be at "
                             "most width/2, so that no window lies entirely in the padding")
        data = data_of(p)
        for name, n in [("values", len(data))] if "signal" in p else [("rows", len(data)), ("columns", len(data[0]))]:
            if n + 2 * pad < k:
                raise ParamError(f"the window of width {k} does not fit into {n} {name} with padding {pad} on each "
                                 "side: use a smaller width or more padding")

    def build(self, p: dict[str, Any]) -> Question:
        data, image = data_of(p), "image" in p
        output = pool(data, p["width"], p["stride"], p["op"], p["padding"], p["ceil_mode"])
        name = "image" if image else "signal"
        statement = (
            prose(f"Pool the {name} {{x}} with {'max' if p['op'] == 'max' else 'average'} pooling: "
                  + self._settings(p, image) + ".", x=np.array(data)),
            prose(self._padding_rule(p) + " " + self._ceil_rule(p)),
        )
        size = len(output) * (len(output[0]) if image else 1)
        part = Part(
            "output",
            prose("Compute the pooled output {y}" + (", exactly (averages as fractions such as 7/2)."
                                                      if p["op"] == "avg" else "."), y=Sym("y")),
            expect(Matrix if image else Vector, output, p, MISTAKES),
            points=size // 2 + 1,
            solution=self._solution(p, data, output),
        )
        return self.question(p, title="Pooling", statement=statement, parts=(part,))

    @staticmethod
    def _settings(p: dict[str, Any], image: bool) -> str:
        k, s = p["width"], p["stride"]
        window = f"{k}×{k} windows" if image else f"windows of width {k}"
        padding = f", padding {p['padding']} on each side" if p["padding"] else ", no padding"
        return f"{window}, stride {s}{padding}, ceil_mode {'on' if p['ceil_mode'] else 'off'}"

    @staticmethod
    def _padding_rule(p: dict[str, Any]) -> str:
        if not p["padding"]:
            return "The windows start at the first value."
        if p["op"] == "max":
            return "As in PyTorch, max pooling pads with -inf: padding never wins the maximum."
        return ("As in PyTorch (count_include_pad=True, its default), average pooling pads with zeros that count "
                "in the divisor.")

    @staticmethod
    def _ceil_rule(p: dict[str, Any]) -> str:
        where = "the padded input" if p["padding"] else "the input"
        if not p["ceil_mode"]:
            return f"Only windows that fit entirely inside {where} count (floor rounding)."
        rule = (f"With ceil_mode on (PyTorch's rule), if the last window that fits stops before the end of {where}, "
                "one more window follows, cut off at that end")
        if p["op"] == "avg":
            rule += f" (its average divides by the positions that remain inside {where})"
        return rule + ("; it is left out if it would start in the right padding." if p["padding"] else ".")

    def _solution(self, p: dict[str, Any], data: list, output: list) -> tuple:
        image = isinstance(data[0], list)
        shape = (len(data), len(data[0])) if image else (len(data),)
        windows = [pool_windows(n, p["width"], p["stride"], p["padding"], p["ceil_mode"]) for n in shape]
        steps = []
        for index in product(*(range(len(w)) for w in windows)):
            chosen = [windows[axis][i] for axis, i in enumerate(index)]
            values = _window_values(data, chosen)
            value = output[index[0]][index[1]] if image else output[index[0]]
            label = Sym("y_{" + ",".join(str(i) for i in index) + "}")
            if p["op"] == "max":
                steps.append(prose("{step}", step=Eq(label, Call("max", *values), value)))
            else:
                divisor = int(np.prod([w[2] for w in chosen]))
                padded = values + [0] * (divisor - len(values))
                steps.append(prose("{step}", step=Eq(label, Op("/", _plus(padded), divisor), value)))
        if not image:
            steps.append(draw.pooling_figure(data, output, [(a, b) for a, b, _ in windows[0]]))
        return (*self._size_lines(p, shape), *steps)

    @staticmethod
    def _size_lines(p: dict[str, Any], shape: tuple[int, ...]) -> list:
        k, s, pad, ceil_mode = p["width"], p["stride"], p["padding"], p["ceil_mode"]
        rounding = "ceil" if ceil_mode else "floor"
        lines = []
        for axis, n in zip(("rows", "columns") if len(shape) == 2 else ("entries",), shape, strict=True):
            formula = Op("+", Call(rounding, Op("/", Op("-", Op("+", n, Op("*", 2, pad)), k), s)), 1)
            span = n + 2 * pad - k
            rounded = (-(-span // s) if ceil_mode else span // s) + 1
            size = pool_output_size(n, k, s, pad, ceil_mode)
            if size == rounded:
                lines.append(prose(f"Output {axis}: {{size}}.", size=Eq(formula, size)))
            else:
                lines.append(prose(f"Output {axis}: {{size}}, less the last window, which would start in the "
                                   f"right padding: {size}.", size=Eq(formula, rounded)))
        return lines

    def verify(self, question: Question) -> None:
        p = question.params
        expected = pool_numpy(data_of(p), p["width"], p["stride"], p["op"], p["padding"], p["ceil_mode"])
        spec = question.part("output").answer
        assert spec.coerce(expected) == spec.value, f"pooling output {spec.value} != numpy {expected}"  # type: ignore


def _window_values(data: list, windows: list[Window]) -> list[int]:
    if len(windows) == 1:
        (a, b, _), = windows
        return data[a:b]
    (r0, r1, _), (c0, c1, _) = windows
    return [v for row in data[r0:r1] for v in row[c0:c1]]


def _plus(terms: list[int]) -> Any:
    expression = terms[0]
    for term in terms[1:]:
        expression = Op("+", expression, term)
    return expression

