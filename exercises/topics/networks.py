"""Named networks built from the layer model, with the figures published for them, and the stack a
template's params describe: `layers` (a list of layers) or `network` (one of these names).

- `lenet5`: LeNet-5 (LeCun, Bottou, Bengio and Haffner 1998), with the paper's C3 connection table.
- `alexnet`, `vgg11` … `vgg19`, their `_bn` variants, `resnet18`, `resnet34`: as in torchvision.
  torchvision's AlexNet and VGG end their features with an adaptive average pool to 6x6 (7x7); at
  their 224x224 input it is the identity, so it is left out here.
- `resnet50`: ResNet-50 of the paper (He, Zhang, Ren and Sun 2016): a bottleneck block that
  downsamples has its stride in its first 1x1 convolution. torchvision's resnet50 ("ResNet V1.5")
  moves that stride to the 3x3 convolution: the same parameters, but a smaller receptive field
  (427 instead of 483 input pixels at the last block).

`PUBLISHED` holds what others measured: torchvision's parameter counts (`num_params` of each
model's ImageNet weights) and the receptive fields of Araujo, Norris and Sim, "Computing Receptive
Fields of Convolutional Neural Networks", Distill 2019 (their table, computed on the TF-Slim models
alexnet_v2, vgg_a = VGG-11, vgg_16 and resnet_v1_50, whose windows and strides match these). The
tests and the templates' verifiers check every network against them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Published:
    """Published figures of a network: its trainable parameters and receptive-field sizes (side in input
    pixels) at some of its layers, by our layer names; `source` says where they come from."""

    params: int
    fields: dict[str, int] = field(default_factory=dict)
    source: str = ""


def stack_of(params: dict[str, Any]) -> tuple[tuple[Layer, ...], Network | None]:
    """The layers a template's params describe (`layers` or `network`) and the network, if named."""
    if "layers" in params and "network" in params:
        raise ParamError("pin either layers or network, not both")
    if "network" in params:
        network = NETWORKS[params["network"]]
        return network.layers, network
    if "layers" not in params:
        raise ParamError("pin layers (a list of layers) or network (" + ", ".join(NETWORKS) + ")")
    try:
        text = json.dumps(params["layers"], sort_keys=True)
    except TypeError:  # not plain data: parse it as it is
        return parse_layers(params["layers"]), None
    return _parsed(text), None


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[Layer, ...]:
    """The layers of a stack written as JSON: a template's misconceptions and verifier ask for the same stack
    many times over, and parsed layers are frozen."""
    return parse_layers(json.loads(text))


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


def _c3_table() -> list[list[int]]:
    """LeCun et al. (1998), Table I: which S2 maps feed each C3 map (0-based)."""
    contiguous = [[(start + i) % 6 for i in range(size)] for size in (3, 4) for start in range(6)]
    return contiguous + [[0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5]]


def _lenet5() -> list[dict[str, Any]]:
    return [
        {"type": "conv", "name": "C1", "in": 1, "out": 6, "kernel": 5},
        {"type": "subsample", "name": "S2", "maps": 6, "kernel": 2},
        {"type": "conv", "name": "C3", "in": 6, "out": 16, "kernel": 5, "connections": _c3_table()},
        {"type": "subsample", "name": "S4", "maps": 16, "kernel": 2},
        {"type": "conv", "name": "C5", "in": 16, "out": 120, "kernel": 5},
        {"type": "dense", "name": "F6", "in": 120, "out": 84},
    ]


def _alexnet() -> list[dict[str, Any]]:
    convs = [(64, 11, 4, 2), (192, 5, 1, 2), (384, 3, 1, 1), (256, 3, 1, 1), (256, 3, 1, 1)]
    layers: list[dict[str, Any]] = []
    channels = 3
    for number, (out, kernel, stride, padding) in enumerate(convs, start=1):
        layers.append({"type": "conv", "name": f"conv{number}", "in": channels, "out": out, "kernel": kernel,
                       "stride": stride, "padding": padding})
        channels = out
        if number in (1, 2, 5):
            layers.append({"type": "pool", "name": f"pool{min(number, 3)}", "kernel": 3, "stride": 2})
    return layers + _classifier(256 * 6 * 6)


def _classifier(flat: int) -> list[dict[str, Any]]:
    return [{"type": "dense", "name": "fc6", "in": flat, "out": 4096},
            {"type": "dense", "name": "fc7", "in": 4096, "out": 4096},
            {"type": "dense", "name": "fc8", "in": 4096, "out": 1000}]


VGG_CONVS = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}


def _vgg(depth: int, batchnorm: bool) -> list[dict[str, Any]]:
    """Simonyan and Zisserman's configurations A, B, D, E: 3x3 convolutions (padding 1) in five blocks
    of 64, 128, 256, 512, 512 channels, each block ending in a 2x2 max pool; then three dense layers."""
    layers: list[dict[str, Any]] = []
    channels = 3
    for block, (width, convs) in enumerate(zip((64, 128, 256, 512, 512), VGG_CONVS[depth], strict=True), start=1):
        for number in range(1, convs + 1):
            layers.append({"type": "conv", "name": f"conv{block}_{number}", "in": channels, "out": width,
                           "kernel": 3, "padding": 1})
            if batchnorm:
                layers.append({"type": "batchnorm", "name": f"bn{block}_{number}", "channels": width})
            channels = width
        layers.append({"type": "pool", "name": f"pool{block}", "kernel": 2})
    return layers + _classifier(512 * 7 * 7)


def _conv_bn(name: str, channels: int, out: int, kernel: int, stride: int = 1) -> list[dict[str, Any]]:
    """A bias-free convolution ('same' padding for odd kernels) and its batch normalization."""
    conv = {"type": "conv", "name": name, "in": channels, "out": out, "kernel": kernel, "bias": False}
    conv.update({"stride": stride} if stride > 1 else {})
    conv.update({"padding": kernel // 2} if kernel > 1 else {})
    bn_name = name.replace("conv", "bn") if "conv" in name else name + "_bn"
    return [conv, {"type": "batchnorm", "name": bn_name, "channels": out}]


def _resnet(blocks: tuple[int, ...], bottleneck: bool) -> list[dict[str, Any]]:
    """He et al. (2016): a 7x7/2 convolution and a 3x3/2 max pool, four stages of residual blocks
    (64, 128, 256, 512 wide; stages 2-4 start by halving the maps), global average pooling and one dense
    layer. A block whose input and output shapes differ has a projection shortcut (1x1 convolution and
    batch normalization); the others add their input unchanged."""
    layers = [*_conv_bn("conv1", 3, 64, 7, 2), {"type": "pool", "name": "pool1", "kernel": 3, "stride": 2,
                                                 "padding": 1}]
    channels = 64
    for stage, (width, count) in enumerate(zip((64, 128, 256, 512), blocks, strict=True), start=1):
        for number in range(count):
            stride = 2 if stage > 1 and number == 0 else 1
            name = f"layer{stage}.{number}"
            if bottleneck:
                out = 4 * width
                main = [*_conv_bn(f"{name}.conv1", channels, width, 1, stride),
                        *_conv_bn(f"{name}.conv2", width, width, 3), *_conv_bn(f"{name}.conv3", width, out, 1)]
            else:
                out = width
                main = [*_conv_bn(f"{name}.conv1", channels, width, 3, stride),
                        *_conv_bn(f"{name}.conv2", width, width, 3)]
            block: dict[str, Any] = {"type": "residual", "name": name, "main": main}
            if stride > 1 or channels != out:
                block["shortcut"] = _conv_bn(f"{name}.proj", channels, out, 1, stride)
            layers.append(block)
            channels = out
    return layers + [{"type": "globalpool", "name": "avgpool"}, {"type": "dense", "name": "fc", "in": channels,
                                                                  "out": 1000}]


def _network(id: str, title: str, channels: int, size: int, data: list[dict[str, Any]]) -> Network:
    layers = parse_layers(data)
    infer_shapes(layers, channels, (size, size))  # the definition must be shape-consistent
    return Network(id, title, channels, size, layers)


def _all() -> dict[str, Network]:
    networks = {
        "lenet5": _network("lenet5", "LeNet-5 (LeCun, Bottou, Bengio and Haffner 1998)", 1, 32, _lenet5()),
        "alexnet": _network("alexnet", "AlexNet (as in torchvision)", 3, 224, _alexnet()),
    }
    for depth in VGG_CONVS:
        for batchnorm in (False, True):
            id = f"vgg{depth}" + ("_bn" if batchnorm else "")
            title = f"VGG-{depth}" + (" with batch normalization" if batchnorm else "") + " (as in torchvision)"
            networks[id] = _network(id, title, 3, 224, _vgg(depth, batchnorm))
    for depth, blocks, bottleneck, title in (
            (18, (2, 2, 2, 2), False, "ResNet-18 (as in torchvision)"),
            (34, (3, 4, 6, 3), False, "ResNet-34 (as in torchvision)"),
            (50, (3, 4, 6, 3), True, "ResNet-50 (He, Zhang, Ren and Sun 2016: stride in the first 1x1 convolution "
                                     "of a downsampling block)")):
        networks[f"resnet{depth}"] = _network(f"resnet{depth}", title, 3, 224, _resnet(blocks, bottleneck))
    return networks


NETWORKS: dict[str, Network] = _all()

_TORCHVISION = "torchvision's num_params"
_ARAUJO = "Araujo, Norris and Sim (Distill 2019), receptive-field table"
PUBLISHED: dict[str, Published] = {
    "lenet5": Published(60_000, {"S4": 16}, "LeCun et al. (1998): about 60,000 trainable parameters; the lecture"),
    "alexnet": Published(61_100_840, {"conv1": 11, "pool1": 19, "conv2": 51, "conv3": 99, "conv4": 131,
                                      "conv5": 163, "pool3": 195}, f"{_TORCHVISION}; {_ARAUJO} (alexnet_v2)"),
    "vgg11": Published(132_863_336, {"conv1_1": 3, "pool1": 4, "conv2_1": 8, "pool2": 10, "conv3_1": 18,
                                     "conv3_2": 26, "pool3": 30, "conv4_1": 46, "conv4_2": 62, "pool4": 70,
                                     "conv5_1": 102, "conv5_2": 134, "pool5": 150},
                       f"{_TORCHVISION}; {_ARAUJO} (vgg_a)"),
    "vgg11_bn": Published(132_868_840, source=_TORCHVISION),
    "vgg13": Published(133_047_848, source=_TORCHVISION),
    "vgg13_bn": Published(133_053_736, source=_TORCHVISION),
    "vgg16": Published(138_357_544, {"conv1_1": 3, "pool1": 6, "conv2_1": 10, "pool2": 16, "conv3_1": 24,
                                     "conv3_2": 32, "pool3": 44, "conv4_1": 60, "conv4_2": 76, "pool4": 100,
                                     "conv5_1": 132, "conv5_2": 164, "pool5": 212},
                       f"{_TORCHVISION}; {_ARAUJO} (vgg_16)"),
    "vgg16_bn": Published(138_365_992, source=_TORCHVISION),
    "vgg19": Published(143_667_240, source=_TORCHVISION),
    "vgg19_bn": Published(143_678_248, source=_TORCHVISION),
    "resnet18": Published(11_689_512, source=_TORCHVISION),
    "resnet34": Published(21_797_672, source=_TORCHVISION),
    # TF-Slim's resnet_v1_50 ends each stage's stride where the paper starts the next one: the sizes at
    # the ends of the stages agree (35, 99, 291, 483), the effective strides there do not.
    "resnet50": Published(25_557_032, {"layer1.2": 35, "layer2.3": 99, "layer3.5": 291, "layer4.2": 483},
                          f"{_TORCHVISION}; {_ARAUJO} (resnet_v1_50)"),
}
