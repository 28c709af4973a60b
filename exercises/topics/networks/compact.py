"""Networks that concatenate: SqueezeNet 1.0 and 1.1 (Iandola et al. 2016; fire modules, no batch
normalization), ShuffleNet V2 1.0x (Ma et al. 2018; channel split, concatenation and shuffle) and DenseNet-121
(Huang et al. 2017; each layer concatenates its new maps to its input), as torchvision builds them."""

from __future__ import annotations

from exercises.topics.networks.parts import Data, Recipe, concat, conv, conv_bn, pool, sequential


def _fire(squeeze: int, expand: int, name: str) -> Data:
    """A 1x1 'squeeze' convolution, then 1x1 and 3x3 'expand' convolutions side by side (all with biases)."""
    return sequential([conv(squeeze, 1, bias=True),
                       concat([[conv(expand, 1, bias=True)], [conv(expand, 3, bias=True)]])], name=name)


def squeezenet(version: str) -> list[Data]:
    """Fire modules between max pools (ceil_mode, as torchvision's); the classifier is a 1x1 convolution to the
    1000 classes, averaged over the map."""
    fires = [(16, 64), (16, 64), (32, 128), (32, 128), (48, 192), (48, 192), (64, 256), (64, 256)]
    pools_after = (4, 8) if version == "1_0" else (3, 5)  # after fire4 and fire8 (1.1: fire3 and fire5)
    stem = conv(96, 7, 2, 0, bias=True, name="conv1") if version == "1_0" else conv(64, 3, 2, 0, bias=True,
                                                                                  name="conv1")
    layers = [stem, pool(3, 2, ceil_mode=True, name="maxpool1")]
    for number, (squeeze, expand) in enumerate(fires, start=2):
        layers.append(_fire(squeeze, expand, f"fire{number}"))
        if number in pools_after:
            layers.append(pool(3, 2, ceil_mode=True, name=f"maxpool{pools_after.index(number) + 2}"))
    return layers + [{"type": "dropout", "name": "dropout"}, conv(1000, 1, bias=True, name="conv10"),
                     {"type": "globalpool", "name": "avgpool"}]


def _shuffle_unit(inp: int, out: int, stride: int) -> list[Data]:
    """ShuffleNet V2's unit: at stride 2 both branches read the whole input (one of them a depthwise 3x3/2
    and a 1x1); at stride 1 the channels are split in two, one half passed on. Then the halves are
    interleaved."""
    half = out // 2
    main = [*conv_bn(half, 1), *conv_bn(half, 3, stride, groups=half), *conv_bn(half, 1)]
    if stride > 1:
        unit = concat([[*conv_bn(inp, 3, stride, groups=inp), *conv_bn(half, 1)], main])
    else:
        unit = concat([[], main], split=True)
    return [unit, {"type": "shuffle"}]


def shufflenet_v2_x1_0() -> list[Data]:
    layers = [*conv_bn(24, 3, 2, name="conv1"), pool(3, 2, 1, name="maxpool")]
    inp = 24
    for stage, (out, repeats) in enumerate(((116, 4), (232, 8), (464, 4)), start=2):
        units = [layer for repeat in range(repeats)
                 for layer in _shuffle_unit(inp if repeat == 0 else out, out, 2 if repeat == 0 else 1)]
        layers.append(sequential(units, name=f"stage{stage}"))
        inp = out
    return layers + conv_bn(1024, 1, name="conv5") + [{"type": "globalpool", "name": "avgpool"},
                                                      {"type": "dense", "name": "fc", "out": 1000}]


def densenet121() -> list[Data]:
    """Four dense blocks of 6, 12, 24 and 16 layers; each layer (batch norm, 1x1 convolution to 4 · 32,
    batch norm, 3x3 convolution to 32) concatenates its 32 new maps to its input. Transitions between the
    blocks halve the channels (batch norm, 1x1 convolution) and the maps (2x2 average pooling)."""
    layers = [conv(64, 7, 2, 3, name="conv0"), {"type": "batchnorm", "name": "norm0"},
              pool(3, 2, 1, name="pool0")]
    channels = 64
    for block, count in enumerate((6, 12, 24, 16), start=1):
        dense = [concat([[], [{"type": "batchnorm"}, conv(128, 1), {"type": "batchnorm"}, conv(32, 3)]],
                        name=f"denseblock{block}.{number}") for number in range(1, count + 1)]
        layers.append(sequential(dense, name=f"denseblock{block}"))
        channels += 32 * count
        if block < 4:
            channels //= 2
            layers.append(sequential([{"type": "batchnorm"}, conv(channels, 1), pool(2, average=True)],
                                     name=f"transition{block}"))
    return layers + [{"type": "batchnorm", "name": "norm5"}, {"type": "globalpool", "name": "avgpool"},
                     {"type": "dense", "name": "classifier", "out": 1000}]


RECIPES = {
    "squeezenet1_0": Recipe("SqueezeNet 1.0 (Iandola et al. 2016, as in torchvision)", 3, 224,
                            lambda: squeezenet("1_0")),
    "squeezenet1_1": Recipe("SqueezeNet 1.1 (as in torchvision: fewer channels in its first layer, pooling "
                            "earlier)", 3, 224, lambda: squeezenet("1_1")),
    "shufflenet_v2_x1_0": Recipe("ShuffleNet V2 1.0x (Ma et al. 2018, as in torchvision)", 3, 224,
                                 shufflenet_v2_x1_0),
    "densenet121": Recipe("DenseNet-121 (Huang et al. 2017, as in torchvision)", 3, 224, densenet121),
}
