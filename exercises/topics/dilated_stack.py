"""A stack of dilated convolutions (stride 1) with dilations 1, 2, 4, 8 … (WaveNet, van den Oord et al. 2016;
Yu and Koltun 2016; DeepLab's atrous convolutions): each layer widens the receptive field by (k − 1)·d, so
doubling dilations grow it exponentially with depth (WaveNet: kernel 2, dilations 1 to 512, a field of 1024),
where the same stack undilated grows it by k − 1 per layer. When the dilations skip a factor (2, 4, 8 with
kernel 2, or 2, 2, 2) the top unit sees only some of the positions inside its field: the gridding that
DeepLab's multi-grid and Wang et al.'s hybrid dilations avoid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Eq, Op, Part, Plus, Product, Question, Sum, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.registry import Template, template
from exercises.topics.layer_kinds import Conv
from exercises.topics.receptive_field import FIGURE_MAX_FIELD, FIGURE_MAX_LAYERS, dependency_positions
from exercises.wording import plural
from grader.answers import Integer, Vector

FAMILIES = ("doubling", "doubling", "doubling", "doubling from 2", "tripling", "constant", "hybrid", "repeated")


def draw_stack(rng: np.random.Generator, kernel: int | None) -> tuple[int, list[int]]:
    """(kernel, dilations) of a pleasant stack: mostly doubling from 1 (WaveNet, Yu and Koltun), sometimes with
    gaps (doubling from 2, a constant dilation, tripling with a small kernel), hybrid (Wang et al. 2018) or a
    repeated doubling block (WaveNet)."""
    family = FAMILIES[int(rng.integers(len(FAMILIES)))]
    k = kernel or int(rng.choice([2, 3]))
    if family == "doubling":
        dilations = [2 ** i for i in range(int(rng.integers(3, 7)))]
    elif family == "doubling from 2":
        dilations = [2 ** i for i in range(1, int(rng.integers(3, 6)))]
    elif family == "tripling":
        dilations = [3 ** i for i in range(int(rng.integers(3, 5)))]
    elif family == "constant":
        dilations = [int(rng.choice([2, 3]))] * int(rng.integers(2, 5))
    elif family == "hybrid":
        dilations = [[1, 2, 3], [1, 2, 5], [1, 2, 5, 9], [1, 1, 2, 4, 8]][int(rng.integers(4))]
    else:
        dilations = [2 ** i for i in range(int(rng.integers(2, 4)))] * 2
    return k, dilations


MAX_FIELD = 2048  # a pinned stack's receptive field at most (a WaveNet block's: 1024)


def fields(p: dict[str, Any], dilations: list[int] | None = None) -> list[int]:
    """The receptive field after each layer: r_l = r_(l-1) + (k - 1)·d_l from r_0 = 1."""
    out, field = [], 1
    for d in p["dilations"] if dilations is None else dilations:
        field += (p["kernel"] - 1) * d
        out.append(field)
    return out


def plain_field(p: dict[str, Any]) -> int:
    return fields(p, [1] * len(p["dilations"]))[-1]


def layers_needed(p: dict[str, Any]) -> int:
    """Undilated layers of the same kernel for the same field: (r - 1) / (k - 1) = the sum of the dilations."""
    return (fields(p)[-1] - 1) // (p["kernel"] - 1)


def seen(p: dict[str, Any]) -> int:
    """The input positions the top unit depends on: the sums of one tap offset j_l·d_l per layer, j_l < k."""
    offsets = {0}
    for d in p["dilations"]:
        offsets = {o + j * d for o in offsets for j in range(p["kernel"])}
    return len(offsets)


# -- the independent methods: back-projection through the layers, and indicator inputs run through them ---------


def stack(p: dict[str, Any], dilations: list[int] | None = None) -> tuple[Conv, ...]:
    """The convolutions as layers of `layer_kinds` (built directly: YAML stacks stop at dilation 16)."""
    dilations = p["dilations"] if dilations is None else dilations
    return tuple(Conv(name=f"L{i + 1}", kernel=(p["kernel"], p["kernel"]), dilation=d) for i, d in enumerate(dilations))


def back_projected(layers: tuple) -> list[int]:
    """The extent of the input positions each layer's unit 0 depends on (receptive_field's back-projection)."""
    extents = []
    for top in range(1, len(layers) + 1):
        found = dependency_positions(layers[:top], 0)
        extents.append(max(found) - min(found) + 1)
    return extents


def indicator_dependence(p: dict[str, Any]) -> int:
    """How many input positions change the top unit: every unit input e_r (a row of the identity) is run through the
    valid convolutions with all-ones kernels (as booleans: whether any path carries it); the top unit is non-zero
    exactly for the positions it depends on."""
    signals = np.eye(fields(p)[-1], dtype=bool)
    for d in p["dilations"]:
        out = signals.shape[1] - d * (p["kernel"] - 1)
        signals = np.logical_or.reduce([signals[:, j * d: j * d + out] for j in range(p["kernel"])])
    return int(np.count_nonzero(signals[:, 0]))


def undilated_layers_for(p: dict[str, Any], field: int) -> int:
    """How many undilated layers of the kernel it takes for a unit to depend on `field` input positions, by
    back-projecting one layer at a time."""
    (layer,) = stack(p, [1])
    positions, count = {0}, 0
    while max(positions) - min(positions) + 1 < field:
        positions, count = layer.back(positions), count + 1
    return count


# -- misconceptions -------------------------------------------------------------------------------------------------


def _spans_added(p: dict[str, Any]) -> list[int]:
    return list(np.cumsum([d * (p["kernel"] - 1) + 1 for d in p["dilations"]]).tolist())


def _spans_multiplied(p: dict[str, Any]) -> list[int]:
    return list(np.cumprod([d * (p["kernel"] - 1) + 1 for d in p["dilations"]]).tolist())


def _span_k_times_d(p: dict[str, Any]) -> list[int]:
    return list((1 + np.cumsum([p["kernel"] * d - 1 for d in p["dilations"]])).tolist())


def _unless_key(key, compute):
    """A mistake that does not apply where it gives the key (an undilated reading of a stack without gaps …)."""
    return lambda p: None if compute(p) == key(p) else compute(p)


FIELD_MISTAKES = (
    Mistake("dilation-ignored", "You ignored the dilations: a layer with dilation d widens the field by (k − 1)·d, "
            "not k − 1.", lambda p: fields(p, [1] * len(p["dilations"]))),
    Mistake("spans-added", "You added the kernels' spans: neighbouring windows overlap, so each layer adds only "
            "(k − 1)·d, one less than its span d(k − 1) + 1.", _spans_added),
    Mistake("spans-multiplied", "Receptive fields grow by adding (k − 1)·d per layer, not by multiplying the spans.",
            _spans_multiplied),
    Mistake("span-k-times-d", "A dilated kernel spans d(k − 1) + 1 positions, not k·d.", _span_k_times_d),
    Mistake("off-by-one", "Start from one input position, r = 1, and add (k − 1)·d per layer.",
            lambda p: [r - 1 for r in fields(p)]),
)
PLAIN_MISTAKES = (
    Mistake("dilation-kept", "That is the dilated stack's field: without dilation every layer adds k − 1.",
            lambda p: fields(p)[-1]),
    Mistake("summed-kernels", "Each layer widens the field by k − 1, not k: neighbouring windows overlap.",
            lambda p: p["kernel"] * len(p["dilations"])),
    Mistake("off-by-one", "Start from r = 1: L layers give 1 + L(k − 1).", lambda p: plain_field(p) - 1),
)
NEEDED_MISTAKES = (
    Mistake("same-depth", "With the same number of layers the undilated stack sees far less: each undilated layer "
            "adds only k − 1.", lambda p: len(p["dilations"])),
    Mistake("field-as-layers", "That is the field itself: each undilated layer adds k − 1 to it, starting from 1.",
            lambda p: fields(p)[-1]),
    Mistake("kernel-step-forgotten", "Each undilated layer adds k − 1 positions, not one: divide by k − 1.",
            _unless_key(layers_needed, lambda p: fields(p)[-1] - 1)),
    Mistake("off-by-one", "r = 1 + m(k − 1) for m layers: solve for m exactly.", lambda p: layers_needed(p) + 1),
)
SEEN_MISTAKES = (
    Mistake("gaps-ignored", "Not every position inside the field reaches the unit: with these dilations some "
            "offsets cannot be written as a sum of one tap offset per layer (gridding).",
            _unless_key(seen, lambda p: fields(p)[-1])),
    Mistake("every-path-distinct", "Different paths through the layers can reach the same input position: count "
            "positions, not paths.", _unless_key(seen, lambda p: p["kernel"] ** len(p["dilations"]))),
    Mistake("last-layer-only", "That is the last layer's taps: every layer below spreads each of them further.",
            lambda p: p["kernel"]),
)
PARTS = {  # part id: (kind, key, mistakes)
    "fields": (Vector, fields, FIELD_MISTAKES),
    "plain_field": (Integer, plain_field, PLAIN_MISTAKES),
    "layers_needed": (Integer, layers_needed, NEEDED_MISTAKES),
    "seen": (Integer, seen, SEEN_MISTAKES),
}


@template
class DilatedStack(Template):
    id = "dilated-stack"
    version = 1
    topic = "architectures"
    minutes = {"fields": 2, "plain_field": 0.5, "layers_needed": 1, "seen": 2}
    summary = "receptive field of a stack of dilated convolutions (1, 2, 4, 8 ...) against the same stack undilated"
    params = {
        "kernel": Int(doc="kernel size k of every layer", low=2, high=7),
        "dilations": IntList(doc="the dilation of each layer, in order (stride 1 everywhere); not all 1",
                             min_len=2, max_len=12, low=1, high=1024),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        for _ in range(100):  # redraw a variant in which a named mistake gives a key
            p = dict(params)
            kernel, dilations = draw_stack(rng, p.get("kernel"))
            p.setdefault("dilations", dilations)
            p.setdefault("kernel", kernel)
            if self._problem(p) is None and not any(gives_key(kind, key(p), p, mistakes)
                                                    for kind, key, mistakes in PARTS.values()):
                break
        return p

    @staticmethod
    def _problem(p: dict[str, Any]) -> str | None:
        if max(p["dilations"]) == 1:
            return "dilations are all 1: give at least one layer a dilation above 1 (else both stacks are the same)"
        if fields(p)[-1] > MAX_FIELD:
            return f"the receptive field is {fields(p)[-1]}, more than {MAX_FIELD}: use fewer or smaller dilations"
        return None

    def validate(self, p: dict[str, Any]) -> None:
        found = self._problem(p)
        if found:
            raise ParamError(found)

    def build(self, p: dict[str, Any]) -> Question:
        k, dilations = p["kernel"], p["dilations"]
        count = len(dilations)
        statement = (
            prose(f"A stack of {count} convolutions, each with kernel size {{k}} and stride 1 (no pooling), uses the "
                  "dilations {d}, from the input up (as WaveNet and DeepLab grow their receptive fields). A kernel "
                  "with dilation {d0} reads {k0} inputs {d0} positions apart.", k=Eq(Sym("k"), k),
                  d=np.array(dilations), d0=Sym("d"), k0=Sym("k")),
        )
        found = fields(p)
        steps, before = {}, 1
        for number, (d, after) in enumerate(zip(dilations, found, strict=True), start=1):
            steps[f"r{number}"] = Eq(Sym(f"r_{number}"), Op("+", before, Op("×", k - 1, d)), after)
            before = after
        field_solution: tuple = (
            prose("Each layer widens the field by {growth}, from {r0}: "
                  + ", ".join("{" + name + "}" for name in steps) + ".", r0=Eq(Sym("r_0"), 1),
                  growth=Product(Plus(Sym("k"), -1), Sym("d")), **steps),
        )
        if found[-1] <= FIGURE_MAX_FIELD and count <= FIGURE_MAX_LAYERS:
            field_solution += (draw.receptive_field([k] * count, [1] * count, dilations,
                                                    [f"L{i + 1}" for i in range(count)]),)
        parts = (
            self._part(p, "fields", prose("Give the receptive field (in input positions) of one unit after each "
                                          "layer, in order."), field_solution, points=2),
            self._part(p, "plain_field", prose("The same stack without dilation (every {d}): how many input "
                                               "positions does its top unit see?", d=Eq(Sym("d"), 1)),
                       (prose(f"Each of the {count} layers adds {{step}}: {{r}}.", step=k - 1,
                              r=Eq(Op("+", 1, Op("×", count, k - 1)), plain_field(p))),)),
            self._part(p, "layers_needed", prose("How many undilated layers with the same kernel would a stack "
                                                 "need for the receptive field of the dilated one?"),
                       (prose("Each adds {step}, so {m}: the dilated stack needs {count} layers for that.",
                              step=k - 1, count=count,
                              m=Eq(Op("/", found[-1] - 1, k - 1), layers_needed(p))),)),
            self._part(p, "seen", prose("How many input positions does the top unit depend on (the positions that "
                                        "change it, inside its field)?"), (self._seen_solution(p),)),
        )
        return self.question(p, title="Dilated convolutions", statement=statement, parts=parts)

    @staticmethod
    def _seen_solution(p: dict[str, Any]) -> Any:
        field, found = fields(p)[-1], seen(p)
        text = ("The unit reads the input offsets {offset}, one tap {tap} from 0 to {last} per layer {l}; these sums "
                "take {n} distinct values")
        offsets = {"offset": Sum("l", Product(Sym("j_l"), Sym("d_l"))), "tap": Sym("j_l"), "last": Plus(Sym("k"), -1),
                   "n": found, "l": Sym("l")}
        if found == field:
            return prose(text + ", every position of the field: no gaps.", **offsets)
        return prose(text + f", so {plural(field - found, 'position')} inside the field of {{field}} never reach it: "
                     "the dilations skip offsets (gridding).", field=field, **offsets)

    @staticmethod
    def _part(p: dict[str, Any], part_id: str, prompt: Any, solution: tuple, points: int = 1) -> Part:
        kind, key, mistakes = PARTS[part_id]
        return Part(part_id, prompt, expect(kind, key(p), p, mistakes), points=points, solution=solution)

    def verify(self, question: Question) -> None:
        p = question.params
        dilated = back_projected(stack(p))
        plain = back_projected(stack(p, [1] * len(p["dilations"])))
        expected = {"fields": dilated, "plain_field": plain[-1], "layers_needed": undilated_layers_for(p, dilated[-1]),
                    "seen": indicator_dependence(p)}
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value
            got = list(got) if isinstance(want, list) else got
            assert got == want, f"dilated-stack {part_id}: key {got}, found on the layers {want}"
