"""The layer kinds: one small frozen class per kind of layer, each owning its YAML keys, its parameters, its
connections, its output shape, its receptive-field step, the sentences that describe it and its run on
numbers (for verifiers). `layer_spec` reads a stack's YAML into them; `layers` and the templates ask them.

A new kind is one module here: a subclass of `Layer` (or `Window`, for a window slid over the maps) that
overrides what it changes (`base.Layer` lists every question, with the answer of a layer that does nothing),
its entry in `KINDS` and its line in `layer_spec`'s docstring (tests/test_layer_kinds.py checks both). A block
that holds layers (as `Residual` does; concatenated branches would too) answers through its paths with
`base.infer_path` and `base.field_through`.
"""

from exercises.topics.layer_kinds.base import Field, Layer
from exercises.topics.layer_kinds.batchnorm import BatchNorm
from exercises.topics.layer_kinds.conv import Conv
from exercises.topics.layer_kinds.dense import Dense
from exercises.topics.layer_kinds.flatten import Flatten
from exercises.topics.layer_kinds.globalpool import GlobalPool
from exercises.topics.layer_kinds.pool import Pool
from exercises.topics.layer_kinds.residual import Residual
from exercises.topics.layer_kinds.subsample import Subsample
from exercises.topics.layer_kinds.window import Window

# by YAML type, in the order messages list them
KINDS: dict[str, type[Layer]] = {kind.type: kind for kind in (Conv, Pool, Subsample, Dense, BatchNorm, Residual,
                                                               GlobalPool, Flatten)}

__all__ = ["KINDS", "BatchNorm", "Conv", "Dense", "Field", "Flatten", "GlobalPool", "Layer", "Pool", "Residual",
           "Subsample", "Window"]
