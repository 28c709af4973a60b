"""Sparse, local and shared weights: a valid 1-D convolution as the matrix T of y = x·T, compared with
a dense layer of the same size (the lecture: 6 inputs to 4 outputs, 24 dense weights against 3).

T is n × m with m = n − k + 1: column j holds the k kernel weights from row j down, zeros elsewhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Question, Sym, prose
from exercises.params import Int, ParamError
from exercises.registry import Template, template
from grader.answers import Integer


def outputs(p: dict[str, Any]) -> int:
    """m = n − k + 1: one output per position where the kernel fits."""
    return p["n"] - p["k"] + 1


# -- the matrix, built independently of the formulas (verifier and tests) ----------------------
def correlation_matrix(n: int, kernel: list[int]) -> np.ndarray:
    """T of y = x·T for valid cross-correlation, found by correlating each unit input e_i with the kernel."""
    return np.array([np.correlate(np.eye(n, dtype=np.int64)[i], np.array(kernel), "valid") for i in range(n)])


def columns_are_local(matrix: np.ndarray) -> bool:
    """Each column's non-zero rows form one unbroken run."""
    for column in matrix.T:
        rows = np.flatnonzero(column)
        if len(rows) and rows[-1] - rows[0] + 1 != len(rows):
            return False
    return True


def columns_share_values(matrix: np.ndarray) -> bool:
    """Every column holds the same sequence of non-zero values."""
    first = matrix[:, 0][matrix[:, 0] != 0]
    return all(np.array_equal(column[column != 0], first) for column in matrix.T)


# -- misconceptions ----------------------------------------------------------------------------
DENSE_MISTAKES = (
    Mistake("square-layer", "A valid convolution of n inputs has n − k + 1 outputs, not n: the dense layer with "
            "the same sizes has n·(n − k + 1) weights.", lambda p: p["n"] ** 2),
    Mistake("outputs-off-by-one", "There are n − k + 1 outputs (one per position where the kernel fits), not "
            "n − k.", lambda p: p["n"] * (p["n"] - p["k"])),
    Mistake("full-outputs", "That uses the 'full' output size n + k − 1; a valid convolution has n − k + 1 outputs.",
            lambda p: p["n"] * (p["n"] + p["k"] - 1)),
)
CONV_MISTAKES = (
    Mistake("counted-nonzeros", "That counts every non-zero entry of T, but they are the same k weights repeated "
            "in every column (parameter sharing): only k are learned.", lambda p: outputs(p) * p["k"]),
    Mistake("counted-dense", "That is the dense layer's count; the convolution reuses one kernel of k weights at "
            "every position.", lambda p: p["n"] * outputs(p)),
)
NONZERO_MISTAKES = (
    Mistake("distinct-weights", "That is the number of distinct weights; each of the n − k + 1 columns holds all "
            "k of them, so T has (n − k + 1)·k non-zeros.", lambda p: p["k"]),
    Mistake("counted-all-entries", "That counts every entry of T, but most are zero (sparse connectivity): each "
            "column has only k non-zeros.", lambda p: p["n"] * outputs(p)),
    Mistake("n-columns", "T has n − k + 1 columns, one per output, not n.", lambda p: p["n"] * p["k"]),
)


@template
class Sparsity(Template):
    id = "sparsity"
    version = 1
    topic = "sparse, local and shared weights"
    summary = "weights of a valid 1-D convolution vs. a dense layer; non-zeros and properties of its matrix"
    params = {
        "n": Int(doc="input length n", low=3, high=20),
        "k": Int(doc="kernel size k (less than n)", low=2, high=10),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "k" not in p:
            most = min(5, p["n"] // 2) if "n" in p else 5
            p["k"] = int(rng.integers(2, max(2, most) + 1))
        if "n" not in p:
            p["n"] = int(rng.integers(max(5, 2 * p["k"]), 13))  # at least half of T is zero: truly sparse
        return p

    def validate(self, p: dict[str, Any]) -> None:
        if p["k"] >= p["n"]:
            raise ParamError(f"k must be less than n (the kernel must fit inside the input with room to slide), "
                             f"got n={p['n']}, k={p['k']}")

    def build(self, p: dict[str, Any]) -> Question:
        n, k, m = p["n"], p["k"], outputs(p)
        statement = (
            prose("A 1-D convolution layer (valid cross-correlation, stride 1, no bias) maps an input of {n} "
                  "samples to its outputs with a kernel of {k} weights. As in the lecture, write it as a matrix "
                  "product {product}, with x a row vector: T has one row per input and one column per output.",
                  n=Eq(Sym("n"), n), k=Eq(Sym("k"), k), product=Op("=", Sym("y"), Op("*", Sym("x"), Sym("T")))),
        )
        return self.question(
            p,
            title="Sparse, local and shared weights",
            statement=statement,
            parts=(
                Part(id="dense_params",
                     prompt=prose("A fully connected layer (no bias) with the same numbers of inputs and outputs: "
                                  "how many weights does it have?"),
                     answer=expect(Integer, n * m, p, DENSE_MISTAKES),
                     solution=(prose("The convolution has {m} outputs, so the dense layer has {count} weights.",
                                     m=Eq(Sym("m"), Op("+", Op("-", n, k), 1), m), count=Op("×", n, m)),)),
                Part(id="conv_params",
                     prompt=prose("How many distinct weights (free parameters) does the convolution have?"),
                     answer=expect(Integer, k, p, CONV_MISTAKES),
                     solution=(prose("The same kernel of {k} weights is used at every position (parameter "
                                     "sharing), whatever the input length.", k=k),)),
                Part(id="nonzeros",
                     prompt=prose("How many entries of T are non-zero? Assume every kernel weight is non-zero."),
                     answer=expect(Integer, m * k, p, NONZERO_MISTAKES),
                     solution=(prose("Each of the {m} columns holds the {k} weights and zeros elsewhere: {count} "
                                     "non-zeros of {size} entries.", m=m, k=k,
                                     count=Eq(Op("×", m, k), m * k), size=n * m),)),
            ),
        )

    def verify(self, question: Question) -> None:
        p = question.params
        kernel = list(range(1, p["k"] + 1))  # distinct and non-zero, so values can be told apart
        matrix = correlation_matrix(p["n"], kernel)
        test_signal = np.arange(p["n"]) ** 2
        assert np.array_equal(test_signal @ matrix, np.correlate(test_signal, kernel, "valid")), "T is not x ↦ x ⋆ w"
        expected = {
            "dense_params": np.zeros(matrix.shape).size,
            "conv_params": len(np.unique(matrix[matrix != 0])),
            "nonzeros": int(np.count_nonzero(matrix)),
        }
        for part_id, value in expected.items():
            got = question.part(part_id).answer.value  # type: ignore[attr-defined]
            assert got == value, f"{part_id}: key {got}, counted {value} in the matrix"
