"""'Same' padding: how many zeros keep a stride-1 convolution's output as long as its input, and
on which side the extra zero of an odd total goes (the lecture, PyTorch/TensorFlow and numpy differ).

A valid convolution with kernel size k and dilation d shrinks the signal by d(k − 1); 'same' output
needs exactly that many zeros. An even total splits evenly; an odd one (even kernel, odd dilation)
puts the extra zero on the left in the lecture and in numpy/scipy, on the right in PyTorch and
TensorFlow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Plus, Product, Question, Sym, prose
from exercises.params import Int, OneOf
from exercises.redraw import prefer
from exercises.registry import Template, template
from grader.answers import Integer, Tuple

CONVENTIONS = ("any", "pytorch", "tensorflow", "numpy")
EXTRA_ON_RIGHT = ("pytorch", "tensorflow")
LIBRARY = {
    "pytorch": "PyTorch's nn.Conv1d(padding='same')",
    "tensorflow": "TensorFlow's Conv1D(padding='same')",
    "numpy": "numpy's np.convolve(x, w, mode='same')",
}
DILATED_LIBRARY = {
    "pytorch": "PyTorch's nn.Conv1d(padding='same', dilation={d})",
    "tensorflow": "TensorFlow's Conv1D(padding='same', dilation_rate={d})",
    "numpy": "numpy's np.convolve(x, w_d, mode='same') with the dilated kernel {wd} (zeros between the taps)",
}
CONVENTION_ODDS = {"any": 0.4, "pytorch": 0.25, "tensorflow": 0.15, "numpy": 0.2}
SPLIT_POINTS = 2  # the same for every variant, odd total or even
CONVENTIONS_EXPLAINED = ("An even kernel has no centre, so the zeros cannot be split evenly: the lecture puts the "
                         "extra zero on the left (3 left, 2 right for kernel 6), and so do numpy's and scipy's "
                         "'same'; PyTorch and TensorFlow put it on the right (2 left, 3 right).")


def same_total(kernel: int, dilation: int = 1) -> int:
    """Zeros needed in total for 'same' output at stride 1: what a valid convolution loses."""
    return dilation * (kernel - 1)


def same_split(kernel: int, dilation: int, convention: str) -> tuple[int, int]:
    """(left, right) zeros; the extra zero of an odd total goes right for PyTorch/TensorFlow, else left."""
    total = same_total(kernel, dilation)
    small = total // 2
    return (small, total - small) if convention in EXTRA_ON_RIGHT else (total - small, small)


def accepted_splits(kernel: int, dilation: int, convention: str) -> tuple[tuple[int, int], ...]:
    """Every split the question accepts: with convention 'any', both orders of an unequal split."""
    split = same_split(kernel, dilation, convention)
    return (split, split[::-1]) if convention == "any" and split[0] != split[1] else (split,)


def _kernel_symbol(text: str) -> dict[str, Sym]:
    """The math of a library's text: the dilated kernel w_d where numpy is named."""
    return {"wd": Sym("w_d")} if "{wd}" in text else {}


def library(convention: str, dilation: int) -> str:
    """The library call whose 'same' padding is asked for."""
    return LIBRARY[convention] if dilation == 1 else DILATED_LIBRARY[convention].replace("{d}", str(dilation))


# -- independent checks (verifier and tests) ---------------------------------------------------
def padded_output_length(length: int, kernel: int, dilation: int, left: int, right: int) -> int:
    """Length of a valid correlation of a padded test signal with a dilated kernel, by actually computing it
    (0 when the kernel is longer than the padded signal: np.correlate would swap the two and answer anyway)."""
    signal = np.arange(1, length + 1, dtype=np.int64)
    dilated = np.zeros(dilation * (kernel - 1) + 1, dtype=np.int64)
    dilated[::dilation] = np.arange(1, kernel + 1)
    padded = np.pad(signal, (left, right))
    return len(np.correlate(padded, dilated, mode="valid")) if len(padded) >= len(dilated) else 0


def numpy_same_split(kernel: int, dilation: int) -> tuple[int, int]:
    """Where np.convolve(mode='same') puts its zeros: the (left, right) padding that reproduces its output."""
    dilated = np.zeros(dilation * (kernel - 1) + 1, dtype=np.int64)
    dilated[::dilation] = np.arange(2, kernel + 2)
    signal = np.arange(3, 2 * len(dilated) + 5, dtype=np.int64) ** 2  # longer than the kernel: numpy keeps its length
    same = np.convolve(signal, dilated, mode="same")
    total = len(dilated) - 1
    matches = [(left, total - left) for left in range(total + 1)
               if np.array_equal(np.correlate(np.pad(signal, (left, total - left)), dilated[::-1], "valid"), same)]
    assert len(matches) == 1, f"np.convolve 'same' matches paddings {matches}"
    return matches[0]


# -- misconceptions ----------------------------------------------------------------------------
def _kernel_span(p: dict[str, Any]) -> int:
    return p["dilation"] * (p["kernel"] - 1) + 1


def _dilation_ignored_total(p: dict[str, Any]) -> int | None:
    return None if p["dilation"] == 1 else p["kernel"] - 1


def _per_side(p: dict[str, Any]) -> int:
    return max(same_split(p["kernel"], p["dilation"], p["convention"]))


TOTAL_MISTAKES = (
    Mistake("kernel-span", "That is how many positions the kernel covers; a valid convolution loses one fewer "
            "(the output has n − d(k − 1) samples), so d(k − 1) zeros restore the length.", _kernel_span),
    Mistake("dilation-ignored", "You ignored the dilation: the dilated kernel spans d(k − 1) + 1 positions, so "
            "the valid output is d(k − 1) shorter and needs d(k − 1) zeros.", _dilation_ignored_total),
    Mistake("one-side-only", "That is the number of zeros on one side; the question asks for the total on both "
            "sides together.", _per_side),
)


def _other_convention(p: dict[str, Any]) -> tuple[int, int] | None:
    split = same_split(p["kernel"], p["dilation"], p["convention"])
    if p["convention"] == "any" or split[0] == split[1]:
        return None  # both orders are accepted, or an even split has no extra zero
    return split[::-1]


def _full_padding(p: dict[str, Any]) -> tuple[int, int]:
    total = same_total(p["kernel"], p["dilation"])
    return total, total


def _half_kernel_each_side(p: dict[str, Any]) -> tuple[int, int] | None:
    """None for an odd kernel: k // 2 zeros on each side is then right."""
    half = p["dilation"] * (p["kernel"] // 2)
    return (half, half) if p["kernel"] % 2 == 0 else None


def _dilation_ignored_split(p: dict[str, Any]) -> tuple[int, int] | None:
    return None if p["dilation"] == 1 else same_split(p["kernel"], 1, p["convention"])


SPLIT_MISTAKES = (
    Mistake("other-convention", "You put the extra zero on the wrong side for this library. " + CONVENTIONS_EXPLAINED,
            _other_convention),
    Mistake("full-padding", "With d(k − 1) zeros on each side the output grows to n + d(k − 1) samples: that is "
            "'full' padding. 'Same' needs d(k − 1) zeros in total, split between the two sides.", _full_padding),
    Mistake("half-kernel-each-side", "With k/2 zeros on each side an even kernel gets k zeros in total, one too "
            "many: the output is one sample longer than the input. " + CONVENTIONS_EXPLAINED,
            _half_kernel_each_side),
    Mistake("dilation-ignored", "You ignored the dilation: the dilated kernel loses d(k − 1) samples, so the "
            "zeros per side are d times more.", _dilation_ignored_split),
)


@template
class SamePadding(Template):
    id = "same-padding"
    version = 3  # 2: kernels 2 to 9, dilation up to 3 and the library drawn; 2 points for the split always;
    # 3: at least 3 zeros in total (a total of 1, a split (1, 1) were guesses away)
    topic = "padding and output size"
    minutes = {"total": 1, "split": 1}
    summary = "zeros needed for 'same' output at stride 1, and how libraries split them for even kernels"
    params = {
        "kernel": Int(doc="kernel size k (drawn: 2 to 9, mostly even)", low=2, high=9),
        "dilation": Int(doc="spacing d between kernel taps (drawn: mostly 1, sometimes 2 or 3)", low=1, high=4),
        "convention": OneOf(doc="whose split is asked for: any (both orders accepted), pytorch, tensorflow, numpy "
                            "(drawn: any in 40 % of variants)", options=CONVENTIONS),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)

        def draw() -> dict[str, Any]:
            q = dict(p)
            if "kernel" not in q:
                even = rng.random() < 0.6  # even kernels are the point: their zeros cannot be split evenly
                q["kernel"] = int(rng.choice([2, 4, 6, 8] if even else [3, 5, 7, 9]))
            if "dilation" not in q:
                q["dilation"] = int(rng.choice([1, 2, 3], p=[0.6, 0.25, 0.15]))
            return q

        # at least 3 zeros: a total of 1 is a guess away (and is the zeros on one side), a split (1, 1) all ones
        if "kernel" not in p or "dilation" not in p:
            p = prefer(draw, lambda q: same_total(q["kernel"], q["dilation"]) >= 3, lambda q: True,
                       "a kernel that needs at least 3 zeros")
        if "convention" not in p:
            p["convention"] = str(rng.choice(list(CONVENTION_ODDS), p=list(CONVENTION_ODDS.values())))
        return p

    def build(self, p: dict[str, Any]) -> Question:
        k, d = p["kernel"], p["dilation"]
        dilated = (" and dilation {d}", {"d": Eq(Sym("d"), d)}) if d > 1 else ("", {})
        statement = (
            prose("A 1-D convolution layer with stride 1 has a kernel of size {k}" + dilated[0] + ". Without "
                  "padding its output is shorter than its input. We add zeros at the borders of the input so that "
                  "the output has exactly as many samples as the input ('same' padding).", k=Eq(Sym("k"), k),
                  **dilated[1]),
        )
        return self.question(
            p,
            title="'Same' padding",
            statement=statement,
            parts=(self._total_part(p), self._split_part(p)),
        )

    def _total_part(self, p: dict[str, Any]) -> Part:
        k, d = p["kernel"], p["dilation"]
        total = same_total(k, d)
        lost = Op("-", Sym("k"), 1) if d == 1 else Product(Sym("d"), Plus(Sym("k"), -1))
        formula = Eq(Sym("P"), Op("-", k, 1), total) if d == 1 else Eq(Sym("P"), Op("*", d, k - 1), total)
        solution = (
            prose("The kernel covers {span} input positions, so a valid convolution of {n} samples gives {out} "
                  "outputs: it loses {lost}. With {P} zeros added the output has {padded} samples, which equals "
                  "{n} when {formula}.", span=d * (k - 1) + 1, n=Sym("n"), out=Op("-", Sym("n"), total), lost=lost,
                  P=Sym("P"), padded=Op("-", Op("+", Sym("n"), Sym("P")), total), formula=formula),
        )
        return Part(
            id="total",
            prompt=prose("How many zeros must be added in total (both borders together)?"),
            answer=expect(Integer, total, p, TOTAL_MISTAKES),
            solution=solution,
        )

    def _split_part(self, p: dict[str, Any]) -> Part:
        k, d, convention = p["kernel"], p["dilation"], p["convention"]
        total = same_total(k, d)
        split, *others = accepted_splits(k, d, convention)
        if convention == "any":
            how = "Split them between the two borders."
        else:
            how = f"Split them as {library(convention, d)} does."
        if total % 2 == 0:
            why = prose("The total {P} is even: {half} " + ("zero" if total == 2 else "zeros") + " on each side.",
                        P=total, half=total // 2)
        elif convention == "any":
            why = prose("The total {P} is odd, so one side gets an extra zero: {a} or {b} are both right. "
                        + CONVENTIONS_EXPLAINED, P=total, a=split, b=split[::-1])
        else:
            side = "right" if convention in EXTRA_ON_RIGHT else "left"
            why = prose("The total {P} is odd, so one side gets an extra zero; " + library(convention, d)
                        + f" puts it on the {side}: {{split}}. " + CONVENTIONS_EXPLAINED, P=total, split=split,
                        **_kernel_symbol(library(convention, d)))
        return Part(
            id="split",
            prompt=prose(how + " How many zeros go on the left and how many on the right? Answer as (left, right).",
                         **_kernel_symbol(how)),
            answer=expect(Tuple, split, p, SPLIT_MISTAKES, names=("left", "right"),
                          alternatives=tuple(others)),
            points=SPLIT_POINTS,
            solution=(why, draw.signal_and_kernel([f"x{i}" for i in range(5)], [f"w{j}" for j in range(k)],
                                                  tuple(split), d)),
        )

    def verify(self, question: Question) -> None:
        p = question.params
        k, d, convention = p["kernel"], p["dilation"], p["convention"]
        total = question.part("total").answer.value
        spec = question.part("split").answer
        splits = [spec.value, *getattr(spec, "alternatives", ())]
        for length in (k * d + 1, 2 * k * d + 3):
            assert padded_output_length(length, k, d, 0, 0) + total == length, f"total {total} is not what is lost"
            for left, right in splits:
                got = padded_output_length(length, k, d, left, right)
                assert got == length, f"split ({left}, {right}) gives {got} outputs for {length} inputs"
        left, right = spec.value
        assert left + right == total and abs(left - right) <= 1, f"split {spec.value} is not balanced"
        if convention == "numpy":
            assert (left, right) == numpy_same_split(k, d), f"numpy pads {numpy_same_split(k, d)}, key {spec.value}"
        elif convention in EXTRA_ON_RIGHT:
            assert left <= right, f"{convention} puts the extra zero on the right, key {spec.value}"
        else:
            assert sorted(map(tuple, splits)) == sorted({(left, right), (right, left)}), f"'any' accepts {splits}"
