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
from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Question, prose
from exercises.params import Bool, IdList, Int, ParamError
from exercises.registry import Template, template
from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR, needs_calculator
from exercises.topics.layer_costs import conv_weights, counted, mistaken
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
    text: Callable[[dict[str, Any]], str]
    holds: Callable[[dict[str, Any]], bool]
    observed: Callable[[dict[str, Any]], bool]
    why: Callable[[dict[str, Any]], str]


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


STATEMENTS = (
    Statement("cheap-middle",
              lambda p: f"The first 1x1 convolution reduces the channels from {p['width']} to {p['inner']}, so the "
                        f"3x3 convolution works on {p['inner']} channels and costs a share "
                        f"{Fraction(p['inner'], p['width']) ** 2} of a 3x3 convolution at {p['width']} channels.",
              lambda p: True,
              _observed(lambda s, p: Fraction(s["bottleneck"][0][1].param_count(), s["plain"][0][0].param_count())
                        == Fraction(p["inner"], p["width"]) ** 2),
              lambda p: "the 3x3 convolution's cost grows with the product of its input and output channels."),
    Statement("restores-width",
              lambda p: f"The last 1x1 convolution brings the channels back to {p['width']}, so that the block's "
                        "output can be added to its input through the identity shortcut, which has no parameters.",
              lambda p: True,
              _observed(lambda s, p: s["bottleneck"][1][-1] == (p["width"], p["size"], p["size"])),
              lambda p: "the sum of the two paths needs the input's shape, channels included."),
    Statement("deeper-for-less",
              lambda p: f"With fewer parameters than two 3x3 convolutions at {p['width']} channels, the block has "
                        "three layers, each followed by a non-linearity, instead of two.",
              lambda p: True,
              _observed(lambda s, p: len(s["bottleneck"][0]) > len(s["plain"][0])
                        and _params_of(s["bottleneck"][0]) < _params_of(s["plain"][0])),
              lambda p: f"{weights(p, 'bottleneck')} weights in three layers against {weights(p, 'plain')} in two."),
    Statement("shrinks-map",
              lambda p: "The 1x1 convolutions shrink the feature map's height and width, so the 3x3 convolution has "
                        "fewer positions to compute.",
              lambda p: False,
              _observed(lambda s, p: s["bottleneck"][1][0][1:] != (p["size"], p["size"])),
              lambda p: f"a 1x1 convolution with stride 1 keeps the {p['size']}x{p['size']} map; it changes only "
                        "the number of channels."),
    Statement("more-parameters",
              lambda p: f"The block has more parameters than two 3x3 convolutions at {p['width']} channels, which "
                        "lets it learn more.",
              lambda p: weights(p, "bottleneck") > weights(p, "plain"),
              _observed(lambda s, p: _params_of(s["bottleneck"][0]) > _params_of(s["plain"][0])),
              lambda p: f"it has {weights(p, 'bottleneck')} weights against {weights(p, 'plain')}: far fewer."),
    Statement("free-one-by-one",
              lambda p: "The 1x1 convolutions have no weights: they only pass the channels on.",
              lambda p: False,
              _observed(lambda s, p: s["bottleneck"][0][0].param_count() == 0),
              lambda p: f"each has {p['width']}·{p['inner']} = {p['width'] * p['inner']} weights, one for every "
                        "pair of input and output channels."),
    Statement("wider-field",
              lambda p: "Its three layers see a wider neighbourhood of the input than the two 3x3 convolutions, since "
                        "every layer widens the receptive field.",
              lambda p: False,
              _observed(lambda s, p: receptive_fields(s["bottleneck"][0])[-1][0]
                        > receptive_fields(s["plain"][0])[-1][0]),
              lambda p: "1x1 convolutions do not widen it: the block sees 3x3 input pixels, the two 3x3 "
                        "convolutions 5x5."),
    Statement("narrow-output",
              lambda p: f"The block's output has {p['inner']} channels, which makes the next block cheaper.",
              lambda p: False,
              _observed(lambda s, p: s["bottleneck"][1][-1][0] == p["inner"]),
              lambda p: f"the last 1x1 convolution restores {p['width']} channels; only the inside of the block is "
                        "narrow."),
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
    summary = "ResNet-50's 1x1-3x3-1x1 bottleneck against two 3x3 convolutions: parameters, multiply-adds, why"
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
            if not any(mistaken(Integer, key(p), p, mistakes) for key, mistakes in PARTS.values()) and \
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
            prose("ResNet-50 (He et al. 2016) builds its blocks as a bottleneck: a 1x1 convolution from {w} to {d} "
                  "channels, a 3x3 convolution at {d} channels and a 1x1 convolution back to {w}, with an identity "
                  "shortcut around them. Compare it with two 3x3 convolutions at {w} channels, on the same {nn} "
                  "feature map.", w=w, d=d, nn=Op("×", n, n)),
            prose("No convolution has biases (batch normalization follows each; do not count it). Every layer keeps "
                  "the map's size (stride 1; the 3x3 convolutions pad by 1). A multiply-add is one weight used at "
                  "one output position (every position reads a full window)."),
            *((prose(CALCULATOR_ALLOWED),) if big_products(p) else ()),
            draw.block_columns([("bottleneck", [f"1x1 conv, {w} to {d}", f"3x3 conv, {d} to {d}",
                                                f"1x1 conv, {d} to {w}"]),
                                ("two 3x3 convolutions", [f"3x3 conv, {w} to {w}", f"3x3 conv, {w} to {w}"])],
                               "The bottleneck block (left) and two 3x3 convolutions of the same width (right)."),
        )
        terms = Op("+", Op("+", Op("×", w, d), Op("×", Op("×", Op("×", 3, 3), d), d)), Op("×", d, w))
        plain = Op("×", Op("×", Op("×", 2, Op("×", 3, 3)), w), w)
        nn = Op("×", n, n)
        parts = (
            self._part(p, "bottleneck_params", "How many parameters do the three convolutions of the bottleneck "
                       "block have?", "One weight per channel pair and tap: {total}.",
                       total=Eq(terms, weights(p, "bottleneck"))),
            self._part(p, "plain_params", "How many parameters do the two 3x3 convolutions have?",
                       "Each has 3·3 taps for each of {pairs} channel pairs: {total}.", pairs=Op("×", w, w),
                       total=Eq(plain, weights(p, "plain"))),
            self._part(p, "bottleneck_madds", "How many multiply-adds does the bottleneck block take on the map?",
                       "Every weight once at each of the {nn} positions: {total}.", nn=nn,
                       total=Eq(Op("×", weights(p, "bottleneck"), nn), madds(p, "bottleneck"))),
            self._part(p, "plain_madds", "How many multiply-adds do the two 3x3 convolutions take on the map?",
                       "Every weight once at each of the {nn} positions: {total}.", nn=nn,
                       total=Eq(Op("×", weights(p, "plain"), nn), madds(p, "plain"))),
            self._why_part(p),
        )
        factor = Fraction(weights(p, "plain"), weights(p, "bottleneck"))
        closing = prose(f"So the bottleneck costs about {float(factor):.1f} times less than two 3x3 convolutions at "
                        "the same width, while it is one layer deeper. ResNet-50 replaces each two-layer block of "
                        "ResNet-34 (two 3x3 convolutions at d channels) by such a block at 4d channels for a similar "
                        "cost: 3.8 against 3.6 billion multiply-adds for the whole network (He et al. 2016).")
        return self.question(p, title="The bottleneck block", statement=statement, parts=parts, solution=(closing,))

    @staticmethod
    def _part(p: dict[str, Any], part_id: str, prompt: str, worked: str, **math: Any) -> Part:
        key, mistakes = PARTS[part_id]
        return Part(part_id, prose(prompt), expect(Integer, key(p), p, mistakes), solution=(prose(worked, **math),))

    @staticmethod
    def _why_part(p: dict[str, Any]) -> Part:
        shown = [BY_ID[i] for i in p["statements"]]
        key = next(s.id for s in shown if s.holds(p))
        mistakes = [Mistake(s.id, f"That statement is false: {s.why(p)}", lambda _, s=s: s.id)
                    for s in shown if s.id != key]
        solution = tuple(prose(f"{option_label(i)}. {'True' if s.holds(p) else 'False'}: {s.why(p)}")
                         for i, s in enumerate(shown))
        return Part("why", prose("Why is the block built this way? Which statement is true?"),
                    expect(Choice, key, p, mistakes, options=tuple((s.id, s.text(p)) for s in shown)),
                    points=2, solution=solution)

    def verify(self, question: Question) -> None:
        p = question.params
        bottleneck = [counted(k, c_in, c_out, p["size"]) for k, c_in, c_out in layers_of(p)["bottleneck"]]
        plain = [counted(k, c_in, c_out, p["size"]) for k, c_in, c_out in layers_of(p)["plain"]]
        expected = {"bottleneck_params": sum(c.params for c in bottleneck),
                    "plain_params": sum(c.params for c in plain),
                    "bottleneck_madds": sum(c.madds for c in bottleneck), "plain_madds": sum(c.madds for c in plain)}
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value  # type: ignore[attr-defined]
            assert got == want, f"bottleneck {part_id}: key {got}, counted on the layers {want}"
        spec = question.part("why").answer
        seen = [i for i, _ in spec.options if BY_ID[i].observed(p)]  # type: ignore[attr-defined]
        assert seen == [spec.value], f"bottleneck why: key {spec.value}, true on the layer stacks {seen}"  # type: ignore
