"""Named networks against what others published and against a second construction.

- Parameters: each network's count equals torchvision's documented `num_params` (LeNet-5: the
  lecture's 60,000), and so does the sum over the tensors that torchvision's own constructors
  allocate, rebuilt here from their configuration tables without the layer model.
- Receptive fields: the values of Araujo, Norris and Sim (Distill 2019) at every layer they list,
  and, at every layer of every network, the closed recurrence against back-projection.
"""

from math import prod

import pytest

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
RESNETS = {18: ("basic", [2, 2, 2, 2]), 34: ("basic", [3, 4, 6, 3]), 50: ("bottleneck", [3, 4, 6, 3])}


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
    kind, blocks = RESNETS[int(name[6:])]
    expansion = 4 if kind == "bottleneck" else 1
    shapes, inplanes = _conv(3, 64, 7, bias=False) + _bn(64), 64
    for planes, count in zip([64, 128, 256, 512], blocks, strict=True):
        for number in range(count):
            stride = 2 if planes != 64 and number == 0 else 1
            if kind == "basic":
                shapes += _conv(inplanes, planes, 3, False) + _bn(planes)
                shapes += _conv(planes, planes, 3, False) + _bn(planes)
            else:
                shapes += (_conv(inplanes, planes, 1, False) + _bn(planes) + _conv(planes, planes, 3, False)
                           + _bn(planes) + _conv(planes, planes * 4, 1, False) + _bn(planes * 4))
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
        "resnet18", "resnet34", "resnet50"}


@pytest.mark.parametrize("name", [name for name in NETWORKS if name != "lenet5"])
def test_parameter_counts_are_torchvisions(name):
    by_tensors = sum(prod(shape) for shape in torchvision_tensors(name))
    assert counted(NETWORKS[name]) == by_tensors == PUBLISHED[name].params


def test_published_counts_as_documented():
    """The figures themselves, as torchvision's documentation prints them (the brief's list)."""
    documented = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032, "vgg11": 132_863_336,
                  "vgg11_bn": 132_868_840, "vgg13": 133_047_848, "vgg13_bn": 133_053_736, "vgg16": 138_357_544,
                  "vgg16_bn": 138_365_992, "vgg19": 143_667_240, "vgg19_bn": 143_678_248, "alexnet": 61_100_840}
    assert {name: PUBLISHED[name].params for name in documented} == documented


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
        if layers[index].type in ("dense", "globalpool"):
            break
        seen, neighbour = dependency_positions(layers[: index + 1], 0), dependency_positions(layers[: index + 1], 1)
        assert (size, jump) == (max(seen) - min(seen) + 1, min(neighbour) - min(seen)), layers[index].name


def test_torchvisions_resnet50_moves_the_stride_and_sees_less():
    """torchvision's ResNet V1.5 strides the 3x3 convolution instead of the first 1x1: the same
    parameters, and a field of 427 (stem 11, jump 4; +3·8 in stage 1 = 35; stage 2 at jump 8 after
    its first 3x3: +8 +3·16 = 91; stage 3: +16 +5·32 = 267; stage 4: +32 +2·64 = 427)."""
    from dataclasses import replace

    paper = NETWORKS["resnet50"].layers
    moved = []
    for layer in paper:
        if layer.type == "residual" and layer.main[0].stride == 2:
            main = (replace(layer.main[0], stride=1), layer.main[1], replace(layer.main[2], stride=2), *layer.main[3:])
            layer = replace(layer, main=main)
        moved.append(layer)
    moved = tuple(moved)
    assert sum(x.param_count() for x in moved) == sum(x.param_count() for x in paper)
    spatial = moved[:-2]
    seen = dependency_positions(spatial, 0)
    assert receptive_fields(spatial)[-1] == (max(seen) - min(seen) + 1, 32) == (427, 32)
    assert receptive_fields(paper[:-2])[-1] == (483, 32)


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
            spatial = [i for i, layer in enumerate(network.layers) if layer.type in ("dense", "globalpool")][0]
            assert str(receptive_fields(network.layers[:spatial])[-1][0]) in rows[base][4], name
