"""Output size of one convolution, pooling or transposed-convolution layer, along one dimension.

Formulas as in PyTorch's documentation:
- conv and pool: floor((n + 2p - d(k - 1) - 1) / s) + 1;
- pool with ceil_mode: the same with ceil, except that a last window that would start in the
  right padding is dropped;
- transposed conv: (n - 1)s - 2p + d(k - 1) + output_padding + 1.
`padding` may also be 'valid' (0), 'same' (stride 1; d(k - 1) zeros in all, the odd one on the
right as in PyTorch) or 'full' (d(k - 1) zeros on each side), for convolutions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Call, Eq, Op, Part, Question, Sym, prose
from exercises.params import Bool, Int, OneOf, Param, ParamError, _is_int, _show
from exercises.redraw import prefer
from exercises.registry import Template, template
from exercises.topics.layers import output_size, transposed_output_size
from exercises.topics.output_formula import FEEDBACK, formula_answer, formula_prompt, size_formula
from grader.answers import Formula, Integer

MODES = ("valid", "same", "full")
MAX_PADDING = 16


@dataclass(frozen=True)
class PaddingSpec(Param):
    """Zeros on each side, or one of 'valid', 'same', 'full'."""

    def check(self, name: str, value: Any) -> int | str:
        if (_is_int(value) and 0 <= value <= MAX_PADDING) or value in MODES:
            return value
        raise ParamError(f"{name} must be {self.describe()}, got {_show(value)}")

    def describe(self) -> str:
        return f"a number of zeros per side from 0 to {MAX_PADDING}, or one of {', '.join(MODES)}"


def paddings(p: dict[str, Any]) -> tuple[int, int]:
    """(left, right) zeros: a number on both sides, or what 'valid', 'same', 'full' mean."""
    pad, reach = p["padding"], p["dilation"] * (p["kernel"] - 1)
    if pad == "valid":
        return 0, 0
    if pad == "same":
        return reach // 2, reach - reach // 2
    if pad == "full":
        return reach, reach
    return pad, pad


def size_of(p: dict[str, Any], **changes: Any) -> int:
    """The output size by the closed formula (with any parameter changed, for misconceptions)."""
    q = {**p, **changes}
    if q["layer"] == "transpose":
        return transposed_output_size(q["n"], q["kernel"], q["stride"], q["padding"], q["dilation"],
                                      q["output_padding"])
    left, right = paddings(q)
    if left == right:
        return output_size(q["n"], q["kernel"], q["stride"], left, q["dilation"], q["ceil_mode"])
    room = q["n"] + left + right - q["dilation"] * (q["kernel"] - 1) - 1  # uneven 'same' (stride 1)
    return room // q["stride"] + 1


def _room(p: dict[str, Any]) -> int:
    left, right = paddings(p)
    return p["n"] + left + right - p["dilation"] * (p["kernel"] - 1) - 1


# -- the independent count: window by window, or scattering ----------------------------------------


def count_windows(n: int, kernel: int, stride: int, left: int, right: int, dilation: int,
                  ceil_mode: bool = False) -> int:
    """Output size by walking the window along the padded input. Floor mode keeps windows that fit
    entirely; ceil mode keeps adding windows while the end is not yet covered, as long as a window
    starts inside the left padding or the input."""
    length, span = n + left + right, dilation * (kernel - 1) + 1
    count, start, covered = 0, 0, -1
    while start + span <= length or (ceil_mode and covered < length - 1 and start < n + left):
        count += 1
        covered, start = start + span - 1, start + stride
    return count


def scattered_size(n: int, kernel: int, stride: int, padding: int, dilation: int, output_padding: int) -> int:
    """Transposed conv by scattering: input i adds to positions i·s + t·d; the full output is then
    cropped by p on each side and extended by output_padding."""
    touched = np.add.outer(np.arange(n) * stride, np.arange(kernel) * dilation)
    return int(touched.max()) + 1 - 2 * padding + output_padding


# -- misconceptions ---------------------------------------------------------------------------------


def _padding_forgotten(p: dict[str, Any]) -> int | None:
    if p["layer"] == "transpose":
        return size_of(p, padding=0) if p["padding"] else None
    return size_of(p, padding=0) if paddings(p) != (0, 0) and _room({**p, "padding": 0}) >= 0 else None


def _stride_ignored(p: dict[str, Any]) -> int | None:
    return size_of(p, stride=1, ceil_mode=False, output_padding=0) if p["stride"] > 1 else None


def _off_by_one(p: dict[str, Any]) -> int:
    return size_of(p) - 1


def _full_instead_of_valid(p: dict[str, Any]) -> int | None:
    if p["layer"] != "conv" or p["padding"] == "full":
        return None
    left, right = paddings(p)
    reach = p["dilation"] * (p["kernel"] - 1)
    return (p["n"] + left + right + reach - 1) // p["stride"] + 1


def _ceil_vs_floor(p: dict[str, Any]) -> int | None:
    if p["layer"] == "transpose" or _room(p) % p["stride"] == 0:
        return None
    if p["ceil_mode"]:
        return _room(p) // p["stride"] + 1
    return -(-_room(p) // p["stride"]) + 1


def _dilation_ignored(p: dict[str, Any]) -> int | None:
    if p["dilation"] == 1 or (p["layer"] != "transpose" and _room({**p, "dilation": 1}) < 0):
        return None
    return size_of(p, dilation=1)


def _conv_formula_for_transpose(p: dict[str, Any]) -> int | None:
    if p["layer"] != "transpose" or _room(p) < 0:
        return None
    return output_size(p["n"], p["kernel"], p["stride"], p["padding"], p["dilation"])


def _output_padding_forgotten(p: dict[str, Any]) -> int | None:
    return size_of(p, output_padding=0) if p["layer"] == "transpose" and p["output_padding"] else None


SIZE_MISTAKES = (
    Mistake("padding-forgotten", FEEDBACK["padding-forgotten"], _padding_forgotten),
    Mistake("stride-ignored", FEEDBACK["stride-ignored"], _stride_ignored),
    Mistake("output-padding-forgotten", FEEDBACK["output-padding-forgotten"], _output_padding_forgotten),
    Mistake("ceil-vs-floor", FEEDBACK["ceil-vs-floor"], _ceil_vs_floor),
    Mistake("off-by-one", FEEDBACK["off-by-one"], _off_by_one),
    Mistake("full-instead-of-valid", FEEDBACK["full-instead-of-valid"], _full_instead_of_valid),
    Mistake("dilation-ignored", FEEDBACK["dilation-ignored"], _dilation_ignored),
    Mistake("conv-formula-for-transpose", FEEDBACK["conv-formula-for-transpose"], _conv_formula_for_transpose),
)


# -- sampling ---------------------------------------------------------------------------------------


def _draw(rng: np.random.Generator, p: dict[str, Any]) -> dict[str, Any]:
    """One random completion of the unpinned parameters (n last, from a target output size)."""
    q = dict(p)
    layer = q["layer"]
    if layer == "pool":
        q.setdefault("kernel", int(rng.choice([2, 2, 3])))
        q.setdefault("stride", int(rng.choice([q["kernel"], 2])))
        q.setdefault("dilation", 1)
        q.setdefault("padding", int(rng.random() < 0.25) if q["kernel"] == 3 else 0)
    else:
        q.setdefault("kernel", int(rng.choice([2, 3, 3, 3, 4, 5, 5, 6, 7] if layer == "conv" else [2, 3, 4, 4, 5])))
        q.setdefault("dilation", int(rng.choice([1, 1, 1, 1, 2])))
        q.setdefault("stride", int(rng.choice([1, 1, 2, 2, 3])))
        if "padding" not in q:
            modes = MODES if layer == "conv" and q["stride"] == 1 and rng.random() < 0.25 else ()
            q["padding"] = str(rng.choice(modes)) if modes else int(rng.integers(0, q["kernel"] // 2 + 1))
    if "n" not in q:
        if layer == "transpose":
            q["n"] = int(rng.integers(3, 13))
        else:
            left, right = paddings(q)
            rest = int(rng.integers(1, q["stride"])) if q["stride"] > 1 and rng.random() < 0.25 else 0
            out = int(rng.integers(2, 13))
            q["n"] = (out - 1) * q["stride"] + q["dilation"] * (q["kernel"] - 1) + 1 - left - right + rest
    return q


def _pleasant(p: dict[str, Any]) -> bool:
    """Sizes that make sense, are pleasant by hand, and that no named mistake gives (a padding that the stride's
    rounding swallows would let 'padding forgotten' give the key)."""
    return _problem(p) is None and 3 <= p["n"] <= 64 and 2 <= size_of(p) <= 64 and \
        not gives_key(Integer, size_of(p), p, SIZE_MISTAKES)


def _problem(p: dict[str, Any]) -> str | None:
    """Why the parameters make no sense together (None when they do)."""
    layer, pad = p["layer"], p["padding"]
    if p["ask_formula"] and p["ceil_mode"]:
        return "ask_formula is not offered with ceil_mode: its drop rule for a last window is not a plain formula"
    if p["ceil_mode"] and layer != "pool":
        return "ceil_mode is a pooling option: use it with layer: pool"
    if p["output_padding"] and layer != "transpose":
        return "output_padding is a transposed-convolution option: use it with layer: transpose"
    if isinstance(pad, str) and layer != "conv":
        return f"padding {pad!r} is for convolutions; give the number of zeros on each side"
    if pad == "same" and p["stride"] != 1:
        return "padding 'same' needs stride 1 (as in PyTorch)"
    if layer == "pool" and pad > p["kernel"] // 2:
        return f"padding {pad} is more than half the window {p['kernel']}; as in PyTorch, pad a pool at most half"
    if layer == "transpose":
        if p["output_padding"] >= max(p["stride"], p["dilation"]):
            return (f"output_padding {p['output_padding']} must be smaller than the stride ({p['stride']}) "
                    f"or the dilation ({p['dilation']})")
        if size_of(p) < 1:
            return f"padding {pad} crops the whole output away: use less padding"
    elif _room(p) < 0:
        span = p["dilation"] * (p["kernel"] - 1) + 1
        return (f"the kernel spans {span} positions but the padded input has only {p['n'] + sum(paddings(p))}: "
                "no output; use a smaller kernel or dilation, or more padding")
    return None


@template
class OutputSize(Template):
    id = "output-size"
    version = 3  # 2: the formula part asks exactly what a worded padding allows; rounding explained in the solution;
    # 3: sizes that a named mistake gives are redrawn
    topic = "padding and output size"
    minutes = {"size": 1.5, "formula": 2}
    summary = "output size of a convolution, pooling or transposed convolution (PyTorch's formulas)"
    params = {
        "n": Int(doc="input size along one dimension", low=1, high=512),
        "kernel": Int(doc="kernel (window) size k", low=1, high=16),
        "padding": PaddingSpec(doc="zeros on each side, or valid / same / full (conv)"),
        "stride": Int(doc="stride s", low=1, high=8),
        "dilation": Int(doc="dilation d", low=1, high=4),
        "layer": OneOf(doc="which layer", default="conv", options=("conv", "pool", "transpose")),
        "ceil_mode": Bool(doc="pool only: round up (PyTorch's ceil_mode)", default=False),
        "output_padding": Int(doc="transpose only: extra positions on one side", default=0, low=0, high=7),
        "ask_formula": Bool(doc="also ask for the general formula", default=False),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        # pleasant sizes if the pinned parameters allow them, else any sizes that make sense
        return prefer(lambda: _draw(rng, params), _pleasant, lambda q: _problem(q) is None, "sizes that fit together",
                      tries=200, explain=_problem)

    def validate(self, p: dict[str, Any]) -> None:
        problem = _problem(p)
        if problem:
            raise ParamError(problem)

    def build(self, p: dict[str, Any]) -> Question:
        size = size_of(p)
        statement = (prose(self._setting(p), **self._symbols(p)),)
        if p["ceil_mode"]:  # PyTorch's rule, said for every ceil_mode variant (it tells nothing about this one)
            statement += (prose("With ceil_mode PyTorch rounds up, but drops a last window that would start in "
                                "the right padding."),)
        parts = (Part("size", prose("How large is the output along that dimension?"),
                      expect(Integer, size, p, SIZE_MISTAKES), points=2),)
        if p["ask_formula"]:
            parts += (Part("formula", formula_prompt(p), formula_answer(p), points=2),)
        return self.question(p, title="Output size", statement=statement, parts=parts, solution=self._solution(p))

    def _symbols(self, p: dict[str, Any]) -> dict[str, Any]:
        math = {"n": Eq(Sym("n"), p["n"]), "k": Eq(Sym("k"), p["kernel"]), "s": Eq(Sym("s"), p["stride"])}
        if p["dilation"] > 1:
            math["d"] = Eq(Sym("d"), p["dilation"])
        if isinstance(p["padding"], int) and p["padding"]:
            math["p"] = Eq(Sym("p"), p["padding"])
        return math

    def _setting(self, p: dict[str, Any]) -> str:
        what = {"conv": "A convolutional layer", "pool": "A max-pooling layer",
                "transpose": "A transposed convolution (PyTorch's ConvTranspose)"}[p["layer"]]
        settings = ["kernel size {k}" if p["layer"] != "pool" else "window size {k}", "stride {s}"]
        if p["dilation"] > 1:
            settings.append("dilation {d}")
        if p["padding"] == 0:
            settings.append("no padding")
        elif isinstance(p["padding"], int):
            settings.append("padding {p}" + {"conv": " on each side (zeros)", "pool": " on each side"}.get(
                p["layer"], " (cropped from each side of the output)"))
        else:
            settings.append(f"'{p['padding']}' padding")
        if p["ceil_mode"]:
            settings.append("ceil_mode on")
        if p["output_padding"]:
            settings.append(f"output_padding {p['output_padding']}")
        return f"{what} with " + ", ".join(settings) + " is applied to an input of size {n} along one dimension."

    def _solution(self, p: dict[str, Any]) -> tuple:
        n, k, s, d = p["n"], p["kernel"], p["stride"], p["dilation"]
        size, reach = size_of(p), d * (k - 1)
        if p["layer"] == "transpose":
            chain: Any = Op("*", n - 1, s)
            for op, term in (("-", 2 * p["padding"]), ("+", reach), ("+", p["output_padding"])):
                chain = Op(op, chain, term) if term else chain
            return (prose("A transposed convolution maps {n} positions to {formula} positions: {m}.", n=Sym("n"),
                          formula=size_formula(transpose=True), m=Eq(Sym("m"), Op("+", chain, 1), size)),)
        left, right = paddings(p)
        steps = []
        if isinstance(p["padding"], str):
            steps.append(prose(f"'{p['padding']}' padding adds {{left}} zeros on the left and {{right}} on the right.",
                               left=left, right=right))
        if d > 1:
            steps.append(prose("With dilation the kernel spans {span} positions.",
                               span=Eq(Op("+", Op("*", d, k - 1), 1), reach + 1)))
        padded = Op("+", n, left + right) if left + right else n
        numerator = Op("-", Op("-", padded, reach), 1) if reach else Op("-", padded, 1)
        rounding = "ceil" if p["ceil_mode"] else "floor"
        rounded = (-(-_room(p) // s) if p["ceil_mode"] else _room(p) // s) + 1
        whose = "The formula" if p["padding"] == "full" else "PyTorch's formula"  # PyTorch has no 'full' padding
        formula = whose + " {formula}" + (" (dilation {d})" if d == 1 else "") + (
            ", with ceil instead of floor," if p["ceil_mode"] else "") + " gives {m}."
        if s == 1:
            worked = Eq(Sym("m"), Op("+", numerator, 1), rounded)
        else:
            worked = Eq(Sym("m"), Op("+", Call(rounding, Op("/", numerator, s)), 1),
                        Op("+", Call(rounding, Op("/", _room(p), s)), 1), rounded)
        steps.append(prose(formula, m=worked, formula=size_formula(), **({"d": Eq(Sym("d"), 1)} if d == 1 else {})))
        if _room(p) % s and not p["ceil_mode"]:
            steps.append(prose("The windows do not tile the padded input exactly: a window that would stick out past "
                               "the padding is dropped, hence the rounding down."))
        if rounded != size:
            steps.append(prose("That last window would start at position {start} of the padded input, in the right "
                               "padding, so it is dropped: {m}.",
                               start=Op("≥", (rounded - 1) * s, n + left), m=Eq(Sym("m"), size)))
        return tuple(steps)

    def verify(self, question: Question) -> None:
        p = dict(question.params)
        got = question.part("size").answer.value
        if p["layer"] == "transpose":
            expected = scattered_size(p["n"], p["kernel"], p["stride"], p["padding"], p["dilation"],
                                      p["output_padding"])
            if p["output_padding"] < p["stride"]:
                back = count_windows(got, p["kernel"], p["stride"], p["padding"], p["padding"], p["dilation"])
                assert back == p["n"], f"a conv with the same settings maps {got} to {back}, not back to {p['n']}"
        else:
            expected = count_windows(p["n"], p["kernel"], p["stride"], *paddings(p), p["dilation"], p["ceil_mode"])
        assert got == expected, f"output size {got} != {expected} counted window by window"
        if p["ask_formula"]:
            self._verify_formula(p, question.part("formula").answer)  # type: ignore[arg-type]

    def _verify_formula(self, p: dict[str, Any], spec: Formula) -> None:
        """At every point the grader checks, the key formula must give what the windows count."""
        for point, value in zip(spec.points, spec.values(spec.value), strict=True):
            n, k, s = point["n"], point["k"], point.get("s", 1)
            d, extra = point.get("d", 1), point.get("a", 0)
            if p["layer"] == "transpose":
                counted = scattered_size(n, k, s, point["p"], d, extra)
            else:
                pad = p["padding"] if isinstance(p["padding"], str) else point["p"]
                left, right = paddings({"padding": pad, "kernel": k, "dilation": d})
                counted = count_windows(n, k, s, left, right, d)
            assert value == counted, f"formula {spec.value} gives {value} at {point}, windows give {counted}"
