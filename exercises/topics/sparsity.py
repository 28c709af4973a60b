"""Sparse, local and shared weights: a valid 1-D convolution as the matrix T of y = x·T, compared with
a dense layer of the same size (the lecture: 6 inputs to 4 outputs, 24 dense weights against 3).

T is n × m with m = n − k + 1: column j holds the k kernel weights from row j down, zeros elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Plus, Prose, Question, Sym, joined, prose
from exercises.params import IdList, Int, ParamError
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.wording import plural
from grader.answers import Choices, Integer


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


def columns_are_diagonal(matrix: np.ndarray) -> bool:
    """Non-zeros only where row index equals column index."""
    rows, cols = np.nonzero(matrix)
    return bool(np.all(rows == cols))


# -- statements about T: the truth by reasoning (build) and by inspecting matrices (verifier) -------
@dataclass(frozen=True)
class Statement:
    """A statement about T. `holds(n, k)` is the reasoned truth; `observed(T, T_longer)` checks it on
    the matrices for inputs of n and n + 1 samples; `why(n, k)` explains it with the numbers."""

    id: str
    text: Prose
    holds: Callable[[int, int], bool]
    observed: Callable[[np.ndarray, np.ndarray], bool]
    why: Callable[[int, int], Prose]


T, INDEX, R = Sym("T"), Sym("i"), Sym("r")


def _zeros(n: int, k: int) -> Prose:
    m = n - k + 1
    return prose(f"each of the {m} columns has {k} non-zeros among {n} entries: {m * n - m * k} of {m * n} entries "
                 "are zero.")


def _some_input_sees_all(n: int, k: int) -> Prose:
    m = n - k + 1
    if m <= k:
        return prose(f"input {{r}} feeds the outputs {{first}} to {{r}} that exist; with only {m} outputs, input "
                     f"{m - 1} feeds all of them.", r=R, first=Plus(R, -(k - 1)))
    return prose(f"each input feeds at most {{k}} of the {m} outputs.", k=Eq(Sym("k"), k))


def _full_row(n: int, k: int) -> Prose:
    m = n - k + 1
    if m >= k:
        return prose(f"row {{r}} holds one weight for each output that reads input {{r}}: row {k - 1} holds all {k} "
                     "weights.", r=R)
    return prose("row {r} holds one weight for each output that reads input {r}, at most {m}, fewer than the {k} "
                 "weights.", r=R, m=Eq(Sym("m"), m), k=Eq(Sym("k"), k))


def _two_thirds(n: int, k: int) -> Prose:
    m = n - k + 1
    zeros, size = m * (n - k), m * n
    verdict = "more than" if 3 * zeros > 2 * size else "not more than"
    return prose(f"{zeros} of the {size} entries are zero ({m} columns with {plural(n - k, 'zero')} each): {verdict} "
                 "two thirds.")


def _ten_times(n: int, k: int) -> Prose:
    m = n - k + 1
    verdict = "at least" if n * m >= 10 * k else "less than"
    return prose(f"the dense layer has {{count}} weights, the convolution {k}: {verdict} 10 times as many.",
                 count=Eq(Op("×", n, m), n * m))


def _shape(n: int, k: int, rest: str) -> Prose:
    return prose("{T} is {shape}" + rest, T=T, shape=Op("×", n, n - k + 1))


# The lecture's three properties: sparse depends on n and k, local and shared always hold.
LECTURE = (
    Statement("sparse", prose("{T} is sparse: at least half of its entries are zero.", T=T),
              lambda n, k: 2 * k <= n, lambda t, _: 2 * np.count_nonzero(t) <= t.size, lambda n, k: _zeros(n, k)),
    Statement("local", prose("In each column the non-zero entries sit next to each other: each output depends only "
                             "on neighbouring inputs."), lambda n, k: True, lambda t, _: columns_are_local(t),
              lambda n, k: prose(f"column {{i}} holds the kernel in rows {{i}} to {{last}}: output {{i}} sees {k} "
                                 "adjacent inputs.", i=INDEX, last=Plus(INDEX, k - 1))),
    Statement("shared", prose("The same few values repeat in every column: all outputs share one set of weights."),
              lambda n, k: True, lambda t, _: columns_share_values(t),
              lambda n, k: prose(f"every column holds the same {k} kernel weights, one row further down.")),
)
# Statements whose truth depends on n and k: every drawn question shows three of them.
DEPENDS = (
    LECTURE[0],
    Statement("dense", prose("{T} is dense: most of its entries are non-zero.", T=T), lambda n, k: 2 * k > n,
              lambda t, _: 2 * np.count_nonzero(t) > t.size, lambda n, k: _zeros(n, k)),
    Statement("input-sees-all", prose("Some input affects every output."), lambda n, k: n - k + 1 <= k,
              lambda t, _: bool(np.any(np.all(t != 0, axis=1))), _some_input_sees_all),
    Statement("full-row", prose("Some row of {T} holds all {k} kernel weights.", T=T, k=Sym("k")),
              lambda n, k: n - k + 1 >= k,
              lambda t, _: bool(np.any(np.count_nonzero(t, axis=1) == len(np.unique(t[t != 0])))), _full_row),
    Statement("ten-times", prose("A dense layer with the same numbers of inputs and outputs has at least 10 times as "
                                 "many weights as the convolution."), lambda n, k: n * (n - k + 1) >= 10 * k,
              lambda t, _: t.size >= 10 * len(np.unique(t[t != 0])), _ten_times),
    Statement("mostly-zero", prose("More than two thirds of the entries of {T} are zero.", T=T), lambda n, k: n > 3 * k,
              lambda t, _: 3 * (t.size - np.count_nonzero(t)) > 2 * t.size, _two_thirds),
)
DISTRACTORS = (  # false for every valid layer (1 < k < n)
    Statement("all-inputs", prose("Every output depends on every input."), lambda n, k: k >= n,
              lambda t, _: bool(np.all(t != 0)),
              lambda n, k: prose(f"output {{i}} depends only on the {k} inputs under the kernel; the other "
                                 f"{plural(n - k, 'entry', 'entries')} of its column "
                                 f"{'is' if n - k == 1 else 'are'} zero.", i=INDEX)),
    Statement("used-once", prose("Each weight appears in {T} only once.", T=T), lambda n, k: n == k,
              lambda t, _: bool(np.all(np.unique(t[t != 0], return_counts=True)[1] == 1)),
              lambda n, k: prose(f"each weight appears once in every column: {n - k + 1} times.")),
    Statement("symmetric", prose("{T} is symmetric.", T=T), lambda n, k: k == 1,
              lambda t, _: t.shape[0] == t.shape[1] and bool(np.array_equal(t, t.T)),
              lambda n, k: _shape(n, k, ", not even square.")),
    Statement("square", prose("{T} is square: it has as many rows as columns.", T=T), lambda n, k: k == 1,
              lambda t, _: t.shape[0] == t.shape[1],
              lambda n, k: _shape(n, k, ": one row per input, one column per output.")),
    Statement("weights-grow", prose("The number of distinct weights grows with the input length."),
              lambda n, k: False, lambda t, longer: len(np.unique(longer[longer != 0])) > len(np.unique(t[t != 0])),
              lambda n, k: prose(f"there are {k} weights whatever the input length; only the number of non-zeros "
                                 "grows.")),
    Statement("diagonal", prose("Only the main diagonal of {T} is non-zero.", T=T), lambda n, k: k == 1,
              lambda t, _: columns_are_diagonal(t),
              lambda n, k: prose(f"each column has {k} non-zeros, from the diagonal entry down.")),
)
STATEMENTS = {s.id: s for s in LECTURE + DEPENDS + DISTRACTORS}
SAME_TRUTH = ({"sparse", "dense", "input-sees-all"},)  # each two say the same or the opposite: never shown together
SHOWN = {"depends": 3, "lecture": 1, "distractors": 2}


def draw_statements(rng: np.random.Generator) -> list[str]:
    """Three statements whose truth depends on n and k (one at most of each SAME_TRUTH group), local or
    shared, and two that are always false, in a shuffled display order."""
    depends = redraw(lambda: [DEPENDS[i].id for i in rng.choice(len(DEPENDS), size=SHOWN["depends"], replace=False)],
                     lambda ids: all(len(group & set(ids)) <= 1 for group in SAME_TRUTH),
                     "statements that do not say the same", tries=1000)
    lecture = [LECTURE[i].id for i in rng.choice([1, 2], size=SHOWN["lecture"], replace=False)]
    false = [DISTRACTORS[i].id for i in rng.choice(len(DISTRACTORS), size=SHOWN["distractors"], replace=False)]
    ids = depends + lecture + false
    return [ids[i] for i in rng.permutation(len(ids))]


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
    version = 3  # 2: statements whose truth depends on n and k; n from k + 1 (dense T) to 12; 3: at most as many
    # true statements as false ones (picking every option earned up to half the part)
    topic = "sparse, local and shared weights"
    minutes = {"conv_params": 0.5, "dense_params": 1, "nonzeros": 1, "properties": 2}
    summary = "weights of a valid 1-D convolution vs. a dense layer; non-zeros and properties of its matrix"
    params = {
        "n": Int(doc="input length n", low=3, high=20),
        "k": Int(doc="kernel size k (less than n)", low=2, high=10),
        "statements": IdList(doc="statements about T in display order (drawn: three whose truth depends on n and k, "
                             "local or shared, two always false)", options=tuple(STATEMENTS), min_len=2,
                             max_len=len(STATEMENTS)),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "k" not in p:
            most = min(5, p["n"] - 1) if "n" in p else 5
            p["k"] = int(rng.integers(2, max(2, most) + 1))
        if "n" not in p:  # from one more than k (T dense) to 12 (T mostly zero for small k)
            p["n"] = int(rng.integers(max(4, p["k"] + 1), 13))
        if "statements" not in p:  # never more true statements than false ones: picking all of them earns nothing
            p["statements"] = prefer(lambda: draw_statements(rng), lambda ids: 2 * sum(
                STATEMENTS[i].holds(p["n"], p["k"]) for i in ids) <= len(ids), lambda ids: True, "statements")
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
                  "product {product}, with {x} a row vector: {T} has one row per input and one column per output.",
                  n=Eq(Sym("n"), n), k=Eq(Sym("k"), k), x=Sym("x"), T=T,
                  product=Op("=", Sym("y"), Op("*", Sym("x"), Sym("T")))),
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
                                     m=Eq(Sym("m"), Op("+", Op("-", n, k), 1), m), count=Eq(Op("×", n, m), n * m)),)),
                Part(id="conv_params",
                     prompt=prose("How many distinct weights (free parameters) does the convolution have?"),
                     answer=expect(Integer, k, p, CONV_MISTAKES),
                     solution=(prose("The same kernel of {k} weights is used at every position (parameter "
                                     "sharing), whatever the input length.", k=k),)),
                Part(id="nonzeros",
                     prompt=prose("How many entries of {T} are non-zero? Assume every kernel weight is non-zero.",
                                  T=T),
                     answer=expect(Integer, m * k, p, NONZERO_MISTAKES),
                     solution=(prose("Each of the {m} columns holds the {k} weights and zeros elsewhere: {count} "
                                     "non-zeros of {size} entries.", m=m, k=k,
                                     count=Eq(Op("×", m, k), m * k), size=n * m),)),
                self._properties_part(p),
            ),
        )

    def _properties_part(self, p: dict[str, Any]) -> Part:
        n, k = p["n"], p["k"]
        shown = [STATEMENTS[i] for i in p["statements"]]
        key = sorted(s.id for s in shown if s.holds(n, k))
        mistakes = []
        for s in shown:
            toggled = [i for i in key if i != s.id] if s.holds(n, k) else [*key, s.id]
            verdict = "true" if s.holds(n, k) else "false"
            feedback = joined("'", s.text, f"' is {verdict}: ", s.why(n, k))
            mistakes.append(Mistake(s.id, feedback, lambda _, toggled=toggled: toggled))
        solution = tuple(joined(f"{chr(ord('A') + i)}. {'True' if s.holds(n, k) else 'False'}: ", s.why(n, k))
                         for i, s in enumerate(shown))
        return Part(
            id="properties",
            prompt=prose("Which statements about {T} are true? Select all that apply.", T=T),
            answer=expect(Choices, key, p, mistakes, options=tuple((s.id, s.text) for s in shown),
                          rule="net-correct"),
            points=2,
            solution=solution,
            options=tuple(s.text for s in shown),
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
            got = question.part(part_id).answer.value
            assert got == value, f"{part_id}: key {got}, counted {value} in the matrix"
        longer = correlation_matrix(p["n"] + 1, kernel)
        spec = question.part("properties").answer
        seen = sorted(i for i, _ in spec.options if STATEMENTS[i].observed(matrix, longer))  # type: ignore[attr-defined]
        assert list(spec.value) == seen, f"properties: key {spec.value}, seen in the matrix {seen}"  # type: ignore
