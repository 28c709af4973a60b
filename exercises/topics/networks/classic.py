"""The classic networks: LeNet-5 (LeCun, Bottou, Bengio and Haffner 1998), with the paper's C3 connection
table, and torchvision's AlexNet and VGG. torchvision's AlexNet and VGG end their features with an adaptive
average pool to 6x6 (7x7); at their 224x224 input it is the identity, so it is left out here; their
classifiers' dropout is left out too (it has no parameters)."""

from __future__ import annotations

from typing import Any

from exercises.topics.networks.parts import Recipe


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


def _recipes() -> dict[str, Recipe]:
    found = {"lenet5": Recipe("LeNet-5 (LeCun, Bottou, Bengio and Haffner 1998)", 1, 32, _lenet5),
             "alexnet": Recipe("AlexNet (as in torchvision)", 3, 224, _alexnet)}
    for depth in VGG_CONVS:
        for batchnorm in (False, True):
            title = f"VGG-{depth}" + (" with batch normalization" if batchnorm else "") + " (as in torchvision)"
            found[f"vgg{depth}" + ("_bn" if batchnorm else "")] = Recipe(
                title, 3, 224, lambda depth=depth, batchnorm=batchnorm: _vgg(depth, batchnorm))
    return found


RECIPES = _recipes()
