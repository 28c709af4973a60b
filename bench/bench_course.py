"""The course service at course size (issue 24): start-up with four built quizzes of 500 students, and the staff
page of a quiz whose 500 students answered all 14 parts.

Run: .venv/bin/python bench/bench_course.py [--students 500] [--loads 20] [--starts 3]

1. Builds week-04 … week-07 of the shipped bank for a generated roster (Markdown only), and stores an answer to
   every part of every student of week-04 (the key, a named misconception or a wrong number, as a class
   answers), read and appended as the answer pages store them.
2. Start-up: `cnnquiz serve --timing` of the whole course, started `--starts` times on 127.0.0.1; the wall time
   and the server's CPU time until /healthz first answered.
3. The staff page of week-04 (GET /staff/TOKEN/week-04) over HTTP, from the client and in the app (its
   Server-Timing): the first load at once after /healthz (while the background warm-up prints pages and grades),
   a first load once the warm-up is done, loads with nothing changed, and loads each after a student's save;
   the course's staff page (every quiz); and, in this process, a load that grades the whole class afresh (what
   every load did before issue 24).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_serve import cpu_seconds, free_port  # the script's folder is on the path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUIZZES = ("week-04", "week-05", "week-06", "week-07")


def build_course(out: Path, students: int) -> None:
    from exercises.build import BuildOptions, build

    roster = out.parent / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"s{i:03d},Student {i}\n" for i in range(students)))
    for quiz in QUIZZES:
        started = time.perf_counter()
        build(quiz, BuildOptions(roster_path=str(roster), out=str(out), formats="md"))
        print(f"built {quiz} in {time.perf_counter() - started:.1f} s", flush=True)


def answer_class(out: Path) -> int:
    """An answer for every part of every student of week-04, appended in one transaction."""
    from grader.keyfile import read_key
    from grader.reading import read_answer
    from web.storage import Store, answers, now, sqlite_url

    rng = random.Random(24)
    rows = []
    for student in read_key(out / "week-04" / "key.json").students:
        for part in student.parts:
            draw, mistakes = rng.random(), part.answer.misconceptions
            text = (part.answer.to_text() if draw < 0.6 else
                    part.answer.to_text(mistakes[0].value) if draw < 0.85 and mistakes else "7")
            reading = read_answer(part.answer, text)
            rows.append({"quiz": "week-04", "student_id": student.student_id, "column": part.column, "text": text,
                         "valid": reading.valid, "read_as": reading.message, "saved_at": now(), "client": "bench",
                         "late": False})
    store = Store(sqlite_url(out / "week-04" / "answers.sqlite"))
    with store.engine.begin() as connection:
        connection.execute(answers.insert(), rows)
    store.close()
    return len(rows)


class Server:
    def __init__(self, out: Path) -> None:
        import httpx

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(out / f"serve-{self.port}.log", "w")  # noqa: SIM115 - the server process holds it
        began = time.monotonic()
        self.process = subprocess.Popen([sys.executable, "-m", "exercises.cli", "serve", "--out", str(out), "--port",
                                         str(self.port), "--timing"], cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        while True:
            if self.process.poll() is not None or time.monotonic() > began + 120:
                raise SystemExit(f"cnnquiz serve did not start: {(out / f'serve-{self.port}.log').read_text()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.02)
        self.started = (time.monotonic() - began, cpu_seconds(self.process.pid))

    def settle(self) -> None:
        """Wait until the background warm-up is done (the server's CPU stops climbing)."""
        last = cpu_seconds(self.process.pid) or 0.0
        while True:
            time.sleep(1.0)
            now = cpu_seconds(self.process.pid) or 0.0
            if now - last < 0.05:
                return
            last = now

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def timed_get(client, url: str) -> tuple[float, float]:
    """(client seconds, app seconds) of one GET that must answer 200."""
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return elapsed, float(response.headers["server-timing"].removeprefix("app;dur=")) / 1000


def summary(samples: list[tuple[float, float]]) -> str:
    client = sorted(s[0] for s in samples)
    app = sorted(s[1] for s in samples)
    p95 = max(0, int(round(0.95 * len(client))) - 1)
    return (f"client median {statistics.median(client) * 1000:.0f} ms, p95 {client[p95] * 1000:.0f} ms; "
            f"app median {statistics.median(app) * 1000:.0f} ms, p95 {app[p95] * 1000:.0f} ms (n={len(client)})")


def staff_loads(server: Server, salt: str, out: Path, loads: int) -> list[tuple[str, str]]:
    import httpx

    from grader.keyfile import read_key
    from web.tokens import staff_token, student_token

    page = f"/staff/{staff_token(salt)}/week-04"
    rows = []
    with httpx.Client(base_url=server.base, timeout=120) as client:
        rows.append(("first load, at once after /healthz", summary([timed_get(client, page)])))
        server.settle()
        rows.append(("first load after the warm-up", summary([timed_get(client, page)])))
        rows.append(("loads, nothing changed", summary([timed_get(client, page) for _ in range(loads)])))
        key = read_key(out / "week-04" / "key.json")
        rng = random.Random(7)
        after_save = []
        for _ in range(loads):
            student = rng.choice(key.students)
            part = rng.choice(student.parts)
            text = part.answer.to_text() if rng.random() < 0.5 else "1"
            response = client.put(f"/api/q/{student_token(salt, 'week-04', student.student_id)}/{part.column}",
                                  json={"text": text})
            assert response.status_code == 200, response.text
            after_save.append(timed_get(client, page))
        rows.append(("loads, each after a student's save", summary(after_save)))
        rows.append(("the course's staff page (4 quizzes)",
                     summary([timed_get(client, f"/staff/{staff_token(salt)}") for _ in range(loads)])))
    return rows


def cold_class(out: Path, repeats: int = 3) -> str:
    """In this process: the staff page's data with the whole class graded afresh each time."""
    from web.course import Course
    from web.overview import Overviews, quiz_overview
    from web.settings import load_settings

    course = Course(load_settings(None, None, str(out)))
    quiz = course.quiz("week-04")
    times = []
    for _ in range(repeats):
        quiz.key.served().graded.clear()
        started = time.perf_counter()
        quiz_overview(quiz, Overviews(), "http://x", course)
        times.append(time.perf_counter() - started)
    course.close()
    return f"median {statistics.median(times):.2f} s of {repeats} (the page's data, without HTTP and HTML)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    os.chdir(ROOT)
    from exercises.bank import load_bank

    salt = load_bank(None).salt
    with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-course-") as folder:
        out = Path(folder) / "out"
        build_course(out, args.students)
        print(f"stored {answer_class(out)} answers of week-04", flush=True)
        starts = []
        for number in range(args.starts):
            server = Server(out)
            starts.append(server.started)
            if number < args.starts - 1:
                server.stop()
        print(f"\nload average at the end of the starts: {os.getloadavg()[0]:.1f}")
        print(f"start-up, /healthz with {len(QUIZZES)} quizzes of {args.students} students ({os.cpu_count()} cores):")
        for wall, cpu in starts:
            print(f"  {wall:.2f} s wall, {cpu:.2f} CPU-s")
        try:
            rows = staff_loads(server, salt, out, args.loads)
        finally:
            server.stop()
        print(f"\nstaff page of week-04, {args.students} students × 14 parts answered "
              f"(load average {os.getloadavg()[0]:.1f}):")
        for name, value in rows:
            print(f"  {name}: {value}")
        print(f"  grading the whole class afresh (before issue 24, every load): {cold_class(out)}")


if __name__ == "__main__":
    main()
