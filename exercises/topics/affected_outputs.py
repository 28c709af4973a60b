"""Sparse connectivity seen from below and from above (book figs. 9.2 to 9.4): which units of each layer
one input affects, and which inputs one unit of a deeper layer depends on.

A stack of 1-D convolutions over inputs x_0 … x_(n−1); units and positions are numbered from 0, as on the
sheets ("Indices start at 0"; the book's figures number from 1). Unit o of a layer with kernel width k, stride
s and p zeros of padding on each side reads positions os − p to os − p + k − 1 of the row below; positions
outside that row are padding zeros, not units.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.by_content import by_content
from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Neg, Part, Plus, Product, Prose, Question, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.redraw import prefer
from exercises.registry import Template, template
from exercises.topics.layers import output_size
from exercises.topics.sparsity import correlation_matrix
from exercises.wording import plural
from grader.answers import Vector

NAMES = ("x", "h", "g", "f")  # the input, then the layers, as in the book's figure 9.4
Span = tuple[int, int]  # first and last position (0-based) of a run of units; empty when first > last


def layers(p: dict[str, Any], stride: bool = True, padding: bool = True) -> list[tuple[int, int, int]]:
    """(kernel, stride, padding) per layer; stride=False or padding=False makes the mistake of ignoring it."""
    return [(k, s if stride else 1, pad if padding else 0)
            for k, s, pad in zip(p["kernels"], p["strides"], p["paddings"], strict=True)]


def sizes(p: dict[str, Any], **switches: bool) -> list[int]:
    """Units per row: the input, then each layer (0 where nothing fits)."""
    out = [p["n"]]
    for k, s, pad in layers(p, **switches):
        out.append(output_size(out[-1], k, s, pad))
    return out


# -- the closed form: a run of positions maps to a run of positions -------------------------------------------


def cone_up(p: dict[str, Any], position: int, clip: bool = True, **switches: bool) -> list[Span]:
    """Per row, from the input up, the units that input `position` (0-based) affects: unit o reads
    o·s − p … o·s − p + k − 1, so it is affected when that window meets the affected run below."""
    rows, first, last = sizes(p, **switches), position, position
    spans = [(first, last)]
    for number, (k, s, pad) in enumerate(layers(p, **switches), start=1):
        if first <= last:  # once nothing is affected, nothing above is either
            first, last = -(-(first + pad - k + 1) // s), (last + pad) // s
            if clip:
                first, last = max(first, 0), min(last, rows[number] - 1)
        spans.append((first, last))
    return spans


def cone_down(p: dict[str, Any], unit: int, clip: bool = True, **switches: bool) -> list[Span]:
    """Per row, from the input up to the top, what top unit `unit` (0-based) depends on."""
    rows, first, last = sizes(p, **switches), unit, unit
    spans = [(first, last)]
    for number, (k, s, pad) in reversed(list(enumerate(layers(p, **switches)))):
        first, last = first * s - pad, last * s - pad + k - 1
        if clip:
            first, last = max(first, 0), min(last, rows[number] - 1)
        spans.insert(0, (first, last))
    return spans


def numbered(span: Span) -> list[int]:
    """The numbers (from 0) of a run of positions; empty when the run is."""
    return list(range(span[0], span[1] + 1))


@by_content(64)  # the sampler's check, several misconceptions and the build start from the key (shared: read only)
def answers(p: dict[str, Any]) -> dict[str, list[int]]:
    up = cone_up(p, p["input"])
    return {"affected": numbered(up[1]), "affected_top": numbered(up[-1]),
            "field": numbered(cone_down(p, p["unit"])[0])}


# -- the independent method: connection matrices of the layers run on unit vectors ---------------------------


def connection_matrix(size: int, kernel: int, stride: int, padding: int) -> np.ndarray:
    """A[o, i] = 1 when output o reads input i: the lecture's matrix T of y = x·T for a kernel of ones (built by
    correlating unit vectors) on the padded input, without the padding's rows, every stride-th column, transposed."""
    padded = correlation_matrix(size + 2 * padding, [1] * kernel)
    return (padded[padding:padding + size, ::stride].T != 0).astype(np.int64)


def reachability(p: dict[str, Any]) -> list[np.ndarray]:
    """R_l[o, i] = 1 when unit o of row l depends on input i: products of the connection matrices."""
    rows = sizes(p)
    total = [np.eye(p["n"], dtype=np.int64)]
    for number, (k, s, pad) in enumerate(layers(p)):
        total.append((connection_matrix(rows[number], k, s, pad) @ total[-1] != 0).astype(np.int64))
    return total


# -- misconceptions -------------------------------------------------------------------------------------------


def _wrong(part: str, clip: bool = True, **switches: bool):
    """The part's answer computed with a mistake: no clipping at the borders (None where the answer does not reach
    a border, so there is nothing to clip), or stride/padding ignored."""
    def compute(p: dict[str, Any]) -> list[int] | None:
        if switches.get("stride") is False and all(s == 1 for s in p["strides"]):
            return None
        if switches.get("padding") is False and not any(p["paddings"]):
            return None
        rows = sizes(p, **switches)
        if min(rows) < 1 or p["unit"] >= rows[-1]:
            return None
        if part == "field":
            wrong = numbered(cone_down(p, p["unit"], clip, **switches)[0])
        else:
            wrong = numbered(cone_up(p, p["input"], clip, **switches)[1 if part == "affected" else -1])
        if not clip and wrong == answers(p)[part]:
            return None
        return wrong or None
    return compute


def _one_based(part: str):
    def compute(p: dict[str, Any]) -> list[int]:
        return [v + 1 for v in answers(p)[part]]
    return compute


def _backward_view(p: dict[str, Any]) -> list[int] | None:
    """The inputs that unit h_i sees, given for the units that x_i feeds (None for a symmetric first layer, stride 1
    and (k − 1)/2 zeros on each side, where the two views are the same units)."""
    k, s, pad = layers(p)[0]
    if p["input"] >= sizes(p)[1] or (s == 1 and 2 * pad == k - 1):
        return None
    first = p["input"] * s - pad
    return numbered((max(first, 0), min(first + k - 1, p["n"] - 1)))


def _first_layer_only(p: dict[str, Any]) -> list[int]:
    return answers(p)["affected"]


def _top_layer_only(p: dict[str, Any]) -> list[int]:
    return numbered(cone_down(p, p["unit"])[-2])


def _mistakes(part: str) -> tuple[Mistake, ...]:
    """The part's mistakes; numbering from 1 comes first: where another mistake gives the same numbers, it is
    the likelier reason (the book's figures number from 1)."""
    one_based = Mistake("one-based", "You numbered from 1: here units are numbered from 0, as x_0, x_1, …",
                        _one_based(part))
    common = (
        Mistake("border-ignored", "You counted positions beyond the border: they are padding zeros (or nothing), "
                "not units; number only real units, from 0.", _wrong(part, clip=False)),
        Mistake("padding-ignored", "You left out the padding: p zeros on each side shift which positions a unit "
                "reads.", _wrong(part, padding=False)),
        Mistake("stride-ignored", "You ignored the stride: unit o starts reading at position os − p, so "
                "neighbouring units are s positions apart.", _wrong(part, stride=False)),
    )
    if part == "affected":
        own = Mistake("backward-view", "You listed the inputs that a unit sees (its receptive field): the question "
                      "looks from below, at the units that the input feeds.", _backward_view)
    elif part == "affected_top":
        own = Mistake("first-layer-only", "That is the first layer's answer: every affected unit there passes the "
                      "change on to the next layer, which spreads it wider.", _first_layer_only)
    else:
        own = Mistake("top-layer-only", "Those are the units of the row below that this unit reads directly: follow "
                      "each of them down to the input; the field widens at every layer.", _top_layer_only)
    return (one_based, own, *common)


# -- sampling, prose and figures ------------------------------------------------------------------------------


def _draw(rng: np.random.Generator, p: dict[str, Any]) -> dict[str, Any]:
    q = dict(p)
    depth = len(q["kernels"]) if "kernels" in q else int(rng.choice([2, 2, 3]))
    q.setdefault("kernels", [int(rng.choice([2, 3, 3, 4, 5])) for _ in range(depth)])
    if "strides" not in q:
        q["strides"] = [2 if number == 0 and rng.random() < 0.3 else 1 for number in range(depth)]
    q.setdefault("paddings", [int(rng.choice([0, (k - 1) // 2])) for k in q["kernels"]])
    q.setdefault("n", int(rng.integers(6, 13)))
    return q


def _mismatched(p: dict[str, Any]) -> bool:
    """Whether strides or paddings have another length than kernels."""
    return any(len(p[name]) != len(p["kernels"]) for name in ("strides", "paddings"))


def _problem(p: dict[str, Any]) -> str | None:
    """Why the parameters do not make a question (None when they do)."""
    depth = len(p["kernels"])
    for name in ("strides", "paddings"):
        if len(p[name]) != depth:
            return f"{name} must have one entry per layer ({depth}, like kernels), got {p[name]}"
    if p["input"] >= p["n"]:
        return f"input {p['input']} is not one of x_0 ... x_{p['n'] - 1} (numbered from 0)"
    for number, (k, s, pad) in enumerate(layers(p), start=1):
        if s > k:
            return f"layer {number}: stride {s} is more than the kernel width {k}, so some units would be skipped"
        if 2 * pad >= k:
            return (f"layer {number}: {pad} zeros on each side is too much padding for kernel width {k} "
                    f"(at most {(k - 1) // 2})")
    rows = sizes(p)
    if min(rows) < 1:
        return f"the layers leave no units (units per row: {rows}): use more inputs or smaller kernels"
    if p["unit"] >= rows[-1]:
        return (f"unit {p['unit']} is beyond the top layer, which has {plural(rows[-1], 'unit')} "
                f"(numbered from 0)")
    if not answers(p)["affected_top"]:
        return f"no window of the layers covers x_{p['input']} (the last window ends before it): pick another input"
    return None


def units(text: str, name: str, values: list[int]) -> Prose:
    """Prose listing units as math: 'text {u0}, {u1}' with u_i the symbols name_v; {name} in the text is the
    layer's name as a symbol."""
    slots = ", ".join(f"{{u{i}}}" for i in range(len(values))) or "none"
    return prose(text.replace("{units}", slots), name=Sym(name),
                 **{f"u{i}": Sym(f"{name}_{v}") for i, v in enumerate(values)})


def _centres(p: dict[str, Any]) -> list[list[float]]:
    """x of unit o of each row: the middle of what it reads, in input positions (padding included)."""
    offset, spacing, rows = 0.0, 1.0, sizes(p)
    centres = [[float(o) for o in range(rows[0])]]
    for (k, s, pad), size in zip(layers(p), rows[1:], strict=True):
        offset, spacing = offset + spacing * ((k - 1) / 2 - pad), spacing * s
        centres.append([offset + spacing * o for o in range(size)])
    return centres


def figure(p: dict[str, Any], spans: list[Span], caption: str) -> Any:
    rows = sizes(p)
    reads = [[[i for i in range(o * s - pad, o * s - pad + k) if 0 <= i < rows[number]]
              for o in range(rows[number + 1])] for number, (k, s, pad) in enumerate(layers(p))]
    shaded = [set(range(first, last + 1)) for first, last in spans]
    return draw.layered_units(rows, reads, _centres(p), shaded, list(NAMES[:len(rows)]), caption)


@template
class AffectedOutputs(Template):
    id = "affected-outputs"
    version = 3  # 2: units numbered from 0, as the sheets' "Indices start at 0"; 3: the answers' hints do not say
    # how many units (that is half the question); layers for which a named mistake gives a key or a trivial answer
    # does are redrawn
    topic = "sparse, local and shared weights"
    minutes = {"affected": 1, "affected_top": 1.5, "field": 2}
    summary = "which units one input affects, layer by layer, and which inputs a deeper unit sees (1-D stacks)"
    params = {
        "n": Int(doc="number of inputs x_1 ... x_n", low=3, high=24),
        "kernels": IntList(doc="kernel width of each layer (2 or 3 layers)", min_len=2, max_len=3, low=1, high=7),
        "strides": IntList(doc="stride of each layer (drawn: 1, sometimes 2 in the first)", min_len=2, max_len=3,
                           low=1, high=3),
        "paddings": IntList(doc="zeros on each side, per layer", min_len=2, max_len=3, low=0, high=3),
        "input": Int(doc="the input x_i asked about, numbered from 0", low=0, high=23),
        "unit": Int(doc="the unit of the top layer whose inputs are asked, numbered from 0", low=0, high=23),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        _draw(rng, params)  # a first draw, thrown away: kept so that every seed gives the question it gave

        def draw() -> dict[str, Any]:
            q = _draw(rng, params)
            if not _mismatched(q) and min(sizes(q)) >= 1:
                q.setdefault("input", int(rng.integers(0, q["n"])))
                q.setdefault("unit", int(rng.integers(0, max(sizes(q)[-1], 1))))
            return q

        def makes_question(q: dict[str, Any]) -> bool:
            if _mismatched(q):
                return True  # pinned lists of different lengths: validate() says so
            rows = sizes(q)
            return min(rows) >= 1 and _problem(q) is None and (rows[-1] >= 3 or "kernels" in params)

        def fair(q: dict[str, Any]) -> bool:
            """No named mistake gives a key, and no trivial answer (unit 0 or 1 alone, the kernels copied …) does."""
            if _mismatched(q) or _problem(q) is not None:
                return True
            return all(unfair(Vector, key, q, _mistakes(part), partial=False) is None
                       for part, key in answers(q).items())

        return prefer(draw, lambda q: makes_question(q) and fair(q), makes_question, "layers that make a question",
                      tries=200, explain=lambda q: _problem({"input": 0, "unit": 0, **q}))

    def validate(self, p: dict[str, Any]) -> None:
        problem = _problem(p)
        if problem:
            raise ParamError(problem)

    def build(self, p: dict[str, Any]) -> Question:
        rows, depth = sizes(p), len(p["kernels"])
        names = NAMES[:depth + 1]
        statement = (
            prose("A stack of 1-D convolutions takes the inputs {first} to {last}; units and positions are "
                  "numbered from 0. Unit {o} of a layer with kernel width {k}, stride {s} and {p} zeros of padding "
                  "on each side reads positions {start} to {end} of the row below; positions outside that row are "
                  "padding zeros, not units.", first=Sym("x_0"), last=Sym(f"x_{p['n'] - 1}"), o=Sym("o"),
                  k=Sym("k"), s=Sym("s"), p=Sym("p"), start=Plus(Product(Sym("o"), Sym("s")), Neg(Sym("p"))),
                  end=Plus(Product(Sym("o"), Sym("s")), Neg(Sym("p")), Sym("k"), -1)),
            *(prose(f"Layer {{name}}, units {{first}} to {{last}}: kernel width {k}, stride {s}, "
                    + (f"{pad} zero{'s' if pad > 1 else ''} of padding on each side." if pad else "no padding."),
                    name=Sym(names[number]), first=Sym(f"{names[number]}_0"),
                    last=Sym(f"{names[number]}_{rows[number] - 1}"))
              for number, (k, s, pad) in enumerate(layers(p), start=1)),
        )
        key, up, down = answers(p), cone_up(p, p["input"]), cone_down(p, p["unit"])
        x, unit, top = Sym(f"x_{p['input']}"), Sym(f"{names[-1]}_{p['unit']}"), names[-1]
        in_order = " List the unit numbers, in increasing order."
        parts = (
            Part("affected", prose("Seen from below: which units of layer {h} does a change of {x} affect?"
                                   + in_order, x=x, h=Sym(names[1])),
                 expect(Vector, key["affected"], p, _mistakes("affected"), partial=False, hide_size=True),
                 solution=(units(f"A unit of {{name}} is affected when its window covers position {p['input']}: "
                                 "{units}.", names[1], key["affected"]),)),
            Part("affected_top", prose("Which units of the top layer {top} does a change of {x} affect, through "
                                       "the layers in between?" + in_order, x=x, top=Sym(top)),
                 expect(Vector, key["affected_top"], p, _mistakes("affected_top"), partial=False, hide_size=True),
                 solution=(*(units("Layer {name}: {units}.", names[row], numbered(up[row]))
                             for row in range(1, depth + 1)),
                           figure(p, up, f"Everything that input {p['input']} affects is shaded."))),
            Part("field", prose("Seen from above: which inputs does {unit} depend on (its receptive field)? List "
                                "the input numbers, in increasing order.", unit=unit),
                 expect(Vector, key["field"], p, _mistakes("field"), partial=False, hide_size=True),
                 solution=(*(units("Row {name}: {units}.", names[row], numbered(down[row]))
                             for row in range(depth - 1, -1, -1)),
                           figure(p, down, f"Everything that unit {p['unit']} of {top} depends on is shaded."))),
        )
        return self.question(p, title="Which outputs does one input affect?", statement=statement, parts=parts)

    def verify(self, question: Question) -> None:
        p = question.params
        reach = reachability(p)
        first = connection_matrix(p["n"], *layers(p)[0])
        expected = {
            "affected": np.flatnonzero(first[:, p["input"]]).tolist(),
            "affected_top": np.flatnonzero(reach[-1][:, p["input"]]).tolist(),
            "field": np.flatnonzero(reach[-1][p["unit"]]).tolist(),
        }
        for part_id, want in expected.items():
            got = list(question.part(part_id).answer.value)
            assert got == want, f"{part_id}: key {got}, from the connection matrices {want}"
