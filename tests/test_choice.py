"""Choice and Choices: labels, ids and texts; the three partial-credit rules; misconceptions as ids."""

from fractions import Fraction

import pytest

from grader import Choice, Choices, Misconception, answer_from_json, grade, option_label

OPTIONS = (
    ("sparse", "Sparse interactions"),
    ("dense", "Every output depends on every input"),
    ("shared", "Parameter sharing"),
    ("equivariant", "Equivariance to translation"),
)
DENSE = Misconception("dense-thinking", "A convolution does not connect every input to every output.", "dense")
ONE = Choice(value="shared", options=OPTIONS, misconceptions=(DENSE,))


@pytest.mark.parametrize("text", ["C", "c", "(c)", "(C)", "C.", " C ", "C)", "answer: C", "shared", "SHARED",
                                  "Parameter sharing", "parameter  sharing.", "C) Parameter sharing"])
def test_choice_notations(text):
    assert grade(ONE, text).status == "correct"


@pytest.mark.parametrize(("text", "misconception", "feedback"), [
    ("B", "dense-thinking", "does not connect every input"),
    ("dense", "dense-thinking", "does not connect every input"),
    ("A", None, "A is not the right option"),
    ("equivariant", None, "D is not the right option"),
])
def test_choice_wrong(text, misconception, feedback):
    result = grade(ONE, text)
    assert (result.status, result.score, result.misconception) == ("incorrect", 0.0, misconception)
    assert feedback in result.feedback


@pytest.mark.parametrize(("text", "message", "position"), [
    ("E", "there is no option 'E'", 0),
    ("  zz", "there is no option 'zz'", 2),
    ("A, C", "choose one option, not 2", None),
    ("C) Sparse interactions", "does not go with the text", 0),
])
def test_choice_malformed_is_located(text, message, position):
    result = grade(ONE, text)
    assert result.status == "invalid" and message in result.feedback
    if position is not None:
        line, caret = result.feedback.split("\n")[-2:]
        assert line == text and caret.index("^") == position


def test_choice_key_and_labels():
    assert (ONE.to_text(), ONE.expected_json(), ONE.to_text("sparse")) == ("C", "shared", "A")
    assert [option_label(i) for i in (0, 1, 25)] == ["A", "B", "Z"]


def test_printer_labels_options_by_the_graders_rule():
    from exercises.render import printer

    assert printer.option_label is option_label


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"value": "nope", "options": OPTIONS}, "not an option id: nope"),
    ({"value": "a", "options": (("a", "x"), ("a", "y"))}, "distinct"),
    ({"value": "a", "options": ()}, "between 1 and 26"),
    ({"value": "shared", "options": OPTIONS, "misconceptions": (Misconception("m", "f", "gone"),)}, "gone"),
])
def test_bad_choice_specs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Choice(**kwargs)


# -- several options ------------------------------------------------------------------------------------------
SEVERAL = Choices(value=("sparse", "shared"), options=OPTIONS)


@pytest.mark.parametrize("text", ["A, C", "AC", "ca", "a c", "{A,C}", "[A, C]", "A and C", "C & A", "A; C",
                                  "(a) (c)", "A, C, A", "sparse, shared", "Sparse interactions; Parameter sharing",
                                  "answer: A, C"])
def test_choices_notations(text):
    assert grade(SEVERAL, text).status == "correct"


# Options A-D, right ones {A, C}. Scores worked by hand from each rule's definition:
# net-correct = max(0, (right picks - wrong picks) / 2); each-answer = options judged right / 4.
RULE_TABLE = [
    # picks     net-correct      each-answer      all-or-nothing
    ("A",       Fraction(1, 2),  Fraction(3, 4),  0),
    ("A, B",    0,               Fraction(2, 4),  0),
    ("A, C, D", Fraction(1, 2),  Fraction(3, 4),  0),
    ("B, D",    0,               0,               0),
    ("none",    0,               Fraction(2, 4),  0),
    ("A, C",    1,               1,               1),
]


@pytest.mark.parametrize(("text", "net", "each", "strict"), RULE_TABLE)
def test_partial_credit_rules(text, net, each, strict):
    for rule, expected in (("net-correct", net), ("each-answer", each), ("all-or-nothing", strict)):
        spec = Choices(value=("sparse", "shared"), options=OPTIONS, rule=rule)
        result = grade(spec, text)
        assert result.score == pytest.approx(float(expected)), (rule, text)
        assert result.status == ("correct" if expected == 1 else "partial" if expected else "incorrect")


def test_partial_credit_can_be_switched_off():
    assert grade(Choices(value=("sparse", "shared"), options=OPTIONS, partial=False), "A").score == 0


def test_choices_feedback_names_wrong_picks_not_the_missing_ones():
    result = grade(SEVERAL, "A, B")
    assert "B is not right" in result.feedback and "1 right option not picked" in result.feedback
    assert "C" not in result.feedback.replace("Not correct", "")


def test_no_right_option():
    nothing = Choices(value=(), options=OPTIONS)
    for text in ("none", "None", "{}", "none of the options", "-"):
        assert grade(nothing, text).status == "correct"
    assert grade(nothing, "A").score == 0
    assert grade(Choices(value=(), options=OPTIONS, rule="each-answer"), "A").score == 0.75
    assert nothing.to_text() == "none" and nothing.expected_json() == []


def test_choices_misconception_is_a_set_and_keeps_the_rules_score():
    only_sparse = Misconception("only-sparse", "Parameter sharing is a property of convolution too.", {"sparse"})
    spec = Choices(value=("sparse", "shared"), options=OPTIONS, misconceptions=(only_sparse,))
    result = grade(spec, "a")
    assert (result.status, result.score, result.misconception) == ("partial", 0.5, "only-sparse")
    assert result.feedback.endswith(only_sparse.feedback) and "not picked" in result.feedback
    assert spec.misconceptions[0].value == ("sparse",)


@pytest.mark.parametrize(("text", "message", "at"), [("A, E", "there is no option 'E'", "E"),
                                                     ("  a,  foo", "'foo'", "f"), ("answer: A, Q", "'Q'", "Q"),
                                                     ("ABCDE", "'ABCDE'", "A")])
def test_choices_malformed_is_located(text, message, at):
    result = grade(SEVERAL, text)
    assert result.status == "invalid" and message in result.feedback
    line, caret = result.feedback.split("\n")[-2:]
    assert line == text and caret.index("^") == text.index(at)


def test_choices_key_and_json():
    spec = Choices(value=["shared", "sparse", "shared"], options=OPTIONS, rule="each-answer",
                   misconceptions=(Misconception("m", "f", ["dense", "sparse"]),))
    assert spec.value == ("shared", "sparse") and spec.expected_json() == ["shared", "sparse"]
    assert spec.to_text() == "A, C" and spec.to_text(("dense", "sparse")) == "A, B"
    data = spec.to_json()
    assert data["rule"] == "each-answer" and data["misconceptions"][0]["answer"] == ["dense", "sparse"]
    assert data["options"] == [list(option) for option in OPTIONS]
    assert answer_from_json(data) == spec


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown partial-credit rule 'most'"):
        Choices(value=("sparse",), options=OPTIONS, rule="most")
