"""A small built quiz for the web tests: a bank with a deadline, a roster with a hostile name, a build."""

from __future__ import annotations

from pathlib import Path

from exercises.build import build
from grader.keyfile import Key, read_key
from web.settings import Settings, load_settings

SALT = "web-test-salt"
HOSTILE = "<script>alert(1)</script>"
ROSTER = f"""student_id,name,email
s1,Ada Lovelace,ada@example.org
s2,"{HOSTILE}",x@example.org
s3,Ελένη & Sons,e@example.org
"""


def bank_text(due: str | None = None, late: str | None = None) -> str:
    deadline = (f"    due: {due}\n" if due else "") + (f"    late: {late}\n" if late else "")
    return f"""course: "Web test course"
salt: "{SALT}"
quizzes:
  wq:
    title: "Web quiz"
{deadline}    questions:
      - template: toeplitz
        params: {{signal: [100, 101, 99, 200, 199, 201], kernel: [-1, 0, 1]}}
        points: {{shape: 1, matrix: 3, output: 2}}
      - template: concepts
      - template: conv1d
"""


def make_quiz(folder: Path, due: str | None = None, late: str | None = None, db: str | None = None) -> Settings:
    """Build quiz `wq` for three students into folder/out and return the serve settings."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bank.yaml").write_text(bank_text(due, late), encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    build("wq", bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"), out=str(folder / "out"),
          formats="md")
    return load_settings("wq", str(folder / "bank.yaml"), str(folder / "out"), db)


def key_of(settings: Settings) -> Key:
    return read_key(settings.key_path)
