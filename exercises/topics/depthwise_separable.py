"""Depthwise separable convolution (Howard et al. 2017, MobileNets): a k x k convolution from M to N channels
against a depthwise k x k convolution (one k x k filter per input channel) followed by a pointwise 1 x 1
convolution from M to N channels. On a D x D map the standard layer takes k²·M·N·D² multiply-adds, the
separable pair k²·M·D² + M·N·D², a fraction 1/N + 1/k² of it (8 to 9 times fewer for 3 x 3 kernels).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Eq, Op, Part, Plus, Question, Sym, prose
from exercises.params import Bool, Int, ParamError
from exercises.registry import Template, template
from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR, needs_calculator
from exercises.topics.layer_costs import conv_madds, conv_params, conv_weights, counted
from grader.answers import Integer, Number

KERNELS = (3, 3, 3, 5)  # MobileNet's 3 x 3; later mobile networks also use 5 x 5
CHANNELS = (16, 24, 32, 48, 64, 96, 128, 256)
HAND_CHANNELS = (4, 6, 8, 12, 16)  # without a calculator: k·k·M·N stays within four digits
SIDES = (7, 14, 28, 56)


def big_products(p: dict[str, Any]) -> bool:
    """Whether the multiply-adds multiply a weight count of more than four digits by the positions."""
    return needs_calculator(conv_weights(p["kernel"], p["in_channels"], p["out_channels"]))


def standard_params(p: dict[str, Any]) -> int:
    return conv_params(p["kernel"], p["in_channels"], p["out_channels"], bias=p["bias"])


def separable_params(p: dict[str, Any]) -> int:
    m = p["in_channels"]
    return conv_params(p["kernel"], m, m, groups=m, bias=p["bias"]) + conv_params(1, m, p["out_channels"],
                                                                                   bias=p["bias"])


def standard_madds(p: dict[str, Any]) -> int:
    return conv_madds(p["kernel"], p["in_channels"], p["out_channels"], p["size"])


def separable_madds(p: dict[str, Any], side: int | None = None) -> int:
    m, side = p["in_channels"], p["size"] if side is None else side
    return conv_madds(p["kernel"], m, m, side, groups=m) + conv_madds(1, m, p["out_channels"], side)


def share(p: dict[str, Any]) -> Fraction:
    """The separable pair's share of the standard layer's multiply-adds, 1/N + 1/k²."""
    return Fraction(1, p["out_channels"]) + Fraction(1, p["kernel"] ** 2)


def factor(p: dict[str, Any]) -> Fraction:
    """How many times fewer multiply-adds the separable pair takes: 1 / (1/N + 1/k²)."""
    return 1 / share(p)


# -- misconceptions ---------------------------------------------------------------------------------------------


def _if_bias(compute):
    return lambda p: compute(p) if p["bias"] else None


def _input_channels_forgotten(p: dict[str, Any]) -> int | None:
    return standard_params({**p, "in_channels": 1}) if p["in_channels"] > 1 else None


def _pointwise_forgotten(p: dict[str, Any]) -> int:
    m = p["in_channels"]
    return conv_params(p["kernel"], m, m, groups=m, bias=p["bias"])


def _depthwise_as_full(p: dict[str, Any]) -> int:
    m = p["in_channels"]
    return conv_params(p["kernel"], m, m, bias=p["bias"]) + conv_params(1, m, p["out_channels"], bias=p["bias"])


def _depthwise_per_output(p: dict[str, Any]) -> int | None:
    n = p["out_channels"]
    if n == p["in_channels"]:
        return None
    return conv_params(p["kernel"], n, n, groups=n, bias=p["bias"]) + conv_params(1, p["in_channels"], n,
                                                                                   bias=p["bias"])


def _depthwise_bias_forgotten(p: dict[str, Any]) -> int | None:
    return separable_params(p) - p["in_channels"] if p["bias"] else None


def _parameter_factor(p: dict[str, Any]) -> Fraction | None:
    return Fraction(standard_params(p), separable_params(p)) if p["bias"] else None


PARAMETER_MISTAKES = ("multiply-adds-as-parameters", "You multiplied by the output positions: that counts "
                      "multiply-adds. A filter's weights are shared by every position of the map.")
STANDARD_PARAM_MISTAKES = (
    Mistake("bias-forgotten", "Count the biases too: one per output channel.",
            _if_bias(lambda p: standard_params({**p, "bias": False}))),
    Mistake("input-channels-forgotten", "Each filter of a standard convolution spans all M input channels: "
            "k·k·M weights per filter, and there are N filters.", _input_channels_forgotten),
    Mistake("kernel-not-squared", "A k × k kernel has k·k taps per input channel, not k.",
            lambda p: p["kernel"] * p["in_channels"] * p["out_channels"] + (p["out_channels"] if p["bias"] else 0)),
    Mistake(*PARAMETER_MISTAKES, lambda p: standard_madds(p) + (p["out_channels"] if p["bias"] else 0)),
)
SEPARABLE_PARAM_MISTAKES = (
    Mistake("pointwise-forgotten", "That is the depthwise convolution alone: the 1 × 1 pointwise convolution that "
            "mixes the M channels into N has M·N weights of its own.", _pointwise_forgotten),
    Mistake("depthwise-as-full", "A depthwise filter sees only its own input channel (groups = M): k·k weights, "
            "not k·k·M.", _depthwise_as_full),
    Mistake("depthwise-per-output-channel", "The depthwise convolution has one filter per input channel (M of "
            "them), not per output channel: the pointwise convolution makes the N output channels.",
            _depthwise_per_output),
    Mistake("depthwise-bias-forgotten", "Both convolutions have biases: M for the depthwise one, N for the "
            "pointwise one.", _depthwise_bias_forgotten),
)
STANDARD_MADD_MISTAKES = (
    Mistake("positions-forgotten", "That is one output position: every weight is used once at each of the D·D "
            "positions.", lambda p: standard_madds({**p, "size": 1})),
    Mistake("side-not-squared", "The map has D·D positions, not D.",
            lambda p: standard_madds(p) // p["size"]),
)
SEPARABLE_MADD_MISTAKES = (
    Mistake("pointwise-forgotten", "Add the pointwise convolution's M·N multiply-adds per position.",
            lambda p: conv_madds(p["kernel"], p["in_channels"], p["in_channels"], p["size"], p["in_channels"])),
    Mistake("depthwise-forgotten", "Add the depthwise convolution's k·k·M multiply-adds per position.",
            lambda p: conv_madds(1, p["in_channels"], p["out_channels"], p["size"])),
    Mistake("depthwise-as-full", "A depthwise filter reads only its own channel: k·k multiply-adds per channel "
            "and position.", lambda p: conv_madds(p["kernel"], p["in_channels"], p["in_channels"], p["size"])
            + conv_madds(1, p["in_channels"], p["out_channels"], p["size"])),
    Mistake("positions-forgotten", "That is one output position: multiply by the D·D positions.",
            lambda p: separable_madds(p, side=1)),
)
FACTOR_MISTAKES = (
    Mistake("inverted", "That is the separable pair's share of the work, below 1: the question asks how many times "
            "fewer multiply-adds it takes, the inverse.", share),
    Mistake("pointwise-forgotten", "You left out the pointwise convolution: the share is 1/N + 1/k², and the 1/k² "
            "is the pointwise term (M·N·D² of k·k·M·N·D²).", lambda p: p["out_channels"]),
    Mistake("depthwise-forgotten", "You left out the depthwise convolution: the share is 1/N + 1/k², and the 1/N is "
            "the depthwise term (k·k·M·D² of k·k·M·N·D²).", lambda p: p["kernel"] ** 2),
    Mistake("product-not-sum", "The two convolutions run one after the other: their shares add up, 1/N + 1/k², "
            "they do not multiply.", lambda p: p["out_channels"] * p["kernel"] ** 2),
    Mistake("kernel-not-squared", "The kernel has k·k taps: the pointwise share is 1/k², not 1/k.",
            lambda p: 1 / (Fraction(1, p["out_channels"]) + Fraction(1, p["kernel"]))),
    Mistake("parameter-factor", "That is the factor for the parameters, biases included; the multiply-adds have "
            "no bias term.", _parameter_factor),
)
PARTS = {  # part id: (kind, key, mistakes)
    "standard_params": (Integer, standard_params, STANDARD_PARAM_MISTAKES),
    "separable_params": (Integer, separable_params, SEPARABLE_PARAM_MISTAKES),
    "standard_madds": (Integer, standard_madds, STANDARD_MADD_MISTAKES),
    "separable_madds": (Integer, separable_madds, SEPARABLE_MADD_MISTAKES),
    "factor": (Number, factor, FACTOR_MISTAKES),
}


def _times(*factors: Any) -> Any:
    product = factors[0]
    for factor in factors[1:]:
        product = Op("×", product, factor)
    return product


@template
class DepthwiseSeparable(Template):
    id = "depthwise-separable"
    version = 1
    topic = "architectures"
    summary = "parameters and multiply-adds of a k × k convolution against depthwise k × k plus pointwise 1 × 1"
    params = {
        "kernel": Int(doc="kernel size k (k × k)", low=2, high=11),
        "in_channels": Int(doc="input channels M", low=1, high=2048),
        "out_channels": Int(doc="output channels N", low=2, high=2048),
        "size": Int(doc="side D of the feature map, the same before and after (stride 1, 'same' padding)",
                    low=1, high=512),
        "bias": Bool(doc="every convolution has biases (drawn: mostly not; MobileNet has batch norm instead)"),
        "calculator": Bool(doc="whether students may use a calculator (the sheet says so where the products need "
                           f"one); false keeps k·k·M·N within {LARGEST_HAND_FACTOR} (the bank's calculator: pins it)",
                           default=True),
    }
    minutes = {"standard_params": 1, "separable_params": 1.5, "standard_madds": 1, "separable_madds": 1.5,
               "factor": 1.5}

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        for _ in range(100):  # redraw a variant in which a named mistake gives a key
            p = dict(params)
            p.setdefault("kernel", int(rng.choice(KERNELS)))
            p.setdefault("in_channels", int(rng.choice(CHANNELS if p["calculator"] else HAND_CHANNELS)))
            p.setdefault("out_channels", p["in_channels"] * int(rng.choice([1, 2, 2])))
            p.setdefault("size", int(rng.choice(SIDES)))
            p.setdefault("bias", bool(rng.random() < 0.25))
            if not any(gives_key(kind, key(p), p, mistakes) for kind, key, mistakes in PARTS.values()) and \
                    (p["calculator"] or not big_products(p)):
                break
        return p

    def validate(self, p: dict[str, Any]) -> None:
        if not p["calculator"] and big_products(p):
            raise ParamError(f"without a calculator (calculator: false) k·k·M·N may be at most {LARGEST_HAND_FACTOR}, "
                             f"got {conv_weights(p['kernel'], p['in_channels'], p['out_channels']):,}: use fewer "
                             "channels")

    def build(self, p: dict[str, Any]) -> Question:
        k, m, n, d = p["kernel"], p["in_channels"], p["out_channels"], p["size"]
        kk = Op("×", k, k)
        statement = [
            prose("A convolution layer maps a feature map of {m} channels to {n} channels with {kk} kernels and "
                  "keeps the map's size, {dd} (stride 1, 'same' padding). MobileNet (Howard et al. 2017) replaces "
                  "such a layer by a depthwise separable convolution: a depthwise {k_k} convolution, one filter per "
                  "input channel ({groups} groups), followed by a pointwise {one} convolution that mixes the {M} "
                  "channels into {N}.", m=Eq(Sym("M"), m), n=Eq(Sym("N"), n), kk=Eq(Op("×", Sym("k"), Sym("k")), kk),
                  k_k=kk, groups=Sym("M"), M=Sym("M"), N=Sym("N"),
                  dd=Eq(Op("×", Sym("D"), Sym("D")), Op("×", d, d)), one=Op("×", 1, 1)),
            prose("Every convolution has one bias per output channel." if p["bias"] else
                  "The convolutions have no biases (batch normalization follows each; do not count it)."),
            prose("A multiply-add is one weight times one input value, added to a sum; count them over the whole "
                  "output map (every position reads a full window)."),
            *((prose(CALCULATOR_ALLOWED),) if big_products(p) else ()),
            draw.block_columns([("standard", [f"{k}×{k} conv, {m} to {n} channels"]),
                                ("depthwise separable", [f"{k}×{k} depthwise, {m} channels",
                                                         f"1×1 pointwise, {m} to {n} channels"])],
                               "The standard layer (left) and its depthwise separable replacement (right)."),
        ]
        bias_n, bias_mn = (Op("+", _times(kk, m, n), n), Op("+", Op("+", _times(kk, m), m), Op("+", _times(m, n), n))) \
            if p["bias"] else (_times(kk, m, n), Op("+", _times(kk, m), _times(m, n)))
        parts = (
            self._part(p, "standard_params", "How many parameters does the standard convolution have?",
                       "Each of the {n} filters spans {kk} taps of all {m} input channels"
                       + (", plus a bias" if p["bias"] else "") + ": {total}.",
                       n=n, kk=kk, m=m, total=Eq(bias_n, standard_params(p))),
            self._part(p, "separable_params", "How many parameters do the depthwise and the pointwise convolution "
                       "have together?",
                       "The depthwise convolution has one {kk} filter per input channel, the pointwise one {m} "
                       "weights per output channel" + (", each with its biases" if p["bias"] else "")
                       + ": {total}.", kk=kk, m=m, total=Eq(bias_mn, separable_params(p))),
            self._part(p, "standard_madds", "How many multiply-adds does the standard convolution take on the "
                       "whole map?", "Every weight is used once at each of the {dd} output positions: {total}.",
                       dd=Op("×", d, d), total=Eq(_times(kk, m, n, d, d), standard_madds(p))),
            self._part(p, "separable_madds", "How many multiply-adds do the depthwise and the pointwise "
                       "convolution take together?", "The depthwise convolution takes {kk} per channel and "
                       "position, the pointwise one {m} per output channel and position: {total}.", kk=kk, m=m,
                       total=Eq(Op("+", _times(kk, m, d, d), _times(m, n, d, d)), separable_madds(p))),
            self._part(p, "factor", "How many times fewer multiply-adds does the depthwise separable convolution "
                       "take than the standard one? Give the factor exactly, as a fraction.",
                       "The separable pair takes a share {share} of the standard layer's multiply-adds, so it takes "
                       "{factor} times fewer.", share=Eq(
                           Op("/", Op("+", _times(kk, m, d, d), _times(m, n, d, d)), _times(kk, m, n, d, d)),
                           Op("+", Op("/", 1, n), Op("/", 1, Op("×", k, k))), share(p)),
                       factor=Eq(Op("/", 1, share(p)), factor(p))),
        )
        closing = prose(f"That is about {float(factor(p)):.1f} times fewer multiply-adds. With {{three}} kernels "
                        "the share {share} makes that 8 to 9 times from {N} channels on, as Howard et al. (2017) "
                        "report for MobileNet.", three=Op("×", 3, 3), N=Eq(Sym("N"), 72),
                        share=Plus(Op("/", 1, Sym("N")), Op("/", 1, 9)))
        return self.question(p, title="Depthwise separable convolution", statement=tuple(statement), parts=parts,
                             solution=(closing,))

    @staticmethod
    def _part(p: dict[str, Any], part_id: str, prompt: str, worked: str, **math: Any) -> Part:
        kind, key, mistakes = PARTS[part_id]
        return Part(part_id, prose(prompt), expect(kind, key(p), p, mistakes), solution=(prose(worked, **math),))

    def verify(self, question: Question) -> None:
        p = question.params
        k, m, n, d, bias = p["kernel"], p["in_channels"], p["out_channels"], p["size"], p["bias"]
        standard = counted(k, m, n, d, bias=bias)
        depthwise, pointwise = counted(k, m, m, d, groups=m, bias=bias), counted(1, m, n, d, bias=bias)
        expected = {"standard_params": standard.params, "separable_params": depthwise.params + pointwise.params,
                    "standard_madds": standard.madds, "separable_madds": depthwise.madds + pointwise.madds}
        expected["factor"] = Fraction(expected["standard_madds"], expected["separable_madds"])
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value
            assert got == want, f"depthwise-separable {part_id}: key {got}, counted on the layers {want}"
