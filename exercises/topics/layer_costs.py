"""What a k x k convolution costs, for the architectures lecture (depthwise separable, grouped, bottleneck):
its weights and its multiply-adds by the closed formulas, and the same counted on the layer itself for the
verifiers.

Conventions, as in the papers (Howard et al. 2017, He et al. 2016, Xie et al. 2017): the layer keeps its
feature map's size (stride 1, 'same' padding), a multiply-add is one weight times one input value added to a
sum, and every output position of the map reads all k x k taps (borders included, as the papers count them).
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np

from exercises.topics.connections import counted_connections
from exercises.topics.layers import parse_layers

SAMPLE_SIDE = 2  # the counted run's output map: 2 x 2 positions, each reading a full window


def conv_weights(kernel: int, c_in: int, c_out: int, groups: int = 1) -> int:
    """k·k·(C_in / g)·C_out: each of the C_out filters spans k x k taps of the C_in / g channels of its group."""
    return kernel * kernel * (c_in // groups) * c_out


def conv_params(kernel: int, c_in: int, c_out: int, groups: int = 1, bias: bool = False) -> int:
    """The weights plus one bias per output channel (if the layer has biases)."""
    return conv_weights(kernel, c_in, c_out, groups) + (c_out if bias else 0)


def conv_madds(kernel: int, c_in: int, c_out: int, side: int, groups: int = 1) -> int:
    """Multiply-adds on a side x side output map: every weight once per output position."""
    return conv_weights(kernel, c_in, c_out, groups) * side * side


# -- the independent count: the layer kind's own weight tensor and a run on ones ------------------------------


class Counted(NamedTuple):
    """What a convolution layer was found to cost by counting on the layer itself."""

    params: int  # weights (non-zero entries of the 0/1 weight tensor) plus biases
    madds: int  # products on the whole map
    connections: int  # products plus one per output unit with a bias (LeCun et al.'s count)
    filter_weights: int  # the weights of the first filter


def counted(kernel: int, c_in: int, c_out: int, side: int, groups: int = 1, bias: bool = False) -> Counted:
    """The costs counted on the convolution layer of `layer_kinds`: the non-zero entries of its 0/1 weight tensor
    (built channel by channel from the groups) plus its biases, and the products (and bias connections) its run on
    a map of ones makes for a 2 x 2 output (every position reads a full window), times the positions per 2 x 2."""
    (layer,) = parse_layers([{"type": "conv", "in": c_in, "out": c_out, "kernel": kernel, "groups": groups,
                              "bias": bias}])
    weights = layer.ones(c_in)
    window = (c_in, SAMPLE_SIDE + kernel - 1, SAMPLE_SIDE + kernel - 1)
    positions = side * side

    def per_map(run_on_ones: int) -> int:  # every one of the 2 x 2 positions counts the same
        return run_on_ones // SAMPLE_SIDE ** 2 * positions

    return Counted(int(np.count_nonzero(weights)) + layer.biases(),
                   per_map(counted_connections(replace(layer, bias=False), window)),
                   per_map(counted_connections(layer, window)), int(np.count_nonzero(weights[0])))
