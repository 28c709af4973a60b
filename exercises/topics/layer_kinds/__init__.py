"""The layer kinds: one small frozen class per kind of layer, each owning its YAML keys, its parameters, its
connections, its output shape, its receptive-field step, the sentences that describe it and its run on
numbers (for verifiers). `layer_spec` reads a stack's YAML into them; `layers` and the templates ask them.

A new kind is one module here: a subclass of `Layer` (or `Window`, for a window slid over the maps;
`PerChannel`, for a layer that works channel by channel; `Block`, for one that holds paths of layers) that
overrides what it changes (`base.Layer` lists every question, with the answer of a layer that does nothing),
its entry in `KINDS` and its line in `layer_spec`'s docstring (tests/test_layer_kinds.py checks both). A block
answers through its paths with `base.infer_path` and `base.field_through`.
"""

from exercises.topics.layer_kinds.auxiliary import Auxiliary
from exercises.topics.layer_kinds.avgpool import AvgPool
from exercises.topics.layer_kinds.base import Field, Layer
from exercises.topics.layer_kinds.batchnorm import BatchNorm
from exercises.topics.layer_kinds.block import Block
from exercises.topics.layer_kinds.concat import Concat
from exercises.topics.layer_kinds.conv import Conv
from exercises.topics.layer_kinds.dense import Dense
from exercises.topics.layer_kinds.dropout import Dropout, StochasticDepth
from exercises.topics.layer_kinds.flatten import Flatten
from exercises.topics.layer_kinds.globalpool import GlobalPool
from exercises.topics.layer_kinds.layernorm import LayerNorm
from exercises.topics.layer_kinds.layerscale import LayerScale
from exercises.topics.layer_kinds.pool import Pool
from exercises.topics.layer_kinds.residual import Residual
from exercises.topics.layer_kinds.sequential import Sequential
from exercises.topics.layer_kinds.shuffle import ChannelShuffle
from exercises.topics.layer_kinds.squeeze_excite import SqueezeExcite
from exercises.topics.layer_kinds.subsample import Subsample
from exercises.topics.layer_kinds.transposed import Transposed
from exercises.topics.layer_kinds.window import Window

# by YAML type, in the order messages list them
KINDS: dict[str, type[Layer]] = {kind.type: kind for kind in (
    Conv, Pool, Subsample, Dense, BatchNorm, Residual, GlobalPool, Flatten, AvgPool, Transposed, Concat, Sequential,
    SqueezeExcite, ChannelShuffle, LayerNorm, LayerScale, Dropout, StochasticDepth, Auxiliary)}

__all__ = ["KINDS", "Auxiliary", "AvgPool", "BatchNorm", "Block", "ChannelShuffle", "Concat", "Conv", "Dense",
           "Dropout", "Field", "Flatten", "GlobalPool", "Layer", "LayerNorm", "LayerScale", "Pool", "Residual",
           "Sequential", "SqueezeExcite", "StochasticDepth", "Subsample", "Transposed", "Window"]
