"""Scores are monotone: making one more entry wrong never raises the score, for every template and kind.

From the key, entries are corrupted one at a time (to random wrong values, and toward each
misconception's values, so that the chain passes through the exact misconception) and the score
must never rise. For multi-select parts one more wrong pick (or one more right option left out)
never raises it. At every step, naming a misconception must not change the score: it equals the
score of the same spec without misconceptions (the per-entry rule). The templates come from the
registry, so templates added later are covered too; a second test covers every answer kind.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from exercises.params import Bool, OneOf, ParamError
from exercises.registry import all_templates, generate
from grader import (
    KINDS,
    Choice,
    Choices,
    Formula,
    Integer,
    Matrix,
    Misconception,
    Number,
    Tuple,
    Vector,
    grade,
)
from grader.answers.choice import RULES

ENTRY_KINDS = ("vector", "tuple", "matrix")
MAX_STOPS = 12


def scored(spec, value) -> float:
    """The score of a value written in student notation; naming a misconception must not change it."""
    text = spec.to_text(value)
    result = grade(spec, text)
    assert result.status != "invalid", (text, result)
    plain = grade(replace(spec, misconceptions=()), text)
    assert result.score == plain.score, (text, result, plain)
    return result.score


def entries(spec, value) -> list:
    return [v for row in value for v in row] if spec.kind == "matrix" else list(value)


def shaped(spec, flat: list):
    if spec.kind != "matrix":
        return tuple(flat)
    width = len(spec.value[0])
    return tuple(tuple(flat[i:i + width]) for i in range(0, len(flat), width))


def accepted_at(spec, index: int) -> set:
    """The values an accepted answer has at an entry (the key's, and a tuple's alternatives')."""
    answers = [spec.value, *getattr(spec, "alternatives", ())]
    return {entries(spec, a)[index] for a in answers if len(entries(spec, a)) > index}


def wrong_values(spec, index: int) -> list:
    """Values that make entry `index` wrong: each misconception's there, then nearby numbers."""
    right = accepted_at(spec, index)
    key = entries(spec, spec.value)[index]
    found = [entries(spec, m.value)[index] for m in spec.misconceptions
             if len(entries(spec, m.value)) == len(entries(spec, spec.value))]
    found += [key + offset for offset in (1, -1, 2, 7, -13)]
    return [v for v in dict.fromkeys(found) if v not in right]


def check_entry_chain(spec, order: list[int], pick, stops: set[int] | None = None) -> None:
    """Corrupt the entries in `order`, one at a time: the score never rises.

    Long chains (a 16×9 matrix) are scored at about MAX_STOPS of their steps (and at `stops`):
    every step is still taken, and scores along any subsequence of a chain must not rise either."""
    value = entries(spec, spec.value)
    last = scored(spec, spec.value)
    assert last == 1
    every = max(1, len(order) // MAX_STOPS)
    for step, index in enumerate(order, start=1):
        choices = wrong_values(spec, index)
        if not choices:
            continue
        value[index] = pick(index, choices)
        if step % every and step != len(order) and step not in (stops or ()):
            continue
        score = scored(spec, shaped(spec, value))
        assert score <= last, (spec.kind, order[:step], value, score, last)
        last = score


def check_toward_misconceptions(spec) -> None:
    """Corrupt exactly the entries where a misconception differs, toward its values, then one more."""
    key = entries(spec, spec.value)
    for mistake in spec.misconceptions:
        target = entries(spec, mistake.value)
        if len(target) != len(key):
            continue
        differ = [i for i, (a, b) in enumerate(zip(key, target, strict=True)) if a != b]
        rest = [i for i in range(len(key)) if i not in differ][:2]
        check_entry_chain(spec, differ + rest, lambda i, choices, t=target, d=differ: t[i] if i in d else choices[-1],
                          stops={len(differ) - 1, len(differ), len(differ) + 1})


def check_choices(spec, order: list[str]) -> None:
    """Toggle options one at a time (a wrong pick added or a right option left out): never a higher score."""
    picked, last = set(spec.value), scored(spec, spec.value)
    for option in order:
        picked ^= {option}
        score = scored(spec, tuple(sorted(picked)))
        assert score <= last, (spec.rule, order, picked, score, last)
        last = score


def check_single(spec, wrong) -> None:
    """A single-valued kind: any wrong value scores no more than the key; naming never changes the score."""
    assert scored(spec, spec.value) == 1
    for value in wrong:
        assert scored(spec, value) <= 1


def single_wrong(spec) -> list:
    found = [m.value for m in spec.misconceptions]
    if spec.kind in ("integer", "number"):
        found += [spec.value + 1, spec.value - 3]
    elif spec.kind == "choice":
        found += [option for option in spec.ids if option != spec.value]
    elif spec.kind == "formula":
        found += [f"{spec.value} + 1", f"2*({spec.value})"]
    return found


def check_spec(spec, data) -> None:
    if spec.kind in ENTRY_KINDS:
        size = len(entries(spec, spec.value))
        order = data.draw(st.permutations(range(size)))[:3 if not spec.partial else size]  # strict: 1, then 0
        check_entry_chain(spec, order, lambda i, choices: data.draw(st.sampled_from(choices)))
        check_toward_misconceptions(spec)
    elif spec.kind == "choices":
        for rule in RULES:
            ruled = replace(spec, rule=rule)
            check_choices(ruled, data.draw(st.permutations(ruled.ids)))
            for mistake in spec.misconceptions:  # toward the misconception's picks first, then the rest
                toward = sorted(set(mistake.value) ^ set(spec.value))
                check_choices(ruled, toward + [o for o in ruled.ids if o not in toward])
    else:
        check_single(spec, single_wrong(spec))


def _pins(template, data) -> dict:
    """Draw every yes/no and one-of parameter too, so that optional parts (a formula) are covered."""
    pins = {}
    for name, param in template.params.items():
        if isinstance(param, Bool):
            pins[name] = data.draw(st.booleans(), label=name)
        elif isinstance(param, OneOf) and param.options:
            pins[name] = data.draw(st.sampled_from(param.options), label=name)
    return pins


@pytest.mark.parametrize("template_id", list(all_templates()))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(seed=st.integers(0, 2**32), data=st.data())
def test_one_more_wrong_entry_never_raises_the_score(template_id, seed, data):
    template = all_templates()[template_id]
    try:
        question = generate(template_id, seed=seed, **_pins(template, data))
    except ParamError:
        assume(False)
    for part in question.parts:
        for spec in (part.answer, replace(part.answer, partial=False)):  # the template's rule, and a strict bank's
            check_spec(spec, data)


OPTIONS = tuple((f"o{i}", f"Option {i}") for i in range(5))
NUMBERS = st.integers(-30, 30) | st.fractions(min_value=-20, max_value=20, max_denominator=12)


@st.composite
def specs(draw, kind: str):
    """A spec of `kind`, with a misconception drawn from its own kind of values."""
    if kind == "integer":
        value = draw(st.integers(-100, 100))
        return Integer(value=value, misconceptions=(Misconception("m", "Off.", value + draw(st.integers(1, 5))),))
    if kind == "number":
        value = draw(NUMBERS)
        tolerance = draw(st.sampled_from([None, Fraction(1, 100)]))
        return Number(value=value, rtol=tolerance, misconceptions=(Misconception("m", "Halved.", value / 2 + 1),))
    if kind in ENTRY_KINDS:
        rows, cols = (draw(st.integers(1, 4)), draw(st.integers(1, 4))) if kind == "matrix" else (1, 0)
        size = rows * cols if kind == "matrix" else draw(st.integers(2 if kind == "tuple" else 1, 6))
        flat = draw(st.lists(NUMBERS, min_size=size, max_size=size))
        mistake = [v if draw(st.booleans()) else v + 1 for v in flat]
        if kind == "matrix":
            value = [flat[i:i + cols] for i in range(0, size, cols)]
            return Matrix(value=value, misconceptions=(Misconception("m", "Off.", [mistake[i:i + cols]
                                                                                   for i in range(0, size, cols)]),))
        if kind == "tuple":
            others = (tuple(reversed(flat)),) if draw(st.booleans()) and flat != flat[::-1] else ()
            return Tuple(value=flat, alternatives=others, misconceptions=(Misconception("m", "Off.", mistake),))
        return Vector(value=flat, misconceptions=(Misconception("m", "Off.", mistake),))
    if kind == "choice":
        value, other = draw(st.permutations([o for o, _ in OPTIONS]))[:2]
        return Choice(value=value, options=OPTIONS, misconceptions=(Misconception("m", "Off.", other),))
    if kind == "choices":
        value = draw(st.sets(st.sampled_from([o for o, _ in OPTIONS])))
        mistake = draw(st.sets(st.sampled_from([o for o, _ in OPTIONS])))
        known = (Misconception("m", "Off.", mistake),) if mistake != value else ()
        return Choices(value=value, options=OPTIONS, rule=draw(st.sampled_from(RULES)), misconceptions=known)
    if kind == "formula":
        return Formula(value="floor((n + 2*p - k)/s) + 1", variables=("n", "k", "p", "s"),
                       ranges={"k": (1, 7), "p": (0, 3), "s": (1, 4)}, where=("k <= n + 2*p",),
                       misconceptions=(Misconception("m", "No padding.", "floor((n - k)/s) + 1"),))
    raise AssertionError(f"a new answer kind {kind!r}: add it to specs() so that its scores are proved monotone")


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_kind_is_monotone(kind, data):
    spec = data.draw(specs(kind))
    for strictness in (spec, replace(spec, partial=False)):
        check_spec(strictness, data)
