"""RegNetY-400MF (Radosavovic et al. 2020) and ConvNeXt-T (Liu et al. 2022), as torchvision builds them."""

from __future__ import annotations

from exercises.topics.networks.parts import Data, Recipe, classifier, conv, conv_bn, residual, se, sequential


def regnet_y_400mf() -> list[Data]:
    """Four stages (widths 48, 104, 208, 440; 1, 3, 6, 6 blocks) of X blocks with squeeze-and-excitation: a
    1x1 convolution, a 3x3 one in groups of 8 channels (the stage's first strides 2), squeeze-and-excitation to
    a quarter of the block's input channels, a 1x1 convolution; a projection shortcut where the shape changes.
    These are the widths torchvision derives from the paper's w_0 = 48, w_a = 27.89, w_m = 2.09, depth 16."""
    layers = conv_bn(32, 3, 2, name="stem")
    inp = 32
    for stage, (width, depth) in enumerate(((48, 1), (104, 3), (208, 6), (440, 6)), start=1):
        blocks = []
        for number in range(depth):
            stride = 2 if number == 0 else 1
            main = [*conv_bn(width, 1), *conv_bn(width, 3, stride, groups=width // 8), se(round(0.25 * inp)),
                    *conv_bn(width, 1)]
            shortcut = conv_bn(width, 1, stride) if stride > 1 or inp != width else None
            blocks.append(residual(main, shortcut, name=f"block{stage}-{number}"))
            inp = width
        layers.append(sequential(blocks, name=f"block{stage}"))
    return layers + classifier()


def convnext_tiny() -> list[Data]:
    """A 4x4/4 'patchify' convolution, then four stages (96, 192, 384, 768 channels; 3, 3, 9, 3 blocks) with a
    layer norm and a 2x2/2 convolution between them. A block: a depthwise 7x7 convolution, a layer norm, a
    linear layer to 4 times the channels and one back (applied at each position: 1x1 convolutions), a layer
    scale and stochastic depth (block b of 18: p = 0.1 · b / 17), added to its input."""
    layers: list[Data] = [conv(96, 4, 4, 0, bias=True, name="stem"), {"type": "layernorm", "name": "stem.norm"}]
    block = 0
    for stage, (width, depth) in enumerate(((96, 3), (192, 3), (384, 9), (768, 3)), start=1):
        if stage > 1:
            layers.append(sequential([{"type": "layernorm"}, conv(width, 2, 2, 0, bias=True)],
                                     name=f"downsample{stage}"))
        blocks = []
        for number in range(depth):
            main = [conv(width, 7, groups=width, bias=True), {"type": "layernorm"}, conv(4 * width, 1, bias=True),
                    conv(width, 1, bias=True), {"type": "layerscale"}]
            main += [{"type": "droppath", "p": round(0.1 * block / 17, 4)}] if block else []
            blocks.append(residual(main, name=f"stage{stage}.{number}"))
            block += 1
        layers.append(sequential(blocks, name=f"stage{stage}"))
    return layers + [{"type": "globalpool", "name": "avgpool"}, {"type": "layernorm", "name": "norm"},
                     {"type": "flatten", "name": "flatten"}, {"type": "dense", "name": "fc", "out": 1000}]


RECIPES = {
    "regnet_y_400mf": Recipe("RegNetY-400MF (Radosavovic et al. 2020, as in torchvision)", 3, 224, regnet_y_400mf),
    "convnext_tiny": Recipe("ConvNeXt-T (Liu et al. 2022, as in torchvision; its linear layers, applied at each "
                            "position, are 1×1 convolutions here)", 3, 224, convnext_tiny),
}
