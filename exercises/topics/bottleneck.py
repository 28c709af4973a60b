"""ResNet's bottleneck block (He et al. 2016, fig. 5): 1x1 (w to d channels), 3x3 (d to d), 1x1 (d back to w),
against two 3x3 convolutions at the block's width w. For ResNet-50's first stage, w = 256 and d = 64: 256·64 +
3·3·64·64 + 64·256 = 69,632 weights ("about 70k", Xie et al. 2017), against 2·3·3·256·256 = 1,179,648
(589,824 for one of the two). The convolutions have no biases (batch normalization follows each; not counted),
keep the map's size (stride 1, the 3x3 ones padded by 1), and a multiply-add is one weight at one position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Eq, Op, Part, Product, Prose, Question, Sym, joined, prose
from exercises.params import Bool, IdList, Int, ParamError
from exercises.registry import Template, template
from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR, needs_calculator
from exercises.topics.layer_costs import conv_weights, counted
from exercises.topics.layers import infer_shapes, parse_layers, receptive_fields
from grader.answers import Choice, Integer, option_label

WIDTHS = (64, 128, 192, 256, 320, 384, 512)
HAND_WIDTHS = (8, 12, 16, 20)  # without a calculator: 2·3·3·w·w stays within four digits
REDUCTIONS = (4, 4, 4, 2, 8)  # w / d: ResNet's bottlenecks reduce by 4
SIDES = (7, 14, 28, 56)


def layers_of(p: dict[str, Any]) -> dict[str, list[tuple[int, int, int]]]:
    """(kernel, in, out) of each convolution of the bottleneck block and of the plain pair."""
    w, d = p["width"], p["inner"]
    return {"bottleneck": [(1, w, d), (3, d, d), (1, d, w)], "plain": [(3, w, w), (3, w, w)]}


def weights(p: dict[str, Any], block: str) -> int:
    return sum(conv_weights(*layer) for layer in layers_of(p)[block])


def madds(p: dict[str, Any], block: str) -> int:
    return weights(p, block) * p["size"] ** 2


def big_products(p: dict[str, Any]) -> bool:
    """Whether the multiply-adds multiply a weight count of more than four digits by the positions."""
    return needs_calculator(weights(p, "bottleneck"), weights(p, "plain"))


# -- the statements of the 'why' part: one true among false ones ------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A statement about the block: `text(p)`; `holds(p)` its truth by the formulas, `observed(stacks)` by the
    layer stacks (shapes, parameters and receptive fields found on the layers); `why(p)` explains it."""

    id: str
    text: Callable[[dict[str, Any]], Prose]
    holds: Callable[[dict[str, Any]], bool]
    observed: Callable[[dict[str, Any]], bool]
    why: Callable[[dict[str, Any]], Prose]


def stacks(p: dict[str, Any]) -> dict[str, tuple]:
    """The two blocks as layer stacks on a size x size map of w channels, with the shape after each layer."""
    found = {}
    for block, convs in layers_of(p).items():
        data = [{"type": "conv", "kernel": k, "in": c_in, "out": c_out, "padding": k // 2, "bias": False}
                for k, c_in, c_out in convs]
        layers, shapes = infer_shapes(parse_layers(data), p["width"], (p["size"], p["size"]))
        found[block] = (layers, shapes)
    return found


def _observed(check: Callable[[dict[str, tuple], dict[str, Any]], bool]) -> Callable[[dict[str, Any]], bool]:
    return lambda p: check(stacks(p), p)


def _params_of(layers: tuple) -> int:
    return sum(layer.param_count() for layer in layers)


_SIZES = {"one": Op("×", 1, 1), "three": Op("×", 3, 3), "five": Op("×", 5, 5)}


def sized(text: str, **math: Any) -> Prose:
    """Prose whose {one}, {three} and {five} are the kernel sizes 1 × 1, 3 × 3 and 5 × 5, as math."""
    return prose(text, **{name: size for name, size in _SIZES.items() if "{" + name + "}" in text}, **math)


STATEMENTS = (
    Statement("cheap-middle",
              lambda p: sized("The first {one} convolution reduces the channels from {w} to {d}, so the {three} "
                              "convolution works on {d} channels and costs a share {share} of a {three} convolution "
                              "at {w} channels.", w=p["width"], d=p["inner"],
                              share=Fraction(p["inner"], p["width"]) ** 2),
              lambda p: True,
              _observed(lambda s, p: Fraction(s["bottleneck"][0][1].param_count(), s["plain"][0][0].param_count())
                        == Fraction(p["inner"], p["width"]) ** 2),
              lambda p: sized("the {three} convolution's cost grows with the product of its input and output "
                              "channels.")),
    Statement("restores-width",
              lambda p: sized("The last {one} convolution brings the channels back to {w}, so that the block's "
                              "output can be added to its input through the identity shortcut, which has no "
                              "parameters.", w=p["width"]),
              lambda p: True,
              _observed(lambda s, p: s["bottleneck"][1][-1] == (p["width"], p["size"], p["size"])),
              lambda p: sized("the sum of the two paths needs the input's shape, channels included.")),
    Statement("deeper-for-less",
              lambda p: sized("With fewer parameters than two {three} convolutions at {w} channels, the block has "
                              "three layers, each followed by a non-linearity, instead of two.", w=p["width"]),
              lambda p: True,
              _observed(lambda s, p: len(s["bottleneck"][0]) > len(s["plain"][0])
                        and _params_of(s["bottleneck"][0]) < _params_of(s["plain"][0])),
              lambda p: sized("{a} weights in three layers against {b} in two.", a=weights(p, "bottleneck"),
                              b=weights(p, "plain"))),
    Statement("shrinks-map",
              lambda p: sized("The {one} convolutions shrink the feature map's height and width, so the {three} "
                              "convolution has fewer positions to compute."),
              lambda p: False,
              _observed(lambda s, p: s["bottleneck"][1][0][1:] != (p["size"], p["size"])),
              lambda p: sized("a {one} convolution with stride 1 keeps the {map} map; it changes only the number "
                              "of channels.", map=Op("×", p["size"], p["size"]))),
    Statement("more-parameters",
              lambda p: sized("The block has more parameters than two {three} convolutions at {w} channels, which "
                              "lets it learn more.", w=p["width"]),
              lambda p: weights(p, "bottleneck") > weights(p, "plain"),
              _observed(lambda s, p: _params_of(s["bottleneck"][0]) > _params_of(s["plain"][0])),
              lambda p: sized("it has {a} weights against {b}: far fewer.", a=weights(p, "bottleneck"),
                              b=weights(p, "plain"))),
    Statement("free-one-by-one",
              lambda p: sized("The {one} convolutions have no weights: they only pass the channels on."),
              lambda p: False,
              _observed(lambda s, p: s["bottleneck"][0][0].param_count() == 0),
              lambda p: sized("each has {count} weights, one for every pair of input and output channels.",
                              count=Eq(Op("×", p["width"], p["inner"]), p["width"] * p["inner"]))),
    Statement("wider-field",
              lambda p: sized("Its three layers see a wider neighbourhood of the input than the two {three} "
                              "convolutions, since every layer widens the receptive field."),
              lambda p: False,
              _observed(lambda s, p: receptive_fields(s["bottleneck"][0])[-1][0]
                        > receptive_fields(s["plain"][0])[-1][0]),
              lambda p: sized("{one} convolutions do not widen it: the block sees {three} input pixels, the two "
                              "{three} convolutions {five}.")),
    Statement("narrow-output",
              lambda p: sized("The block's output has {d} channels, which makes the next block cheaper.",
                              d=p["inner"]),
              lambda p: False,
              _observed(lambda s, p: s["bottleneck"][1][-1][0] == p["inner"]),
              lambda p: sized("the last {one} convolution restores {w} channels; only the inside of the block is "
                              "narrow.", w=p["width"])),
)
BY_ID = {s.id: s for s in STATEMENTS}
TRUE = [s.id for s in STATEMENTS if s.id in ("cheap-middle", "restores-width", "deeper-for-less")]
FALSE = [s.id for s in STATEMENTS if s.id not in TRUE]
SHOWN_FALSE = 3


def draw_statements(rng: np.random.Generator) -> list[str]:
    """One true statement and three false ones, in a shuffled display order."""
    chosen = [TRUE[int(rng.integers(len(TRUE)))]] + [FALSE[i] for i in rng.choice(len(FALSE), SHOWN_FALSE,
                                                                                   replace=False)]
    return [chosen[i] for i in rng.permutation(len(chosen))]


# -- misconceptions of the counts -------------------------------------------------------------------------------


def _bottleneck_with(p: dict[str, Any], first: int, middle: int, last: int) -> int:
    """The bottleneck's weights with the kernels of its three layers changed (k·k taps each)."""
    w, d = p["width"], p["inner"]
    return first ** 2 * w * d + middle ** 2 * d * d + last ** 2 * d * w


def _per_map(count: Callable[[dict[str, Any]], int], power: int = 2) -> Callable[[dict[str, Any]], int]:
    return lambda p: count(p) * p["size"] ** power


def _last_forgotten(p: dict[str, Any]) -> int:
    return _bottleneck_with(p, 1, 3, 0)


def _free_one_by_one(p: dict[str, Any]) -> int:
    return _bottleneck_with(p, 0, 3, 0)


def _all_three(p: dict[str, Any]) -> int:
    return _bottleneck_with(p, 3, 3, 3)


def _inner_everywhere(p: dict[str, Any]) -> int:
    return 11 * p["inner"] ** 2


def _one_plain_layer(p: dict[str, Any]) -> int:
    return weights(p, "plain") // 2


def _plain_at_inner(p: dict[str, Any]) -> int:
    return 18 * p["inner"] ** 2


def _plain_kernel_not_squared(p: dict[str, Any]) -> int:
    return 6 * p["width"] ** 2


FORGOT_LAST = "The block has three convolutions: the last 1×1 takes the d channels back to w (d·w weights)."
FREE = "The 1×1 convolutions have weights too: one per pair of input and output channels."
ALL_THREE = "Only the middle convolution is 3×3: a 1×1 convolution has one tap per channel pair."
INNER = "The first 1×1 convolution reads w channels and the last one writes w: w·d weights each, not d·d."
BOTTLENECK_MISTAKES = (
    Mistake("last-layer-forgotten", FORGOT_LAST, _last_forgotten),
    Mistake("one-by-one-free", FREE, _free_one_by_one),
    Mistake("all-three-by-three", ALL_THREE, _all_three),
    Mistake("inner-width-everywhere", INNER, _inner_everywhere),
)
ONE = "There are two 3×3 convolutions, each with 3·3·w·w weights."
AT_INNER = ("That is two 3×3 convolutions at the inner width d (ResNet-34's basic block); the question compares them "
            "at the block's width w.")
NOT_SQUARED = "A 3×3 kernel has 3·3 = 9 taps per channel pair, not 3."
PLAIN_MISTAKES = (
    Mistake("one-layer-only", ONE, _one_plain_layer),
    Mistake("plain-at-inner-width", AT_INNER, _plain_at_inner),
    Mistake("kernel-not-squared", NOT_SQUARED, _plain_kernel_not_squared),
)
POSITIONS = "That is one position: every weight is used at each of the H·W positions of the map."
SIDE = "The map has H·W = size·size positions, not size."
BOTTLENECK_MADD_MISTAKES = (
    Mistake("positions-forgotten", POSITIONS, lambda p: weights(p, "bottleneck")),
    Mistake("side-not-squared", SIDE, _per_map(lambda p: weights(p, "bottleneck"), 1)),
    Mistake("last-layer-forgotten", FORGOT_LAST, _per_map(_last_forgotten)),
    Mistake("one-by-one-free", FREE, _per_map(_free_one_by_one)),
)
PLAIN_MADD_MISTAKES = (
    Mistake("positions-forgotten", POSITIONS, lambda p: weights(p, "plain")),
    Mistake("side-not-squared", SIDE, _per_map(lambda p: weights(p, "plain"), 1)),
    Mistake("one-layer-only", ONE, _per_map(_one_plain_layer)),
    Mistake("plain-at-inner-width", AT_INNER, _per_map(_plain_at_inner)),
)
PARTS = {  # part id: (key, mistakes)
    "bottleneck_params": (lambda p: weights(p, "bottleneck"), BOTTLENECK_MISTAKES),
    "plain_params": (lambda p: weights(p, "plain"), PLAIN_MISTAKES),
    "bottleneck_madds": (lambda p: madds(p, "bottleneck"), BOTTLENECK_MADD_MISTAKES),
    "plain_madds": (lambda p: madds(p, "plain"), PLAIN_MADD_MISTAKES),
}


@template
class Bottleneck(Template):
    id = "bottleneck"
    version = 1
    topic = "architectures"
    summary = "ResNet-50's 1×1-3×3-1×1 bottleneck against two 3×3 convolutions: parameters, multiply-adds, why"
    params = {
        "width": Int(doc="the block's channels w (in and out; ResNet-50: 256 to 2048)", low=2, high=4096),
        "inner": Int(doc="the bottleneck's inner width d, less than w (ResNet-50: w / 4)", low=1, high=4096),
        "size": Int(doc="side of the feature map, kept by every layer (ResNet-50's stages: 56, 28, 14, 7)", low=1,
                    high=512),
        "statements": IdList(doc="the 'why' part's statements in display order: exactly one true (drawn: one "
                             "true, three false)", options=tuple(BY_ID), min_len=2, max_len=len(STATEMENTS)),
        "calculator": Bool(doc="whether students may use a calculator (the sheet says so where the products need "
                           f"one); false keeps the weights within {LARGEST_HAND_FACTOR}, at widths up to 23 (the "
                           "bank's calculator: pins it)", default=True),
    }
    minutes = {"bottleneck_params": 1.5, "plain_params": 1, "bottleneck_madds": 1, "plain_madds": 1, "why": 1.5}

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        for _ in range(100):  # redraw a variant in which a named mistake gives a key
            p = dict(params)
            if "width" not in p:
                widths = WIDTHS if p["calculator"] else HAND_WIDTHS
                p["width"] = int(rng.choice([w for w in widths if p.get("inner", 0) < w] or [2 * p["inner"]]))
            if "inner" not in p:
                p["inner"] = p["width"] // int(rng.choice([r for r in REDUCTIONS if p["width"] % r == 0] or [2]))
            p.setdefault("size", int(rng.choice(SIDES)))
            if not any(gives_key(Integer, key(p), p, mistakes) for key, mistakes in PARTS.values()) and \
                    (p["calculator"] or not big_products(p)):
                break
        if "statements" not in p:
            p["statements"] = draw_statements(rng)
        return p

    def validate(self, p: dict[str, Any]) -> None:
        if not 0 < p["inner"] < p["width"]:
            raise ParamError(f"inner = {p['inner']} must be less than width = {p['width']}: a bottleneck narrows "
                             "the block inside")
        if not p["calculator"] and big_products(p):
            raise ParamError(f"without a calculator (calculator: false) the weights may be at most "
                             f"{LARGEST_HAND_FACTOR}; two 3x3 convolutions at {p['width']} channels have "
                             f"{weights(p, 'plain'):,}: use a width of at most 23")
        truths = [BY_ID[i].holds(p) for i in p["statements"]]
        if truths.count(True) != 1:
            raise ParamError(f"statements must hold exactly one true statement (the answer), got "
                             f"{truths.count(True)}; true ones: {', '.join(TRUE)}")

    def build(self, p: dict[str, Any]) -> Question:
        w, d, n = p["width"], p["inner"], p["size"]
        statement = (
            sized("ResNet-50 (He et al. 2016) builds its blocks as a bottleneck: a {one} convolution from {w} to {d} "
                  "channels, a {three} convolution at {d} channels and a {one} convolution back to {w}, with an "
                  "identity shortcut around them. Compare it with two {three} convolutions at {w} channels, on the "
                  "same {nn} feature map.", w=w, d=d, nn=Op("×", n, n)),
            sized("No convolution has biases (batch normalization follows each; do not count it). Every layer keeps "
                  "the map's size (stride 1; the {three} convolutions pad by 1). A multiply-add is one weight used "
                  "at one output position (every position reads a full window)."),
            *((prose(CALCULATOR_ALLOWED),) if big_products(p) else ()),
            draw.block_columns([("bottleneck", [f"1×1 conv, {w} to {d}", f"3×3 conv, {d} to {d}",
                                                f"1×1 conv, {d} to {w}"]),
                                ("two 3×3 convolutions", [f"3×3 conv, {w} to {w}", f"3×3 conv, {w} to {w}"])],
                               "The bottleneck block (left) and two 3×3 convolutions of the same width (right)."),
        )
        terms = Op("+", Op("+", Op("×", w, d), Op("×", Op("×", Op("×", 3, 3), d), d)), Op("×", d, w))
        plain = Op("×", Op("×", Op("×", 2, Op("×", 3, 3)), w), w)
        nn = Op("×", n, n)
        parts = (
            self._part(p, "bottleneck_params", "How many parameters do the three convolutions of the bottleneck "
                       "block have?", "One weight per channel pair and tap: {total}.",
                       total=Eq(terms, weights(p, "bottleneck"))),
            self._part(p, "plain_params", "How many parameters do the two {three} convolutions have?",
                       "Each has {taps} taps for each of {pairs} channel pairs: {total}.", pairs=Op("×", w, w),
                       taps=Op("×", 3, 3), total=Eq(plain, weights(p, "plain"))),
            self._part(p, "bottleneck_madds", "How many multiply-adds does the bottleneck block take on the map?",
                       "Every weight once at each of the {nn} positions: {total}.", nn=nn,
                       total=Eq(Op("×", weights(p, "bottleneck"), nn), madds(p, "bottleneck"))),
            self._part(p, "plain_madds", "How many multiply-adds do the two {three} convolutions take on the map?",
                       "Every weight once at each of the {nn} positions: {total}.", nn=nn,
                       total=Eq(Op("×", weights(p, "plain"), nn), madds(p, "plain"))),
            self._why_part(p),
        )
        factor = Fraction(weights(p, "plain"), weights(p, "bottleneck"))
        closing = sized(f"So the bottleneck has about {float(factor):.1f} times fewer weights and multiply-adds than "
                        "two {three} convolutions at the same width, while it is one layer deeper. ResNet-50 replaces "
                        "each two-layer block of ResNet-34 (two {three} convolutions at {d} channels) by such a block "
                        "at {wide} channels for a similar cost: 3.8 against 3.6 billion multiply-adds for the whole "
                        "network (He et al. 2016).", d=Sym("d"), wide=Product(4, Sym("d")))
        return self.question(p, title="The bottleneck block", statement=statement, parts=parts, solution=(closing,))

    @staticmethod
    def _part(p: dict[str, Any], part_id: str, prompt: str, worked: str, **math: Any) -> Part:
        key, mistakes = PARTS[part_id]
        return Part(part_id, sized(prompt), expect(Integer, key(p), p, mistakes), solution=(sized(worked, **math),))

    @staticmethod
    def _why_part(p: dict[str, Any]) -> Part:
        shown = [BY_ID[i] for i in p["statements"]]
        key = next(s.id for s in shown if s.holds(p))
        mistakes = [Mistake(s.id, joined("That statement is false: ", s.why(p)), lambda _, s=s: s.id)
                    for s in shown if s.id != key]
        solution = tuple(joined(f"{option_label(i)}. {'True' if s.holds(p) else 'False'}: ", s.why(p))
                         for i, s in enumerate(shown))
        options = tuple((s.id, s.text(p)) for s in shown)
        return Part("why", prose("Why is the block built this way? Which statement is true?"),
                    expect(Choice, key, p, mistakes, options=options), points=2, solution=solution,
                    options=tuple(text for _, text in options))

    def verify(self, question: Question) -> None:
        p = question.params
        bottleneck = [counted(k, c_in, c_out, p["size"]) for k, c_in, c_out in layers_of(p)["bottleneck"]]
        plain = [counted(k, c_in, c_out, p["size"]) for k, c_in, c_out in layers_of(p)["plain"]]
        expected = {"bottleneck_params": sum(c.params for c in bottleneck),
                    "plain_params": sum(c.params for c in plain),
                    "bottleneck_madds": sum(c.madds for c in bottleneck), "plain_madds": sum(c.madds for c in plain)}
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value
            assert got == want, f"bottleneck {part_id}: key {got}, counted on the layers {want}"
        spec = question.part("why").answer
        seen = [i for i, _ in spec.options if BY_ID[i].observed(p)]  # type: ignore[attr-defined]
        assert seen == [spec.value], f"bottleneck why: key {spec.value}, true on the layer stacks {seen}"  # type: ignore
