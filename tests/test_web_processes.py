"""`cnnquiz serve` as real processes: one for 500 students answers /healthz at once; several against one
PostgreSQL (CNNQUIZ_TEST_POSTGRES_URL; skipped without): one with `--workers 2`, one on another port, as a load
balancer would spread a class over them. Saves through both are all kept, `grade --db` sees every one, and a
deadline published by a process started later holds for all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest
from webquiz import ROOT, bank_text, free_port, key_of, make_quiz, postgres_url, serve, stop, wait_healthy

from web.storage import Store
from web.tokens import student_token

SAVES = 12  # per student and process


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a (Linux) process has used so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_server_for_500_students_answers_healthz_at_once(tmp_path):
    """Issue 25: /healthz within 2 s with 500 students (it took 6-16 s). Measured in the server's CPU seconds,
    which a machine shared with other work does not inflate as it does the wall time."""
    from exercises.build import BuildOptions, build

    if not os.path.exists("/proc/self/stat"):
        pytest.skip("reads the server's CPU time from Linux's /proc")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"s{i:03d},Student {i}\n" for i in range(500)))
    build("week-04", BuildOptions(roster_path=str(roster), out=str(tmp_path / "out"), formats="md"))
    port = free_port()
    started = time.monotonic()
    with open(tmp_path / "serve.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "exercises.cli", "serve", "week-04", "--out",
                                   str(tmp_path / "out"), "--port", str(port)], cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, tmp_path / "serve.log")
        cpu, wall = cpu_seconds(server.pid), time.monotonic() - started
        assert cpu < 2.0, f"the server used {cpu:.2f} CPU-s ({wall:.2f} s) before /healthz answered"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json()["quizzes"] == {"week-04": 500}
    finally:
        stop(server)


def test_two_processes_share_one_postgresql(tmp_path):
    url = postgres_url()
    quiz = f"wq-{uuid.uuid4().hex[:8]}"  # the database is shared between runs
    settings = make_quiz(tmp_path, db=url, quiz=quiz, due="2999-01-01T00:00:00+00:00")
    key = key_of(settings)
    ports = [free_port(), free_port()]
    servers = [serve(settings, ports[0], "--workers", "2"), serve(settings, ports[1])]
    try:
        acknowledged: list[tuple[str, str, str]] = []
        failures: list[str] = []

        def student(student_id: str, port: int) -> None:
            token = student_token(settings.salt, quiz, student_id)
            columns = [part.column for part in key.student(student_id).parts]
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                for number in range(SAVES):
                    column = columns[number % len(columns)]
                    text = f"{port} {number} {student_id}"
                    response = client.put(f"/api/q/{token}/{column}", json={"text": text})
                    if response.status_code == 200:
                        acknowledged.append((student_id, column, text))
                    else:
                        failures.append(f"{port}: {response.status_code} {response.text}")

        threads = [threading.Thread(target=student, args=(s.student_id, port)) for s in key.students for port in ports]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [] and len(acknowledged) == 2 * SAVES * len(key.students)

        store = Store(url)
        stored = {(row.student_id, row.column, row.text) for s in key.students for row in store.history(quiz,
                                                                                                       s.student_id)}
        assert store.count(quiz) == len(acknowledged) and set(acknowledged) == stored  # none lost, none doubled
        latest = {(student_id, column): saved.text for (student_id, column), saved in store.latest(quiz).items()}

        result = subprocess.run([sys.executable, "-m", "exercises.cli", "grade", quiz, "--db", url, "--key",
                                 str(settings.key_path), "--out", str(tmp_path / "graded")],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode in (0, 1), result.stderr
        graded = json.loads((tmp_path / "graded" / quiz / "grades" / "grades.json").read_text(encoding="utf-8"))
        answers = {(row["student_id"], part["column"]): part["answer"] for row in graded["rows"]
                   for question in row["questions"] for part in question["parts"] if part["answer"]}
        assert answers == latest and len(answers) == len(key.students) * len(key.columns)

        # the bank's deadline is changed and the second process restarted with it: the first one follows
        stop(servers.pop())
        late_bank = tmp_path / "late.yaml"
        late_bank.write_text(bank_text("2020-01-01T00:00:00+00:00", None, quiz), encoding="utf-8")
        servers.append(serve(settings, ports[1], bank=late_bank))
        token = student_token(settings.salt, quiz, "s1")
        refused = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=30) as client:
            for _ in range(40):  # each worker re-reads the deadline within 2 s
                status = client.put(f"/api/q/{token}/{key.columns[0]}", json={"text": "late"}).status_code
                refused = refused + 1 if status == 403 else 0
                if refused == 4:
                    break
                time.sleep(0.25)
        assert refused == 4
        store.close()
    finally:
        for server in servers:
            stop(server)
