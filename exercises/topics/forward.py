"""The layer model run on numbers, for verifiers that count by simulation rather than by formula.

Every weight is 1 and there are no biases, and a pooling or subsampling window (a global pool: the
whole map) adds up what it reads, so on an all-ones input each output is the number of input units
it reads; the shape of the result is the layer's output shape, found by actually sliding the windows
(a residual block runs both of its paths and adds them).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.topics.layers import Layer


def conv_weights(layer: Layer, channels: int) -> np.ndarray:
    """The 0/1 weight tensor (out maps, in maps, kh, kw) of a convolution: a connection table or groups
    decide which input maps each output map reads."""
    outputs: int = layer.outputs  # type: ignore[assignment]
    weights = np.zeros((outputs, channels, *layer.kernel), dtype=np.int64)
    if layer.connections is not None:
        for out_map, inputs in enumerate(layer.connections):
            weights[out_map, list(inputs)] = 1
        return weights
    per_in, per_out = channels // layer.groups, outputs // layer.groups
    for out_map in range(outputs):
        group = out_map // per_out
        weights[out_map, group * per_in:(group + 1) * per_in] = 1
    return weights


def reads(layer: Layer, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The layer applied to `x` ((channels, height, width), or a vector after flatten or dense) with
    weights 1 and no bias. With `tap` = (out map, in map, row, col), only that convolution weight is 1."""
    if layer.type == "flatten":
        return x.reshape(-1)
    if layer.type == "globalpool":  # a sum per map: the mean up to the factor 1/(H·W)
        return x.sum(axis=(1, 2))
    if layer.type == "residual":  # both paths read the block's input; their outputs are added
        paths = []
        for path in (layer.main, layer.shortcut):
            y = x
            for inner in path:
                y = reads(inner, y)
            paths.append(y)
        assert paths[0].shape == paths[1].shape, f"{layer.name}: paths give {paths[0].shape} and {paths[1].shape}"
        return paths[0] + paths[1]
    if layer.type == "dense":  # every unit reads every input with weight 1 (no outputs x inputs matrix of ones)
        return np.full(layer.outputs, x.sum(), dtype=x.dtype)  # type: ignore[arg-type]
    if layer.type == "batchnorm":
        return x
    kh, kw = layer.kernel
    d, s = layer.dilation, layer.stride
    padded = np.pad(x, ((0, 0), (layer.padding, layer.padding), (layer.padding, layer.padding)))
    windows = sliding_window_view(padded, ((kh - 1) * d + 1, (kw - 1) * d + 1), axis=(1, 2))
    windows = windows[:, ::s, ::s, ::d, ::d]  # (in maps, rows, cols, kh, kw)
    if layer.type != "conv":
        return windows.sum(axis=(3, 4))
    if tap is None and layer.connections is None and layer.groups == 1:  # every output map reads every input map
        return np.broadcast_to(windows.sum(axis=(0, 3, 4)), (layer.outputs, *windows.shape[1:3]))  # type: ignore
    weights = conv_weights(layer, x.shape[0])
    if tap is not None:
        only = np.zeros_like(weights)
        only[tap] = weights[tap]
        weights = only
    return np.einsum("cyxij,ocij->oyx", windows, weights)
