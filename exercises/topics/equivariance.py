"""Translation equivariance of convolution: translate then convolve = convolve then translate,
except at the border (the lecture's example: shift left by one, the last value repeated)."""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.fairness import unfair
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Dot, Eq, Op, Part, Plus, Question, Sum, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.redraw import prefer
from exercises.registry import Template, template
from exercises.topics.convolution import correlate1d, correlate1d_numpy, draw_kernel
from exercises.wording import plural
from grader.answers import Integer, Vector


def shift_left(values: list[int], shift: int) -> list[int]:
    """Move every value `shift` places to the left; the last value fills the right border."""
    return [values[min(i + shift, len(values) - 1)] for i in range(len(values))]


def shift_right(values: list[int], shift: int) -> list[int]:
    """Move every value `shift` places to the right; the first value fills the left border."""
    return [values[max(i - shift, 0)] for i in range(len(values))]


def count_changed(shifted_output: list[int], output: list[int], shift: int) -> int:
    """Positions where the output of the translated input differs from the translated output."""
    return sum(a != b for a, b in zip(shifted_output, shift_left(output, shift), strict=True))


def _outputs(p: dict[str, Any]) -> tuple[list[int], list[int]]:
    return correlate1d(p["signal"], p["kernel"]), correlate1d(shift_left(p["signal"], p["shift"]), p["kernel"])


def _flipped(p: dict[str, Any]) -> list[int]:
    return correlate1d(p["signal"], p["kernel"][::-1])


def _shifted_flipped(p: dict[str, Any]) -> list[int]:
    return correlate1d(shift_left(p["signal"], p["shift"]), p["kernel"][::-1])


def _shifted_wrong_way(p: dict[str, Any]) -> list[int]:
    return correlate1d(shift_right(p["signal"], p["shift"]), p["kernel"])


def _translated_output(p: dict[str, Any]) -> list[int]:
    return shift_left(correlate1d(p["signal"], p["kernel"]), p["shift"])


def _changed_unshifted(p: dict[str, Any]) -> int:
    output, shifted_output = _outputs(p)
    return sum(a != b for a, b in zip(shifted_output, output, strict=True))


FLIPPED = "You flipped the kernel: in deep learning, ⋆ is cross-correlation, so slide the kernel as it is."
WRONG_WAY = ("You shifted the wrong way: translating left by s means x'_i = x_(i+s), so the values move towards "
             "the start and the last value is repeated at the right border.")

OUTPUT_MISTAKES = (Mistake("flipped-kernel", FLIPPED, _flipped),)
SHIFTED_MISTAKES = (
    Mistake("shifted-wrong-way", WRONG_WAY, _shifted_wrong_way),
    Mistake("forgot-border", "You translated the output instead of convolving the translated input: that is "
            "right except at the border, where the repeated value enters the window.", _translated_output),
    Mistake("flipped-kernel", FLIPPED, _shifted_flipped),
)
CHANGED_MISTAKES = (
    Mistake("forgot-border", "Not zero: equivariance holds except at the border, where the window of the "
            "translated input contains the repeated last value.", lambda p: 0),
    Mistake("compared-unshifted", "You compared y' with y at the same positions; equivariance compares y' with "
            "the translated output z, whose entries are y moved by the shift.", _changed_unshifted),
)  # shifting the wrong way is named on y' only: the count it gives is mostly the right one, at the other border


@template
class Equivariance(Template):
    id = "equivariance"
    version = 3  # 2: the shift is drawn (1 to 3); kernels with two or more non-zero taps; 3: the shift is drawn 2 to
    # 4, so that at least 2 outputs change (1 was the answer to guess), and a variant in which a named mistake
    # gives a key, or a trivial answer scores, is redrawn; shifting the wrong way is named on y' only
    topic = "equivariance and invariance"
    minutes = {"output": 2, "shifted_output": 1.5, "changed": 1}
    summary = "translate the input, convolve: the output translates too, except at the border"
    params = {
        "signal": IntList(doc="input signal x", min_len=2, max_len=16),
        "kernel": IntList(doc="kernel w", min_len=1, max_len=5, low=-99, high=99),
        "shift": Int(doc="steps to the left; the last value is repeated at the border (drawn: 2 to 4; 1 when "
                     "signal or kernel is pinned)", low=1, high=4),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "shift" not in p:  # a pinned signal or kernel is a worked example: the lecture's shift of one
            p["shift"] = 1 if "signal" in p or "kernel" in p else int(rng.choice([2, 3, 4], p=[0.45, 0.35, 0.2]))
        if "kernel" in p and "signal" in p:
            return p

        def draw() -> dict[str, Any]:
            q = dict(p)
            if "kernel" not in q:
                longest = min(3, len(q["signal"]) - q["shift"]) if "signal" in q else 3
                q["kernel"] = draw_kernel(rng, int(rng.integers(2, max(2, longest) + 1)))
            if "signal" not in q:
                shortest = max(6, len(q["kernel"]) + q["shift"])
                q["signal"] = rng.integers(0, 10, size=int(rng.integers(shortest, max(shortest, 10) + 1))).tolist()
            return q

        def border_matters(q: dict[str, Any]) -> bool:
            """Some outputs change at the border (two or more when the shift allows: one is a guess away), and
            no named mistake gives a key nor a trivial answer scores."""
            if self._misfit(q):
                return False
            output, shifted_output = _outputs(q)
            changed = count_changed(shifted_output, output, q["shift"])
            return changed >= min(2, q["shift"]) and unfair(Vector, output, q, OUTPUT_MISTAKES) is None and \
                unfair(Vector, shifted_output, q, SHIFTED_MISTAKES) is None and \
                not gives_key(Integer, changed, q, CHANGED_MISTAKES)

        return prefer(draw, border_matters, lambda q: not self._misfit(q), "a signal long enough for the shift",
                      tries=50, explain=self._misfit)

    @staticmethod
    def _misfit(p: dict[str, Any]) -> str | None:
        """Why the signal is too short for the kernel and the shift (None when it is not)."""
        if len(p["signal"]) >= len(p["kernel"]) + p["shift"]:
            return None
        k, s = len(p["kernel"]), p["shift"]
        return (f"shift {s} with a kernel of {k} needs a signal of at least {k + s} values "
                f"(got {len(p['signal'])}), so that some output is not at the border")

    def validate(self, p: dict[str, Any]) -> None:
        problem = self._misfit(p)
        if problem:
            raise ParamError(problem)

    def build(self, p: dict[str, Any]) -> Question:
        s = p["shift"]
        output, shifted_output = _outputs(p)
        changed = count_changed(shifted_output, output, s)
        steps = "one step" if s == 1 else f"{s} steps"
        statement = (
            prose("Let {x} be the input signal and {w} the kernel. Convolution is cross-correlation, "
                  "{y} (no padding, stride 1; the kernel is not flipped).",
                  x=Eq(Sym("x"), np.array(p["signal"])), w=Eq(Sym("w"), np.array(p["kernel"])),
                  y=Eq(Sym("y_i"), Sum("j", Op("*", Sym("x_{i+j}"), Sym("w_j"))))),
            prose(f"Translate the input {steps} to the left, repeating the last value at the right border: "
                  "{xs}, where an index past the end means the last value of {x}.",
                  xs=Eq(Sym("x'_i"), Sym("x_{i+" + str(s) + "}")), x=Sym("x")),
        )
        parts = (
            Part("output", prose("Compute {y}.", y=Op("=", Sym("y"), Op("⋆", Sym("x"), Sym("w")))),
                 expect(Vector, output, p, OUTPUT_MISTAKES), points=3,
                 solution=self._steps("y", p["signal"], p["kernel"], range(len(output)))),
            Part("shifted_output", prose("Compute {ys}, the output for the translated input.",
                                         ys=Op("=", Sym("y'"), Op("⋆", Sym("x'"), Sym("w")))),
                 expect(Vector, shifted_output, p, SHIFTED_MISTAKES), points=2,
                 solution=self._shifted_solution(p, shifted_output)),
            Part("changed", prose(f"Now convolve first, then translate: let {{z0}} be {{y}} moved {steps} to the left "
                                  "with its last value repeated, {z} (the last value of {y} wherever {index} runs "
                                  "past its end). At how many positions {i} does {ys} differ from {zi}?",
                                  z0=Sym("z"), y=Sym("y"), index=Plus(Sym("i"), s), i=Sym("i"),
                                  z=Eq(Sym("z_i"), Sym("y_{i+" + str(s) + "}")), ys=Sym("y'_i"), zi=Sym("z_i")),
                 expect(Integer, changed, p, CHANGED_MISTAKES), points=1,
                 solution=self._changed_solution(p, output, shifted_output, changed)),
        )
        return self.question(p, title="Equivariance to translation", statement=statement, parts=parts)

    @staticmethod
    def _steps(name: str, signal: list[int], kernel: list[int], positions: range) -> tuple:
        return tuple(
            prose("{step}", step=Eq(Sym(f"{name}_{i}"), Dot(tuple((signal[i + j], wj) for j, wj in enumerate(kernel))),
                                    sum(signal[i + j] * wj for j, wj in enumerate(kernel))))
            for i in positions
        )

    def _shifted_solution(self, p: dict[str, Any], shifted_output: list[int]) -> tuple:
        shifted = shift_left(p["signal"], p["shift"])
        return (prose("The translated input is {xs}.", xs=Op("=", Sym("x'"), np.array(shifted))),
                *self._steps("y'", shifted, p["kernel"], range(len(shifted_output))))

    @staticmethod
    def _changed_solution(p: dict[str, Any], output: list[int], shifted_output: list[int], changed: int) -> tuple:
        s, last = p["shift"], len(output) - 1
        z = shift_left(output, s)
        border = [i for i in range(len(output)) if i + s > last]
        return (
            prose("Translating {y} gives {z}; the convolution of the translated input is {ys}.", y=Sym("y"),
                  z=Op("=", Sym("z"), np.array(z)), ys=Op("=", Sym("y'"), np.array(shifted_output))),
            prose(f"Away from the border ({{away}}) the window of {{xs}} is the window of {{x}} moved by {s}, so "
                  "{ys} and {z} agree there: translating and convolving commute. Only the border positions can "
                  "differ:", away=Op("≤", Sym("i"), last - s), xs=Sym("x'"), x=Sym("x"), ys=Sym("y'"), z=Sym("z")),
            *(prose("{a} and {b}: " + ("equal." if shifted_output[i] == z[i] else "different."),
                    a=Eq(Sym(f"y'_{i}"), shifted_output[i]), b=Eq(Sym(f"z_{i}"), z[i]))
              for i in border),
            prose(f"So {plural(changed, 'position')} {'differs' if changed == 1 else 'differ'}: equal except at "
                  "the border."),
        )

    def verify(self, question: Question) -> None:
        p = question.params
        s, x = p["shift"], np.asarray(p["signal"], dtype=np.int64)
        moved = np.concatenate([x[s:], np.repeat(x[-1:], s)])
        output = np.asarray(correlate1d_numpy(p["signal"], p["kernel"]))
        shifted_output = np.asarray(correlate1d_numpy(moved.tolist(), p["kernel"]))
        translated = np.concatenate([output[s:], np.repeat(output[-1:], s)])
        expected = {
            "output": list(output.tolist()),
            "shifted_output": list(shifted_output.tolist()),
            "changed": int(np.count_nonzero(shifted_output != translated)),
        }
        for part_id, value in expected.items():
            got = question.part(part_id).answer.value
            got = list(got) if isinstance(got, tuple) else got
            assert got == value, f"equivariance {part_id}: key {got} != numpy {value}"
        assert not np.any(shifted_output[: len(output) - s] != output[s:]), "equivariance fails away from the border"
