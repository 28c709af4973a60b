"""Named networks against what others published and against a second construction.

- Parameters: each network's count equals torchvision's documented `num_params` (LeNet-5: the
  lecture's 60,000), and so does the sum over the tensors that torchvision's own constructors
  allocate, rebuilt here from their configuration tables without the layer model (AlexNet, VGG, the
  ResNets), or measured on torchvision itself (tests/data/torchvision_networks.json, written by
  tests/torchvision_networks.py): every trainable tensor's shape, the shape after each layer, the
  receptive field at each layer by gradients.
- Receptive fields: the values of Araujo, Norris and Sim (Distill 2019) and of their library's table at
  every layer they list, and, at every layer of every network, the closed recurrence against back-projection.
"""

import json
from collections import Counter
from dataclasses import replace
from math import prod

import pytest
from conftest import ROOT

from exercises.topics.layers import feature_sizes, infer_shapes, parse_layers, receptive_fields
from exercises.topics.networks import NETWORKS, PUBLISHED
from exercises.topics.receptive_field import dependency_positions

# torchvision.models.vgg's configurations: output channels of each 3x3 convolution, "M" a 2x2 max pool
VGG_CFGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}
RESNETS = {"resnet18": ("basic", [2, 2, 2, 2], 1, 64), "resnet34": ("basic", [3, 4, 6, 3], 1, 64),
           "resnet50": ("bottleneck", [3, 4, 6, 3], 1, 64), "resnet101": ("bottleneck", [3, 4, 23, 3], 1, 64),
           "resnet152": ("bottleneck", [3, 8, 36, 3], 1, 64), "resnext50_32x4d": ("bottleneck", [3, 4, 6, 3], 32, 4),
           "wide_resnet50_2": ("bottleneck", [3, 4, 6, 3], 1, 128)}
MEASURED = json.loads((ROOT / "tests" / "data" / "torchvision_networks.json").read_text(encoding="utf-8"))["networks"]


def _linear(inputs, outputs):
    return [(outputs, inputs), (outputs,)]


def _conv(inputs, outputs, k, bias=True):
    return [(outputs, inputs, k, k)] + ([(outputs,)] if bias else [])


def _bn(channels):
    return [(channels,), (channels,)]  # weight and bias; running mean and variance are buffers


def torchvision_tensors(name):
    """The shapes of a model's trainable tensors, as torchvision's constructors allocate them."""
    if name == "alexnet":
        shapes = []
        for inputs, outputs, k in [(3, 64, 11), (64, 192, 5), (192, 384, 3), (384, 256, 3), (256, 256, 3)]:
            shapes += _conv(inputs, outputs, k)
        return shapes + _linear(256 * 6 * 6, 4096) + _linear(4096, 4096) + _linear(4096, 1000)
    if name.startswith("vgg"):
        depth, bn = int(name[3:5]), name.endswith("_bn")
        shapes, channels = [], 3
        for v in VGG_CFGS[depth]:
            if v != "M":
                shapes += _conv(channels, v, 3) + (_bn(v) if bn else [])
                channels = v
        return shapes + _linear(512 * 7 * 7, 4096) + _linear(4096, 4096) + _linear(4096, 1000)
    kind, blocks, groups, width_per_group = RESNETS[name]
    expansion = 4 if kind == "bottleneck" else 1
    shapes, inplanes = _conv(3, 64, 7, bias=False) + _bn(64), 64
    for planes, count in zip([64, 128, 256, 512], blocks, strict=True):
        for number in range(count):
            stride = 2 if planes != 64 and number == 0 else 1
            if kind == "basic":
                shapes += _conv(inplanes, planes, 3, False) + _bn(planes)
                shapes += _conv(planes, planes, 3, False) + _bn(planes)
            else:
                width = int(planes * (width_per_group / 64)) * groups
                shapes += (_conv(inplanes, width, 1, False) + _bn(width) + _conv(width // groups, width, 3, False)
                           + _bn(width) + _conv(width, planes * 4, 1, False) + _bn(planes * 4))
            if stride != 1 or inplanes != planes * expansion:
                shapes += _conv(inplanes, planes * expansion, 1, False) + _bn(planes * expansion)
            inplanes = planes * expansion
    return shapes + _linear(512 * expansion, 1000)


def counted(network):
    layers, _ = infer_shapes(network.layers, network.input_channels, (network.input_size,) * 2)
    return sum(layer.param_count() for layer in layers)


def test_every_named_network_has_published_figures():
    assert set(PUBLISHED) == set(NETWORKS) == {
        "lenet5", "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
        "googlenet", "inception_v3", "densenet121", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small",
        "squeezenet1_0", "squeezenet1_1", "shufflenet_v2_x1_0", "efficientnet_b0", "mnasnet1_0", "regnet_y_400mf",
        "convnext_tiny"}
    assert set(MEASURED) == set(NETWORKS) - {"lenet5", "alexnet", "resnet18", "resnet34"} - \
        {name for name in NETWORKS if name.startswith("vgg")}


@pytest.mark.parametrize("name", [name for name in NETWORKS if name != "lenet5"])
def test_parameter_counts_are_torchvisions(name):
    """The layer model's count, the published one, and torchvision's: its tensors rebuilt from its configuration
    tables, or its weights' metadata and its model's parameters as measured."""
    assert counted(NETWORKS[name]) == PUBLISHED[name].params
    if name in MEASURED:
        assert MEASURED[name]["num_params"] == MEASURED[name]["counted"] == PUBLISHED[name].params
    else:
        assert sum(prod(shape) for shape in torchvision_tensors(name)) == PUBLISHED[name].params
    if name in RESNETS and name in MEASURED:
        assert sum(prod(shape) for shape in torchvision_tensors(name)) == PUBLISHED[name].params


def test_published_counts_as_documented():
    """The figures themselves, as torchvision's documentation prints them (`num_params` of each model's
    ImageNet weights, torchvision 0.29)."""
    documented = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032, "vgg11": 132_863_336,
                  "vgg11_bn": 132_868_840, "vgg13": 133_047_848, "vgg13_bn": 133_053_736, "vgg16": 138_357_544,
                  "vgg16_bn": 138_365_992, "vgg19": 143_667_240, "vgg19_bn": 143_678_248, "alexnet": 61_100_840,
                  "resnet101": 44_549_160, "resnet152": 60_192_808, "resnext50_32x4d": 25_028_904,
                  "wide_resnet50_2": 68_883_240, "googlenet": 6_624_904, "inception_v3": 27_161_264,
                  "densenet121": 7_978_856, "mobilenet_v2": 3_504_872, "mobilenet_v3_large": 5_483_032,
                  "mobilenet_v3_small": 2_542_856, "squeezenet1_0": 1_248_424, "squeezenet1_1": 1_235_496,
                  "shufflenet_v2_x1_0": 2_278_604, "efficientnet_b0": 5_288_548, "mnasnet1_0": 4_383_312,
                  "regnet_y_400mf": 4_344_144, "convnext_tiny": 28_589_128}
    assert {name: PUBLISHED[name].params for name in documented} == documented


def _trimmed(shape):
    """A tensor's shape without trailing 1s, as tests/torchvision_networks.py records it."""
    dims = list(shape)
    while len(dims) > 1 and dims[-1] == 1:
        dims.pop()
    return "x".join(map(str, dims))


@pytest.mark.parametrize("name", list(MEASURED))
def test_tensors_are_torchvisions(name):
    """Every trainable tensor of the network, as a framework allocates it (kernel sizes, channels, groups,
    biases), against torchvision's own."""
    network = NETWORKS[name]
    shapes = [shape for layer in network.layers for shape in layer.weight_shapes()]
    assert dict(sorted(Counter(_trimmed(shape) for shape in shapes).items())) == MEASURED[name]["tensors"]


@pytest.mark.parametrize("name", list(MEASURED))
def test_shapes_are_torchvisions(name):
    """The shape after each layer against the output of the torchvision module it stands for."""
    network = NETWORKS[name]
    _, shapes = infer_shapes(network.layers, network.input_channels, (network.input_size,) * 2)
    end = next(i for i, layer in enumerate(network.layers) if layer.ends_spatial)
    ours = {layer.name: [shape[0]] if index >= end else list(shape)
            for index, (layer, shape) in enumerate(zip(network.layers, shapes, strict=True))}
    measured = {layer: shape if layer not in ours or len(ours[layer]) == 3 else [prod(shape)]  # a pooled (C, 1, 1)
                for layer, shape in MEASURED[name]["shapes"].items()}
    assert len(measured) >= len(ours) - 2  # all but functional steps (a mean, an auxiliary head off in eval)
    assert {layer: ours[layer] for layer in measured} == measured
    assert shapes[-1] == (1000, 1, 1)


@pytest.mark.parametrize("name", list(MEASURED))
def test_receptive_fields_are_torchvisions_gradients(name):
    """Size and effective stride at the layers measured (the last with maps among them), along both axes, against
    the gradients of one unit."""
    layers = NETWORKS[name].layers
    for axis, key in ((0, "fields"), (1, "fields_width")):
        ours = {layer.name: list(field) for layer, field in zip(layers, receptive_fields(layers, axis), strict=False)}
        measured = MEASURED[name][key]
        assert measured and {layer: ours[layer] for layer in measured} == measured, key
    end = next(i for i, layer in enumerate(layers) if layer.ends_spatial)
    assert layers[end - 1].name in MEASURED[name]["fields"] and layers[end - 1].name in MEASURED[name]["fields_width"]


@pytest.mark.parametrize("name", ["resnet50", "resnet101", "resnet152"])
def test_torchvisions_resnets_move_the_stride_and_see_less(name):
    """torchvision's ResNet V1.5 strides the 3x3 convolution instead of the first 1x1: the same parameters, and
    smaller fields, measured on torchvision's own model."""
    paper = NETWORKS[name].layers
    moved = tuple(replace(layer, main=(replace(layer.main[0], stride=1), layer.main[1],
                                       replace(layer.main[2], stride=2), *layer.main[3:]))
                  if layer.block and layer.main[0].stride == 2 else layer for layer in paper)
    assert sum(x.param_count() for x in moved) == sum(x.param_count() for x in paper)
    fields = {layer.name: list(field) for layer, field in zip(moved, receptive_fields(moved[:-2]), strict=False)}
    assert {layer: fields[layer] for layer in MEASURED[name]["v1_5"]} == MEASURED[name]["v1_5"]
    assert fields["layer4.2"][0] == {"resnet50": 427, "resnet101": 971, "resnet152": 1451}[name]


def test_lenet5_connection_table_is_the_papers(lecture):
    c3 = next(layer for layer in NETWORKS["lenet5"].layers if layer.name == "C3")
    assert [list(row) for row in c3.connections] == lecture["param_count"][0]["c3_connections"]


def test_lenet5_parameters_and_feature_maps_match_the_lecture(lecture):
    case = lecture["param_count"][0]
    lenet = NETWORKS["lenet5"]
    layers, shapes = infer_shapes(lenet.layers, lenet.input_channels, (32, 32))
    assert {layer.name: layer.param_count() for layer in layers} == case["per_layer"]
    assert counted(lenet) == PUBLISHED["lenet5"].params == case["total"]
    for layer, shape in zip(layers, shapes, strict=True):
        maps, _, size = str(case["feature_maps"][layer.name]).partition("@")
        expected = (int(maps), *map(int, size.split("x"))) if size else (int(maps), 1, 1)
        assert shape == expected, layer.name


@pytest.mark.parametrize("name", [name for name in NETWORKS if PUBLISHED[name].fields])
def test_published_receptive_fields(name):
    layers = NETWORKS[name].layers
    by_name = dict(zip((layer.name for layer in layers), receptive_fields(layers), strict=True))
    assert {unit: by_name[unit][0] for unit in PUBLISHED[name].fields} == PUBLISHED[name].fields


@pytest.mark.parametrize("name", list(NETWORKS))
def test_receptive_fields_by_back_projection_at_every_layer(name):
    layers = NETWORKS[name].layers
    for index, (size, jump) in enumerate(receptive_fields(layers)):
        if layers[index].ends_spatial:
            break
        seen, neighbour = dependency_positions(layers[: index + 1], 0), dependency_positions(layers[: index + 1], 1)
        assert (size, jump) == (max(seen) - min(seen) + 1, min(neighbour) - min(seen)), layers[index].name


def test_feature_sizes_are_the_known_ones():
    assert [size[0] for size in feature_sizes(NETWORKS["alexnet"].layers[:8], (224, 224))] == \
        [55, 27, 27, 13, 13, 13, 13, 6]
    resnet = NETWORKS["resnet50"].layers
    sizes = dict(zip((layer.name for layer in resnet), (s[0] for s in feature_sizes(resnet, (224, 224))), strict=True))
    assert [sizes[name] for name in ("conv1", "pool1", "layer1.2", "layer2.0", "layer3.0", "layer4.2", "avgpool")] == \
        [112, 56, 56, 28, 14, 7, 1]


def test_readme_documents_the_layer_format_and_the_networks():
    """The README's example stack parses (and its shapes agree), and its table of networks gives each
    network's parameter count and the receptive field of its last spatial layer as computed."""
    import re

    import yaml
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layer stacks and named networks")[1].split("\n## ")[0]
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))["layers"]
    layers, shapes = infer_shapes(parse_layers(example), 3, (16, 16))
    assert [layer.type for layer in layers] == ["conv", "batchnorm", "pool", "residual", "globalpool", "dense"]
    assert shapes[3] == (128, 4, 4) and shapes[-1] == (10, 1, 1)
    rows = {name.strip("` "): row for line in section.splitlines() if line.startswith("| `")
            for row in [line.split("|")] for name in row[1].split(",")}
    for name, network in NETWORKS.items():
        base = name.removesuffix("_bn")
        assert base in rows and f"{counted(network):,}" in rows[base][3], name
        if name == base:
            spatial = next(i for i, layer in enumerate(network.layers) if layer.ends_spatial)
            assert str(receptive_fields(network.layers[:spatial])[-1][0]) in rows[base][4], name
