"""A new answer kind is one module and its registration: a toy kind (one word, in any case), defined in this file
and nowhere else, appears in the sheets, on the answer page, in each LMS export and in the grader, without a
change to any other module. It has no entry of its own in any printer: each prints it in its generic form, from
what the kind says of itself (its text, what to type, its one LMS box)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np
import pytest
from lms_files import cloze_fields, moodle_responses, plain_text
from starlette.testclient import TestClient

from exercises import registry
from exercises.build import BuildOptions, build
from exercises.cli import main
from exercises.export import export
from exercises.misconceptions import Mistake, expect
from exercises.model import Part, Question, prose
from exercises.params import Int
from exercises.registry import Template, template
from grader import KINDS, answer_from_json, grade
from grader.answers import Answer, Comparison
from grader.keyfile import read_key
from grader.lms import find_tags
from grader.parsing import FormatError
from web.app import create_app
from web.settings import load_settings
from web.tokens import student_token

ACTIVATIONS = ("relu", "identity", "sigmoid")
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
COMPUTES = {"relu": "max(0, x)", "identity": "x itself", "sigmoid": "1/(1 + exp(-x))"}
QUIZ = "toy-week"
BANK = f"""course: "Toy course"
salt: "toy-kind-salt"
quizzes:
  {QUIZ}:
    title: "A week with a new answer kind"
    questions:
      - template: toy-activation
        points: 2
"""
ROSTER = "student_id,name,email\ns1,Ada Lovelace,a@example.org\ns2,Alan Turing,b@example.org\n"


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """The toy kind and a template that asks for it, registered for this module's tests only."""

    @dataclass(frozen=True, kw_only=True)
    class Word(Answer):
        """One word, in any case: 'ReLU' is 'relu'."""

        kind: ClassVar[str] = "word"
        value: str

        @staticmethod
        def coerce(value: Any) -> str:
            return str(value).lower()

        def parse(self, text: str) -> str:
            word = text.strip()
            if not word.isalpha():
                raise FormatError("expected one word, in letters only", text)
            return word.lower()

        def compare(self, value: str) -> Comparison:
            return Comparison(Fraction(1)) if value == self.value else Comparison(Fraction(0), "another word.")

        def expected_json(self) -> str:
            return self.value

        def value_json(self, value: Any) -> str:
            return value

        def to_text(self, value: Any = None) -> str:
            return self.value if value is None else value

        def describe(self) -> str:
            return "one word"

        @classmethod
        def from_json(cls, data: Any, **options: Any) -> Word:
            return cls(value=data, **options)

    @template
    class Activation(Template):
        """Name the activation function that computes a given formula."""

        id = "toy-activation"
        version = 1
        topic = "tests"
        summary = "name an activation function (a toy answer kind)"
        params = {"which": Int(low=0, high=2)}

        def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
            return {"which": int(rng.integers(0, 3)), **params}

        def build(self, p: dict[str, Any]) -> Question:
            name = ACTIVATIONS[p["which"]]
            mistakes = (Mistake("leaky", "A leaky ReLU lets negative inputs through, scaled.", lambda q: "leaky"),)
            return self.question(p, title="Activations", statement=(prose(f"An activation computes "
                                                                          f"{COMPUTES[name]}."),),
                                 parts=(Part("name", prose("Which activation function is it?"),
                                             expect(Word, name, p, mistakes), points=2),))

        def verify(self, question: Question) -> None:
            computes = question.statement[0].text.removeprefix("An activation computes ").removesuffix(".")
            assert [n for n, f in COMPUTES.items() if f == computes] == [question.part("name").answer.value]

    folder = tmp_path_factory.mktemp("toy-kind")
    (folder / "bank.yaml").write_text(BANK, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    yield folder, Word
    registry._REGISTRY.pop("toy-activation")
    KINDS.pop("word")


@pytest.fixture(scope="module")
def built(toy):
    folder, _ = toy
    build(QUIZ, BuildOptions(bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"),
                             out=str(folder / "out"), formats="md,tex,typ"))
    return folder, read_key(folder / "out" / QUIZ / "key.json")


def test_the_toy_kind_is_registered_and_graded(toy):
    _, word = toy
    assert KINDS["word"] is word
    spec = word(value="ReLU")
    assert answer_from_json(json.loads(json.dumps(spec.to_json()))) == spec
    assert grade(spec, "  RELU ").status == "correct"
    assert grade(spec, "tanh").status == "incorrect"
    unreadable = grade(spec, "re-lu")
    assert unreadable.status == "invalid" and "expected one word" in unreadable.feedback


def test_it_appears_in_every_sheet_and_key(built):
    folder, key = built
    words = [s.parts[0].answer.value for s in key.students]
    assert {p.answer.kind for s in key.students for p in s.parts} == {"word"}
    printed = {"md": "> **Answer:** {}\n", "tex": "\n{}\n", "typ": "*Answer:* {}\n"}  # as text: the generic form
    for fmt, answer in printed.items():
        quiz = (folder / "out" / QUIZ / f"quiz.{fmt}").read_text(encoding="utf-8")
        answers = (folder / "out" / QUIZ / f"key.{fmt}").read_text(encoding="utf-8")
        assert quiz.count("Which activation function is it?") == 2, fmt
        for word in words:
            assert f"An activation computes {COMPUTES[word]}." in quiz, (fmt, word)
            assert answer.format(word) in answers, (fmt, word)
        if fmt != "md":
            assert quiz.count("(1.6cm)") + quiz.count("{1.6cm}") == 2, fmt  # the generic answer space


def test_it_appears_on_the_answer_page_which_shows_what_was_read(built, tmp_path):
    folder, key = built
    settings = load_settings(QUIZ, str(folder / "bank.yaml"), str(folder / "out"),
                             f"sqlite:///{tmp_path / 'answers.sqlite'}")
    token = student_token(settings.salt, QUIZ, "s1")
    column = key.student("s1").parts[0].column
    with TestClient(create_app(settings)) as client:
        page = client.get(f"/q/{token}").text
        assert "Which activation function is it?" in page and "Answer 1(a): one word</label>" in page
        saved = client.put(f"/api/q/{token}/{column}", json={"text": "Sigmoid"}).json()
        assert saved["valid"] is True and saved["message"] == "Read as sigmoid" and saved["preview"] == ""
        bad = client.put(f"/api/q/{token}/{column}", json={"text": "1 2"}).json()
        assert bad["valid"] is False and "Could not read one word" in bad["message"]
        assert "1 2</textarea>" in client.get(f"/q/{token}").text


def test_a_class_is_graded(built, tmp_path):
    folder, key = built
    right, wrong = (key.student(s).parts[0] for s in ("s1", "s2"))
    (tmp_path / "answers.csv").write_text(f"student_id,name,{right.column}\ns1,Ada,{right.answer.value.upper()}\n"
                                          "s2,Alan,leaky\n", encoding="utf-8")
    assert main(["grade", QUIZ, str(tmp_path / "answers.csv"), "--key", str(folder / "out" / QUIZ / "key.json"),
                 "--out", str(tmp_path)]) == 0
    grades = (tmp_path / QUIZ / "grades" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert grades[1].startswith("s1,Ada Lovelace,2,2,2,100") and grades[2].startswith("s2,Alan Turing,0,0,2,0")
    feedback = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / QUIZ / "grades" / "feedback").iterdir())
    assert "A leaky ReLU lets negative inputs through, scaled." in feedback


def test_it_is_one_text_box_in_each_lms_export_and_moodle_responses_grade_back(toy, tmp_path):
    folder, _ = toy
    bank = str(folder / "bank.yaml")
    moodle = export(QUIZ, "moodle", replicates=3, bank_path=bank, out=str(tmp_path))
    key = read_key(moodle.key)
    words = {q.slot * 100 + int(s.student_id.split("-")[1]): q.parts[0].answer.value
             for s in key.students for q in s.questions}
    questions = [q for q in ET.parse(moodle.path).getroot() if q.get("type") == "cloze"]
    assert len(questions) == 3
    rows = []
    for number, question in enumerate(questions, start=1):
        fields, skeleton = cloze_fields(question.find("questiontext/text").text)
        (tag,) = find_tags(question.find("name/text").text)
        word = words[tag.slot * 100 + tag.replicate]
        assert [(f.kind, f.right) for f in fields] == [("SHORTANSWER", [word])]
        assert [a.answer for a in fields[0].wrong] == ["leaky"]
        summary = " ".join(plain_text(re.sub(r"\{#\d+\}", "_____", skeleton)).split())
        rows.append({"id": f"s{number}", "first": "Student", "last": str(number),
                     "questions": [(summary, f"part 1: {word.capitalize() if number < 3 else 'leaky'}")]})
    (tmp_path / "responses.csv").write_text(moodle_responses(rows), encoding="utf-8")
    assert main(["grade", QUIZ, str(tmp_path / "responses.csv"), "--from", "moodle", "--out", str(tmp_path)]) == 0
    grades = (tmp_path / QUIZ / "grades" / "grades.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [row.split(",")[-2] for row in grades] == ["100", "100", "0"]

    qti21 = export(QUIZ, "qti21", replicates=3, bank_path=bank, out=str(tmp_path / "qti21"))
    keys = {q.slot * 100 + int(s.student_id.split("-")[1]): q.parts[0].answer.value
            for s in read_key(qti21.key).students for q in s.questions}
    with zipfile.ZipFile(qti21.path) as package:
        items = [ET.fromstring(package.read(name)) for name in package.namelist() if name.startswith("items/")]
    assert len(items) == 3
    for item in items:
        (tag,) = find_tags(item.get("title"))
        word = keys[tag.slot * 100 + tag.replicate]
        assert item.find(f"{QTI}responseDeclaration/{QTI}correctResponse/{QTI}value").text == word
        assert item.find(f"{QTI}itemBody/{QTI}extendedTextInteraction") is not None
        assert "".join(item.find(f"{QTI}modalFeedback").itertext()).split() == ["(a)", word]

    qti12 = export(QUIZ, "qti12", replicates=3, bank_path=bank, out=str(tmp_path / "qti12"))
    with zipfile.ZipFile(qti12.path) as package:
        assessment = package.read("assessment.xml").decode("utf-8")
    assert assessment.count("fill_in_multiple_blanks_question") == 3
    accepted = re.findall(r'<mattext texttype="text/plain">([a-z]+)</mattext>', assessment)
    assert sorted(accepted) == sorted(q.parts[0].answer.value for s in read_key(qti12.key).students
                                      for q in s.questions)


def test_check_audits_it(toy, capsys):
    assert main(["check", "--template", "toy-activation", "--seeds", "6"]) == 0
    assert "toy-activation" in capsys.readouterr().out
