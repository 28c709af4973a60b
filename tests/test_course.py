"""A course of its own: `cnnquiz init`, templates of the course registered from the bank, CI that proves them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import run_cli

from exercises.skeleton import CI_COMMANDS

EXAMPLE = Path(__file__).parent.parent / "templates" / "course" / "dilated_span.py"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("course") / "dl-2027"
    result = run_cli("init", str(folder), "--course", "Deep Learning 2027 — ‘CNNs’")
    assert result.returncode == 0, result.stderr
    return folder


def test_init_writes_a_whole_course(course):
    names = sorted(str(p.relative_to(course)) for p in course.rglob("*") if p.is_file())
    assert names == [".github/workflows/cnnquiz.yml", ".gitignore", ".gitlab-ci.yml", "README.md",
                     "question_bank.yaml", "roster.example.csv", "templates/dilated_span.py"]
    bank = yaml.safe_load((course / "question_bank.yaml").read_text(encoding="utf-8"))
    assert bank["course"] == "Deep Learning 2027 — ‘CNNs’"
    assert len(bank["salt"]) == 32 and bank["salt"] != "cnn-part2-2026-change-me"
    assert bank["templates"] == ["templates/"]
    ignored = (course / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"*.csv", "!roster.example.csv", "out/", "*.sqlite", "lti-keys.json"} <= set(ignored)


def test_every_course_gets_its_own_salt(tmp_path):
    for name in ("a", "b"):
        assert run_cli("init", str(tmp_path / name)).returncode == 0
    salts = {yaml.safe_load((tmp_path / n / "question_bank.yaml").read_text("utf-8"))["salt"] for n in "ab"}
    assert len(salts) == 2


def test_ci_workflows_are_yaml_whose_steps_are_the_commands(course):
    github = yaml.safe_load((course / ".github/workflows/cnnquiz.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["check"]["steps"]
    assert [step["run"] for step in steps if "run" in step] == list(CI_COMMANDS)
    gitlab = yaml.safe_load((course / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["cnnquiz-check"]["script"] == list(CI_COMMANDS)
    assert CI_COMMANDS[-1] == "cnnquiz check"


def test_in_the_course_list_check_build_and_grade_work(course):
    listing = run_cli("list", "--json", cwd=course)
    assert listing.returncode == 0, listing.stderr
    assert "dilated-span" in {t["id"] for t in json.loads(listing.stdout)}

    check = run_cli("check", "--seeds", "20", cwd=course)
    assert check.returncode == 0, check.stdout + check.stderr
    proved = [line.split()[0] for line in check.stdout.splitlines()[1:] if line.split()[1:2] == ["20"]]
    assert proved == ["conv1d", "output-size", "dilated-span"]  # what the course uses, and its own template

    build = run_cli("build", "quiz-01", "--roster", "roster.example.csv", "--format", "md", cwd=course)
    assert build.returncode == 0, build.stderr
    key = json.loads((course / "out/quiz-01/key.json").read_text(encoding="utf-8"))
    own = [q for s in key["students"] for q in s["questions"] if q["template"] == "dilated-span"]
    assert len(own) == 3 and all(q["version"] == 1 for q in own)
    assert "dilated kernel" in (course / "out/quiz-01/quiz.md").read_text(encoding="utf-8").lower()

    assert run_cli("check", "--key", "out/quiz-01/key.json", cwd=course).returncode == 0
    show = run_cli("answer", "dilated-span", "span", "12", "--set", "kernel=4", "--set", "dilation=4", "--json",
                   cwd=course)
    assert json.loads(show.stdout)["misconception"] == "gaps-only"


def test_init_overwrites_nothing(course):
    before = (course / "question_bank.yaml").read_text(encoding="utf-8")
    result = run_cli("init", str(course))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "question_bank.yaml" in result.stderr and "overwrites nothing" in \
        result.stderr
    assert (course / "question_bank.yaml").read_text(encoding="utf-8") == before


def _course_with(tmp_path: Path, template_text: str) -> Path:
    """A minimal course whose only template file is `template_text`."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "mine.py").write_text(textwrap.dedent(template_text), encoding="utf-8")
    (tmp_path / "question_bank.yaml").write_text(textwrap.dedent("""\
        salt: test
        templates: [templates]
        quizzes:
          q:
            questions:
              - template: conv1d
        """), encoding="utf-8")
    return tmp_path


def _example(**replacements: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_a_wrong_key_fails_check_naming_the_template(tmp_path):
    wrong = _example(**{"return (kernel - 1) * dilation + 1": "return (kernel - 1) * dilation + 1 + (kernel > 5)"})
    course = _course_with(tmp_path, wrong)
    result = run_cli("check", "--seeds", "30", cwd=course)
    assert result.returncode == 1
    assert "FAIL dilated-span seed" in result.stdout and "verifier disagrees" in result.stdout


@pytest.mark.parametrize(("change", "message"), [
    ({"    def verify(self, question: Question) -> None:": "    def _unused(self, question: Question) -> None:"},
     "implement verify"),
    ({'id = "dilated-span"': 'id = "conv1d"'}, "'conv1d' is already taken by a built-in template"),
    ({'id = "dilated-span"': 'id = "Dilated Span"'}, "is not kebab-case"),
    ({"version = 1": "version = 0"}, "version must be a whole number"),
    ({"from grader.answers import Integer": "from grader.answers import Integr"}, "cannot import name 'Integr'"),
    ({"    def build(self, p": "    def build(self p"}, "syntax error"),
])
def test_a_broken_template_file_is_one_line_naming_file_and_line(tmp_path, change, message):
    course = _course_with(tmp_path, _example(**change))
    for command in (["list"], ["check", "--seeds", "2"], ["show", "conv1d"]):
        result = run_cli(*command, cwd=course)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        line = result.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert message in line and "mine.py:" in line, line
        where = int(line.split("mine.py:")[1].split(":")[0])
        assert 1 <= where <= len(_example(**change).splitlines())


def test_a_missing_template_folder_points_at_the_bank(tmp_path):
    (tmp_path / "question_bank.yaml").write_text("salt: s\ntemplates: [nowhere/]\nquizzes: {}\n", encoding="utf-8")
    result = run_cli("list", cwd=tmp_path)
    assert result.returncode == 2
    assert "question_bank.yaml:2:" in result.stderr and "'nowhere/': no such folder or file" in result.stderr


def test_templates_of_an_installed_package_register_by_entry_point(tmp_path):
    """A package that declares `cnnquiz.templates` entry points: its templates appear like the built-in ones."""
    site = tmp_path / "site"
    (site / "course_pkg").mkdir(parents=True)
    (site / "course_pkg" / "__init__.py").write_text("", encoding="utf-8")
    (site / "course_pkg" / "span.py").write_text(_example(**{'id = "dilated-span"': 'id = "packaged-span"'}),
                                                 encoding="utf-8")
    info = site / "course_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: course-pkg\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[cnnquiz.templates]\nspan = course_pkg.span\n", encoding="utf-8")
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])}
    result = subprocess.run([sys.executable, "-m", "exercises.cli", "list", "--json"], capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "packaged-span" in {t["id"] for t in json.loads(result.stdout)}
