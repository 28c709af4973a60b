"""Named networks (LeNet-5, AlexNet, VGG-16) built from the layer model, and the stack a template's
params describe: `layers` (a list of layers) or `network` (one of these names)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.params import ParamError
from exercises.topics.layers import Layer, infer_shapes, parse_layers


@dataclass(frozen=True)
class Network:
    """A named network: its input (channels, height = width) and its layers."""

    id: str
    title: str
    input_channels: int
    input_size: int
    layers: tuple[Layer, ...]


def stack_of(params: dict[str, Any]) -> tuple[tuple[Layer, ...], Network | None]:
    """The layers a template's params describe (`layers` or `network`) and the network, if named."""
    if "layers" in params and "network" in params:
        raise ParamError("pin either layers or network, not both")
    if "network" in params:
        network = NETWORKS[params["network"]]
        return network.layers, network
    if "layers" not in params:
        raise ParamError("pin layers (a list of layers) or network (" + ", ".join(NETWORKS) + ")")
    return parse_layers(params["layers"]), None


def _c3_table() -> list[list[int]]:
    """LeCun et al. (1998), Table I: which S2 maps feed each C3 map (0-based)."""
    contiguous = [[(start + i) % 6 for i in range(size)] for size in (3, 4) for start in range(6)]
    return contiguous + [[0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5]]


def _vgg16() -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = []
    channels = 3
    for block, (width, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), start=1):
        for number in range(1, convs + 1):
            layers.append({"type": "conv", "name": f"conv{block}_{number}", "in": channels, "out": width,
                           "kernel": 3, "padding": 1})
            channels = width
        layers.append({"type": "pool", "name": f"pool{block}", "kernel": 2})
    return layers + [{"type": "dense", "name": "fc6", "in": 512 * 7 * 7, "out": 4096},
                     {"type": "dense", "name": "fc7", "in": 4096, "out": 4096},
                     {"type": "dense", "name": "fc8", "in": 4096, "out": 1000}]


def _network(id: str, title: str, channels: int, size: int, data: list[dict[str, Any]]) -> Network:
    layers = parse_layers(data)
    infer_shapes(layers, channels, (size, size))  # the definition must be shape-consistent
    return Network(id, title, channels, size, layers)


NETWORKS: dict[str, Network] = {
    "lenet5": _network("lenet5", "LeNet-5 (LeCun, Bottou, Bengio and Haffner 1998)", 1, 32, [
        {"type": "conv", "name": "C1", "in": 1, "out": 6, "kernel": 5},
        {"type": "subsample", "name": "S2", "maps": 6, "kernel": 2},
        {"type": "conv", "name": "C3", "in": 6, "out": 16, "kernel": 5, "connections": _c3_table()},
        {"type": "subsample", "name": "S4", "maps": 16, "kernel": 2},
        {"type": "conv", "name": "C5", "in": 16, "out": 120, "kernel": 5},
        {"type": "dense", "name": "F6", "in": 120, "out": 84},
    ]),
    # torchvision's AlexNet and VGG-16 end their features with an adaptive average pool to 6x6
    # (7x7); at their 224x224 input that pool is the identity, so it is left out here.
    "alexnet": _network("alexnet", "AlexNet (as in torchvision)", 3, 224, [
        {"type": "conv", "name": "conv1", "in": 3, "out": 64, "kernel": 11, "stride": 4, "padding": 2},
        {"type": "pool", "name": "pool1", "kernel": 3, "stride": 2},
        {"type": "conv", "name": "conv2", "in": 64, "out": 192, "kernel": 5, "padding": 2},
        {"type": "pool", "name": "pool2", "kernel": 3, "stride": 2},
        {"type": "conv", "name": "conv3", "in": 192, "out": 384, "kernel": 3, "padding": 1},
        {"type": "conv", "name": "conv4", "in": 384, "out": 256, "kernel": 3, "padding": 1},
        {"type": "conv", "name": "conv5", "in": 256, "out": 256, "kernel": 3, "padding": 1},
        {"type": "pool", "name": "pool3", "kernel": 3, "stride": 2},
        {"type": "dense", "name": "fc6", "in": 256 * 6 * 6, "out": 4096},
        {"type": "dense", "name": "fc7", "in": 4096, "out": 4096},
        {"type": "dense", "name": "fc8", "in": 4096, "out": 1000},
    ]),
    "vgg16": _network("vgg16", "VGG-16 (as in torchvision)", 3, 224, _vgg16()),
}
