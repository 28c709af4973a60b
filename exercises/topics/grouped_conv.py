"""Grouped convolution: the channels split into g groups, each filter sees only the C_in / g input channels of
its group (AlexNet's two GPUs, Krizhevsky et al. 2012: "256 kernels of size 5 x 5 x 48"; ResNeXt's cardinality
32, Xie et al. 2017). A filter has k·k·C_in/g weights, the layer g times fewer than without groups, and with
g = C_in each filter sees a single channel: a depthwise convolution, which no longer mixes channels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.figures import Figure, draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Eq, Op, Part, Prose, Question, Sym, prose
from exercises.params import Bool, Int, ParamError
from exercises.registry import Template, template
from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR, needs_calculator
from exercises.topics.layer_costs import conv_params, conv_weights, counted
from grader.answers import Integer

GROUPS = (2, 2, 3, 4, 4, 8, 32)
PER_GROUP = (2, 3, 4, 4, 6, 8, 16)  # input channels per group
SIDES = (7, 13, 14, 27, 28, 56)
HAND_SIDES = (3, 4, 5, 6, 7)  # without a calculator: few output units
MAX_DRAWN_CHANNELS = 128  # input channels the sampler draws at most (ResNeXt: 32 groups of 4)
FIGURE_MAX_CHANNELS = 24  # more channels than this on a row are not drawn


def output_units(p: dict[str, Any]) -> int:
    return p["size"] * p["size"] * p["out_channels"]


def big_products(p: dict[str, Any]) -> bool:
    """Whether the connections multiply more than four digits of output units (or of weights per unit)."""
    return needs_calculator(output_units(p), filter_weights(p) + 1)


def filter_weights(p: dict[str, Any]) -> int:
    return conv_weights(p["kernel"], p["in_channels"], 1, p["groups"])


def params(p: dict[str, Any]) -> int:
    return conv_params(p["kernel"], p["in_channels"], p["out_channels"], p["groups"], p["bias"])


def connections(p: dict[str, Any]) -> int:
    """Every output unit: one connection per input value it reads, and one for its bias."""
    return output_units(p) * (filter_weights(p) + (1 if p["bias"] else 0))


def depthwise_params(p: dict[str, Any]) -> int:
    """g = C_in (and C_out = C_in): one k x k filter per channel."""
    return conv_params(p["kernel"], p["in_channels"], p["in_channels"], p["in_channels"], p["bias"])


# -- misconceptions ---------------------------------------------------------------------------------------------


def _changed(compute, **changes):
    return lambda p: compute({**p, **changes})


def _unless_equal(compute, *names: str):
    """A mistake that does not apply where the parameters it confuses are equal."""
    return lambda p: None if len({p[name] for name in names}) == 1 else compute(p)


def _bias(p: dict[str, Any], count: int) -> int:
    return count if p["bias"] else 0


def _one_group_only(p: dict[str, Any]) -> int:
    per_out = p["out_channels"] // p["groups"]
    return conv_weights(p["kernel"], p["in_channels"], per_out, p["groups"]) + _bias(p, per_out)


def _groups_as_channels(p: dict[str, Any]) -> int | None:
    per_group = p["in_channels"] // p["groups"]
    return None if per_group == p["groups"] else p["kernel"] ** 2 * p["groups"]


def _connections_without_bias(p: dict[str, Any]) -> int | None:
    return connections({**p, "bias": False}) if p["bias"] else None


BIAS = "Count the biases too: one per output channel."
FILTER_MISTAKES = (
    Mistake("groups-ignored", "A filter of a grouped convolution sees only the C_in / g input channels of its own "
            "group, not all C_in.", _changed(filter_weights, groups=1)),
    Mistake("output-channels-per-group", "A filter reads input channels: C_in / g of them, each through a k × k "
            "kernel; the output channels per group say how many filters there are.",
            _unless_equal(lambda p: p["kernel"] ** 2 * p["out_channels"] // p["groups"], "in_channels",
                          "out_channels")),
    Mistake("groups-as-channels", "A filter sees C_in / g channels, not g.", _groups_as_channels),
    Mistake("kernel-not-squared", "A k × k kernel has k·k taps per channel, not k.",
            lambda p: p["kernel"] * p["in_channels"] // p["groups"]),
)
PARAM_MISTAKES = (
    Mistake("groups-ignored", "That is the convolution without groups: each filter sees only C_in / g channels, "
            "so the layer has g times fewer weights.", _changed(params, groups=1)),
    Mistake("one-group-only", "That is one group: there are g groups, each with C_out / g filters.",
            _one_group_only),
    Mistake("bias-forgotten", BIAS, lambda p: params({**p, "bias": False}) if p["bias"] else None),
)
CONNECTION_MISTAKES = (
    Mistake("parameters-not-connections", "You counted the parameters: a shared weight makes one connection at "
            "every output position.", params),
    Mistake("bias-connection-forgotten", "Each output unit's bias counts as one more connection (LeCun et al.'s "
            "count).", _connections_without_bias),
    Mistake("groups-ignored", "Each output unit reads only the C_in / g channels of its group.",
            _changed(connections, groups=1)),
    Mistake("side-not-squared", "The output map has H·W positions: square the side.",
            lambda p: connections(p) // p["size"]),
)
DEPTHWISE_MISTAKES = (
    Mistake("groups-ignored", "With g = C_in each filter sees one channel: k·k weights, not k·k·C_in.",
            lambda p: conv_params(p["kernel"], p["in_channels"], p["in_channels"], bias=p["bias"])),
    Mistake("old-groups-kept", "You kept the question's g groups: with g = C_in every group holds a single channel.",
            lambda p: conv_params(p["kernel"], p["in_channels"], p["in_channels"], p["groups"], p["bias"])),
    Mistake("output-channels-kept", "A depthwise convolution has one filter per input channel, so C_in output "
            "channels here, not the question's C_out.",
            _unless_equal(lambda p: conv_params(p["kernel"], p["in_channels"], p["out_channels"], p["in_channels"],
                                                p["bias"]), "in_channels", "out_channels")),
    Mistake("bias-forgotten", BIAS, lambda p: depthwise_params({**p, "bias": False}) if p["bias"] else None),
)
PARTS = {  # part id: (key, mistakes)
    "filter_weights": (filter_weights, FILTER_MISTAKES),
    "params": (params, PARAM_MISTAKES),
    "connections": (connections, CONNECTION_MISTAKES),
    "depthwise_params": (depthwise_params, DEPTHWISE_MISTAKES),
}


def channel_groups(p: dict[str, Any]) -> Figure | None:
    """Input channels (bottom) joined to the output channels whose filters read them; group 1 shaded."""
    c_in, c_out, g = p["in_channels"], p["out_channels"], p["groups"]
    if max(c_in, c_out) > FIGURE_MAX_CHANNELS:
        return None
    widest = max(c_in, c_out) - 1

    def centres(count: int) -> list[float]:
        return [i * widest / (count - 1) if count > 1 else widest / 2 for i in range(count)]

    reads = [[c for c in range(c_in) if c * g // c_in == o * g // c_out] for o in range(c_out)]
    caption = (f"Each output channel reads the {c_in // g} input channels of its group; the first of the {g} "
               "groups is shaded.")
    return draw.layered_units([c_in, c_out], [reads], [centres(c_in), centres(c_out)],
                              shaded=[set(range(c_in // g)), set(range(c_out // g))],
                              names=["input channels", "output channels"], caption=caption)


@template
class GroupedConv(Template):
    id = "grouped-conv"
    version = 1
    topic = "architectures"
    summary = "weights per filter, parameters and connections of a convolution with g groups; g = C_in (depthwise)"
    params = {
        "in_channels": Int(doc="input channels C_in, a multiple of groups", low=2, high=4096),
        "out_channels": Int(doc="output channels C_out, a multiple of groups", low=1, high=4096),
        "groups": Int(doc="groups g, from 2 to C_in / 2 (g = C_in is the last part's depthwise case)", low=2,
                      high=2048),
        "kernel": Int(doc="kernel size k (k × k)", low=1, high=11),
        "size": Int(doc="side of the output map (H = W)", low=1, high=512),
        "bias": Bool(doc="one bias per output channel"),
        "calculator": Bool(doc="whether students may use a calculator (the sheet says so where the products need "
                           f"one); false keeps the output units within {LARGEST_HAND_FACTOR} (the bank's "
                           "calculator: pins it)", default=True),
    }
    minutes = {"filter_weights": 1, "params": 1, "connections": 1.5, "depthwise_params": 1}

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        for _ in range(100):  # redraw a variant in which a named mistake gives a key
            p = dict(params)
            if "groups" not in p:
                p["groups"] = int(rng.choice(self._group_choices(p)))
            p.setdefault("in_channels", p["groups"] * int(rng.choice([a for a in PER_GROUP
                                                                      if a * p["groups"] <= MAX_DRAWN_CHANNELS])))
            per_group = p["in_channels"] // p["groups"]
            p.setdefault("out_channels", p["groups"] * per_group * int(rng.choice([1, 2])))
            p.setdefault("kernel", int(rng.choice([3, 3, 5])))
            p.setdefault("size", int(rng.choice(SIDES if p["calculator"] else HAND_SIDES)))
            p.setdefault("bias", bool(rng.random() < 0.5))
            if not any(gives_key(Integer, key(p), p, mistakes) for key, mistakes in PARTS.values()) and \
                    (p["calculator"] or not big_products(p)):
                break
        return p

    @staticmethod
    def _group_choices(p: dict[str, Any]) -> list[int]:
        """The drawn numbers of groups that pinned channels allow (at least 2 input channels per group)."""
        fits = [g for g in GROUPS if all(p.get(name, 2 * g) % g == 0 for name in ("in_channels", "out_channels"))
                and p.get("in_channels", 2 * g) >= 2 * g]
        return fits or [2]

    def validate(self, p: dict[str, Any]) -> None:
        g = p["groups"]
        for name in ("in_channels", "out_channels"):
            if p[name] % g:
                raise ParamError(f"{name} = {p[name]} is not a multiple of groups = {g}: each group needs as many "
                                 "channels as the others")
        if not p["calculator"] and big_products(p):
            raise ParamError(f"without a calculator (calculator: false) the output may have at most "
                             f"{LARGEST_HAND_FACTOR} units, got {output_units(p):,}: use a smaller map or fewer "
                             "output channels")
        if 2 * g > p["in_channels"]:
            raise ParamError(f"groups = {g} leaves fewer than 2 input channels per group of the {p['in_channels']}: "
                             "the last part asks about g = C_in itself; use at most C_in / 2 groups")

    def build(self, p: dict[str, Any]) -> Question:
        c_in, c_out, g, k, d = p["in_channels"], p["out_channels"], p["groups"], p["kernel"], p["size"]
        kk, per_in = Op("×", k, k), c_in // g
        statement = (
            prose("A convolution layer with {kk} kernels maps {c_in} input channels to {c_out} output channels in "
                  "{g} groups: the channels are split into {g0} groups, and each filter reads only the input channels "
                  "of its own group (AlexNet split its layers this way over two GPUs; ResNeXt uses 32 groups). Its "
                  "output maps are {hw}.", kk=kk, c_in=Eq(Sym("C_in"), c_in), c_out=Eq(Sym("C_out"), c_out),
                  g=Eq(Sym("g"), g), g0=Sym("g"), hw=Op("×", d, d)),
            *((prose(CALCULATOR_ALLOWED),) if big_products(p) else ()),
            prose("The layer has one bias per output channel. Count connections as LeCun et al. (1998) do: an output "
                  "unit has one connection per input value it reads and one for its bias." if p["bias"] else
                  "The layer has no biases. A connection joins an input value to an output unit that reads it."),
        )
        figure = channel_groups(p)
        weights = Op("×", kk, per_in)
        bias_text = ", plus a bias each" if p["bias"] else ""
        parts = (
            self._part(p, "filter_weights", "How many weights does one filter have?",
                       "Each group holds {per_in} input channels, and a filter reads only those of its own group: "
                       "{total}.", per_in=Eq(Op("/", c_in, g), per_in), total=Eq(weights, filter_weights(p)),
                       figure=figure),
            self._part(p, "params", "How many parameters does the layer have?",
                       "There are {c_out} filters of {w} weights" + bias_text + ": {total}. Without groups it would "
                       "have {g} times as many weights.", c_out=c_out, w=filter_weights(p), g=g,
                       total=Eq(Op("+", Op("×", c_out, filter_weights(p)), c_out) if p["bias"]
                                else Op("×", c_out, filter_weights(p)), params(p))),
            self._part(p, "connections", "How many connections does the layer have?",
                       "Each of the {units} output units reads {w} input values" + (" and its bias" if p["bias"]
                                                                                    else "") + ": {total}.",
                       units=Eq(Op("×", Op("×", d, d), c_out), d * d * c_out), w=filter_weights(p),
                       total=Eq(Op("×", d * d * c_out, filter_weights(p) + (1 if p["bias"] else 0)), connections(p))),
            self._part(p, "depthwise_params", prose("Now take {g}, with as many output channels as input channels: "
                                                    "a depthwise convolution. How many parameters does it have?",
                                                    g=Eq(Sym("g"), Sym("C_in"))),
                       "Every group holds a single channel, so each of the {c_in} filters has {kk} weights"
                       + bias_text + ": {total}. The filters no longer mix channels: a depthwise convolution is "
                       "followed by a {one} (pointwise) convolution that does (MobileNet's depthwise separable "
                       "convolution).", c_in=c_in, kk=kk, one=Op("×", 1, 1),
                       total=Eq(Op("+", Op("×", c_in, kk), c_in) if p["bias"] else Op("×", c_in, kk),
                                depthwise_params(p))),
        )
        return self.question(p, title="Grouped convolution", statement=statement, parts=parts)

    @staticmethod
    def _part(p: dict[str, Any], part_id: str, prompt: str | Prose, worked: str, figure: Figure | None = None,
              **math: Any) -> Part:
        key, mistakes = PARTS[part_id]
        solution = (prose(worked, **math),) + ((figure,) if figure else ())
        asked = prompt if isinstance(prompt, Prose) else prose(prompt)
        return Part(part_id, asked, expect(Integer, key(p), p, mistakes), solution=solution)

    def verify(self, question: Question) -> None:
        p = question.params
        c_in, k, d, bias = p["in_channels"], p["kernel"], p["size"], p["bias"]
        layer = counted(k, c_in, p["out_channels"], d, p["groups"], bias)
        expected = {"filter_weights": layer.filter_weights, "params": layer.params, "connections": layer.connections,
                    "depthwise_params": counted(k, c_in, c_in, d, c_in, bias).params}
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value
            assert got == want, f"grouped-conv {part_id}: key {got}, counted on the layer {want}"
