"""The mobile networks, built of inverted residual blocks (a 1x1 expansion, a depthwise k x k convolution, a
1x1 projection; the input added where the shape allows), as torchvision builds them: MobileNetV2 (Sandler et
al. 2018), MobileNetV3 (Howard et al. 2019; squeeze-and-excitation with a hard-sigmoid gate), MNASNet (Tan et
al. 2019; torchvision's has no squeeze-and-excitation) and EfficientNet-B0 (Tan and Le 2019;
squeeze-and-excitation and stochastic depth). Their activations (ReLU6, hard-swish, SiLU) have no parameters
and are left out, as everywhere here."""

from __future__ import annotations

from exercises.topics.networks.parts import Data, Recipe, classifier, conv_bn, make_divisible, residual, se, sequential


def inverted(inp: int, out: int, expanded: int, kernel: int, stride: int, name: str, squeeze: int | None = None,
             gate: str = "sigmoid", drop: float | None = None) -> Data:
    """An inverted residual block: expansion (left out when it would not widen), depthwise convolution,
    squeeze-and-excitation (with `squeeze`), projection; a residual block when stride 1 keeps the channels
    (then with stochastic depth `drop`), else a plain sequence."""
    layers = conv_bn(expanded, 1) if expanded != inp else []
    layers += conv_bn(expanded, kernel, stride, groups=expanded)
    layers += [se(squeeze, gate)] if squeeze else []
    layers += conv_bn(out, 1)
    if stride == 1 and inp == out:
        return residual(layers + ([{"type": "droppath", "p": drop}] if drop else []), name=name)
    return sequential(layers, name=name)


def _stem(out: int) -> list[Data]:
    return conv_bn(out, 3, 2, name="stem")


def mobilenet_v2() -> list[Data]:
    layers, inp, number = _stem(32), 32, 0
    for expand, out, repeats, stride in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                                         (6, 160, 3, 2), (6, 320, 1, 1)):
        for repeat in range(repeats):
            number += 1
            layers.append(inverted(inp, out, inp * expand, 3, stride if repeat == 0 else 1, f"block{number}"))
            inp = out
    return layers + conv_bn(1280, 1, name="head") + classifier(dropout=0.2)


# (in, kernel, expanded, out, squeeze-and-excitation, stride): torchvision's _mobilenet_v3_conf
MOBILENET_V3 = {
    "large": ((16, 3, 16, 16, False, 1), (16, 3, 64, 24, False, 2), (24, 3, 72, 24, False, 1),
              (24, 5, 72, 40, True, 2), (40, 5, 120, 40, True, 1), (40, 5, 120, 40, True, 1),
              (40, 3, 240, 80, False, 2), (80, 3, 200, 80, False, 1), (80, 3, 184, 80, False, 1),
              (80, 3, 184, 80, False, 1), (80, 3, 480, 112, True, 1), (112, 3, 672, 112, True, 1),
              (112, 5, 672, 160, True, 2), (160, 5, 960, 160, True, 1), (160, 5, 960, 160, True, 1)),
    "small": ((16, 3, 16, 16, True, 2), (16, 3, 72, 24, False, 2), (24, 3, 88, 24, False, 1),
              (24, 5, 96, 40, True, 2), (40, 5, 240, 40, True, 1), (40, 5, 240, 40, True, 1),
              (40, 5, 120, 48, True, 1), (48, 5, 144, 48, True, 1), (48, 5, 288, 96, True, 2),
              (96, 5, 576, 96, True, 1), (96, 5, 576, 96, True, 1)),
}


def mobilenet_v3(size: str) -> list[Data]:
    layers = _stem(16)
    for number, (inp, kernel, expanded, out, squeeze, stride) in enumerate(MOBILENET_V3[size], start=1):
        layers.append(inverted(inp, out, expanded, kernel, stride, f"block{number}",
                               make_divisible(expanded // 4) if squeeze else None, "hardsigmoid"))
    last = MOBILENET_V3[size][-1][3]
    return layers + conv_bn(6 * last, 1, name="head") + classifier(0.2, hidden=1280 if size == "large" else 1024)


def mnasnet1_0() -> list[Data]:
    layers = [*conv_bn(32, 3, 2, name="stem"), *conv_bn(32, 3, groups=32, name="stem.dw"),
              *conv_bn(16, 1, name="stem.pw")]
    inp, number = 16, 0
    for out, kernel, stride, expand, repeats in ((24, 3, 2, 3, 3), (40, 5, 2, 3, 3), (80, 5, 2, 6, 3),
                                                 (96, 3, 1, 6, 2), (192, 5, 2, 6, 4), (320, 3, 1, 6, 1)):
        for repeat in range(repeats):
            number += 1
            layers.append(inverted(inp, out, inp * expand, kernel, stride if repeat == 0 else 1, f"block{number}"))
            inp = out
    return layers + conv_bn(1280, 1, name="head") + classifier(dropout=0.2)


def efficientnet_b0() -> list[Data]:
    """Seven stages of MBConv blocks (squeeze-and-excitation to a quarter of the block's input channels);
    block b of the 16 drops its residual path with probability 0.2 · b / 16 (torchvision's rule)."""
    layers, inp, block = _stem(32), 32, 0
    for stage, (expand, kernel, stride, out, repeats) in enumerate(
            ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3),
             (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)), start=1):
        blocks = []
        for repeat in range(repeats):
            blocks.append(inverted(inp, out, make_divisible(inp * expand), kernel, stride if repeat == 0 else 1,
                                   f"stage{stage}.{repeat}", max(1, inp // 4), drop=round(0.2 * block / 16, 4)))
            inp, block = out, block + 1
        layers.append(sequential(blocks, name=f"stage{stage}"))
    return layers + conv_bn(1280, 1, name="head") + classifier(dropout=0.2)


_ACTIVATIONS = "its activations have no parameters and are left out"
RECIPES = {
    "mobilenet_v2": Recipe("MobileNetV2 (Sandler et al. 2018, as in torchvision)", 3, 224, mobilenet_v2),
    "mobilenet_v3_large": Recipe(f"MobileNetV3-Large (Howard et al. 2019, as in torchvision; {_ACTIVATIONS}, "
                                 "hard-swish among them)", 3, 224, lambda: mobilenet_v3("large")),
    "mobilenet_v3_small": Recipe(f"MobileNetV3-Small (Howard et al. 2019, as in torchvision; {_ACTIVATIONS}, "
                                 "hard-swish among them)", 3, 224, lambda: mobilenet_v3("small")),
    "mnasnet1_0": Recipe("MNASNet 1.0 (Tan et al. 2019, as in torchvision)", 3, 224, mnasnet1_0),
    "efficientnet_b0": Recipe("EfficientNet-B0 (Tan and Le 2019, as in torchvision)", 3, 224, efficientnet_b0),
}
