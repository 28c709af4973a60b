"""Locally connected, tiled and convolutional layers (book section 9.5, figs. 9.14 and 9.16): the
parameters of four layers with the same input and output, from no sharing at all to full sharing.

For a valid layer (stride 1) on `dims`-dimensional maps of side n with kernel side k, there are
P = (n − k + 1)^dims output positions and K = k^dims taps per kernel and input channel:
- dense: every output unit has a weight to every input unit;
- locally connected: every output position has its own kernel (unshared convolution);
- tiled: output positions cycle through t kernels along each axis, t^dims kernels in all;
- convolution: one kernel for every position.
Biases follow the book: one per output unit (dense, locally connected), the tiling pattern of the
kernels (tiled), one per output channel (convolution).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Question, prose
from exercises.params import Bool, Int, ParamError
from exercises.registry import Template, template
from exercises.wording import plural
from grader.answers import Integer

LAYERS = ("dense", "local", "tiled", "conv")
TITLES = {"dense": "fully connected", "local": "locally connected (unshared)",
          "tiled": "tiled convolution", "conv": "convolution"}


def positions(p: dict[str, Any]) -> int:
    """Output positions P = (n − k + 1)^dims."""
    return (p["size"] - p["kernel"] + 1) ** p["dims"]


def kernels(p: dict[str, Any], layer: str) -> int:
    """How many distinct kernels (per output channel) a layer has along all its positions."""
    return {"dense": positions(p), "local": positions(p), "tiled": p["tiles"] ** p["dims"], "conv": 1}[layer]


def count(p: dict[str, Any], layer: str, bias: bool | None = None) -> int:
    """Trainable parameters of one layer by the closed formula (bias=False leaves the biases out)."""
    bias = p["bias"] if bias is None else bias
    fan_in = p["in_channels"] * (p["size"] ** p["dims"] if layer == "dense" else p["kernel"] ** p["dims"])
    stacks = p["out_channels"] * kernels(p, layer)
    return stacks * fan_in + (stacks if bias else 0)


# -- the independent count: enumerate every connection and name the weight it uses ----------------


def enumerated(p: dict[str, Any], layer: str) -> int:
    """Distinct parameters found by listing every connection (output unit, input unit) of the layer
    with the identity of the weight it uses, and every output unit with the identity of its bias."""
    dims, n, k, t = p["dims"], p["size"], p["kernel"], p["tiles"]
    m = n - k + 1
    c_out, c_in = p["out_channels"], p["in_channels"]
    reach = n if layer == "dense" else k  # what one output unit's weights range over, per axis
    grid = np.indices((c_out, *(m,) * dims, c_in, *(reach,) * dims)).reshape(2 + 2 * dims, -1)
    co, out_pos, ci, offset = grid[0], grid[1:1 + dims], grid[1 + dims], grid[2 + dims:]
    where = {"dense": out_pos, "local": out_pos, "tiled": out_pos % t, "conv": out_pos[:0]}[layer]
    weights = _distinct(np.vstack([co, where, ci, offset]))
    units = np.indices((c_out, *(m,) * dims)).reshape(1 + dims, -1)
    unit_where = {"dense": units[1:], "local": units[1:], "tiled": units[1:] % t, "conv": units[1:1]}[layer]
    biases = _distinct(np.vstack([units[0], unit_where])) if p["bias"] else 0
    return weights + biases


def _distinct(rows: np.ndarray) -> int:
    return len(np.unique(rows, axis=1).T)


# -- misconceptions --------------------------------------------------------------------------------


def _bias_forgotten(layer: str):
    def compute(p: dict[str, Any]) -> int | None:
        return count(p, layer, bias=False) if p["bias"] else None
    return compute


def _counted_as(layer: str, other: str):
    def compute(p: dict[str, Any]) -> int:
        return count(p, other)
    return compute


def _dense_same_size(p: dict[str, Any]) -> int:
    units_in, units_out = p["in_channels"] * p["size"] ** p["dims"], p["out_channels"] * p["size"] ** p["dims"]
    return units_in * units_out + (units_out if p["bias"] else 0)


def _channels_forgotten(p: dict[str, Any]) -> int:
    return count({**p, "in_channels": 1, "out_channels": 1}, "dense")


def _local_bias_shared(p: dict[str, Any]) -> int | None:
    return count(p, "local", bias=False) + p["out_channels"] if p["bias"] else None


def _tiles_per_axis_only(p: dict[str, Any]) -> int | None:
    if p["dims"] == 1:
        return None
    stacks = p["out_channels"] * p["tiles"]
    return stacks * p["in_channels"] * p["kernel"] ** p["dims"] + (stacks if p["bias"] else 0)


def _conv_bias_per_unit(p: dict[str, Any]) -> int | None:
    """The convolution's weights plus one bias per output unit (as a locally connected layer has)."""
    return count(p, "conv", bias=False) + p["out_channels"] * positions(p) if p["bias"] else None


def _input_channels_forgotten(p: dict[str, Any]) -> int | None:
    """None for a single input channel: there is nothing to forget."""
    return count({**p, "in_channels": 1}, "conv") if p["in_channels"] > 1 else None


_NO_BIAS = "You left out the biases: the question counts them too (see how each layer shares them)."
MISTAKES = {
    "dense": (
        Mistake("dense-same-size", "You gave the output as many positions as the input: a valid layer has "
                "n − k + 1 output positions per axis.", _dense_same_size),
        Mistake("channels-forgotten", "You forgot the channels: every input unit of every input channel is "
                "connected to every output unit of every output channel.", _channels_forgotten),
        Mistake("bias-forgotten", _NO_BIAS + " A dense layer has one bias per output unit.", _bias_forgotten("dense")),
    ),
    "local": (
        Mistake("local-as-conv", "You counted the locally connected layer as a convolution: it has the same "
                "connections, but every output position has its own kernel (no parameter sharing).",
                _counted_as("local", "conv")),
        Mistake("local-as-dense", "You counted the locally connected layer as a dense layer: each output unit "
                "sees only a k-wide patch of the input, not all of it.", _counted_as("local", "dense")),
        Mistake("bias-shared", "You shared the biases as a convolution does: in a locally connected layer each "
                "output unit has its own bias.", _local_bias_shared),
        Mistake("bias-forgotten", _NO_BIAS + " A locally connected layer has one bias per output unit.",
                _bias_forgotten("local")),
    ),
    "tiled": (
        Mistake("tiles-per-axis-only", "You counted t kernels in all: they cycle along each axis, so a 2-D tiled "
                "convolution has t × t kernels per output channel.", _tiles_per_axis_only),
        Mistake("tiled-as-conv", "You counted the tiled layer as a convolution: it cycles through several "
                "kernels, not one.", _counted_as("tiled", "conv")),
        Mistake("tiled-as-local", "You counted the tiled layer as locally connected: it has only t kernels per "
                "axis, reused over and over, not one per position.", _counted_as("tiled", "local")),
        Mistake("bias-forgotten", _NO_BIAS + " A tiled convolution shares its biases like its kernels.",
                _bias_forgotten("tiled")),
    ),
    "conv": (
        Mistake("conv-as-local", "You gave every position its own kernel: a convolution shares one kernel over "
                "all positions.", _counted_as("conv", "local")),
        Mistake("input-channels-forgotten", "You forgot the input channels: each kernel spans all input "
                "channels, a k × k patch of weights for each (k weights in 1-D).", _input_channels_forgotten),
        Mistake("bias-forgotten", _NO_BIAS + " A convolution has one bias per output channel.",
                _bias_forgotten("conv")),
        Mistake("bias-per-unit", "You gave every output unit its own bias: a convolution shares its bias like its "
                "kernel, one per output channel.", _conv_bias_per_unit),
    ),
}


# -- the template ---------------------------------------------------------------------------------------


def _axes(p: dict[str, Any], side: int) -> Any:
    """A side as the shape of a map: `side` in 1-D, side × side in 2-D."""
    return side if p["dims"] == 1 else Op("×", side, side)


def _plural(number: int, word: str) -> str:
    return word if number == 1 else word + "s"


@template
class WeightSharing(Template):
    id = "weight-sharing"
    version = 1
    topic = "sparse, local and shared weights"
    minutes = {"dense": 1.5, "local": 1.5, "tiled": 1.5, "conv": 1}
    summary = "parameters of dense, locally connected, tiled and convolutional layers on the same input"
    params = {
        "dims": Int(doc="1 for sequences, 2 for images", low=1, high=2),
        "size": Int(doc="input length (1-D) or height = width (2-D), n", low=3, high=32),
        "in_channels": Int(doc="input channels", low=1, high=64),
        "out_channels": Int(doc="output channels", low=1, high=64),
        "kernel": Int(doc="kernel size k (per axis), valid, stride 1", low=1, high=15),
        "tiles": Int(doc="t: the tiled layer cycles through t kernels along each axis", low=2, high=15),
        "bias": Bool(doc="count biases too"),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        p.setdefault("dims", int(rng.integers(1, 3)))
        two_d = p["dims"] == 2
        p.setdefault("kernel", int(rng.choice([2, 3] if two_d else [2, 3, 3, 4])))
        p.setdefault("size", int(rng.integers(p["kernel"] + 3, (8 if two_d else 12) + 1)))
        m = p["size"] - p["kernel"] + 1
        p.setdefault("tiles", int(rng.integers(2, max(2, min(3, m - 1)) + 1)))
        p.setdefault("in_channels", int(rng.integers(1, (3 if two_d else 4) + 1)))
        p.setdefault("out_channels", int(rng.integers(2, (4 if two_d else 6) + 1)))
        p.setdefault("bias", bool(rng.random() < 0.7))
        return p

    def validate(self, p: dict[str, Any]) -> None:
        m = p["size"] - p["kernel"] + 1
        if m < 3:
            raise ParamError(f"kernel {p['kernel']} leaves {plural(max(m, 0), 'output position')} per axis on an "
                             f"input of size {p['size']}: make the kernel at most size - 2 so that tiling means "
                             "something")
        if p["tiles"] >= m:
            raise ParamError(f"tiles must be less than the {m} output positions per axis (with {p['tiles']} tiles "
                             "every position has its own kernel: that is the locally connected layer)")

    def build(self, p: dict[str, Any]) -> Question:
        n, k, t, m = p["size"], p["kernel"], p["tiles"], p["size"] - p["kernel"] + 1
        where = "a sequence of length {n}" if p["dims"] == 1 else "an image of {n} pixels"
        along = "along the sequence" if p["dims"] == 1 else "along each axis"
        patch = "{k} neighbouring positions" if p["dims"] == 1 else "a {k} patch"
        statement = [
            prose(f"A layer maps {where} with {{cin}} {_plural(p['in_channels'], 'channel')} to {{cout}} output "
                  f"{_plural(p['out_channels'], 'channel')}. Each output unit is computed from {patch} of the "
                  "input, in all input channels (valid, stride 1), so the output has {m} positions per channel.",
                  n=_axes(p, n), cin=p["in_channels"], cout=p["out_channels"], k=_axes(p, k), m=_axes(p, m)),
            prose("Compare four layers with these same inputs and outputs: a fully connected layer; a locally "
                  "connected layer (like a convolution, but every output position has its own kernel); a tiled "
                  f"convolution that cycles through {{t}} different kernels {along} "
                  "(neighbouring positions use different kernels; positions {t} apart use the same one); and a "
                  "convolution.", t=t),
        ]
        if p["bias"]:
            statement.append(prose("Count the biases too: one per output unit for the dense and the locally "
                                   "connected layer, shared in the tiling pattern of the kernels for the tiled "
                                   "convolution, one per output channel for the convolution."))
        else:
            statement.append(prose("None of the layers has biases: count the weights."))
        parts = tuple(
            Part(layer, prose(f"How many trainable parameters does the {TITLES[layer]} layer have?"),
                 expect(Integer, count(p, layer), p, MISTAKES[layer]), solution=(self._worked(p, layer),))
            for layer in LAYERS
        )
        rows = [("locally connected", [f"K{o + 1}" for o in range(m)]),
                ("tiled", [f"K{o % t + 1}" for o in range(m)]), ("convolution", ["K"] * m)]
        return self.question(p, title="Locally connected, tiled and convolutional layers",
                             statement=tuple(statement), parts=parts, solution=(draw.kernel_rows(rows, n, k),))

    def _worked(self, p: dict[str, Any], layer: str):
        n, k, t = p["size"], p["kernel"], p["tiles"]
        m = n - k + 1
        c_in, c_out, total = p["in_channels"], p["out_channels"], count(p, layer)
        fan_in = Op("×", c_in, _axes(p, n if layer == "dense" else k))
        many = {"dense": _axes(p, m), "local": _axes(p, m), "tiled": _axes(p, t), "conv": 1}[layer]
        stacks = Op("×", c_out, many) if layer != "conv" else c_out
        weights = Op("×", stacks, fan_in)
        text = {
            "dense": "Every one of the {stacks} output units is connected to all {fan_in} input units",
            "local": "Each of the {stacks} output units has its own kernel of {fan_in} weights",
            "tiled": "Each output channel cycles through {many} kernels, so there are {stacks} kernels of {fan_in} "
                     "weights",
            "conv": "There are {stacks} kernels, one per output channel, each of {fan_in} weights",
        }[layer]
        math: dict[str, Any] = {"stacks": stacks, "fan_in": fan_in}
        if layer == "tiled":
            math["many"] = many
        if p["bias"]:
            text += ", plus " + {"dense": "one bias per output unit", "local": "one bias per output unit",
                                 "tiled": "one bias per kernel", "conv": "one bias per output channel"}[layer]
            text += ": {total}."
            math["total"] = Eq(Op("+", weights, stacks), total)
        else:
            text += ": {total}."
            math["total"] = Eq(weights, total)
        return prose(text, **math)

    def verify(self, question: Question) -> None:
        p = question.params
        for layer in LAYERS:
            got = question.part(layer).answer.value
            listed = enumerated(p, layer)
            assert got == listed, f"{layer}: key {got} != {listed} parameters found by listing the connections"
