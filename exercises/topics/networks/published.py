"""What others published about the named networks: torchvision's parameter counts (the `num_params` in the
metadata of each model's ImageNet weights, torchvision 0.29, counted on the model as those weights load it by
default) and receptive fields of Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural
Networks" (Distill 2019) and of the table of their library, computed on TF-Slim's alexnet_v2, vgg_a (VGG-11),
vgg_16, resnet_v1_50/101/152 and inception_v3, whose windows and strides match these. The tests and the
templates' verifiers check every network against them; receptive fields of the other networks are checked in
the tests against PyTorch's gradients (tests/data/torchvision_networks.json)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Published:
    """Published figures of a network: its trainable parameters and receptive-field sizes (side in input
    pixels) at some of its layers, by our layer names; `source` says where they come from."""

    params: int
    fields: dict[str, int] = field(default_factory=dict)
    source: str = ""


_TORCHVISION = "torchvision's num_params"
_ARAUJO = "Araujo, Norris and Sim (Distill 2019), receptive-field table"
_TABLE = ("the pre-computed table of Araujo et al.'s receptive_field library (tensorflow/contrib/receptive_field/"
          "RECEPTIVE_FIELD_TABLE.md, TF-Slim models)")
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
    # TF-Slim's resnet_v1 ends each stage's stride where the paper starts the next one: the sizes at
    # the ends of the stages agree (resnet_v1_50: 35, 99, 291, 483), the effective strides there do not.
    "resnet50": Published(25_557_032, {"layer1.2": 35, "layer2.3": 99, "layer3.5": 291, "layer4.2": 483},
                          f"{_TORCHVISION}; {_ARAUJO} (resnet_v1_50)"),
    "resnet101": Published(44_549_160, {"layer1.2": 35, "layer2.3": 99, "layer3.22": 835, "layer4.2": 1027},
                           f"{_TORCHVISION}; {_TABLE} (resnet_v1_101)"),
    "resnet152": Published(60_192_808, {"layer1.2": 35, "layer2.7": 163, "layer3.35": 1315, "layer4.2": 1507},
                           f"{_TORCHVISION}; {_TABLE} (resnet_v1_152)"),
    "resnext50_32x4d": Published(25_028_904, source=_TORCHVISION),
    "wide_resnet50_2": Published(68_883_240, source=_TORCHVISION),
    "googlenet": Published(6_624_904, source=f"{_TORCHVISION} (the model as its weights load by default: without "
                                             "the auxiliary classifiers)"),
    # TF-Slim's inception_v3 has the windows, strides and paddings of torchvision's
    "inception_v3": Published(27_161_264, {
        "Conv2d_1a_3x3": 3, "Conv2d_2a_3x3": 7, "Conv2d_2b_3x3": 11, "maxpool1": 15, "Conv2d_3b_1x1": 15,
        "Conv2d_4a_3x3": 23, "maxpool2": 31, "Mixed_5b": 63, "Mixed_5c": 95, "Mixed_5d": 127, "Mixed_6a": 159,
        "Mixed_6b": 351, "Mixed_6c": 543, "Mixed_6d": 735, "Mixed_6e": 927, "Mixed_7a": 1055, "Mixed_7b": 1183,
        "Mixed_7c": 1311}, f"{_TORCHVISION} (the model as its weights load by default: with the auxiliary "
                            f"classifier); {_TABLE} (inception_v3)"),
    "densenet121": Published(7_978_856, source=_TORCHVISION),
    "mobilenet_v2": Published(3_504_872, source=_TORCHVISION),
    "mobilenet_v3_large": Published(5_483_032, source=_TORCHVISION),
    "mobilenet_v3_small": Published(2_542_856, source=_TORCHVISION),
    "squeezenet1_0": Published(1_248_424, source=_TORCHVISION),
    "squeezenet1_1": Published(1_235_496, source=_TORCHVISION),
    "shufflenet_v2_x1_0": Published(2_278_604, source=_TORCHVISION),
    "efficientnet_b0": Published(5_288_548, source=_TORCHVISION),
    "mnasnet1_0": Published(4_383_312, source=_TORCHVISION),
    "regnet_y_400mf": Published(4_344_144, source=_TORCHVISION),
    "convnext_tiny": Published(28_589_128, source=_TORCHVISION),
}
