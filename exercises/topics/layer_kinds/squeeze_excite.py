"""Squeeze-and-excitation: `{type: se, channels: 96, squeeze: 24, gate: sigmoid}` (MobileNetV3, EfficientNet,
RegNetY)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.model import Eq, Op
from exercises.params import ParamError, _show
from exercises.topics.layer_kinds.base import PathReader, Shape, read_ints, times
from exercises.topics.layer_kinds.channelwise import PerChannel

GATES = ("sigmoid", "hardsigmoid")


@dataclass(frozen=True, kw_only=True)
class SqueezeExcite(PerChannel):
    """Hu, Shen and Sun (2018): each map is averaged to one number (squeeze), a 1x1 convolution takes the C
    numbers to `squeeze` and a second one back to C (both with biases, an activation between them), and a gate
    (`sigmoid`, or MobileNetV3's `hardsigmoid`) turns them into one factor per channel, which scales that
    channel's map. Parameters: 2·C·S + S + C; the shape stays. `channels` is inferred from the layer before.
    Its windows are 1x1 and its pooling global: the gate depends on the whole map, which receptive fields, as
    usual, leave out."""

    type = "se"
    keys = ("name", "channels", "squeeze", "gate")
    aliases = ("squeeze_excitation", "squeezeexcitation", "squeeze_excite", "seblock")
    noun = "squeeze-and-excitation"
    needs_maps = True
    field_note = ("A squeeze-and-excitation gate scales each channel by a factor computed from the whole map "
                  "(its global average), so strictly every unit after it depends on every input pixel; as is "
                  "usual, the field counts only the windows (the gate is taken as given).")

    squeeze: int
    gate: str = "sigmoid"

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        if "squeeze" not in data:
            raise ParamError(f"{where}: squeeze is missing (the channels between its two 1x1 convolutions)")
        settings: dict[str, Any] = read_ints(data, where, ("channels", "squeeze"))
        if "gate" in data:
            if data["gate"] not in GATES:
                raise ParamError(f"{where}: gate must be one of {', '.join(GATES)}, got {_show(data['gate'])}")
            settings["gate"] = data["gate"]
        return settings

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {"channels": self.channels} if self.channels is not None else {}
        return out | {"squeeze": self.squeeze} | ({"gate": self.gate} if self.gate != "sigmoid" else {})

    # -- parameters ----------------------------------------------------------------------------------------

    def param_count(self) -> int:
        return 2 * self.channels * self.squeeze + self.biases()  # type: ignore[operator]

    def biases(self) -> int:
        return self.squeeze + self.channels  # type: ignore[operator]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        c, s = self.channels, self.squeeze
        return [(s, c, 1, 1), (s,), (c, s, 1, 1), (c,)]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        c, s = self.channels, self.squeeze
        return (f"a {{one}} convolution {c} to {s} and one {s} to {c}, with biases: {{n}}",
                {"n": Eq(Op("+", Op("+", Op("*", c, s), s), Op("+", Op("*", s, c), c)), self.param_count()),
                 "one": Op("×", 1, 1)})

    def short(self) -> str:
        return f"squeeze-excitation {self.channels} to {self.squeeze}"

    # -- shapes --------------------------------------------------------------------------------------------

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "its gate scales each channel, so the shape stays {shape}", {"shape": times(after)}

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        squeeze = f"{{{key}one}} convolutions to {self.squeeze} channels and back" + \
            (f" to {self.channels}" if self.channels is not None else "")
        return (f"squeeze-and-excitation (global average pooling, {squeeze}, a {self.gate} gate scaling each "
                "channel)"), {f"{key}one": Op("×", 1, 1)}
