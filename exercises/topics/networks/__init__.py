"""Named networks built from the layer model, and the stack a template's params describe: `layers` (a list of
layers) or `network` (one of these names). Each family is a module of recipes (`classic`, `resnets`,
`inception`, `mobile`, `compact`, `modern`; its docstring says how it follows torchvision); `published` holds
what others measured. A network is built the first time it is asked for, then kept: listing the names costs
nothing, so the command line and `cnnquiz list` start as fast as before.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from exercises.by_content import by_content, read_back
from exercises.params import ParamError
from exercises.topics.layers import Layer, infer_shapes, parse_layers
from exercises.topics.networks import classic, compact, inception, mobile, modern, resnets
from exercises.topics.networks.parts import Recipe
from exercises.topics.networks.published import PUBLISHED, Published

__all__ = ["NETWORKS", "PUBLISHED", "Network", "Published", "check_input", "stack_of"]


@dataclass(frozen=True)
class Network:
    """A named network: its input (channels, height = width) and its layers, with every `in` and `channels`
    inferred."""

    id: str
    title: str
    input_channels: int
    input_size: int
    layers: tuple[Layer, ...]


class Networks(Mapping[str, Network]):
    """The named networks by id, each built from its recipe the first time it is asked for."""

    def __init__(self, recipes: dict[str, Recipe]):
        self._recipes = recipes

    def __getitem__(self, id: str) -> Network:
        return _build(id, self._recipes[id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._recipes)

    def __len__(self) -> int:
        return len(self._recipes)


@functools.cache
def _build(id: str, recipe: Recipe) -> Network:
    """The network's layers, read like any stack (without the size limit of a pinned one) and checked to fit
    its input."""
    layers, _ = infer_shapes(parse_layers(recipe.layers(), limit=None), recipe.input_channels,
                             (recipe.input_size, recipe.input_size))
    return Network(id, recipe.title, recipe.input_channels, recipe.input_size, layers)


NETWORKS = Networks({**classic.RECIPES, **resnets.RECIPES, **inception.RECIPES, **compact.RECIPES,
                     **mobile.RECIPES, **modern.RECIPES})


@by_content(256)  # each misconception of a part starts from the stack: found by identity while they run
def stack_of(params: dict[str, Any]) -> tuple[tuple[Layer, ...], Network | None]:
    """The layers a template's params describe (`layers` or `network`) and the network, if named."""
    if "layers" in params and "network" in params:
        raise ParamError("pin either layers or network, not both")
    if "network" in params:
        network = NETWORKS[params["network"]]
        return network.layers, network
    if "layers" not in params:
        raise ParamError("pin layers (a list of layers) or network (" + ", ".join(NETWORKS) + ")")
    return _parsed(params["layers"]), None


@by_content(256)  # a template's misconceptions and verifier ask for the same stack many times over
def _parsed(layers: Any) -> tuple[Layer, ...]:
    """The layers of a stack read back from JSON (as they are if they are not plain data); parsed layers are
    frozen."""
    return parse_layers(read_back(layers))


def check_input(params: dict[str, Any], needed: str = "") -> None:
    """A named network brings its own input; with layers, input_size and input_channels must be pinned
    when `needed` says why (ParamError otherwise)."""
    if "network" in params and ("input_size" in params or "input_channels" in params):
        raise ParamError(f"the network {params['network']} has its own input size and channels; "
                         "pin input_size and input_channels only with layers")
    if needed and "network" not in params:
        for name in ("input_size", "input_channels"):
            if name not in params:
                raise ParamError(f"pin {name} too: {needed}")
