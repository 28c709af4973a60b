"""Multi-channel convolution by hand (Goodfellow et al., section 9.5): an output channel is its bias plus the sum,
over the input channels, of each channel's valid cross-correlation with its own kernel slice,
Y_o = b_o + Σ_c X_c ⋆ K_(o,c); the layer's output has C_out channels. A 1×1 convolution mixes the channels at
every pixel: its output there is the weight matrix times the vector of the input's channels."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.by_content import by_content
from exercises.fairness import unfair
from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Dot, Eq, Op, Part, Question, Sum, Sym, prose
from exercises.params import Int, IntArray, IntList, IntMatrix, ParamError
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.topics.shape_trace import CHANNELS_LAST, channels_last
from exercises.topics.toeplitz2d import correlate2d, rotate180
from grader.answers import Matrix, Tuple, Vector

CHANNELS_OUT = (4, 5, 6, 8, 10, 12, 16, 32, 64)
SHAPE_NAMES = ("channels", "rows", "columns")


def output_map(image: list, kernel: list, bias: int) -> list[list[int]]:
    """One output channel: the bias plus Σ_c X_c ⋆ K_c, each correlation a plain sliding-window loop."""
    maps = [_correlated((channel, slice_)) for channel, slice_ in zip(image, kernel, strict=True)]
    return [[bias + sum(m[i][j] for m in maps) for j in range(len(maps[0][0]))] for i in range(len(maps[0]))]


@by_content(256)  # the key and the output's misconceptions correlate the same channels with the same slices
def _correlated(pair: tuple[list, list]) -> list[list[int]]:
    """correlate2d of (channel, kernel slice); shared: not to be changed."""
    return correlate2d(*pair)


def mix_pixel(mix: list[list[int]], image: list, pixel: list[int]) -> list[int]:
    """A 1×1 convolution's output channels at one pixel: row o of the weights times the input's channel values."""
    r, c = pixel
    return [sum(weight * channel[r][c] for weight, channel in zip(row, image, strict=True)) for row in mix]


def _sizes(p: dict[str, Any]) -> tuple[int, int, int, int, int]:
    """C_in, H, W and the kernel's height and width."""
    c_in, height, width = np.shape(p["image"])
    return c_in, height, width, *np.shape(p["kernel"])[1:]


# -- misconceptions -------------------------------------------------------------------------------
def _shape(p: dict[str, Any], channels: int, grow: int) -> tuple[int, int, int]:
    _, height, width, kh, kw = _sizes(p)
    return channels, height + grow * (kh - 1), width + grow * (kw - 1)


SHAPE_MISTAKES = (
    Mistake("channels-in-instead-of-out", "The output has one channel per kernel (C_out of them), not one per input "
            "channel: the input channels are summed inside each output channel.",
            lambda p: _shape(p, len(p["image"]), -1)),
    Mistake("channels-multiplied", "Each output channel sums over all input channels, so there are C_out maps, not "
            "C_in × C_out.", lambda p: _shape(p, len(p["image"]) * p["channels_out"], -1)),
    Mistake("same-size", "Without padding a valid convolution shrinks each side by k − 1.",
            lambda p: _shape(p, p["channels_out"], 0)),
    Mistake("full-size", "That is the size of a 'full' convolution; valid (no padding) shrinks each side by k − 1.",
            lambda p: _shape(p, p["channels_out"], 1)),
    Mistake("channels-last", CHANNELS_LAST, lambda p: channels_last(_shape(p, p["channels_out"], -1))),
)
OUTPUT_MISTAKES = (
    Mistake("bias-forgotten", "You left out the bias: it is added once to every entry of the output map.",
            lambda p: output_map(p["image"], p["kernel"], 0)),
    Mistake("bias-per-channel", "The bias is added once per output entry, not once per input channel.",
            lambda p: output_map(p["image"], p["kernel"], len(p["image"]) * p["bias"])),
    Mistake("first-channel-only", "An output channel sees every input channel: sum the correlations of all of them.",
            lambda p: output_map(p["image"][:1], p["kernel"][:1], p["bias"])),
    Mistake("same-slice-for-all-channels", "Each input channel has its own kernel slice K_(0,c); you used the first "
            "slice for every channel.", lambda p: output_map(p["image"], [p["kernel"][0]] * len(p["image"]),
                                                             p["bias"])),
    Mistake("flipped-kernel", "You rotated the kernel slices by 180°: in deep learning, ⋆ is cross-correlation, so "
            "the kernel is used as it is.",
            lambda p: output_map(p["image"], [rotate180(s) for s in p["kernel"]], p["bias"])),
)


def _transposed(p: dict[str, Any]) -> list[int] | None:
    mix = np.array(p["mix"])
    return None if mix.shape[0] != mix.shape[1] else mix_pixel(mix.T.tolist(), p["image"], p["pixel"])


def _no_mixing(p: dict[str, Any]) -> list[int] | None:
    mix, r, c = p["mix"], *p["pixel"]
    if len(mix) > len(p["image"]):
        return None
    return [row[o] * p["image"][o][r][c] for o, row in enumerate(mix)]


def _pixel_swapped(p: dict[str, Any]) -> list[int] | None:
    r, c = p["pixel"]
    _, height, width, _, _ = _sizes(p)
    return None if r == c or c >= height or r >= width else mix_pixel(p["mix"], p["image"], [c, r])


MIX_MISTAKES = (
    Mistake("transposed-weights", "Row o of the weight matrix holds the weights of output channel o, one per input "
            "channel: multiply the rows (not the columns) with the pixel's channel values.", _transposed),
    Mistake("no-mixing", "A 1×1 convolution mixes the channels: output channel o adds the weighted values of all "
            "input channels at the pixel, not just channel o.", _no_mixing),
    Mistake("pixel-swapped", "Row and column of the pixel are swapped: (r, c) is row r, column c.", _pixel_swapped),
)


def _draw_kernel(rng: np.random.Generator, c_in: int, kh: int, kw: int) -> list:
    """C_in slices of -1..2, each with at least two non-zero taps, that change when rotated by 180°."""
    kernel = redraw(lambda: rng.integers(-1, 3, size=(c_in, kh, kw)),
                    lambda k: all(np.count_nonzero(s) >= min(2, s.size) for s in k)
                    and not np.array_equal(k, k[:, ::-1, ::-1]) and len({s.tobytes() for s in k}) == c_in,
                    "kernel slices with two non-zero taps each, different, that change when rotated", tries=1000)
    return kernel.tolist()


@template
class Conv2dChannels(Template):
    id = "conv2d-channels"
    version = 2  # 2: a variant in which a named mistake gives a key or a trivial answer scores is redrawn; the
    # output map's hint does not say its size (part shape asks it)
    topic = "channels and stride"
    minutes = {"shape": 0.5, "output": 3.5, "mix": 1.5}
    summary = "multi-channel 2-D convolution by hand: an output map, the output shape, 1×1 convolution as mixing"
    params = {
        "image": IntArray(doc="input X: C_in channels, each a matrix (list of rows)", ndims=(3,), max_size=6),
        "kernel": IntArray(doc="the kernel of output channel 0: one slice per input channel", ndims=(3,),
                           max_size=6, low=-99, high=99),
        "bias": Int(doc="bias of output channel 0", low=-99, high=99),
        "channels_out": Int(doc="C_out, the layer's number of output channels", low=1, high=1024),
        "mix": IntMatrix(doc="weights of a 1×1 convolution: one row per output channel, one column per input "
                         "channel", min_size=1, max_size=6, low=-99, high=99),
        "pixel": IntList(doc="(row, column) of the pixel for the 1×1 convolution, from 0", min_len=2, max_len=2,
                         low=0, high=5),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        return prefer(lambda: self._draw(rng, params), self._fair, lambda p: True, "a fair variant")

    @staticmethod
    def _draw(rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        c_in = len(p["image"]) if "image" in p else len(p["kernel"]) if "kernel" in p else int(rng.integers(2, 4))
        if "image" not in p:
            kh, kw = np.shape(p["kernel"])[1:] if "kernel" in p else (2, 2)
            shapes = ((3, 3), (3, 4), (4, 3)) if c_in == 2 else ((3, 3),)  # at most 6 outputs to work out
            height, width = (max(n, k + 1) for n, k in zip(shapes[int(rng.integers(len(shapes)))], (kh, kw),
                                                           strict=True))
            p["image"] = rng.integers(0, 5, size=(c_in, height, width)).tolist()
        if "kernel" not in p:
            height, width = np.shape(p["image"])[1:]
            p["kernel"] = _draw_kernel(rng, c_in, min(2, height), min(2, width))
        if "bias" not in p:
            p["bias"] = int(rng.choice([-3, -2, -1, 1, 2, 3]))
        if "channels_out" not in p:
            p["channels_out"] = int(rng.choice(CHANNELS_OUT))
        if "pixel" not in p:  # a pixel where every channel is non-zero, so that each weight shows
            height, width = np.shape(p["image"])[1:]
            full = [[r, c] for r in range(height) for c in range(width) if all(x[r][c] for x in p["image"])]
            every = [[r, c] for r in range(height) for c in range(width)]
            p["pixel"] = (full or every)[int(rng.integers(len(full or every)))]
        if "mix" not in p:
            # as many output channels as input channels, or one fewer (a bottleneck): never more, so that
            # 'no mixing' (output channel o copies input channel o) is a mistake a student can make
            rows = c_in if c_in == 2 else int(rng.integers(2, c_in + 1))
            p["mix"] = prefer(lambda: rng.integers(-2, 3, size=(rows, c_in)).tolist(),
                              lambda mix: all(np.count_nonzero(row) >= 2 for row in mix)
                              and len(set(mix_pixel(mix, p["image"], p["pixel"]))) == len(mix),
                              lambda mix: True, "mixing weights")
        return p

    def _fair(self, p: dict[str, Any]) -> bool:
        """No named mistake gives a key, and no trivial answer (a kernel slice copied …) scores."""
        try:
            self.validate(p)
        except ParamError:
            return True  # pinned values that do not go together: validate() says why
        _, height, width, kh, kw = _sizes(p)
        shape = (p["channels_out"], height - kh + 1, width - kw + 1)
        return unfair(Tuple, shape, p, SHAPE_MISTAKES) is None and \
            unfair(Matrix, output_map(p["image"], p["kernel"], p["bias"]), p, OUTPUT_MISTAKES) is None and \
            unfair(Vector, mix_pixel(p["mix"], p["image"], p["pixel"]), p, MIX_MISTAKES) is None

    def validate(self, p: dict[str, Any]) -> None:
        c_in, height, width, kh, kw = _sizes(p)
        if len(p["kernel"]) != c_in:
            raise ParamError(f"the kernel needs one slice per input channel: the image has {c_in} channels, the "
                             f"kernel {len(p['kernel'])} slices")
        if kh > height or kw > width:
            raise ParamError(f"the kernel slices are {kh}×{kw} but the image only {height}×{width}: no valid output")
        if len(p["mix"][0]) != c_in:
            raise ParamError(f"mix needs one column per input channel ({c_in}), got {len(p['mix'][0])}")
        r, c = p["pixel"]
        if r >= height or c >= width:
            raise ParamError(f"pixel ({r}, {c}) is outside the {height}×{width} image (rows and columns from 0)")

    def build(self, p: dict[str, Any]) -> Question:
        c_in, height, width, kh, kw = _sizes(p)
        image, kernel = p["image"], p["kernel"]
        output = output_map(image, kernel, p["bias"])
        shape = (p["channels_out"], height - kh + 1, width - kw + 1)
        channels = {f"X{c}": Eq(Sym(f"X_{c}"), np.array(x)) for c, x in enumerate(image)}
        slices = {f"K{c}": Eq(Sym(f"K_{{0,{c}}}"), np.array(k)) for c, k in enumerate(kernel)}
        statement = (
            prose("A convolution layer maps {cin} input channels to {cout} output channels with {kk} kernels, stride "
                  "1 and no padding (valid cross-correlation: the kernels are used as they are, not rotated by 180°). "
                  "Its input {X} has the channels " + _list(channels) + " (indices from 0).",
                  cin=Eq(Sym("C_in"), c_in), cout=Eq(Sym("C_out"), p["channels_out"]), kk=Op("×", kh, kw),
                  X=Sym("X"), **channels),
            prose("Output channel 0 has one kernel slice per input channel, " + _list(slices) + ", and the bias "
                  "{b}: {rule}.", **slices, b=Eq(Sym("b_0"), p["bias"]),
                  rule=Eq(Sym("Y_0"), Op("+", Sym("b_0"), Sum("c", Op("⋆", Sym("X_c"), Sym("K_{0,c}")))))),
        )
        parts = (
            Part("shape", prose("What is the shape (channels, rows, columns) of the layer's output?"),
                 expect(Tuple, shape, p, SHAPE_MISTAKES, names=SHAPE_NAMES), points=1,
                 solution=(prose("One map per output channel, {c}; each map has one entry per position where the "
                                 "kernel fits, {rows} rows and {cols} columns. Shape {shape}.",
                                 c=Eq(Sym("C_out"), p["channels_out"]), rows=Eq(Op("+", Op("-", height, kh), 1),
                                                                                shape[1]),
                                 cols=Eq(Op("+", Op("-", width, kw), 1), shape[2]), shape=shape),)),
            Part("output", prose("Compute the output map {Y}.", Y=Sym("Y_0")),
                 expect(Matrix, output, p, OUTPUT_MISTAKES, hide_size=True), points=3,  # its size: part shape
                 solution=self._output_solution(p, output)),
            self._mix_part(p),
        )
        return self.question(p, title="Multi-channel convolution", statement=statement, parts=parts)

    @staticmethod
    def _output_solution(p: dict[str, Any], output: list[list[int]]) -> tuple[Block, ...]:
        image, kernel = np.array(p["image"]), np.array(p["kernel"])
        kh, kw = kernel.shape[1:]
        steps: list[Block] = [prose("Each entry adds the bias and, for every input channel, its {kk} window "
                                    "times that channel's kernel slice:", kk=Op("×", kh, kw))]
        for i, row in enumerate(output):
            for j, value in enumerate(row):
                terms = tuple((image[c, i + a, j + b], kernel[c, a, b]) for c in range(len(image))
                              for a in range(kh) for b in range(kw))
                steps.append(prose("{step}", step=Eq(Sym(f"Y_{{0,{i},{j}}}"), Op("+", p["bias"], Dot(terms)),
                                                     value)))
        return tuple(steps)

    @staticmethod
    def _mix_part(p: dict[str, Any]) -> Part:
        mix, (r, c) = np.array(p["mix"]), p["pixel"]
        values = np.array([channel[r][c] for channel in p["image"]])
        answer = mix_pixel(p["mix"], p["image"], p["pixel"])
        steps = [prose("At pixel {rc} the input's channels are {v}. A {one} kernel sees only this pixel, so output "
                       "channel {o} is row {o} of {M} times that vector: at every pixel, the {one} convolution is the "
                       "same matrix product, mixing the channels.", rc=(r, c), v=values, one=Op("×", 1, 1),
                       o=Sym("o"), M=Sym("M"))]
        steps += [prose("{step}", step=Eq(Sym(f"Z_{{{o},{r},{c}}}"), Dot(tuple(zip(row, values, strict=True))),
                                          answer[o])) for o, row in enumerate(mix)]
        return Part(
            "mix",
            prose("A {one} convolution (stride 1, no bias) with the weights {M} (one row per output channel, one "
                  "column per input channel) maps {X} to {Z} with {n} channels. Compute the vector of {Z}'s channels "
                  "at pixel {rc} (row, column).", M=Eq(Sym("M"), mix), n=len(mix), rc=(r, c), one=Op("×", 1, 1),
                  X=Sym("X"), Z=Sym("Z")),
            expect(Vector, answer, p, MIX_MISTAKES), points=2, solution=tuple(steps))

    def verify(self, question: Question) -> None:
        p = question.params
        image, kernel = np.array(p["image"], dtype=np.int64), np.array(p["kernel"], dtype=np.int64)
        windows = sliding_window_view(image, kernel.shape[1:], axis=(1, 2))  # C_in × H' × W' × kh × kw
        output = np.einsum("cijab,cab->ij", windows, kernel) + p["bias"]
        got = np.array(question.part("output").answer.value, dtype=object)
        assert got.shape == output.shape and (got == output).all(), \
            f"conv2d-channels output {got.tolist()} != einsum {output.tolist()}"
        layer = np.zeros((p["channels_out"], *kernel.shape), dtype=np.int64)  # the whole C_out × C_in × kh × kw
        shape = np.einsum("cijab,ocab->oij", windows, layer).shape
        key = question.part("shape").answer.value
        assert tuple(key) == shape, f"conv2d-channels shape {key} != einsum's {shape}"
        mixed = np.tensordot(np.array(p["mix"], dtype=np.int64), image, axes=1)  # Z = M·X at every pixel at once
        r, c = p["pixel"]
        got_mix = list(question.part("mix").answer.value)
        assert got_mix == mixed[:, r, c].tolist(), f"conv2d-channels mix {got_mix} != tensordot {mixed[:, r, c]}"


def _list(names: dict[str, Any]) -> str:
    """'{A}, {B} and {C}': placeholders for each name, in order."""
    keys = [f"{{{name}}}" for name in names]
    return keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
