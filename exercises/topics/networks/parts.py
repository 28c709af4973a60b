"""The pieces named networks are written with: a recipe (title, input and the function that writes the
layers), and small writers for the layers that recur (a bias-free convolution with its batch norm, the
classifier at the end). They write YAML-like data, which `layer_spec` reads and checks like any stack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Data = dict[str, Any]


@dataclass(frozen=True)
class Recipe:
    """How to build a named network: its title, input (channels, height = width) and layers."""

    title: str
    input_channels: int
    input_size: int
    layers: Callable[[], list[Data]]


def conv(out: int, kernel: int | list[int], stride: int = 1, padding: int | list[int] | None = None,
         groups: int = 1, bias: bool = False, name: str = "") -> Data:
    """A convolution, by default without bias and with 'same' padding (half the kernel)."""
    if padding is None:
        padding = kernel // 2 if isinstance(kernel, int) else [k // 2 for k in kernel]
    layer: Data = {"type": "conv", "out": out, "kernel": kernel}
    layer |= {"name": name} if name else {}
    layer |= {"stride": stride} if stride > 1 else {}
    layer |= {"padding": padding} if padding else {}
    layer |= {"groups": groups} if groups > 1 else {}
    return layer | ({} if bias else {"bias": False})


def conv_bn(out: int, kernel: int | list[int], stride: int = 1, padding: int | list[int] | None = None,
            groups: int = 1, name: str = "") -> list[Data]:
    """A bias-free convolution and its batch normalization (torchvision's Conv2dNormActivation, BasicConv2d:
    their activation has no parameters and is left out)."""
    return [conv(out, kernel, stride, padding, groups, name=name),
            {"type": "batchnorm"} | ({"name": name + ".bn"} if name else {})]


def pool(kernel: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False, name: str = "",
         average: bool = False) -> Data:
    layer: Data = {"type": "avgpool" if average else "pool", "kernel": kernel}
    layer |= {"name": name} if name else {}
    layer |= {"stride": stride} if stride is not None and stride != kernel else {}
    layer |= {"padding": padding} if padding else {}
    return layer | ({"ceil_mode": True} if ceil_mode else {})


def residual(main: list[Data], shortcut: list[Data] | None = None, name: str = "") -> Data:
    return {"type": "residual", "main": main} | ({"shortcut": shortcut} if shortcut else {}) | \
        ({"name": name} if name else {})


def sequential(layers: list[Data], name: str = "") -> Data:
    return {"type": "sequential", "layers": layers} | ({"name": name} if name else {})


def concat(branches: list[list[Data]], name: str = "", split: bool = False) -> Data:
    return {"type": "concat", "branches": branches} | ({"name": name} if name else {}) | \
        ({"split": True} if split else {})


def se(squeeze: int, gate: str = "sigmoid") -> Data:
    return {"type": "se", "squeeze": squeeze} | ({"gate": gate} if gate != "sigmoid" else {})


def classifier(dropout: float | None = None, classes: int = 1000, hidden: int | None = None,
               pool_name: str = "avgpool") -> list[Data]:
    """Global average pooling, then (with `hidden`) a dense layer, then dropout and the dense layer to the
    classes, as most of torchvision's classifiers end."""
    layers: list[Data] = [{"type": "globalpool", "name": pool_name}]
    layers += [{"type": "dense", "name": "fc1", "out": hidden}] if hidden else []
    layers += [{"type": "dropout", "name": "dropout", "p": dropout}] if dropout is not None else []
    return layers + [{"type": "dense", "name": "fc2" if hidden else "fc", "out": classes}]


def make_divisible(value: float, divisor: int = 8) -> int:
    """MobileNet's channel rounding: the nearest multiple of `divisor`, at least `divisor`, never more than 10%
    below `value`."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded
