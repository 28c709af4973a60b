"""receptive-field: the lecture's cases, misconceptions, bad pins, sampler, verifier; named networks
(residual ones too), the stride asked only where units have neighbours, a readable solution for long
stacks, and the figure's labels inside its drawing."""


import html
import re

import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.render.svg import to_svg
from exercises.topics.layers import parse_layers, receptive_fields
from exercises.topics.networks import NETWORKS, PUBLISHED
from exercises.topics.receptive_field import dependency_positions
from grader import Integer


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("receptive-field", **params).to_json()["parts"]}


def test_lecture_cases(lecture):
    for case in lecture["receptive_field"]:
        pinned = {key: case[key] for key in ("layers", "network", "unit") if key in case}
        assert answers(**pinned)["size"] == case["size"]
    assert answers(network="lenet5", unit="S4")["stride"] == 4  # "effective stride 4" in the lecture's note


def test_hand_worked_stack():
    # conv 3 (r 3, j 1), pool 2/2 (r 4, j 2), conv 3 dilation 2 (r 4 + 2*2*2 = 12, j 2), conv 5/3 (12 + 4*2 = 20, j 6)
    layers = [{"type": "conv", "kernel": 3}, {"type": "pool", "kernel": 2},
              {"type": "conv", "kernel": 3, "dilation": 2, "padding": 2}, {"type": "conv", "kernel": 5, "stride": 3}]
    assert answers(layers=layers) == {"size": 20, "stride": 6}
    assert answers(layers=layers, unit=2) == {"size": 4, "stride": 2}
    assert answers(layers=layers, unit="conv2") == {"size": 12, "stride": 2}


def test_default_unit_is_the_last_layer_before_the_dense_part():
    question = exercises.generate("receptive-field", network="lenet5")
    assert question.params["unit"] == "C5" and question.to_json()["parts"][0]["answer"] == 32
    assert exercises.generate("receptive-field", network="resnet50").params["unit"] == "layer4.2"  # before avgpool


def test_no_stride_question_for_a_map_of_one_unit():
    """LeNet's C5 is 1x1 at 32x32: it has no neighbouring units, so only the size is asked (for all the
    points), and the solution says why; S4 (5x5) gets both parts."""
    c5 = exercises.generate("receptive-field", network="lenet5", unit="C5")
    assert c5.part_ids == ["size"] and c5.parts[0].points == 3
    text = render_question(c5, "md", solution=True)
    assert "neighbouring units are" not in text and "no neighbouring units" in text
    s4 = exercises.generate("receptive-field", network="lenet5", unit="S4")
    assert s4.part_ids == ["size", "stride"] and sum(part.points for part in s4.parts) == 3


@pytest.mark.parametrize("network", list(NETWORKS))
def test_named_networks_at_their_last_spatial_layer(network):
    question = exercises.generate("receptive-field", network=network)
    get("receptive-field").verify(question)
    layers = NETWORKS[network].layers
    unit = next(i for i, layer in enumerate(layers) if layer.ends_spatial) - 1
    assert question.params["unit"] == layers[unit].name
    assert question.part("size").answer.value == receptive_fields(layers[: unit + 1])[-1][0]
    published = PUBLISHED[network].fields.get(layers[unit].name)
    assert published in (None, question.part("size").answer.value)


@pytest.mark.parametrize(("network", "unit", "size"), [("alexnet", "pool3", 195), ("vgg16", "pool5", 212),
                                                       ("resnet50", "layer4.2", 483), ("vgg11", "conv4_2", 62),
                                                       ("resnet50", "layer2.3", 99), ("resnet101", "layer3.22", 835),
                                                       ("resnet152", "layer2.7", 163),
                                                       ("inception_v3", "Mixed_6a", 159),
                                                       ("inception_v3", "Mixed_7c", 1311)])
def test_published_receptive_fields_are_the_keys(network, unit, size):
    # Araujo, Norris and Sim, "Computing receptive fields of convolutional neural networks", Distill 2019, and
    # their library's table (tensorflow/contrib/receptive_field/RECEPTIVE_FIELD_TABLE.md)
    assert answers(network=network, unit=unit)["size"] == size


@pytest.mark.parametrize("network", ["vgg16", "vgg19_bn", "resnet50", "resnet34", "resnet152", "inception_v3",
                                     "densenet121", "efficientnet_b0"])
def test_long_stacks_get_a_readable_solution(network):
    """One table row per layer or per run of identical layers (VGG-16 used to take 352 KB of Markdown,
    mostly a drawing of 276 input units): a few kilobytes, no drawing, the published answer in the table."""
    question = exercises.generate("receptive-field", network=network)
    text = render_question(question, "md", solution=True)
    assert len(text.encode()) < 16_000 and "<svg" not in text
    rows = [line for line in text.splitlines() if line.startswith("| (")]
    assert len(rows) <= 21 and f"{question.part('size').answer.value}$ |" in rows[-1]
    for fmt in ("tex", "typ"):
        assert len(render_question(question, fmt, solution=True).encode()) < 16_000


def test_a_stack_of_200_layers():
    layers = [{"type": "conv", "kernel": 3}] * 199 + [{"type": "conv", "kernel": 3, "stride": 2}]
    question = exercises.generate("receptive-field", layers=layers)
    assert answers(layers=layers) == {"size": 401, "stride": 2}
    get("receptive-field").verify(question)
    assert len(render_question(question, "md", solution=True).encode()) < 8_000


def test_unit_inside_a_block_is_named_clearly():
    with pytest.raises(ParamError, match=r"unit 'layer2.0.conv2' is inside the residual block layer2.0"):
        exercises.generate("receptive-field", network="resnet18", unit="layer2.0.conv2")


def test_size_misconceptions_are_named():
    stack = [{"type": "conv", "kernel": 3, "stride": 2}, {"type": "conv", "kernel": 3}]  # r = 7
    named = {text: exercises.answer("receptive-field", "size", text, layers=stack)["misconception"]
             for text in ("5", "6", "8", "9")}
    assert named == {"5": "strides-ignored", "6": "summed-kernels", "8": "off-by-one-high",
                     "9": "multiplied-kernels"}
    lenet = {text: exercises.answer("receptive-field", "size", text, network="lenet5", unit="S4")["misconception"]
             for text in ("15", "14", "11", "100")}
    assert lenet == {"15": "off-by-one", "14": "summed-kernels", "11": "strides-ignored",
                     "100": "multiplied-kernels"}
    result = exercises.answer("receptive-field", "size", "11", network="lenet5", unit="S4")
    assert result["status"] == "incorrect" and "strides" in result["feedback"]


def test_stride_misconceptions_are_named():
    own = exercises.answer("receptive-field", "stride", "2", network="lenet5", unit="S4")
    summed = exercises.answer("receptive-field", "stride", "6", network="lenet5", unit="S4")
    assert own["misconception"] == "own-stride-only" and summed["misconception"] == "summed-strides"
    assert exercises.answer("receptive-field", "stride", "4", network="lenet5", unit="S4")["status"] == "correct"


@pytest.mark.parametrize(("pinned", "message"), [
    ({"network": "lenet5", "layers": [{"type": "conv", "kernel": 3}]}, "pin either layers or network, not both"),
    ({"network": "lenet5", "unit": "F6"}, "at or after the dense layer F6 .layer 6.: dense layers end"),
    ({"network": "lenet5", "unit": "S5"}, "unit 'S5' is not a layer of the stack .did you mean 'S4'"),
    ({"network": "lenet5", "unit": 9}, "unit 9 is not a layer number: the stack has layers 1 to 6"),
    ({"network": "resnet"}, "network must be one of lenet5, alexnet, vgg11, .*convnext_tiny, got 'resnet'"),
    ({"layers": [{"type": "conv", "kernel": [3, 5]}]}, r"layers\[0\] \(conv\) conv1 has a non-square kernel"),
    ({"layers": [{"type": "residual", "main": [{"type": "conv", "kernel": 3, "stride": 2}]}]},
     "the main path steps 2 input pixels per unit but the shortcut 1"),
    ({"network": "resnet50", "unit": "avgpool"}, "at or after the global pooling layer avgpool"),
    ({"layers": [{"type": "conv", "kernel": "x"}]}, r"layers\[0\] \(conv\): kernel must be a positive integer"),
    ({"layers": [{"type": "batchnorm"}]}, "no convolution or pooling"),
    ({"unit": 0}, "unit must be a layer name"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("receptive-field", **pinned)


def test_samples_are_pleasant():
    for seed in range(150):
        params = exercises.generate("receptive-field", seed=seed).params
        layers = parse_layers(params["layers"])
        assert 2 <= len(layers) <= 5 and layers[0].type == "conv"
        assert all(2 <= layer.kernel[0] <= 5 and layer.stride <= 2 for layer in layers)
        assert all(layer.kernel == (2, 2) and layer.stride == 2 for layer in layers if layer.type == "pool")
        assert any(layer.stride > 1 for layer in layers[:-1])  # strides matter: never degenerate
        assert receptive_fields(layers)[-1][0] <= 64 and params["unit"] == layers[-1].name


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("receptive-field").verify(exercises.generate("receptive-field", seed=seed))


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2)),
                min_size=1, max_size=5))
def test_closed_formula_matches_the_simulation(specs):
    layers = parse_layers([{"type": "conv", "kernel": k, "stride": s, "dilation": d, "padding": p}
                           for k, s, d, p in specs])
    seen = dependency_positions(layers, 3)
    neighbour = dependency_positions(layers, 4)
    assert receptive_fields(layers)[-1] == (max(seen) - min(seen) + 1, min(neighbour) - min(seen))


@pytest.mark.parametrize("part", ["size", "stride"])
def test_verifier_catches_a_wrong_key(part):
    question = exercises.generate("receptive-field", seed=5)
    wrong = Integer(value=question.part(part).answer.value + 1)
    with pytest.raises(AssertionError):
        get("receptive-field").verify(with_answer(question, part, wrong))


def _text_boxes(svg):
    """Each <text>'s box in viewBox units: DejaVu Sans averages about 0.6 em per character (0.65 here),
    and the text is centred vertically on y (dominant-baseline: central), one em high."""
    font = float(re.search(r'font-size="([\d.]+)"', svg).group(1))
    for match in re.finditer(r'<text x="([-\d.]+)" y="([-\d.]+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>', svg):
        x, y, anchor, text = float(match[1]), float(match[2]), match[3], html.unescape(match[4])
        width = 0.65 * font * len(text)
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        yield text, left, y - font / 2, left + width, y + font / 2


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63))
def test_figure_labels_stay_inside_the_drawing(seed):
    """Every label (layer names, 'input', the bracket's 'N inputs') inside the SVG's viewBox at the size it
    is printed; the drawing shrinks to the page width but its text does not."""
    (figure,) = exercises.generate("receptive-field", seed=seed).figures()
    svg = to_svg(figure)
    left, top, width, height = map(float, re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    for text, x1, y1, x2, y2 in _text_boxes(svg):
        assert left <= x1 and x2 <= left + width and top <= y1 and y2 <= top + height, (text, seed)


@pytest.mark.parametrize(("stem", "kernel", "stride"), [("a", 5, 2), ("a_very_long_name_", 5, 2), ("conv", 2, 1),
                                                      ("c", 9, 3)])
def test_long_names_and_wide_fields_keep_labels_inside(stem, kernel, stride):
    layers = [{"type": "conv", "kernel": kernel, "stride": stride, "name": f"{stem}{i}"} for i in range(4)]
    question = exercises.generate("receptive-field", layers=layers)
    assert question.figures() or receptive_fields(parse_layers(layers))[-1][0] > 64
    for figure in question.figures():
        svg = to_svg(figure)
        left, top, width, height = map(float, re.search(r'viewBox="([^"]+)"', svg).group(1).split())
        assert all(left <= x1 and x2 <= left + width and top <= y1 and y2 <= top + height
                   for _, x1, y1, x2, y2 in _text_boxes(svg))


@pytest.mark.parametrize("layers", [[{"type": "conv", "kernel": 1}], [{"type": "conv", "kernel": 3}],
                                    [{"type": "conv", "kernel": 2, "stride": 2}, {"type": "conv", "kernel": 2}]])
def test_no_plural_after_one(layers):
    question = exercises.generate("receptive-field", layers=layers)
    texts = [render_question(question, fmt, solution=True) for fmt in ("md", "tex", "typ")]
    texts += [figure.caption + to_svg(figure) for figure in question.figures()]
    for text in texts:
        assert not re.search(r"(?<![\d.])1 (pixels|inputs|input positions|units|layers)\b", text), text[:300]
    if question.part("stride").answer.value == 1:
        assert "$1$ pixel apart" in texts[0] and "$1$ pixels apart" not in texts[0]
