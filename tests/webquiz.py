"""A small built quiz for the web tests: a bank with a deadline, a roster with a hostile name, a build; a real
`cnnquiz serve` process on a free port; the PostgreSQL of CNNQUIZ_TEST_POSTGRES_URL (the test skips without)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from exercises.build import BuildOptions, build
from grader.keyfile import Key, read_key
from web.settings import Settings, load_settings

ROOT = Path(__file__).parent.parent
SALT = "web-test-salt"
HOSTILE = "<script>alert(1)</script>"
ROSTER = f"""student_id,name,email
s1,Ada Lovelace,ada@example.org
s2,"{HOSTILE}",x@example.org
s3,Ελένη & Sons,e@example.org
"""
POSTGRES_ENV = "CNNQUIZ_TEST_POSTGRES_URL"


QUESTIONS = """    questions:
      - template: toeplitz
        params: {signal: [100, 101, 99, 200, 199, 201], kernel: [-1, 0, 1]}
        points: {shape: 1, matrix: 3, output: 2}
      - template: concepts
      - template: conv1d
"""


def quiz_text(quiz: str, title: str = "Web quiz", **timing: str | None) -> str:
    """One quiz of the bank, with due:, late:, release: as given."""
    lines = "".join(f"    {name}: {value}\n" for name, value in timing.items() if value)
    return f"  {quiz}:\n    title: \"{title}\"\n{lines}{QUESTIONS}"


def bank_text(due: str | None = None, late: str | None = None, quiz: str = "wq") -> str:
    return f"""course: "Web test course"
salt: "{SALT}"
quizzes:
{quiz_text(quiz, due=due, late=late)}"""


def make_course(folder: Path, quizzes: dict[str, dict[str, str]], extensions: str | None = None,
                built: tuple[str, ...] | None = None, db: str | None = None) -> Settings:
    """A bank of several quizzes ({quiz: {due, late, release}}), an extensions file if given, every quiz (or
    those of `built`) built for three students into folder/out; the settings of `cnnquiz serve` without a quiz."""
    folder.mkdir(parents=True, exist_ok=True)
    text = f'course: "Web test course"\nsalt: "{SALT}"\n'
    if extensions is not None:
        (folder / "extensions.csv").write_text(extensions, encoding="utf-8")
        text += "extensions: extensions.csv\n"
    text += "quizzes:\n" + "".join(quiz_text(quiz, f"Quiz {quiz}", **timing) for quiz, timing in quizzes.items())
    (folder / "bank.yaml").write_text(text, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    for quiz in quizzes if built is None else built:
        build(quiz, BuildOptions(bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"),
                                 out=str(folder / "out"), formats="md"))
    return load_settings(None, str(folder / "bank.yaml"), str(folder / "out"), db)


def make_quiz(folder: Path, due: str | None = None, late: str | None = None, db: str | None = None,
              quiz: str = "wq") -> Settings:
    """Build `quiz` (default wq) for three students into folder/out and return the serve settings."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bank.yaml").write_text(bank_text(due, late, quiz), encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    build(quiz, BuildOptions(bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"),
                             out=str(folder / "out"), formats="md"))
    return load_settings(quiz, str(folder / "bank.yaml"), str(folder / "out"), db)


def key_of(settings: Settings) -> Key:
    return read_key(settings.key_path)


def token(settings: Settings, student_id: str = "s1") -> str:
    """A student's personal token."""
    from web.tokens import student_token

    return student_token(settings.salt, settings.quiz, student_id)


def staff_path(settings: Settings, quiz: str = "wq") -> str:
    """The staff page of a quiz (the course's staff token, then the quiz)."""
    from web.tokens import staff_token

    return f"/staff/{staff_token(settings.salt)}/{quiz}"


def matrix_column(settings: Settings, student_id: str = "s1") -> str:
    """The column of the student's matrix part."""
    return next(p.column for p in key_of(settings).student(student_id).parts if p.answer.kind == "matrix")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Return once base/healthz answers 200; fail the test with the server's log if it does not."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"cnnquiz serve did not start: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)


def serve(settings: Settings, port: int, *extra: str, bank: Path | None = None) -> subprocess.Popen:
    """`cnnquiz serve` of the settings' quiz (or course) in its own process on 127.0.0.1:port, once it answers
    /healthz.
    Its output goes to serve-PORT.log next to the build; stop it with stop()."""
    folder = Path(settings.out)
    log = folder / f"serve-{port}.log"
    command = [sys.executable, "-m", "exercises.cli", "serve", *([settings.quiz] if settings.quiz else []), "--bank",
               str(bank or settings.bank), "--out", str(folder), "--port", str(port),
               *(["--db", settings.db_url] if settings.db_url else []), *extra]
    with open(log, "w") as output:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    wait_healthy(f"http://127.0.0.1:{port}", server, log)
    return server


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def postgres_url() -> str:
    """CNNQUIZ_TEST_POSTGRES_URL, or skip the test saying why."""
    import sqlalchemy as sa

    from web.storage import describe_url

    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run starts a PostgreSQL server and sets it)")
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure to reach it is a reason to skip
        pytest.skip(f"PostgreSQL at {describe_url(url)} is unreachable: {str(error).splitlines()[0]}")
    return url


def saved_before_due(settings: Settings, quiz: str, student_id: str, texts: dict[str, str]) -> None:
    """Store answers as the page stores them (read, then appended), as if saved before a due time that has
    passed by now: a test cannot save through the app before a due time in the past."""
    from grader.reading import read_answer
    from web.storage import Store

    store = Store(settings.db_url_of(quiz))
    for part in read_key(settings.key_path_of(quiz)).student(student_id).parts:
        if part.column in texts:
            reading = read_answer(part.answer, texts[part.column])
            store.save(quiz, student_id, part.column, texts[part.column], reading.valid, reading.message, "test")
    store.close()


def mixed_answers(settings: Settings, quiz: str, student_id: str) -> dict[str, str]:
    """The student's answers: the key for the first part, a named misconception where a part has one, else a
    wrong number, so that the result has points, feedback sentences and misconceptions to show."""
    parts = read_key(settings.key_path_of(quiz)).student(student_id).parts
    texts = {parts[0].column: parts[0].answer.to_text()}
    for part in parts[1:]:
        mistakes = part.answer.misconceptions
        texts[part.column] = part.answer.to_text(mistakes[0].value) if mistakes else "7"
    return texts


def analysed_page(client, path: str, seconds: float = 15) -> str:
    """The staff page once its item analysis covers the answers saved so far (it is made in a thread of its own
    and a load waits for it only briefly)."""
    waited = time.monotonic()
    while True:
        page = client.get(path).text
        if "being analysed" not in page and "being made" not in page:
            return page
        assert time.monotonic() - waited < seconds, "the item analysis did not come"
        time.sleep(0.1)
