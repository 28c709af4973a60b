"""The layer kinds: every kind and key is documented where the YAML form is; nothing outside the kinds asks a
layer for its type string; and a new kind is one class — a toy kind registered here goes through parsing,
naming, descriptions, shape inference, receptive fields, the parameter count and three templates with their
verifiers, without any other module knowing it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
from conftest import ROOT

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics import layer_spec
from exercises.topics.layer_kinds import KINDS, Layer
from exercises.topics.layer_kinds.base import PathReader, Shape, Size, agree, read_ints, times
from exercises.topics.layers import describe_stack, infer_shapes, layers_to_data, parse_layers, receptive_fields


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_every_kind_and_key_is_documented_in_layer_spec(kind):
    doc = layer_spec.__doc__
    assert "{type: " + kind.type in doc, f"layer_spec's docstring lists no {{type: {kind.type}, ...}}"
    for key in kind.keys:
        assert re.search(rf"\b{key}\b", doc), f"layer_spec's docstring does not mention {kind.type}'s key {key}"
    assert kind.__doc__ and kind.noun


TYPE_DISPATCH = re.compile(r"\.type\s*(?:==|!=|in\b|not\s+in\b)|\[[\w.]*\.type\]|\.get\([\w.]*\.type\b")


def test_no_module_outside_the_kinds_dispatches_on_a_layer_type():
    kinds = ROOT / "exercises" / "topics" / "layer_kinds"
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for package in ("exercises", "grader", "web") for path in sorted((ROOT / package).rglob("*.py"))
             if kinds not in path.parents
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if TYPE_DISPATCH.search(line)]
    assert not found, "ask the layer instead (a property or method of its kind):\n" + "\n".join(found)


@dataclass(frozen=True, kw_only=True)
class Scale(Layer):
    """`{type: scale, channels: 8}`: one trainable factor per channel (as ConvNeXt's layer scale)."""

    type = "scale"
    keys = ("name", "channels")
    noun = "scaling"
    in_block = True

    channels: int | None = None

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        return read_ints(data, where, ("channels",))

    def settings(self) -> dict[str, Any]:
        return {"channels": self.channels} if self.channels is not None else {}

    @property
    def stated_inputs(self) -> int | None:
        return self.channels

    def param_count(self) -> int:
        return self.channels  # type: ignore[return-value]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        return [(self.channels,)]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "one factor per channel, {n}", {"n": self.param_count()}

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        return replace(self, channels=agree(self.channels, channels, where, "channels", f"channels from {source}"))

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return self.channels

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "scaling keeps the shape, {shape}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        return "a trainable factor per channel", {}

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        return x


STACK = [{"type": "conv", "kernel": 3, "out": 4}, {"type": "scale"}, {"type": "pool", "kernel": 2},
         {"type": "residual", "main": [{"type": "conv", "kernel": 3, "padding": 1, "out": 4}, {"type": "scale"}]},
         {"type": "conv", "kernel": 3, "out": 6}, {"type": "globalpool"}, {"type": "dense", "out": 3}]


@pytest.fixture
def with_scale(monkeypatch):
    monkeypatch.setitem(KINDS, "scale", Scale)


def test_a_new_kind_is_read_named_written_back_and_checked(with_scale):
    layers = parse_layers(STACK)
    assert [layer.name for layer in layers][:4] == ["conv1", "scale1", "pool1", "residual1"]
    assert [inner.name for inner in layers[3].main] == ["residual1.conv1", "residual1.scale1"]
    assert parse_layers(layers_to_data(layers)) == layers
    with pytest.raises(ParamError, match=r"layers\[1\] \(scale\): unknown key 'chanels' \(did you mean 'channels'\?\)"
                                         r"; scale keys: name, channels"):
        parse_layers([{"type": "conv", "kernel": 1}, {"type": "scale", "chanels": 3}])
    done, shapes = infer_shapes(layers, 2, (12, 12))
    assert done[1].channels == 4 and done[3].main[1].channels == 4 and shapes[:4] == [(4, 10, 10)] * 2 + [(4, 5, 5)] * 2
    with pytest.raises(ParamError, match=r"layers\[1\] \(scale\) scale1: channels is 5 but it gets 4 channels"):
        infer_shapes(parse_layers([{"type": "conv", "kernel": 1, "out": 4}, {"type": "scale", "channels": 5}]), 2, None)
    without = [STACK[0], STACK[2], {"type": "residual", "main": STACK[3]["main"][:1]}, STACK[4]]
    assert receptive_fields(layers[:5])[-1] == receptive_fields(parse_layers(without))[-1] == (12, 2)
    assert "a trainable factor per channel" in describe_stack(layers)[1].text


@pytest.mark.parametrize("template", ["param-count", "shape-trace", "receptive-field"])
def test_a_new_kind_goes_through_the_templates_and_their_verifiers(with_scale, template):
    params: dict[str, Any] = {"layers": STACK}
    params |= {"unit": "conv2"} if template == "receptive-field" else {"input_channels": 2, "input_size": 12}
    question = exercises.generate(template, seed=1, **params)
    get(template).verify(question)
    text = render_question(question, "md", solution=True)
    assert "(2) scale1: a trainable factor per channel" in text
    if template == "param-count":
        per_layer = question.part("per_layer").answer.value
        assert per_layer[1] == 4 and per_layer[3] == 4 * 9 * 4 + 4 + 4  # the block: its conv and its scale
        assert "| (2) scale1 | one factor per channel, $4$ |" in text
        assert "main path ($3 \\times 3$ conv, 4 to 4, scaling)" in text
    if template == "shape-trace":
        assert tuple(question.part("layer2").answer.value) == (4, 10, 10)
        assert "scaling keeps the shape" in text
