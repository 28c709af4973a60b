"""Approximate invariance of max pooling (figure 9.8 of the book): shift the detector row by one step,
every input value changes, only some pooled values do. The detector row may hold exact decimals, as
in the book (0.1, 1., 0.2), printed as written."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Call, Eq, Num, Op, Part, Question, Sym, exact_values, prose
from exercises.params import DecimalList, Int, ParamError
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.topics.equivariance import shift_left, shift_right
from grader.answers import Integer, Vector


def clipped_max_pool(signal: list[int], width: int) -> list[int]:
    """Max pooling with stride 1 and one output per input: window i covers x[i - a] … x[i + b] with
    a = (width - 1) // 2 and b = width - 1 - a, leaving out indices outside the signal."""
    before = (width - 1) // 2
    return [max(signal[max(i - before, 0): i - before + width]) for i in range(len(signal))]


def _signal(p: dict[str, Any]) -> list:
    """The detector row as exact numbers (decimal texts become Num)."""
    return exact_values(p["signal"])


def _outputs(p: dict[str, Any]) -> tuple[list, list]:
    return (clipped_max_pool(_signal(p), p["width"]),
            clipped_max_pool(shift_right(_signal(p), p["shift"]), p["width"]))


def conclusion(inputs_changed: int, changed: int, total: int, width: int, shift: int) -> str:
    """What the numbers show, never more: approximately invariant when at most half the pooled values
    changed (the book's figure: all inputs, half the outputs), else that this shift was too large."""
    counts = (f"{inputs_changed} of the {total} input values changed, and {changed} of the {total} pooled values"
              if changed else f"{inputs_changed} of the {total} input values changed, but none of the pooled values")
    if 2 * changed <= total:
        return (counts + ": a window's maximum stays where the largest value only moves inside the window. Max "
                "pooling is approximately invariant to small translations.")
    steps = "one step" if shift == 1 else f"{shift} steps"
    return (counts + ": more than half. Here the pooled row is not even approximately invariant: a shift of "
            f"{steps} moves the maxima out of too many windows of width {width}. Pooling is approximately "
            "invariant only to shifts that are small compared with its windows.")


def _count_differences(a: list, b: list) -> int:
    return sum(u != v for u, v in zip(a, b, strict=True))


def _valid_windows(signal: list, width: int) -> list | None:
    return [max(signal[i:i + width]) for i in range(len(signal) - width + 1)] or None


def _pool_left_shifted(p: dict[str, Any]) -> list:
    return clipped_max_pool(shift_left(_signal(p), p["shift"]), p["width"])


def _inputs_changed(p: dict[str, Any]) -> int:
    return _count_differences(shift_right(_signal(p), p["shift"]), _signal(p))


CLIPPED = ("Windows are cut off at the border, not dropped: there is one pooled value per input value, the border "
           "ones over fewer inputs.")
RIGHT = ("You shifted the wrong way: a shift to the right means x'_i = x_(i−s), the first value repeated at the "
         "left border.")
OUTPUT_MISTAKES = (
    Mistake("border-windows-dropped", CLIPPED, lambda p: _valid_windows(_signal(p), p["width"])),
)
SHIFTED_MISTAKES = (
    Mistake("shifted-wrong-way", RIGHT, _pool_left_shifted),
    Mistake("border-windows-dropped", CLIPPED,
            lambda p: _valid_windows(shift_right(_signal(p), p["shift"]), p["width"])),
)
CHANGED_MISTAKES = (
    Mistake("everything-changes", "Not every pooled value changes: a window's maximum stays the same when the "
            "largest value only moves within the window. That is the approximate invariance of pooling.",
            lambda p: len(p["signal"])),
    Mistake("nothing-changes", "Some pooled values do change: pooling is only approximately invariant, where a "
            "window gains or loses its maximum the pooled value changes.", lambda p: 0),
    Mistake("counted-inputs", "You counted the input values that change; the question asks how many pooled "
            "values change.", _inputs_changed),
)  # shifting the wrong way is named on the shifted row only: the count it gives is mostly the right one


WIDTHS = (3, 4, 5)  # the book's figure uses 3; width 2 with stride 1 changes most pooled values
WIDTH_ODDS = (0.7, 0.15, 0.15)


@template
class PoolInvariance(Template):
    id = "pool-invariance"
    version = 3  # 2: widths 3 to 5, at most half the pooled values change, decimal rows as in the book; 3: at least
    # two pooled values change (one was a guess away), and variants a mistake or a trivial answer scores are redrawn
    topic = "pooling"
    minutes = {"output": 1.5, "shifted_output": 1, "changed": 1}
    summary = "shift the input of a max pooling row: every input changes, only some pooled values do"
    params = {
        "signal": DecimalList(doc="detector row x: integers or exact decimals such as 0.1 (printed as written)",
                              min_len=2, max_len=16),
        "width": Int(doc="pooling width (stride 1, windows cut off at the border; drawn: 3 to 5, mostly 3)", low=2,
                     high=5),
        "shift": Int(doc="steps to the right; the first value is repeated at the border", default=1, low=1, high=4),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        decimals = bool(rng.random() < 0.3)  # the book's figure: values such as 0.1, 1.0, 0.2
        if "width" in p and "signal" in p:
            return p

        def draw() -> dict[str, Any]:
            q = dict(p)
            if "width" not in q:
                q["width"] = int(rng.choice(WIDTHS, p=WIDTH_ODDS))
            if "signal" not in q:
                q["signal"] = self._draw_signal(rng, q["shift"], decimals)
            return q

        def some_change(q: dict[str, Any]) -> bool:
            """Some, at most half, of the pooled values change (at least two: one is a guess away), and no named
            mistake gives a key nor a trivial answer scores."""
            if self._misfit(q):
                return False
            output, shifted_output = _outputs(q)
            changed = _count_differences(output, shifted_output)
            return 2 <= changed and 2 * changed <= len(output) and unfair(Vector, output, q, OUTPUT_MISTAKES) is None \
                and unfair(Vector, shifted_output, q, SHIFTED_MISTAKES) is None \
                and not gives_key(Integer, changed, q, CHANGED_MISTAKES)

        # a large shift or a narrow window may change most pooled values: then the question says so
        return prefer(draw, some_change, lambda q: not self._misfit(q), "a row longer than the shift",
                      explain=self._misfit)

    @staticmethod
    def _draw_signal(rng: np.random.Generator, shift: int, decimals: bool) -> list:
        """6 to 10 values in which every value that the shift can change does change: digits 0 to 9, or
        tenths 0.0 to 1.0 written with one decimal."""
        signal = redraw(lambda: rng.integers(0, 11 if decimals else 10,
                                             size=int(rng.integers(max(6, shift + 2), 11))).tolist(),
                        lambda row: all(a != b for a, b in zip(shift_right(row, shift)[1:], row[1:], strict=True)),
                        "a row whose values all change when shifted", tries=1000)
        return [f"{v / 10:.1f}" for v in signal] if decimals else signal

    @staticmethod
    def _misfit(p: dict[str, Any]) -> str | None:
        """Why the shift is too large for the signal (None when it is not)."""
        if p["shift"] < len(p["signal"]):
            return None
        return (f"shift {p['shift']} moves the whole signal of {len(p['signal'])} values out: "
                "use a smaller shift or a longer signal")

    def validate(self, p: dict[str, Any]) -> None:
        problem = self._misfit(p)
        if problem:
            raise ParamError(problem)

    def build(self, p: dict[str, Any]) -> Question:
        k, s, x = p["width"], p["shift"], _signal(p)
        before = (k - 1) // 2
        output, shifted_output = _outputs(p)
        changed = _count_differences(output, shifted_output)
        window = Eq(Sym("y_i"), Call("max", *(Sym(_offset("x", d)) for d in range(-before, k - before))))
        steps = "one step" if s == 1 else f"{s} steps"
        statement = (
            prose(f"A detector row {{x}} feeds a max pooling row with width {k} and stride 1: {{y}}, leaving out "
                  "indices outside the signal, so that {y0} has one value per input value.",
                  x=Eq(Sym("x"), np.array(x, dtype=object)), y=window, y0=Sym("y")),
            prose(f"Now the input is shifted {steps} to the right, the first value repeated at the left border: "
                  "{xs}, and {first} for {border}.", xs=Eq(Sym("x'_i"), Sym(_offset("x", -s))),
                  first=Eq(Sym("x'_i"), Sym("x_0")), border=Op("<", Sym("i"), s)),
        )
        parts = (
            Part("output", prose("Compute the pooled row {y}.", y=Sym("y")),
                 expect(Vector, output, p, OUTPUT_MISTAKES), points=2,
                 solution=_max_steps("y", x, k), shown=_as_written(output)),
            Part("shifted_output", prose("Compute the pooled row {ys} of the shifted input {xs}.", ys=Sym("y'"),
                                         xs=Sym("x'")),
                 expect(Vector, shifted_output, p, SHIFTED_MISTAKES), points=2,
                 solution=(prose("The shifted input is {xs}.", xs=Op("=", Sym("x'"),
                                                                     np.array(shift_right(x, s), dtype=object))),
                           *_max_steps("y'", shift_right(x, s), k)), shown=_as_written(shifted_output)),
            Part("changed", prose("At how many positions {i} does {a} differ from {b}?", a=Sym("y'_i"), b=Sym("y_i"),
                                  i=Sym("i")),
                 expect(Integer, changed, p, CHANGED_MISTAKES), points=1,
                 solution=(prose(conclusion(_inputs_changed(p), changed, len(output), k, s)),
                           _figure(p, output, shifted_output))),
        )
        return self.question(p, title="Invariance of max pooling", statement=statement, parts=parts)

    def verify(self, question: Question) -> None:
        p = question.params
        scale = 10 ** max((len(str(v).partition(".")[2]) for v in p["signal"]), default=0)
        x, k, s = np.asarray([int(Fraction(str(v)) * scale) for v in p["signal"]], dtype=np.int64), p["width"], \
            p["shift"]
        before, low = (k - 1) // 2, np.iinfo(np.int64).min

        def pooled(values: np.ndarray) -> np.ndarray:
            padded = np.pad(values, (before, k - 1 - before), constant_values=low)
            return sliding_window_view(padded, k).max(axis=1)

        moved = np.concatenate([np.repeat(x[:1], s), x[:-s]])
        output, shifted_output = pooled(x), pooled(moved)
        expected = {"output": [Fraction(int(v), scale) for v in output],
                    "shifted_output": [Fraction(int(v), scale) for v in shifted_output],
                    "changed": int(np.count_nonzero(output != shifted_output))}
        for part_id, value in expected.items():
            got = question.part(part_id).answer.value
            got = list(got) if isinstance(got, tuple) else got
            assert got == value, f"pool-invariance {part_id}: key {got} != numpy {value}"


def _as_written(values: list) -> np.ndarray | None:
    """The key's row printed with the decimals as the detector row writes them (None for whole numbers)."""
    return np.array(values, dtype=object) if any(isinstance(v, Num) for v in values) else None


def _figure(p: dict[str, Any], output: list, shifted_output: list) -> Any:
    """Detector and pooled rows before and after the shift; the pooled values that changed are marked.
    Window i runs from i − before to i − before + k (cut off at the borders when drawn)."""
    k, n = p["width"], len(p["signal"])
    before = (k - 1) // 2
    windows = [(i - before, i - before + k) for i in range(n)]
    moved = shift_right(_signal(p), p["shift"])
    return draw.pooling_shift_figure((_signal(p), output), (moved, shifted_output), windows)


def _offset(name: str, offset: int) -> str:
    """The symbol name of x_{i+offset}: x_i, x_{i+1}, x_{i-2} …"""
    return f"{name}_i" if offset == 0 else f"{name}_{{i{offset:+d}}}"


def _max_steps(name: str, signal: list, width: int) -> tuple:
    before = (width - 1) // 2
    return tuple(
        prose("{step}", step=Eq(Sym(f"{name}_{i}"), Call("max", *signal[max(i - before, 0): i - before + width]),
                                value))
        for i, value in enumerate(clipped_max_pool(signal, width))
    )
