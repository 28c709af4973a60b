"""Channel shuffle: `{type: shuffle, groups: 2}` (ShuffleNet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.params import ParamError
from exercises.topics.layer_kinds.base import Layer, PathReader, Shape, Size, read_ints, times


@dataclass(frozen=True, kw_only=True)
class ChannelShuffle(Layer):
    """Zhang, Zhou, Lin and Sun (2018): the channels, seen as `groups` groups, are interleaved (channel i of
    group g moves to position i·groups + g), so that the next grouped layer mixes information of every group.
    It only reorders: no parameters, no connections, the shape stays; the channels must split into the
    groups."""

    type = "shuffle"
    keys = ("name", "groups")
    aliases = ("channel_shuffle", "channelshuffle")
    noun = "channel shuffle"
    in_block = True
    needs_maps = True

    groups: int = 2

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        return read_ints(data, where, ("groups",))

    def settings(self) -> dict[str, Any]:
        return {"groups": self.groups} if self.groups != 2 else {}

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "a shuffle only reorders the channels, {n}", {"n": 0}

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        if channels is not None and channels % self.groups:
            raise ParamError(f"{where}: {channels} channels do not split into {self.groups} groups")
        return self

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "the channels are only reordered, so the shape stays {shape}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        return f"channel shuffle in {self.groups} groups (the channels reordered)", {}

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        channels = x.shape[0]
        return x.reshape(self.groups, channels // self.groups, *x.shape[1:]).swapaxes(0, 1).reshape(x.shape)
