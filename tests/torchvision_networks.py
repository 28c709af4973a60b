"""Measures torchvision's classification CNNs, for tests/data/torchvision_networks.json (what
tests/test_networks.py checks the named networks against, without torch).

Run it with a Python that has torch 2.14.1, torchvision 0.29.1 and this project (not a project dependency):

    python tests/torchvision_networks.py > tests/data/torchvision_networks.json

For each network it records, from torchvision itself:
- `num_params`: the metadata of the model's ImageNet weights, and `counted`: the sum over the parameters of the
  model as those weights load it by default (googlenet: without its auxiliary heads; inception_v3: with its);
- `tensors`: every trainable tensor's shape (trailing 1s dropped, so that a Linear applied at each position and
  a 1x1 convolution agree), with how many of each;
- `shapes`: the output shape (channels, height, width; a vector's length) of the torchvision module that each
  of our top-level layers stands for, on one input of the network's size;
- `fields`: the receptive field (size and effective stride, in input pixels) along the height at up to 16 of
  those layers that still have maps (the last one always), and `fields_width` along the width (at every
  one of them for inception_v3, whose 1x7 and 7x1 kernels differ by axis; at the last one for the others), by
  gradients: weights are random and positive, scaled by their fan-in (so that every path carries a nonzero
  gradient and nothing overflows), normalization statistics neutral, the activations (which work number by
  number, so leave fields as they are) replaced by the identity (a ReLU6 or a ReLU that is off passes no
  gradient); max pools are replaced by average pools with the same window, stride, padding and ceil_mode (a
  max pool passes a gradient to one input only); squeeze-and-excitation gates are taken as given (their global
  pooling would make every unit depend on the whole image, which receptive fields as usually computed leave
  out); eval mode (dropout, stochastic depth and the auxiliary heads off). On an input larger than the field,
  the gradient of the sum over the channels of one unit in the middle of the map is nonzero exactly on that
  unit's field; the next unit's field, shifted,
  gives the stride.
For resnet50, resnet101 and resnet152 the stride of each downsampling block is moved from the 3x3 convolution
to the first 1x1 one, as in the paper and in our networks (`v1_5` records the fields of torchvision's own).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter

import torch
import torchvision
from torch import nn
from torch.nn import functional
from torchvision.ops.misc import SqueezeExcitation

from exercises.topics.networks import NETWORKS

NAMES = ["resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2", "googlenet", "inception_v3",
         "densenet121", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "squeezenet1_0",
         "squeezenet1_1", "shufflenet_v2_x1_0", "efficientnet_b0", "mnasnet1_0", "regnet_y_400mf", "convnext_tiny",
         "resnet50"]


def model_as_published(name: str) -> nn.Module:
    """The model with the structure its weights load into by default (no weights are fetched)."""
    options = {"aux_logits": False} if name == "googlenet" else {}
    return torchvision.models.get_model(name, weights=None, **options).eval().double()


def module_names(name: str, model: nn.Module) -> list[str | None]:
    """The torchvision module each of our top-level layers stands for, in order (None: a functional step)."""
    ours = [layer.name for layer in NETWORKS[name].layers]
    modules = dict(model.named_modules())
    return [_match(name, layer, modules, ours) for layer in ours]


def _match(name: str, layer: str, modules: dict[str, nn.Module], ours: list[str]) -> str | None:
    """Our layer names follow torchvision's where they can; the rest by the network's layout."""
    if name.startswith(("resnet", "resnext", "wide")):
        return "maxpool" if layer == "pool1" else layer
    if name in ("googlenet", "inception_v3"):
        base, _, tail = layer.partition(".")
        if f"{base}.conv" in modules:  # a BasicConv2d: our convolution and its batch norm
            return f"{base}.bn" if tail == "bn" else f"{base}.conv"
        return layer if layer in modules and layer != "AuxLogits" else None
    if name == "densenet121":
        return f"features.{layer}" if f"features.{layer}" in modules else \
            {"classifier": "classifier"}.get(layer)
    if name.startswith("squeezenet"):
        features = [n for n, m in modules["features"].named_children() if not isinstance(m, nn.ReLU)]
        index = ours.index(layer)
        if index < len(features):
            return f"features.{features[index]}"
        return {"dropout": "classifier.0", "conv10": "classifier.1", "avgpool": "classifier.3"}[layer]
    if name == "shufflenet_v2_x1_0":
        table = {"conv1": "conv1.0", "conv1.bn": "conv1.1", "conv5": "conv5.0", "conv5.bn": "conv5.1", "avgpool": None}
        return table.get(layer, layer)
    if name == "regnet_y_400mf":
        table = {"stem": "stem.0", "stem.bn": "stem.1", "avgpool": "avgpool", "fc": "fc"}
        return table.get(layer, f"trunk_output.{layer}")
    if name == "mnasnet1_0":
        stem = {"stem": "layers.0", "stem.bn": "layers.1", "stem.dw": "layers.3", "stem.dw.bn": "layers.4",
                "stem.pw": "layers.6", "stem.pw.bn": "layers.7", "head": "layers.14", "head.bn": "layers.15",
                "avgpool": None, "dropout": "classifier.0", "fc": "classifier.1"}
        if layer in stem:
            return stem[layer]
        number = int(layer.removeprefix("block")) - 1
        for stack in range(8, 14):
            size = len(modules[f"layers.{stack}"])
            if number < size:
                return f"layers.{stack}.{number}"
            number -= size
    last = max(int(n.split(".")[1]) for n in modules if n.count(".") == 1 and n.startswith("features."))
    table = {"stem": "features.0.0", "stem.bn": "features.0.1", "stem.norm": "features.0.1",
             "head": f"features.{last}.0", "head.bn": f"features.{last}.1",
             "avgpool": "avgpool" if "avgpool" in modules else None}
    if name.startswith("mobilenet_v3"):
        table |= {"fc1": "classifier.0", "dropout": "classifier.2", "fc2": "classifier.3"}
    elif name == "convnext_tiny":
        table |= {"norm": "classifier.0", "flatten": "classifier.1", "fc": "classifier.2"}
    else:
        table |= {"dropout": "classifier.0", "fc": "classifier.1"}
    if layer in table:
        return table[layer]
    prefix = layer.rstrip("0123456789")
    number = int(layer[len(prefix):])
    if name == "convnext_tiny":  # features: stem, stage1, downsample2, stage2, ...
        return f"features.{2 * number - (1 if prefix == 'stage' else 2)}"
    return f"features.{number}"  # blocks and stages of the mobile networks


def tensors(model: nn.Module) -> dict[str, int]:
    def shape(parameter: torch.Tensor) -> str:
        dims = list(parameter.shape)
        while len(dims) > 1 and dims[-1] == 1:
            dims.pop()
        return "x".join(map(str, dims))
    return dict(sorted(Counter(shape(p) for p in model.parameters() if p.requires_grad).items()))


def shapes(model: nn.Module, names: list[str | None], size: int) -> dict[str, list[int]]:
    modules = dict(model.named_modules())
    found: dict[str, list[int]] = {}
    hooks = [modules[module].register_forward_hook(
        lambda _m, _i, out, layer=layer: found.__setitem__(layer, list(out.shape[1:])))
        for layer, module in zip([layer.name for layer in NETWORKS[model.name].layers], names, strict=True)
        if module is not None]
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size, dtype=torch.float64))
    for hook in hooks:
        hook.remove()
    return found


def prepare_for_fields(model: nn.Module) -> nn.Module:
    """Positive weights (over their fan-in), positive biases, neutral statistics, average pools for max pools."""
    with torch.no_grad():
        for parameter in model.parameters():
            fan_in = max(1, parameter[0].numel()) if parameter.dim() > 1 else 1
            parameter.copy_((torch.rand_like(parameter) + 0.5) / fan_in)
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.zero_()
                module.running_var.fill_(1)
    for parent in list(model.modules()):
        for child_name, child in parent.named_children():
            if isinstance(child, nn.MaxPool2d):
                setattr(parent, child_name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                                         child.ceil_mode))
            elif isinstance(child, ACTIVATIONS):
                setattr(parent, child_name, nn.Identity())
    return model


ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.Hardswish, nn.SiLU, nn.GELU)


def _identity(x: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
    return x


def _detached_gate(self: SqueezeExcitation, x: torch.Tensor) -> torch.Tensor:
    return self._scale(x).detach() * x


def _max_as_average(x: torch.Tensor, kernel_size: int, stride: int | None = None, padding: int = 0,
                    *args: object, **kwargs: object) -> torch.Tensor:
    return functional.avg_pool2d(x, kernel_size, stride, padding, ceil_mode=bool(kwargs.get("ceil_mode")))


def fields(model: nn.Module, names: list[str | None], size: int, axis: int, every: bool | None) -> dict[str, list[int]]:
    """{layer: [field size, stride]} along `axis` (0: height), by gradients (see the module docstring): at up to
    16 layers with maps (`every`: at all of them), or (`every` None) at the last one only."""
    layers = NETWORKS[model.name].layers
    modules = dict(model.named_modules())
    outputs: dict[str, torch.Tensor] = {}
    end = next((i for i, layer in enumerate(layers) if layer.ends_spatial), len(layers))
    chosen = [(layer, module) for layer, module in zip(layers[:end], names[:end], strict=True) if module is not None]
    if every is None:
        chosen = chosen[-1:]
    elif not every and len(chosen) > 16:
        chosen = [chosen[round(i * (len(chosen) - 1) / 15)] for i in range(16)]
    hooks = [modules[module].register_forward_hook(
        lambda _m, _i, out, layer=layer.name: outputs.__setitem__(layer, out)) for layer, module in chosen]
    shape = [1, 3, 96, 96]
    shape[2 + axis] = size
    x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
    model(x)
    for hook in hooks:
        hook.remove()
    found = {}
    for layer, out in outputs.items():
        middle = [out.shape[2] // 2, out.shape[3] // 2]
        extents = []
        for shift in (0, 1):
            at = list(middle)
            at[axis] += shift
            (grad,) = torch.autograd.grad(out[0, :, at[0], at[1]].sum(), x, retain_graph=True)
            seen = grad[0].abs().sum(dim=(0, 2 - axis)).nonzero().flatten()
            extents.append((int(seen.min()), int(seen.max())))
        (low, high), (next_low, _) = extents
        if low == 0 or high == size - 1:
            raise AssertionError(f"{model.name} {layer}: the field reaches the input's border; use a larger input")
        found[layer] = [high - low + 1, next_low - low]
    return found


def stride_in_first_1x1(model: nn.Module) -> nn.Module:
    """The paper's ResNet: a downsampling bottleneck strides in its first 1x1 convolution."""
    for module in model.modules():
        if isinstance(module, torchvision.models.resnet.Bottleneck) and module.conv2.stride != (1, 1):
            module.conv1.stride, module.conv2.stride = module.conv2.stride, (1, 1)
    return model


def measure(name: str) -> dict[str, object]:
    network = NETWORKS[name]
    model = model_as_published(name)
    model.name = name
    if name in ("resnet50", "resnet101", "resnet152"):
        stride_in_first_1x1(model)
    names = module_names(name, model)
    weights = torchvision.models.get_model_weights(name).DEFAULT
    record: dict[str, object] = {
        "num_params": weights.meta["num_params"], "weights": str(weights),
        "counted": sum(p.numel() for p in model.parameters()), "tensors": tensors(model),
        "shapes": shapes(model, names, network.input_size)}
    from exercises.topics.layers import receptive_fields
    end = next((i for i, layer in enumerate(network.layers) if layer.ends_spatial), len(network.layers))
    widest = receptive_fields(network.layers[:end])[-1][0]
    size = widest + 96 + (-widest % 32)
    prepared = prepare_for_fields(model)
    record["fields"] = fields(prepared, names, size, 0, False)
    record["fields_width"] = fields(prepared, names, size, 1, True if name == "inception_v3" else None)
    if name in ("resnet50", "resnet101", "resnet152"):
        own = prepare_for_fields(model_as_published(name))
        own.name = name
        record["v1_5"] = fields(own, names, size, 0, False)
    return record


def main() -> None:
    SqueezeExcitation.forward = _detached_gate
    functional.max_pool2d = _max_as_average
    functional.relu = _identity  # Inception's and GoogLeNet's BasicConv2d call it
    torch.manual_seed(0)
    wanted = sys.argv[1:] or NAMES
    data = {"source": f"torch {torch.__version__}, torchvision {torchvision.__version__}: "
                      "tests/torchvision_networks.py",
            "networks": {name: measure(name) for name in wanted}}
    text = json.dumps(data, indent=1, sort_keys=True)
    print(re.sub(r"\[\s+([\d,\s]+?)\s+\]", lambda m: "[" + ", ".join(m.group(1).split(",\n")).replace(" ", "")
                 .replace(",", ", ") + "]", text))


if __name__ == "__main__":
    main()
