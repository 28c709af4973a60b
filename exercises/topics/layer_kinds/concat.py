"""Parallel branches concatenated along the channels: `{type: concat, branches: [[...], [...]], split: false}`
(Inception's modules, a DenseNet layer, SqueezeNet's fire, ShuffleNet's units)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.model import Eq, Op
from exercises.params import ParamError, _show
from exercises.topics.layer_kinds.base import (
    Field,
    Layer,
    PathReader,
    Shape,
    Size,
    field_through,
    infer_path,
    layers_to_data,
    side,
    times,
)
from exercises.topics.layer_kinds.block import Block, brief, chain, path_phrase, run
from exercises.topics.layer_kinds.window import Window

MAX_BRANCHES = 8


@dataclass(frozen=True, kw_only=True)
class Concat(Block):
    """Branches read the block's input and their outputs are stacked along the channels: the channels add up,
    so the maps must have the same size. A branch is a list of layers that keep feature maps (blocks too);
    an empty branch `[]` passes the input on (a DenseNet layer: `[[], [bn, conv, bn, conv]]`). With
    `split: true` the input's channels are split equally between the branches, each reading its own share
    (ShuffleNet V2). Its inner layers are named after it and their branch: concat1.branch2.conv1."""

    type = "concat"
    keys = ("name", "branches", "split")
    aliases = ("concatenate", "cat", "inception", "fire", "branches")
    noun = "concatenation"
    count_note = "a concatenation is one layer: all of its branches together"
    field_note = ("A concatenation sees what its widest branch sees; the table shows that branch's growth (its "
                  "branches must step alike, or their maps would not line up).")

    branches: tuple[tuple[Layer, ...], ...]
    split: bool = False

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        branches = data.get("branches")
        if not isinstance(branches, list) or not 2 <= len(branches) <= MAX_BRANCHES:
            raise ParamError(f"{where}: branches must be a list of 2 to {MAX_BRANCHES} lists of layers ([] for "
                             f"the input passed on), got {_show(branches)}")
        settings: dict[str, Any] = {"branches": tuple(read_path(branch, f"{where}.branches[{i}]", False)
                                                      for i, branch in enumerate(branches))}
        if "split" in data:
            if not isinstance(data["split"], bool):
                raise ParamError(f"{where}: split must be true or false, got {_show(data['split'])}")
            settings["split"] = data["split"]
        return settings

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {"branches": [layers_to_data(branch, self.name_prefix(path))
                                            for path, branch in self.inner_paths()]}
        return out | ({"split": True} if self.split else {})

    def inner_paths(self) -> tuple[tuple[str, tuple[Layer, ...]], ...]:
        return tuple((f"branch{i}", branch) for i, branch in enumerate(self.branches, start=1))

    def path_key(self, path: str) -> str:
        return f"branches[{int(path.removeprefix('branch')) - 1}]"

    def with_paths(self, paths: tuple[tuple[Layer, ...], ...]) -> Block:
        return replace(self, branches=paths)

    def path_labels(self, path: str) -> tuple[str, str]:
        label = "branch " + path.removeprefix("branch")
        return label, label

    def short(self) -> str:
        return f"{len(self.branches)} branches concatenated"

    # -- shapes --------------------------------------------------------------------------------------------

    def share(self, channels: int | None, where: str) -> int | None:
        """The channels each branch reads."""
        if not self.split or channels is None:
            return channels
        if channels % len(self.branches):
            raise ParamError(f"{where}: {channels} channels do not split equally between "
                             f"{len(self.branches)} branches")
        return channels // len(self.branches)

    def infer(self, channels: int | None, size: Size | None, where: str,
              source: str) -> tuple[Layer, int | None, Size | None]:
        """Each branch from the block's input (or its share); their sizes must agree, their channels add up."""
        share = self.share(channels, where)
        done, outs = [], []
        for i, branch in enumerate(self.branches):
            layers, _, out_channels, out_size = infer_path(branch, share, size, f"{where}.branches[{i}]")
            done.append(layers)
            outs.append((out_channels, out_size))
        self._same_sizes([out_size for _, out_size in outs], where)
        total = None if any(c is None for c, _ in outs) else sum(c for c, _ in outs)  # type: ignore[misc]
        return replace(self, branches=tuple(done)), total, outs[0][1]

    def _same_sizes(self, sizes: list[Size | None], where: str) -> None:
        known = [(i, s) for i, s in enumerate(sizes) if s is not None]
        for i, size in known[1:]:
            if size != known[0][1]:
                raise ParamError(f"{where}: branch {i + 1} gives {side(size)} maps but branch {known[0][0] + 1} "
                                 f"{side(known[0][1])}; they are concatenated along the channels, so their "
                                 "sizes must agree")

    def branch_channels(self, channels: int | None) -> list[int | None]:
        """The channels each branch gives."""
        found = []
        for branch in self.branches:
            current = self.share(channels, self.name)
            for inner in branch:
                current = inner.channels_after(current, None)
            found.append(current)
        return found

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        found = self.branch_channels(channels)
        return None if None in found else sum(found)  # type: ignore[arg-type]

    def size_after(self, size: Size | None, where: str) -> Size | None:
        if size is None:
            return None
        sizes = []
        for i, branch in enumerate(self.branches):
            current: Size | None = size
            for j, inner in enumerate(branch):
                current = inner.size_after(current, f"{where}.branches[{i}][{j}] ({inner.type}) {inner.name}")
            sizes.append(current)
        self._same_sizes(sizes, where)
        return sizes[0]

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        start = (self.share(before[0], self.name), *before[1:])
        math: dict[str, Any] = {}
        texts = []
        for i, branch in enumerate(self.branches, start=1):
            math[f"b{i}"] = chain(branch, start) if branch else times(start)  # type: ignore[arg-type]
            slot = "{b" + str(i) + "}"
            texts.append(f"branch {i} " + (slot if branch else "passes its input on, " + slot))
        channels = self.branch_channels(before[0])
        terms: Any = channels[0]
        for term in channels[1:]:
            terms = Op("+", terms, term)
        math |= {"c": Eq(terms, after[0]), "shape": times(after)}
        split = (f"the {before[0]} input channels are split equally between the {len(self.branches)} branches; "
                 if self.split else "")
        return split + "; ".join(texts) + "; concatenated along the channels, {c} channels, so {shape}", math

    # -- receptive fields ----------------------------------------------------------------------------------

    def widest(self) -> tuple[Layer, ...]:
        """The branch that sees the most (the first of equals)."""
        return max(self.branches, key=lambda branch: field_through(branch, Field(), 0).size)

    def windows(self) -> tuple[Window, ...]:
        return tuple(window for inner in self.widest() for window in inner.windows())

    def field_after(self, before: Field, axis: int) -> Field:
        """The union of what its branches see (the branches must step alike)."""
        found = [field_through(branch, before, axis) for branch in self.branches]
        for i, field in enumerate(found[1:], start=2):
            if field.jump != found[0].jump:
                raise ParamError(f"{self.name}: branch 1 steps {found[0].jump} input pixels per unit but branch {i} "
                                 f"{field.jump}; the branches of a concatenation must have the same strides")
        return Field(min(f.start for f in found), max(f.end for f in found), found[0].jump)

    def back(self, positions: set[int]) -> set[int]:
        """What its branches read."""
        found: set[int] = set()
        for branch in self.branches:
            current = set(positions)
            for inner in reversed(branch):
                current = inner.back(current)
            found |= current
        return found

    def window_text(self) -> str:
        return "concatenation: " + "; ".join(", ".join(brief(inner) for inner in branch if inner.windows())
                                             or ("identity" if not branch else "none")
                                             for branch in self.branches)

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        """Its branches' layers (without counts: their windows)."""
        math: dict[str, Any] = {}
        texts = []
        for i, branch in enumerate(self.branches, start=1):
            text, more = path_phrase(branch, counts, f"{key}b{i}_", joined=True)
            texts.append(f"branch {i}: " + (text or ("the input passed on" if not branch else "no window")))
            math.update(more)
        split = (f"the input's channels split equally between {len(self.branches)} branches, their outputs"
                 if self.split else f"{len(self.branches)} branches read the input, their outputs")
        return f"{split} concatenated along the channels ({'; '.join(texts)})", math

    # -- simulation ----------------------------------------------------------------------------------------

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """Each branch reads the block's input (or its share); their outputs are stacked."""
        shares = np.split(x, len(self.branches)) if self.split else [x] * len(self.branches)
        return np.concatenate([run(branch, share) for branch, share in zip(self.branches, shares, strict=True)])
