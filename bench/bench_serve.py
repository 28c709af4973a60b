"""`cnnquiz serve` under a class: latency per request kind, acknowledged saves against database rows, and a
SIGKILL of the server in the middle of a run (restart; every acknowledged save must be there).

Run: .venv/bin/python bench/bench_serve.py [--students 500] [--saves 20] [--seconds 60] [--db URL]

Loopback only (127.0.0.1, a free port), bounded in count and time: one build of week-04 for a generated roster
(sources only), then
1. the load: students arrive at random times in the first half of `--seconds`; each loads their page and its
   JSON, saves `--saves` answers at random times within the next half of `--seconds`, reloads the page
   halfway and submits at the end (httpx, async, one connection per student);
2. the crash: the same load on a fresh server, killed with SIGKILL after a third of the time; the server is
   restarted on the same port and the students go on (a save that got no answer is sent again, as the
   page's script does on the next keystroke). Then every acknowledged save is looked up in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(out: Path, port: int, db: str | None) -> subprocess.Popen:
    command = [sys.executable, "-m", "exercises.cli", "serve", "week-04", "--out", str(out), "--port", str(port)]
    if db:
        command += ["--db", db]
    log = open(out / "serve.log", "a")  # noqa: SIM115 - the server process holds it
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"cnnquiz serve exited: {(out / 'serve.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("cnnquiz serve did not start within 60 s")


class Load:
    """The simulated class: latencies per kind, and every save the server acknowledged."""

    def __init__(self, base: str, tokens: dict[str, str], columns: list[str], saves: int, seconds: float) -> None:
        self.base, self.tokens, self.columns, self.saves, self.seconds = base, tokens, columns, saves, seconds
        self.latency: dict[str, list[float]] = defaultdict(list)  # as the client sees it
        self.app_time: dict[str, list[float]] = defaultdict(list)  # inside the app (its Server-Timing header)
        self.acknowledged: list[tuple[str, str, str]] = []  # (student, column, text)
        self.failures: dict[str, int] = defaultdict(int)
        self.reasons: dict[str, int] = defaultdict(int)  # why requests failed: an HTTP status or an exception
        self.retries = 0
        self.tls = ssl.create_default_context()

    async def request(self, client, kind: str, method: str, url: str, **kwargs):
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except Exception as error:  # noqa: BLE001 - a dead server or a reset connection: counted, not fatal
            self.failures[kind] += 1
            self.reasons[type(error).__name__] += 1
            return None
        self.latency[kind].append(time.perf_counter() - started)
        timing = response.headers.get("server-timing", "")
        if timing.startswith("app;dur="):
            self.app_time[kind].append(float(timing[8:]) / 1000)
        if response.status_code != 200:
            self.failures[kind] += 1
            self.reasons[f"HTTP {response.status_code}"] += 1
            return None
        return response

    async def student(self, student_id: str, start: float) -> None:
        import httpx

        # a client per student, as each has their own browser (one shared pool of 500 connections would cost
        # the load generator more CPU than the server: httpx scans its pool on every request), sharing one TLS
        # context (unused on http://, but httpx would load the CA bundle for each client: 20 ms of CPU)
        async with httpx.AsyncClient(base_url=self.base, timeout=30.0, verify=self.tls) as client:
            await self.session(client, student_id, start)

    async def session(self, client, student_id: str, start: float) -> None:
        import httpx

        token = self.tokens[student_id]
        rng = random.Random(f"bench|{student_id}")  # reproducible schedule per student
        arrival = rng.uniform(0, self.seconds / 2)
        times = sorted(rng.uniform(arrival, arrival + self.seconds / 2) for _ in range(self.saves))
        await asyncio.sleep(max(0.0, start + arrival - time.monotonic()))
        await self.request(client, "page", "GET", f"/q/{token}")
        await self.request(client, "state", "GET", f"/api/q/{token}")
        for number, at in enumerate(times):
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            column = rng.choice(self.columns)
            text = f"{number} {rng.randint(-99, 99)}; {rng.randint(0, 9)} {student_id[1:]}"
            for attempt in range(20):  # the page's script sends the answer again until the server takes it
                response = await self.request(client, "save", "PUT", f"/api/q/{token}/{column}",
                                              json={"text": text}, timeout=httpx.Timeout(10.0))
                if response is not None and response.json().get("saved") is True:
                    self.acknowledged.append((student_id, column, text))
                    break
                self.retries += 1
                await asyncio.sleep(0.5 + attempt * 0.25)
            if number == self.saves // 2:
                await self.request(client, "page", "GET", f"/q/{token}")
        await self.request(client, "submit", "POST", f"/api/q/{token}/submit", json={})

    async def run(self) -> float:
        started = time.monotonic()
        await asyncio.gather(*(self.student(sid, started) for sid in self.tokens))
        return time.monotonic() - started


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"{len(values):>6}  p50 {at(0.50):6.1f} ms  p95 {at(0.95):6.1f} ms  p99 {at(0.99):6.1f} ms"


def check_stored(db_url: str, quiz: str, acknowledged: list[tuple[str, str, str]]) -> tuple[int, int]:
    """(rows in the database, acknowledged saves not found there)."""
    from web.storage import Store

    store = Store(db_url)
    try:
        rows = set()
        for student in {s for s, _, _ in acknowledged}:
            rows |= {(saved.student_id, saved.column, saved.text) for saved in store.history(quiz, student)}
        return store.count(quiz), sum(1 for save in acknowledged if save not in rows)
    finally:
        store.close()


def report(title: str, load: Load, seconds: float, server_cpu: float | None, client_cpu: float) -> None:
    requests = sum(len(v) for v in load.latency.values())
    server = f"server {server_cpu:.1f} CPU-s, " if server_cpu is not None else ""
    print(f"\n{title}: {len(load.tokens)} students, {load.saves} saves each within {load.seconds:g} s; "
          f"took {seconds:.1f} s ({os.cpu_count()} cores, server and clients on the same machine; load average "
          f"{os.getloadavg()[0]:.1f} at the end); {requests} requests: {server}clients {client_cpu:.1f} CPU-s")
    for kind in ("page", "state", "save", "submit"):
        print(f"  {kind:<7}{percentiles(load.latency[kind])}   failed {load.failures[kind]}")
        print(f"  {'  in app':<7}{percentiles(load.app_time[kind])}")
    if load.reasons:
        print("  failures: " + ", ".join(f"{reason} {count}" for reason, count in sorted(load.reasons.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", help="database URL (default: SQLite in the build folder)")
    args = parser.parse_args()
    if not 1 <= args.students <= 2000 or not 1 <= args.saves <= 100 or not 1 <= args.seconds <= 600:
        raise SystemExit("bounded: --students 1..2000, --saves 1..100, --seconds 1..600")

    from exercises.build import build
    from exercises.seeding import student_token
    from grader.keyfile import read_key
    from web.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-serve-") as folder:
        out = Path(folder) / "out"
        roster = Path(folder) / "roster.csv"
        roster.write_text("student_id,name\n" + "".join(f"s{i:04d},Student {i}\n" for i in range(args.students)))
        build("week-04", roster_path=str(roster), out=str(out), formats="md")
        settings = load_settings("week-04", out=str(out), db=args.db)
        key = read_key(settings.key_path)
        tokens = {s.student_id: student_token(settings.salt, "week-04", s.student_id) for s in key.students}
        columns = key.columns
        if args.db:
            from web.storage import Store

            Store(args.db).count()  # tables exist before the server starts
        port = free_port()
        base = f"http://127.0.0.1:{port}"

        # 1. the load
        server = start_server(out, port, args.db)
        load = Load(base, tokens, columns, args.saves, args.seconds)
        server_before, client_before = cpu_seconds(server.pid), time.process_time()
        try:
            seconds = asyncio.run(load.run())
            server_after = cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        server_cpu = server_after - server_before if server_before is not None and server_after is not None else None
        report("Load", load, seconds, server_cpu, time.process_time() - client_before)
        rows, missing = check_stored(settings.db_url, "week-04", load.acknowledged)
        print(f"  acknowledged saves {len(load.acknowledged)}, rows in the database {rows}, "
              f"acknowledged but missing {missing}")

        # 2. SIGKILL in the middle of a run, restart, go on
        quiz_rows_before = rows
        server = start_server(out, port, args.db)
        crash = Load(base, tokens, columns, args.saves, args.seconds)

        async def crash_run() -> float:
            nonlocal server
            task = asyncio.create_task(crash.run())
            await asyncio.sleep(args.seconds / 3)
            acknowledged_at_kill = len(crash.acknowledged)
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
            print(f"\nSIGKILL after {args.seconds / 3:.0f} s with {acknowledged_at_kill} saves acknowledged; "
                  "restarting")
            restarted = time.monotonic()
            server = await asyncio.to_thread(start_server, out, port, args.db)
            print(f"  restarted in {time.monotonic() - restarted:.1f} s")
            return await task

        client_before = time.process_time()
        try:
            seconds = asyncio.run(crash_run())
        finally:
            server.terminate()
            server.wait(timeout=30)
        report("Crash run", crash, seconds, None, time.process_time() - client_before)
        if os.environ.get("BENCH_SERVE_LOG"):
            print((out / "serve.log").read_text()[-3000:])
        rows, missing = check_stored(settings.db_url, "week-04", load.acknowledged + crash.acknowledged)
        print(f"  acknowledged saves {len(crash.acknowledged)} (resent after no answer: {crash.retries}), new rows "
              f"{rows - quiz_rows_before}; acknowledged saves of both runs missing from the database: {missing}")


if __name__ == "__main__":
    main()
