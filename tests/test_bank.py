"""The bank: the shipped one loads; errors name file, line and column."""

import pytest

from exercises.bank import BankError, apply_points, load_bank
from exercises.registry import generate

GOOD = """salt: s
quizzes:
  week-01:
    title: T
    questions:
      - template: conv1d
        params: {kernel: [1, 2]}
        points: 5
      - one_of: [conv1d, {template: conv1d, params: {stride: 2}}]
"""


def write(tmp_path, text):
    path = tmp_path / "question_bank.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_bank_loads():
    bank = load_bank()
    assert "week-04" in bank.quizzes and bank.salt


def test_good_bank(tmp_path):
    bank = load_bank(write(tmp_path, GOOD))
    quiz = bank.quiz("week-01")
    assert len(quiz.slots) == 2 and len(quiz.slots[1].alternatives) == 2
    question = quiz.slots[0].question(bank.salt, "week-01", "s1")
    assert question.params["kernel"] == [1, 2] and sum(p.points for p in question.parts) == 5
    assert question.to_json() == quiz.slots[0].question(bank.salt, "week-01", "s1").to_json()


@pytest.mark.parametrize(("change", "message"), [
    (("template: conv1d", "template: conv1e"), ":6:19: unknown template 'conv1e' (did you mean 'conv1d'?)"),
    (("kernel: [1, 2]", "kernel: abc"), ":7:17: kernel must be a list"),
    (("points: 5", "points: -1"), ":8:17: points must be a whole number"),
    (("title: T", "titel: T"), ":4:5: unknown key 'titel' (did you mean 'title'?)"),
    (("salt: s", "salt: ''"), ":1:7: salt must be a non-empty text"),
    (("params: {kernel: [1, 2]}", "params: {kernel: [1, 2]"), "not valid YAML"),
])
def test_errors_are_located(tmp_path, change, message):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_unknown_quiz_suggests(tmp_path):
    with pytest.raises(BankError, match="did you mean 'week-01'"):
        load_bank(write(tmp_path, GOOD)).quiz("week-1")


def test_points_are_shared_by_weight():
    question = generate("conv1d", seed=0)
    assert sum(p.points for p in apply_points(question, 7).parts) == 7
    assert apply_points(question, {"output": 9}).parts[0].points == 9


CONCEPTS = """salt: s
quizzes:
  week-01:
    questions:
      - template: concepts
        params: {topic: padding}
      - template: concepts
        params: {topic: padding}
        vary: [form]
      - one_of:
          - {template: concepts, params: {topic: invariance}}
          - {template: concepts, params: {topic: pooling-memory}}
      - template: concepts
        params: {topic: padding, form: select-all}
"""


def test_a_slot_gives_every_student_the_same_form_of_a_concepts_question(tmp_path):
    """The form (one-true, one-false, select-all) is drawn once per quiz slot, not per student; statements still
    differ between students. The bank can ask otherwise with `vary: [form]`, or pin the form."""
    bank = load_bank(write(tmp_path, CONCEPTS))
    slots = bank.quiz("week-01").slots
    students = [f"s{i}" for i in range(30)]
    questions = [[slot.question(bank.salt, "week-01", s) for s in students] for slot in slots]
    assert len({q.params["form"] for q in questions[0]}) == 1
    assert len({tuple(q.params["statements"]) for q in questions[0]}) > 10
    assert len({q.params["form"] for q in questions[1]}) == 3  # vary: [form]
    for topic in ("invariance", "pooling-memory"):  # each alternative of a one_of: one form for its students
        assert len({q.params["form"] for q in questions[2] if q.params["topic"] == topic}) == 1
    assert {q.params["form"] for q in questions[3]} == {"select-all"}
    forms = {load_bank(write(tmp_path, CONCEPTS.replace("salt: s", f"salt: {salt}"))).quiz("week-01").slots[0]
             .question(salt, "week-01", "s1").params["form"] for salt in ("a", "b", "c", "d", "e", "f", "g", "h")}
    assert len(forms) >= 2, "the slot's form is drawn from the course salt, not fixed"


def test_vary_names_a_shared_parameter(tmp_path):
    bad = CONCEPTS.replace("vary: [form]", "vary: [topic]")
    with pytest.raises(BankError, match=r":9:16: vary: 'topic' is not a parameter the slot shares; shared: form"):
        load_bank(write(tmp_path, bad))
    with pytest.raises(BankError, match="vary must be a list of parameter names"):
        load_bank(write(tmp_path, CONCEPTS.replace("vary: [form]", "vary: form")))


# -- a stricter scoring rule per question or part (issue 14, section 2) ----------------------------------------------
STRICT = """salt: s
quizzes:
  week-01:
    questions:
      - template: conv1d
        params: {signal: [1, 4, 2, 8, 5], kernel: [1, -1]}
        scoring: all-or-nothing
      - template: toeplitz
        params: {signal: [1, 2, 3, 4], kernel: [1, -1]}
        scoring: {matrix: all-or-nothing}
"""


def test_scoring_all_or_nothing_per_question_and_per_part(tmp_path):
    from grader import answer_from_json, grade

    bank = load_bank(write(tmp_path, STRICT))
    conv, toeplitz = (slot.question(bank.salt, "week-01", "s1") for slot in bank.quiz("week-01").slots)
    output = conv.part("output").answer
    one_wrong = output.to_text(tuple(output.value[:-1]) + (output.value[-1] + 1,))
    assert output.partial is False and grade(output, one_wrong).score == 0
    assert answer_from_json(output.to_json()).partial is False  # key.json keeps the rule for the grader
    default = generate("conv1d", signal=[1, 4, 2, 8, 5], kernel=[1, -1]).part("output").answer
    assert grade(default, one_wrong).score == 0.6667  # the template's own rule: per entry, (3 - 1)/(4 - 1)
    assert toeplitz.part("matrix").answer.partial is False and toeplitz.part("output").answer.partial is True


@pytest.mark.parametrize(("change", "message"), [
    ("scoring: all-or-nothing", ":7:18: scoring must be one of partial, all-or-nothing"),
    ("scoring: {matrix: all-or-nothing}", ":10:27: scoring must be one of partial, all-or-nothing"),
    ("scoring: {matrix: all-or-nothing}", ":10:19: toeplitz has no part 'matric'"),
])
def test_scoring_errors_are_located(tmp_path, change, message):
    wrong = change.replace("all-or-nothing", "all-or-none") if "matric" not in message \
        else change.replace("matrix", "matric")
    path = write(tmp_path, STRICT.replace(change, wrong))
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value), str(caught.value)
