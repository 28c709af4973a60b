"""Max and average pooling of a signal or an image, with stride, padding and ceil_mode as in PyTorch.

Inputs may hold exact decimals (the book's pooling figure: 0.1, 1., 0.2), printed as written; answers
are exact. Drawn variants exercise stride < width, padding and ceil_mode; a pinned input is a worked
example whose settings not pinned along with it are the plain ones (stride = width, no padding, floor)."""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.by_content import by_content
from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Call, Eq, Num, Op, Part, Question, Sym, exact_values, prose
from exercises.params import Bool, DecimalList, DecimalMatrix, Int, OneOf, ParamError
from exercises.redraw import prefer
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
    """The pinned or sampled input, the signal or the image, as exact numbers (decimals become Num)."""
    return exact_values(p["signal"] if "signal" in p else p["image"])


def _decimal_places(data: list) -> int:
    """The most decimal places an input value is written with (0 for whole numbers)."""
    flat = [v for row in data for v in row] if isinstance(data[0], list) else data
    return max((len(v.text.partition(".")[2]) for v in flat if isinstance(v, Num)), default=0)


def as_written(values: list, places: int) -> Any:
    """The output printed with decimals when the input has decimals: a finite decimal as a decimal of at least
    the input's places, any other fraction as a fraction (None for an input of whole numbers)."""
    if not places:
        return None

    def written(value: Any) -> Any:
        if isinstance(value, Num) or Fraction(value).denominator == 1:
            return value
        exact = Fraction(value)
        for digits in range(places, places + 12):
            if (exact * 10**digits).denominator == 1:
                sign, scaled = "-" if exact < 0 else "", abs(exact) * 10**digits
                whole, rest = divmod(int(scaled), 10**digits)
                return Num(f"{sign}{whole}.{rest:0{digits}d}")
        return value

    return np.array([[written(v) for v in row] for row in values] if isinstance(values[0], list)
                    else [written(v) for v in values], dtype=object)


def _pooled(p: dict[str, Any], **changes: Any) -> list | None:
    return _pooled_once({**p, **changes})


@by_content(64)  # the sampler's check, the mistakes and the build pool the same input with the same settings again
def _pooled_once(q: dict[str, Any]) -> list | None:
    """The pooled output for the parameters `q` (None where the window does not fit); shared: not to be changed."""
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
    """None where ceil_mode keeps no extra window: then both modes give the same windows."""
    other = _pooled(p, ceil_mode=not p["ceil_mode"])
    return None if other is None or np.shape(other) == np.shape(_pooled(p)) else other


def _integer_division(p: dict[str, Any]) -> list | None:
    """None for max pooling, and where every average is a whole number (rounding it down changes nothing)."""
    if p["op"] == "max":
        return None
    rounded = _pooled(p, exact=False)
    return None if rounded == _pooled(p) else rounded


def _padding_not_counted(p: dict[str, Any]) -> list | None:
    return None if p["op"] == "max" or p["padding"] == 0 else _pooled(p, count_padding=False)


MISTAKES = (
    Mistake("avg-max-swapped", "You used the other pooling operation: max pooling takes the largest value of each "
            "window, average pooling their mean.", _swapped),
    Mistake("stride-ignored", "You moved the window one step at a time: with stride s the windows start s "
            "positions apart.", _stride_ignored),
    Mistake("padding-ignored", "You left out the padding: pad both sides first (minus infinity for max, zeros for "
            "average), then place the windows from the padded start.", _padding_ignored),
    Mistake("ceil-mode-confused", "Check ceil_mode: off (floor) keeps only windows that fit; on (ceil) also keeps "
            "a last window cut off at the end, unless it would start in the right padding.", _ceil_mode_confused),
    Mistake("integer-division", "You rounded the averages down: an average is an exact fraction such as 7/2.",
            _integer_division),
    Mistake("padding-not-counted", "You divided by the number of real values only: with count_include_pad=True "
            "the padded zeros count in the divisor.", _padding_not_counted),
)


POINTS = 3  # the same for every variant, whatever its output size


@template
class Pooling(Template):
    id = "pooling"
    version = 3  # 2: stride < width, padding, ceil_mode and decimals drawn; distinct values for max pooling;
    # 3: a variant in which a named mistake gives the key is redrawn
    topic = "pooling"
    minutes = 2
    summary = "max or average pooling of a signal or an image, with stride, padding and ceil_mode (PyTorch)"
    params = {
        "signal": DecimalList(doc="input signal (pin this or image); exact decimals such as 0.1 are printed as "
                              "written", min_len=1, max_len=16),
        "image": DecimalMatrix(doc="input image, a list of rows (pin this or signal)", min_size=1, max_size=8),
        "width": Int(doc="window width (square windows for an image)", low=1, high=6),
        "stride": Int(doc="step between windows (drawn; the width when the input is pinned)", low=1, high=6),
        "op": OneOf(doc="max or average pooling", options=("max", "avg")),
        "padding": Int(doc="padding on each side: -inf for max, counted zeros for avg (drawn; 0 when the input is "
                       "pinned)", low=0, high=3),
        "ceil_mode": Bool(doc="keep a last, cut-off window (PyTorch's ceil_mode; drawn; off when the input is "
                          "pinned)"),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "op" not in p:
            p["op"] = ("max", "avg")[int(rng.integers(2))]
        if "width" not in p:
            p["width"] = int(rng.integers(2, 4))
        k = p["width"]
        if "signal" in p or "image" in p:  # a worked example: the plain settings
            p.setdefault("stride", k)
            p.setdefault("padding", 0)
            p.setdefault("ceil_mode", False)
            return p
        if "stride" not in p:
            p["stride"] = k if k == 1 or rng.random() < 0.5 else int(rng.integers(1, k))
        if "padding" not in p:
            p["padding"] = 0 if k < 2 or rng.random() < 0.6 else int(rng.integers(1, k // 2 + 1))
        if "ceil_mode" not in p:
            p["ceil_mode"] = bool(rng.random() < 0.35)
        use_image = bool(rng.random() < 0.4)
        decimals = p["op"] == "max" and not use_image and bool(rng.random() < 0.3)

        def draw() -> dict[str, Any]:
            q = dict(p)
            if use_image:
                rows, cols = _pick(rng, _image_sizes(q))
                q["image"] = _draw_values(rng, rows * cols, q["op"], False).reshape(rows, cols).tolist()
            else:
                (length,) = _pick(rng, _signal_sizes(q))
                q["signal"] = _draw_values(rng, length, q["op"], decimals).tolist()
            return q

        def varied_and_fair(q: dict[str, Any]) -> bool:
            output = _pooled(q)
            return len({Fraction(v) for v in np.ravel(np.asarray(output, dtype=object))}) > 1 and \
                unfair(Matrix if use_image else Vector, output, q, MISTAKES) is None

        return prefer(draw, varied_and_fair, lambda q: True, "values to pool", tries=50)

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
                  + self._settings(p, image) + ".", x=Eq(Sym("x"), np.array(data, dtype=object)),
                  **({"kk": Op("×", p["width"], p["width"])} if image else {})),
            prose(self._padding_rule(p) + " " + self._ceil_rule(p)),
        )
        part = Part(
            "output",
            prose("Compute the pooled output {y}" + (", exactly: averages as fractions, not rounded decimals."
                                                      if p["op"] == "avg" else "."), y=Sym("y")),
            expect(Matrix if image else Vector, output, p, MISTAKES),
            points=POINTS,
            solution=self._solution(p, data, output),
            shown=as_written(output, _decimal_places(data)),
        )
        return self.question(p, title="Pooling", statement=statement, parts=(part,))

    @staticmethod
    def _settings(p: dict[str, Any], image: bool) -> str:
        k, s = p["width"], p["stride"]
        window = "{kk} windows" if image else f"windows of width {k}"
        padding = f", padding {p['padding']} on each side" if p["padding"] else ", no padding"
        return f"{window}, stride {s}{padding}, ceil_mode {'on' if p['ceil_mode'] else 'off'}"

    @staticmethod
    def _padding_rule(p: dict[str, Any]) -> str:
        if not p["padding"]:
            return "The windows start at the first value."
        if p["op"] == "max":
            return "As in PyTorch, max pooling pads with minus infinity: padding never wins the maximum."
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
            starts = [-p["padding"] + i * p["stride"] for i in range(len(output))]
            steps.append(draw.pooling_figure(data, output, [(a, a + p["width"]) for a in starts], p["padding"]))
        return (*self._size_lines(p, shape), *steps)

    @staticmethod
    def _size_lines(p: dict[str, Any], shape: tuple[int, ...]) -> list:
        k, s, pad, ceil_mode = p["width"], p["stride"], p["padding"], p["ceil_mode"]
        rounding = "ceil" if ceil_mode else "floor"
        lines = []
        for axis, n in zip(("rows", "columns") if len(shape) == 2 else ("values",), shape, strict=True):
            formula = Op("+", Call(rounding, Op("/", Op("-", Op("+", n, Op("*", 2, pad)), k), s)), 1)
            span = n + 2 * pad - k
            rounded = (-(-span // s) if ceil_mode else span // s) + 1
            size = pool_output_size(n, k, s, pad, ceil_mode)
            if size == rounded:
                lines.append(prose(f"Number of output {axis}: {{size}}.", size=Eq(formula, size)))
            else:
                lines.append(prose(f"Number of output {axis}: {{size}}, less the last window, which would start in the "
                                   f"right padding: {size}.", size=Eq(formula, rounded)))
        return lines

    def verify(self, question: Question) -> None:
        p = question.params
        data = data_of(p)
        scale = 10 ** _decimal_places(data)  # decimals as whole numbers for numpy, the results scaled back
        scaled = np.vectorize(lambda v: int(Fraction(v) * scale), otypes=[object])(np.array(data, dtype=object))
        pooled = pool_numpy(scaled.tolist(), p["width"], p["stride"], p["op"], p["padding"], p["ceil_mode"])
        expected = np.vectorize(lambda v: Fraction(v) / scale, otypes=[object])(np.array(pooled, dtype=object))
        spec = question.part("output").answer
        assert spec.coerce(expected.tolist()) == spec.value, f"pooling output {spec.value} != numpy {expected}"


def _pick(rng: np.random.Generator, choices: list[tuple[int, ...]]) -> tuple[int, ...]:
    return choices[int(rng.integers(len(choices)))]


def _sizes_where_ceil_matters(sizes: list[tuple[int, ...]], p: dict[str, Any]) -> list[tuple[int, ...]]:
    """With ceil_mode on, the sizes where it adds a window (if there are any)."""
    if not p["ceil_mode"]:
        return sizes
    args = (p["width"], p["stride"], p["padding"])
    matters = [size for size in sizes if any(pool_output_size(n, *args, True) != pool_output_size(n, *args)
                                             for n in size)]
    return matters or sizes


def _signal_sizes(p: dict[str, Any]) -> list[tuple[int, ...]]:
    """Signal lengths from 5 to 10 with 3 to 6 outputs (at least the width, if none)."""
    args = (p["width"], p["stride"], p["padding"], p["ceil_mode"])
    sizes = [(n,) for n in range(5, 11) if n + 2 * p["padding"] >= p["width"] and 3 <= pool_output_size(n, *args) <= 6]
    return _sizes_where_ceil_matters(sizes, p) or [(max(5, p["width"]),)]


def _image_sizes(p: dict[str, Any]) -> list[tuple[int, ...]]:
    """Images of 2 to 6 rows and columns with 4 to 9 outputs (at least the width, if none)."""
    args = (p["width"], p["stride"], p["padding"], p["ceil_mode"])
    sizes = [(h, w) for h in range(2, 7) for w in range(2, 7) if min(h, w) + 2 * p["padding"] >= p["width"]
             and 4 <= pool_output_size(h, *args) * pool_output_size(w, *args) <= 9]
    return _sizes_where_ceil_matters(sizes, p) or [(max(3, p["width"]),) * 2]


def _draw_values(rng: np.random.Generator, count: int, op: str, decimals: bool) -> np.ndarray:
    """Digits 0 to 9 for average pooling. For max pooling distinct values, so that the maxima differ (random
    digits would pool to mostly 9s): from 0 to 9 when they fit, else up to count + 4; with `decimals`,
    tenths 0.0 to 1.0 written with one decimal, as in the book's figure."""
    if op == "avg":
        return rng.integers(0, 10, size=count)
    if decimals and count <= 11:
        return np.array([f"{v / 10:.1f}" for v in rng.choice(11, size=count, replace=False)], dtype=object)
    return rng.choice(max(10, count + 5), size=count, replace=False)


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

