"""The ResNets (He, Zhang, Ren and Sun 2016), ResNeXt (Xie et al. 2017) and Wide ResNet-50-2 (Zagoruyko and
Komodakis 2016), as torchvision builds them.

- `resnet18`, `resnet34`: basic blocks (two 3x3 convolutions), as in torchvision.
- `resnet50`, `resnet101`, `resnet152`: bottleneck blocks (1x1, 3x3, 1x1) as in the paper: a block that
  downsamples has its stride in its first 1x1 convolution. torchvision's ("ResNet V1.5") moves that stride to
  the 3x3 convolution: the same parameters, but a smaller receptive field.
- `resnext50_32x4d`, `wide_resnet50_2`: torchvision's bottlenecks (stride in the 3x3 convolution, as the
  ResNeXt paper has it), 3x3 convolutions in 32 groups of 4 channels per group and stage (ResNeXt) or twice as
  wide (Wide ResNet).
"""

from __future__ import annotations

from typing import Any

from exercises.topics.networks.parts import Recipe


def _conv_bn(name: str, channels: int, out: int, kernel: int, stride: int = 1, groups: int = 1) -> list[dict[str, Any]]:
    """A bias-free convolution ('same' padding for odd kernels) and its batch normalization."""
    conv = {"type": "conv", "name": name, "in": channels, "out": out, "kernel": kernel, "bias": False}
    conv.update({"stride": stride} if stride > 1 else {})
    conv.update({"padding": kernel // 2} if kernel > 1 else {})
    conv.update({"groups": groups} if groups > 1 else {})
    bn_name = name.replace("conv", "bn") if "conv" in name else name + "_bn"
    return [conv, {"type": "batchnorm", "name": bn_name, "channels": out}]


def _resnet(blocks: tuple[int, ...], bottleneck: bool, groups: int = 1, width_per_group: int = 64,
            stride_in_3x3: bool = False) -> list[dict[str, Any]]:
    """He et al. (2016): a 7x7/2 convolution and a 3x3/2 max pool, four stages of residual blocks
    (64, 128, 256, 512 wide; stages 2-4 start by halving the maps), global average pooling and one dense
    layer. A block whose input and output shapes differ has a projection shortcut (1x1 convolution and
    batch normalization); the others add their input unchanged. A bottleneck's 3x3 convolution is
    width · width_per_group / 64 · groups channels wide (torchvision's rule)."""
    layers = [*_conv_bn("conv1", 3, 64, 7, 2), {"type": "pool", "name": "pool1", "kernel": 3, "stride": 2,
                                                 "padding": 1}]
    channels = 64
    for stage, (width, count) in enumerate(zip((64, 128, 256, 512), blocks, strict=True), start=1):
        for number in range(count):
            stride = 2 if stage > 1 and number == 0 else 1
            name = f"layer{stage}.{number}"
            if bottleneck:
                out, inner = 4 * width, width * width_per_group // 64 * groups
                first, middle = (1, stride) if stride_in_3x3 else (stride, 1)
                main = [*_conv_bn(f"{name}.conv1", channels, inner, 1, first),
                        *_conv_bn(f"{name}.conv2", inner, inner, 3, middle, groups),
                        *_conv_bn(f"{name}.conv3", inner, out, 1)]
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


_PAPER = "He, Zhang, Ren and Sun 2016: stride in the first 1×1 convolution of a downsampling block"
RECIPES = {
    "resnet18": Recipe("ResNet-18 (as in torchvision)", 3, 224, lambda: _resnet((2, 2, 2, 2), False)),
    "resnet34": Recipe("ResNet-34 (as in torchvision)", 3, 224, lambda: _resnet((3, 4, 6, 3), False)),
    "resnet50": Recipe(f"ResNet-50 ({_PAPER})", 3, 224, lambda: _resnet((3, 4, 6, 3), True)),
    "resnet101": Recipe(f"ResNet-101 ({_PAPER})", 3, 224, lambda: _resnet((3, 4, 23, 3), True)),
    "resnet152": Recipe(f"ResNet-152 ({_PAPER})", 3, 224, lambda: _resnet((3, 8, 36, 3), True)),
    "resnext50_32x4d": Recipe("ResNeXt-50 32x4d (Xie et al. 2017, as in torchvision: 3×3 convolutions in 32 groups)",
                              3, 224, lambda: _resnet((3, 4, 6, 3), True, 32, 4, stride_in_3x3=True)),
    "wide_resnet50_2": Recipe("Wide ResNet-50-2 (Zagoruyko and Komodakis 2016, as in torchvision: bottlenecks twice "
                              "as wide)", 3, 224, lambda: _resnet((3, 4, 6, 3), True, 1, 128, stride_in_3x3=True)),
}
