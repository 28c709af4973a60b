"""Layers until nothing is left (book fig. 9.13): a stack of identical valid convolutions shrinks the signal
by d(k − 1) per layer (16 → 11 → 6 → 1 for k = 6), so only ⌊(n − 1)/(d(k − 1))⌋ of them fit; d(k − 1) zeros
per layer keep the size, and p zeros on each side slow the shrinking to d(k − 1) − 2p per layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Call, Eq, Op, Part, Question, Sym, prose
from exercises.params import Int, ParamError
from exercises.redraw import prefer
from exercises.registry import Template, template
from exercises.topics.padding import padded_output_length
from grader.answers import Integer, Vector


def shrink(p: dict[str, Any], padding: int = 0, reach: int | None = None) -> int:
    """How much one layer shrinks the signal: d(k − 1) − 2·padding (or reach − 2·padding)."""
    return (p["dilation"] * (p["kernel"] - 1) if reach is None else reach) - 2 * padding


def sizes_after(n: int, step: int) -> list[int]:
    """The sizes after each layer that still has room for its kernel (size ≥ 1), for a shrink of `step`."""
    return [n - layer * step for layer in range(1, (n - 1) // step + 1)] if step > 0 else []


# -- the independent method: run the layers on a signal -------------------------------------------------


def simulated_sizes(p: dict[str, Any], left: int = 0, right: int = 0, limit: int = 200) -> list[int]:
    """Output lengths of valid correlations applied one after another (each computed on a test signal), with
    the given zeros added each time, while the kernel still fits (at most `limit` layers)."""
    size, span, out = p["n"], p["dilation"] * (p["kernel"] - 1) + 1, []
    while size + left + right >= span and len(out) < limit:
        size = padded_output_length(size, p["kernel"], p["dilation"], left, right)
        out.append(size)
    return out


def zeros_to_keep(p: dict[str, Any]) -> int:
    """The fewest zeros (split any way) with which one layer's output is as long as its input, by trying."""
    return next(z for z in range(0, 4 * p["dilation"] * p["kernel"])
                if padded_output_length(p["n"], p["kernel"], p["dilation"], z // 2, z - z // 2) == p["n"])


# -- misconceptions -------------------------------------------------------------------------------------


def _shrink_by_k(p: dict[str, Any]) -> list[int]:
    return sizes_after(p["n"], shrink(p) + 1)


def _dilation_ignored_sizes(p: dict[str, Any]) -> list[int] | None:
    return sizes_after(p["n"], p["kernel"] - 1) if p["dilation"] > 1 else None


def _last_layer_dropped(p: dict[str, Any]) -> list[int] | None:
    sizes = sizes_after(p["n"], shrink(p))
    return sizes[:-1] if len(sizes) > 1 else None


def _input_included(p: dict[str, Any]) -> list[int]:
    return [p["n"], *sizes_after(p["n"], shrink(p))]


def _one_layer_too_many(p: dict[str, Any]) -> list[int]:
    sizes = sizes_after(p["n"], shrink(p))
    return [*sizes, sizes[-1] - shrink(p)]


def _depth_plus_one(p: dict[str, Any]) -> int:
    return (p["n"] - 1) // shrink(p) + 1


def _depth_minus_one(p: dict[str, Any]) -> int:
    return (p["n"] - 1) // shrink(p) - 1


def _depth_shrink_by_k(p: dict[str, Any]) -> int:
    return len(_shrink_by_k(p))


def _depth_dilation_ignored(p: dict[str, Any]) -> int | None:
    return (p["n"] - 1) // (p["kernel"] - 1) if p["dilation"] > 1 else None


def _per_side(p: dict[str, Any]) -> int:
    return -(-shrink(p) // 2)


def _kernel_size(p: dict[str, Any]) -> int:
    return shrink(p) + 1


def _padding_dilation_ignored(p: dict[str, Any]) -> int | None:
    return p["kernel"] - 1 if p["dilation"] > 1 else None


def _padding_one_side(p: dict[str, Any]) -> int:
    return (p["n"] - 1) // (shrink(p) - p["padding"])


def _padding_ignored(p: dict[str, Any]) -> int:
    return (p["n"] - 1) // shrink(p)


def _padded_plus_one(p: dict[str, Any]) -> int:
    return (p["n"] - 1) // shrink(p, p["padding"]) + 1


_OFF_BY_ONE = ("You are off by one: a layer fits while the signal is at least as long as the kernel span, and each "
               "such layer counts once; the input is not a layer.")
SIZE_MISTAKES = (
    Mistake("shrink-by-k", "A valid layer loses k − 1 positions, not k: the kernel fits n − k + 1 times.",
            _shrink_by_k),
    Mistake("dilation-ignored", "You ignored the dilation: the kernel spans d(k − 1) + 1 positions, so each layer "
            "loses d(k − 1).", _dilation_ignored_sizes),
    Mistake("last-layer-dropped", "You stopped one layer early: a layer still fits when the signal is exactly as "
            "long as the kernel span, and it outputs a single value.", _last_layer_dropped),
    Mistake("input-included", "List the layers' outputs only, not the input size.", _input_included),
    Mistake("one-layer-too-many", "The last layer you listed has no room for its kernel: stop when the signal is "
            "shorter than the kernel span.", _one_layer_too_many),
)
DEPTH_MISTAKES = (
    Mistake("off-by-one-high", _OFF_BY_ONE, _depth_plus_one),
    Mistake("off-by-one", _OFF_BY_ONE, _depth_minus_one),
    Mistake("shrink-by-k", "A valid layer loses k − 1 positions, not k.", _depth_shrink_by_k),
    Mistake("dilation-ignored", "You ignored the dilation: each layer loses d(k − 1) positions.",
            _depth_dilation_ignored),
)
PADDING_MISTAKES = (
    Mistake("per-side", "That is (about) the zeros on one side: the question asks for both sides together, "
            "d(k − 1) in all.", _per_side),
    Mistake("kernel-size", "You are off by one: a layer loses d(k − 1) positions (k − 1 for an undilated kernel), "
            "so that many zeros keep the size.", _kernel_size),
    Mistake("dilation-ignored", "You ignored the dilation: the kernel spans d(k − 1) + 1 positions.",
            _padding_dilation_ignored),
)
PADDED_MISTAKES = (
    Mistake("padding-one-side", "The p zeros go on each side: each layer gains 2p positions back.",
            _padding_one_side),
    Mistake("padding-ignored", "That is the depth without padding: with p zeros on each side a layer shrinks the "
            "signal by only d(k − 1) − 2p.", _padding_ignored),
    Mistake("off-by-one-high", _OFF_BY_ONE, _padded_plus_one),
)


@template
class ValidShrink(Template):
    id = "valid-shrink"
    version = 2  # 2: the sizes' hint does not say how many (part depth asks it); a length and padding for which a
    # named mistake gives a depth are redrawn
    topic = "padding and output size"
    minutes = {"sizes": 1.5, "depth": 1, "padding": 1.5, "padded_depth": 1}
    summary = "stacked valid convolutions until nothing is left (16 -> 11 -> 6 -> 1); the padding that keeps the size"
    params = {
        "n": Int(doc="input length", low=2, high=128),
        "kernel": Int(doc="kernel size k of every layer", low=2, high=16),
        "dilation": Int(doc="dilation d of every layer (drawn: mostly 1)", low=1, high=4),
        "padding": Int(doc="zeros on each side in the last part, less than d(k - 1) / 2", low=1, high=15),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        p.setdefault("dilation", int(rng.choice([1, 1, 1, 1, 2, 3])))
        if "kernel" not in p:
            p["kernel"] = int(rng.integers(4, 13) if p["dilation"] == 1 else rng.integers(3, 7))
        step = shrink(p)

        def draw() -> dict[str, Any]:
            q = dict(p)
            if "n" not in q:
                depth = int(rng.integers(2, 11))
                while depth > 2 and depth * step + 1 > 100:
                    depth -= 1
                q["n"] = min(100, depth * step + 1 + int(rng.integers(0, step)))
            if "padding" not in q:
                q["padding"] = int(rng.integers(1, max(1, (step - 1) // 2) + 1))
            return q

        if "n" in p and "padding" in p:
            return p
        return prefer(draw, self._fair, lambda q: True, "a length and a padding")

    @staticmethod
    def _fair(p: dict[str, Any]) -> bool:
        """No named mistake gives a depth (nor the sizes): shrinking by k or ignoring the padding would."""
        if p["n"] <= shrink(p) or 2 * p["padding"] >= shrink(p):
            return True  # validate() says what is wrong
        return not (gives_key(Integer, len(sizes_after(p["n"], shrink(p))), p, DEPTH_MISTAKES)
                    or gives_key(Integer, len(sizes_after(p["n"], shrink(p, p["padding"]))), p, PADDED_MISTAKES)
                    or gives_key(Vector, sizes_after(p["n"], shrink(p)), p, SIZE_MISTAKES))

    def validate(self, p: dict[str, Any]) -> None:
        step = shrink(p)
        if p["n"] <= step:
            raise ParamError(f"n = {p['n']} is too short for even one layer with a kernel spanning {step + 1} "
                             "positions: use a longer input or a smaller kernel")
        if 2 * p["padding"] >= step:
            raise ParamError(f"padding must be less than d(k - 1) / 2 = {step / 2:g} so that the layers still "
                             f"shrink the signal, got {p['padding']}")

    def build(self, p: dict[str, Any]) -> Question:
        n, k, d, pad, step = p["n"], p["kernel"], p["dilation"], p["padding"], shrink(p)
        sizes, slower = sizes_after(n, step), shrink(p, pad)
        dilated = " with dilation {d}" if d > 1 else ""
        statement = (
            prose(f"A signal of {{n}} samples passes through a stack of identical valid convolutions (no padding, "
                  f"stride 1), each with a kernel of {{k}} taps{dilated}. Layers are added as long as the kernel "
                  "still fits in the signal.", n=Eq(Sym("n"), n), k=Eq(Sym("k"), k),
                  **({"d": Eq(Sym("d"), d)} if d > 1 else {})),
        )
        span = Eq(Op("+", Op("*", d, k - 1), 1), d * (k - 1) + 1) if d > 1 else k
        parts = (
            Part("sizes", prose("Give the output length of each layer, in order, up to the last layer that "
                                "still has room for its kernel."),
                 expect(Vector, sizes, p, SIZE_MISTAKES, hide_size=True), points=2,  # its length: part depth
                 solution=(prose("The kernel spans {span} positions, so each layer loses {step}: {chain}.",
                                 span=span, step=step, chain=self._chain([n, *sizes])),
                           draw.shrinking_layers([n, *sizes]))),
            Part("depth", prose("How many such layers can be stacked?"),
                 expect(Integer, len(sizes), p, DEPTH_MISTAKES),
                 solution=(prose("A layer fits while the signal is at least {span} long; after {L} layers it is "
                                 "{left}, so {depth}.", span=step + 1, L=Sym("L"),
                                 left=Op("-", Sym("n"), Op("*", Sym("L"), step)),
                                 depth=Eq(Sym("L"), Call("floor", Op("/", n - 1, step)), len(sizes))),)),
            Part("padding", prose("How many zeros in all (both sides together) must each layer add so that its "
                                  "output is as long as its input?"),
                 expect(Integer, step, p, PADDING_MISTAKES),
                 solution=(prose("Exactly what a layer loses: {zeros} zeros, split between the two sides.",
                                 zeros=Eq(Op("*", d, k - 1), step) if d > 1 else Eq(Op("-", k, 1), step)),)),
            Part("padded_depth", prose(f"Now every layer adds {{pad}} zero{'s' if pad > 1 else ''} on each side "
                                       "(fewer than would keep the size). How many layers can be stacked before "
                                       "the kernel no longer fits?", pad=pad),
                 expect(Integer, len(sizes_after(n, slower)), p, PADDED_MISTAKES),
                 solution=(prose("Each layer now loses only {slower}, so {depth}.",
                                 slower=Eq(Op("-", step, 2 * pad), slower),
                                 depth=Eq(Call("floor", Op("/", n - 1, slower)), len(sizes_after(n, slower)))),)),
        )
        return self.question(p, title="Layers until nothing is left", statement=statement, parts=parts)

    @staticmethod
    def _chain(values: list[int]) -> Any:
        chain: Any = values[0]
        for value in values[1:]:
            chain = Op("→", chain, value)
        return chain

    def verify(self, question: Question) -> None:
        p = question.params
        sizes = simulated_sizes(p)
        padded = simulated_sizes(p, p["padding"], p["padding"])
        expected = {"sizes": sizes, "depth": len(sizes), "padding": zeros_to_keep(p), "padded_depth": len(padded)}
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value
            assert (list(got) if part_id == "sizes" else got) == want, f"{part_id}: key {got}, simulated {want}"
