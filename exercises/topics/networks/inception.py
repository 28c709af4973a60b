"""The Inception networks, as torchvision builds them: GoogLeNet (Szegedy et al. 2015) and Inception v3 (Szegedy
et al. 2016). Their modules are branches concatenated along the channels; each convolution is torchvision's
BasicConv2d, a bias-free convolution and its batch normalization.

Auxiliary classifiers follow torchvision's defaults, those under which its published parameter counts were
taken: `googlenet()` with ImageNet weights drops its two auxiliary heads after loading them (aux_logits
defaults to False there), so `googlenet` has none (6,624,904 parameters; 13,004,888 with them);
`inception_v3()` keeps its one (aux_logits defaults to True), so `inception_v3` has AuxLogits after Mixed_6e
(27,161,264 parameters; 23,834,568 without it). torchvision's GoogLeNet uses 3x3 convolutions where the
paper's third branch has 5x5 ones; so does this one.
"""

from __future__ import annotations

from exercises.topics.networks.parts import Data, Recipe, concat, conv_bn, pool


def basic(out: int, kernel: int | list[int], stride: int = 1, padding: int | list[int] = 0,
          name: str = "") -> list[Data]:
    """torchvision's BasicConv2d: padding as given (0 unless stated)."""
    return conv_bn(out, kernel, stride, padding, name=name)


# -- GoogLeNet ----------------------------------------------------------------------------------------------

GOOGLENET_MODULES = {  # 1x1; 3x3 reduce, 3x3; 5x5 reduce, "5x5" (3x3 in torchvision); pool projection
    "inception3a": (64, 96, 128, 16, 32, 32), "inception3b": (128, 128, 192, 32, 96, 64),
    "inception4a": (192, 96, 208, 16, 48, 64), "inception4b": (160, 112, 224, 24, 64, 64),
    "inception4c": (128, 128, 256, 24, 64, 64), "inception4d": (112, 144, 288, 32, 64, 64),
    "inception4e": (256, 160, 320, 32, 128, 128), "inception5a": (256, 160, 320, 32, 128, 128),
    "inception5b": (384, 192, 384, 48, 128, 128),
}


def _inception_v1(name: str) -> Data:
    one, reduce3, three, reduce5, five, projection = GOOGLENET_MODULES[name]
    return concat([basic(one, 1), [*basic(reduce3, 1), *basic(three, 3, padding=1)],
                   [*basic(reduce5, 1), *basic(five, 3, padding=1)],
                   [pool(3, 1, 1, ceil_mode=True), *basic(projection, 1)]], name=name)


def googlenet() -> list[Data]:
    layers = [*basic(64, 7, 2, 3, name="conv1"), pool(3, 2, ceil_mode=True, name="maxpool1"),
              *basic(64, 1, name="conv2"), *basic(192, 3, padding=1, name="conv3"),
              pool(3, 2, ceil_mode=True, name="maxpool2")]
    for modules, after in ((("3a", "3b"), pool(3, 2, ceil_mode=True, name="maxpool3")),
                           (("4a", "4b", "4c", "4d", "4e"), pool(2, 2, ceil_mode=True, name="maxpool4")),
                           (("5a", "5b"), None)):
        layers += [_inception_v1(f"inception{module}") for module in modules]
        layers += [after] if after else []
    return layers + [{"type": "globalpool", "name": "avgpool"}, {"type": "dropout", "name": "dropout", "p": 0.2},
                     {"type": "dense", "name": "fc", "out": 1000}]


# -- Inception v3 -------------------------------------------------------------------------------------------


def _row_column(out: int, size: int) -> tuple[list[Data], list[Data]]:
    """A 1 x size and a size x 1 convolution ('same' padding)."""
    return basic(out, [1, size], padding=[0, size // 2]), basic(out, [size, 1], padding=[size // 2, 0])


def _inception_a(pool_features: int, name: str) -> Data:
    return concat([basic(64, 1), [*basic(48, 1), *basic(64, 5, padding=2)],
                   [*basic(64, 1), *basic(96, 3, padding=1), *basic(96, 3, padding=1)],
                   [pool(3, 1, 1, average=True), *basic(pool_features, 1)]], name=name)


def _inception_b(name: str) -> Data:
    return concat([basic(384, 3, 2), [*basic(64, 1), *basic(96, 3, padding=1), *basic(96, 3, 2)],
                   [pool(3, 2)]], name=name)


def _inception_c(channels_7x7: int, name: str) -> Data:
    c7 = channels_7x7
    row, column = _row_column(c7, 7)
    out_row, out_column = _row_column(192, 7)
    return concat([basic(192, 1), [*basic(c7, 1), *row, *out_column],
                   [*basic(c7, 1), *column, *row, *column, *out_row],
                   [pool(3, 1, 1, average=True), *basic(192, 1)]], name=name)


def _inception_d(name: str) -> Data:
    row, column = _row_column(192, 7)
    return concat([[*basic(192, 1), *basic(320, 3, 2)], [*basic(192, 1), *row, *column, *basic(192, 3, 2)],
                   [pool(3, 2)]], name=name)


def _inception_e(name: str) -> Data:
    row, column = _row_column(384, 3)
    return concat([basic(320, 1), [*basic(384, 1), concat([row, column])],
                   [*basic(448, 1), *basic(384, 3, padding=1), concat([row, column])],
                   [pool(3, 1, 1, average=True), *basic(192, 1)]], name=name)


def _aux_logits() -> Data:
    """torchvision's InceptionAux: a 5x5/3 average pool, 1x1 and 5x5 convolutions, global pooling, dense."""
    return {"type": "auxiliary", "name": "AuxLogits", "head": [
        pool(5, 3, average=True), *basic(128, 1), *basic(768, 5), {"type": "globalpool"},
        {"type": "dense", "out": 1000}]}


def inception_v3() -> list[Data]:
    return [*basic(32, 3, 2, name="Conv2d_1a_3x3"), *basic(32, 3, name="Conv2d_2a_3x3"),
            *basic(64, 3, padding=1, name="Conv2d_2b_3x3"), pool(3, 2, name="maxpool1"),
            *basic(80, 1, name="Conv2d_3b_1x1"), *basic(192, 3, name="Conv2d_4a_3x3"), pool(3, 2, name="maxpool2"),
            _inception_a(32, "Mixed_5b"), _inception_a(64, "Mixed_5c"), _inception_a(64, "Mixed_5d"),
            _inception_b("Mixed_6a"), _inception_c(128, "Mixed_6b"), _inception_c(160, "Mixed_6c"),
            _inception_c(160, "Mixed_6d"), _inception_c(192, "Mixed_6e"), _aux_logits(),
            _inception_d("Mixed_7a"), _inception_e("Mixed_7b"), _inception_e("Mixed_7c"),
            {"type": "globalpool", "name": "avgpool"}, {"type": "dropout", "name": "dropout"},
            {"type": "dense", "name": "fc", "out": 1000}]


RECIPES = {
    "googlenet": Recipe("GoogLeNet (Szegedy et al. 2015, as in torchvision, without auxiliary classifiers)", 3, 224,
                        googlenet),
    "inception_v3": Recipe("Inception v3 (Szegedy et al. 2016, as in torchvision, with its auxiliary classifier)",
                           3, 299, inception_v3),
}
