"""`cnnquiz serve` under a lecture hall: latency per request kind, acknowledged saves against database rows, a
guesser behind the students' address, a SIGKILL mid-run, start-up time, and two processes on one PostgreSQL.

Run: .venv/bin/python bench/bench_serve.py [--students 500] [--saves 20] [--seconds 60] [--db URL] [--pg URL]

Loopback only (127.0.0.1, free ports), bounded in count and time: one build of week-04 for a generated roster
(sources only), then
1. the load: students arrive at random times in the first half of `--seconds`; each loads their page and its
   JSON, saves `--saves` answers at random times within the next half of `--seconds`, reloads the page
   halfway and submits at the end (httpx, async, one connection per student). Every request comes from
   127.0.0.1, as a hall's do from its NAT; a guesser tries `--guesses` wrong links from there first.
2. the crash: the same load on a fresh server, killed with SIGKILL after a third of the time and restarted on
   the same port; a save that got no answer is sent again with the page's backoff (1, 2, 4, 8, 8 … s), so the
   run says how long after the restart the last answer typed during the outage was saved. Then every
   acknowledged save is looked up in the database.
3. start-up: the wall time and the server's CPU time until /healthz first answered, for both starts above.
4. with `--pg URL` (PostgreSQL): the load spread over two `serve` processes on two ports sharing the database,
   as a load balancer would; the CPU each server and the load generator used; every acknowledged save in the
   database and in what `cnnquiz grade --db` reads.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RETRY_FIRST, RETRY_MAX, RETRY_FOR = 1.0, 8.0, 120.0  # the page's backoff (web/static/answer.js); give up after


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Server:
    """One `cnnquiz serve --timing` process; `started` is (wall seconds, server CPU seconds) until /healthz."""

    def __init__(self, out: Path, port: int, db: str | None) -> None:
        self.out, self.port, self.db = out, port, db
        self.base = f"http://127.0.0.1:{port}"
        self.process, self.started = self.start()

    def start(self) -> tuple[subprocess.Popen, tuple[float, float | None]]:
        import httpx

        command = [sys.executable, "-m", "exercises.cli", "serve", "week-04", "--out", str(self.out), "--port",
                   str(self.port), "--timing", *(["--db", self.db] if self.db else [])]
        log = open(self.out / f"serve-{self.port}.log", "a")  # noqa: SIM115 - the server process holds it
        began = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() < began + 60:
            if process.poll() is not None:
                raise SystemExit(f"cnnquiz serve exited: {(self.out / f'serve-{self.port}.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return process, (time.monotonic() - began, cpu_seconds(process.pid))
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        process.kill()
        raise SystemExit("cnnquiz serve did not start within 60 s")

    def cpu(self) -> float | None:
        return cpu_seconds(self.process.pid)

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def restart(self) -> None:
        self.process, self.started = self.start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Load:
    """The simulated class: latencies per kind, every save the server acknowledged, and the saves that had to
    wait for it (when they were first typed, when they were saved)."""

    def __init__(self, bases: list[str], tokens: dict[str, str], columns: list[str], saves: int, seconds: float,
                 guesses: int = 0) -> None:
        self.bases, self.tokens, self.columns, self.saves, self.seconds = bases, tokens, columns, saves, seconds
        self.guesses = guesses
        self.latency: dict[str, list[float]] = defaultdict(list)  # as the client sees it
        self.app_time: dict[str, list[float]] = defaultdict(list)  # inside the app (its Server-Timing header)
        self.acknowledged: list[tuple[str, str, str]] = []  # (student, column, text), in order per student
        self.waited: list[tuple[float, float]] = []  # (monotonic time first refused, time acknowledged)
        self.failures: dict[str, int] = defaultdict(int)
        self.reasons: dict[str, int] = defaultdict(int)  # why requests failed: an HTTP status or an exception
        self.guess_statuses: dict[int, int] = defaultdict(int)
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

    async def student(self, index: int, student_id: str, start: float) -> None:
        import httpx

        # a client per student, as each has their own browser (one shared pool of 500 connections would cost
        # the load generator more CPU than the server: httpx scans its pool on every request), sharing one TLS
        # context (unused on http://, but httpx would load the CA bundle for each client: 20 ms of CPU)
        base = self.bases[index % len(self.bases)]  # the load balancer
        async with httpx.AsyncClient(base_url=base, timeout=30.0, verify=self.tls) as client:
            await self.session(client, student_id, start)

    async def session(self, client, student_id: str, start: float) -> None:
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
            await self.save(client, token, student_id, column, text)
            if number == self.saves // 2:
                await self.request(client, "page", "GET", f"/q/{token}")
        await self.request(client, "submit", "POST", f"/api/q/{token}/submit", json={})

    async def save(self, client, token: str, student_id: str, column: str, text: str) -> None:
        """Send until the server takes it, pausing as the page does."""
        import httpx

        refused_at, delay = None, RETRY_FIRST
        while True:
            response = await self.request(client, "save", "PUT", f"/api/q/{token}/{column}", json={"text": text},
                                          timeout=httpx.Timeout(10.0))
            if response is not None and response.json().get("saved") is True:
                self.acknowledged.append((student_id, column, text))
                if refused_at is not None:
                    self.waited.append((refused_at, time.monotonic()))
                return
            refused_at = refused_at or time.monotonic()
            if time.monotonic() - refused_at > RETRY_FOR:
                return
            self.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    async def guess(self, client) -> None:
        """Wrong links from the students' own address, before they arrive."""
        for number in range(self.guesses):
            response = await client.get(f"/q/wrong-link-{number}")
            self.guess_statuses[response.status_code] += 1

    async def run(self) -> float:
        import httpx

        started = time.monotonic()
        async with httpx.AsyncClient(base_url=self.bases[0], timeout=30.0, verify=self.tls) as guesser:
            await self.guess(guesser)
        await asyncio.gather(*(self.student(i, sid, started) for i, sid in enumerate(self.tokens)))
        return time.monotonic() - started


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"{len(values):>6}  p50 {at(0.50):6.1f} ms  p95 {at(0.95):6.1f} ms  p99 {at(0.99):6.1f} ms"


def rows_now(db_url: str) -> int:
    from web.storage import Store

    store = Store(db_url)
    try:
        return store.count("week-04")
    finally:
        store.close()


def check_stored(db_url: str, key, acknowledged: list[tuple[str, str, str]]) -> tuple[int, int, int]:
    """Acknowledged saves missing from the database; answers whose latest acknowledged text is not what
    `cnnquiz grade --db` reads (web.collect.submissions_from_store); the quiz's rows."""
    from web.collect import submissions_from_store
    from web.storage import Store

    store = Store(db_url)
    try:
        rows = set()
        for student in {s for s, _, _ in acknowledged}:
            rows |= {(saved.student_id, saved.column, saved.text) for saved in store.history("week-04", student)}
        missing = sum(1 for save in acknowledged if save not in rows)
        last = {(student, column): text for student, column, text in acknowledged}
        graded = {(row.student_id, column): text for row in submissions_from_store(store, key).rows
                  for column, text in row.answers.items()}
        unseen = sum(1 for cell, text in last.items() if graded.get(cell) != text)
        return missing, unseen, store.count("week-04")
    finally:
        store.close()


def report(title: str, load: Load, seconds: float, servers: dict[str, float | None], client_cpu: float) -> None:
    requests = sum(len(v) for v in load.latency.values())
    cpu = ", ".join(f"{name} {value:.1f}" for name, value in servers.items() if value is not None)
    print(f"\n{title}: {len(load.tokens)} students, {load.saves} saves each within {load.seconds:g} s; "
          f"took {seconds:.1f} s ({os.cpu_count()} cores shared by servers, load generator and other jobs; load "
          f"average {os.getloadavg()[0]:.1f} at the end); {requests} requests")
    print(f"  CPU seconds: {cpu + ', ' if cpu else ''}load generator {client_cpu:.1f}")
    for kind in ("page", "state", "save", "submit"):
        print(f"  {kind:<7}{percentiles(load.latency[kind])}   failed {load.failures[kind]}")
        print(f"  {'  in app':<7}{percentiles(load.app_time[kind])}")
    if load.reasons:
        print("  failures: " + ", ".join(f"{reason} {count}" for reason, count in sorted(load.reasons.items())))
    if load.guesses:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(load.guess_statuses.items()))
        print(f"  a guesser at the students' address tried {load.guesses} wrong links first ({statuses}); the "
              f"students' requests refused with 429: {load.reasons.get('HTTP 429', 0)}")


def stored_line(db_url: str, key, load: Load, rows_before: int) -> None:
    missing, unseen, rows = check_stored(db_url, key, load.acknowledged)
    print(f"  acknowledged saves {len(load.acknowledged)} (sent again after no answer: {load.retries}), new rows "
          f"{rows - rows_before}; acknowledged but missing from the database {missing}; latest answers that "
          f"`grade --db` does not read {unseen}")


def started_line(name: str, server: Server) -> None:
    wall, cpu = server.started
    print(f"  {name}: /healthz answered {wall:.2f} s after the start, the server having used "
          f"{cpu:.2f} CPU-s" if cpu is not None else f"  {name}: /healthz answered after {wall:.2f} s")


def load_run(args: argparse.Namespace, out: Path, key, tokens: dict[str, str], db_url: str) -> None:
    rows_before = rows_now(db_url)
    server = Server(out, free_port(), args.db)
    started_line("start-up", server)
    load = Load([server.base], tokens, key.columns, args.saves, args.seconds, args.guesses)
    server_before, client_before = server.cpu(), time.process_time()
    try:
        seconds = asyncio.run(load.run())
        server_after = server.cpu()
    finally:
        server.stop()
    used = server_after - server_before if server_before is not None and server_after is not None else None
    report("Load", load, seconds, {"server": used}, time.process_time() - client_before)
    stored_line(db_url, key, load, rows_before)


def crash_run(args: argparse.Namespace, out: Path, key, tokens: dict[str, str], db_url: str) -> None:
    rows_before = rows_now(db_url)
    server = Server(out, free_port(), args.db)
    crash = Load([server.base], tokens, key.columns, args.saves, args.seconds)
    back: list[float] = []

    async def run() -> float:
        task = asyncio.create_task(crash.run())
        await asyncio.sleep(args.seconds / 3)
        acknowledged_at_kill = len(crash.acknowledged)
        server.kill()
        print(f"\nSIGKILL after {args.seconds / 3:.0f} s with {acknowledged_at_kill} saves acknowledged; restarting")
        await asyncio.to_thread(server.restart)
        back.append(time.monotonic())
        started_line("restart", server)
        return await task

    client_before = time.process_time()
    try:
        seconds = asyncio.run(run())
    finally:
        server.stop()
    report("Crash run", crash, seconds, {}, time.process_time() - client_before)
    after = sorted(max(0.0, saved - back[0]) for _, saved in crash.waited)
    if after:
        print(f"  {len(after)} saves were typed while the server was down or restarting; after it was back they "
              f"were saved within {after[len(after) // 2]:.1f} s (median), {after[-1]:.1f} s (the last)")
    stored_line(db_url, key, crash, rows_before)


def two_processes_run(args: argparse.Namespace, out: Path, key, tokens: dict[str, str]) -> None:
    rows_before = rows_now(args.pg)
    servers = [Server(out, free_port(), args.pg), Server(out, free_port(), args.pg)]
    for number, server in enumerate(servers, start=1):
        started_line(f"process {number} start-up", server)
    load = Load([server.base for server in servers], tokens, key.columns, args.saves, args.seconds)
    before, client_before = [server.cpu() for server in servers], time.process_time()
    try:
        seconds = asyncio.run(load.run())
        after = [server.cpu() for server in servers]
    finally:
        for server in servers:
            server.stop()
    used = {f"process {n}": (a - b if a is not None and b is not None else None)
            for n, (b, a) in enumerate(zip(before, after, strict=True), start=1)}
    report("Two processes on one PostgreSQL", load, seconds, used, time.process_time() - client_before)
    stored_line(args.pg, key, load, rows_before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--guesses", type=int, default=25, help="wrong links tried from the students' address first")
    parser.add_argument("--db", help="database URL of runs 1-2 (default: SQLite in the build folder)")
    parser.add_argument("--pg", help="PostgreSQL URL for run 4 (two processes sharing it); skipped without")
    args = parser.parse_args()
    if not 1 <= args.students <= 2000 or not 1 <= args.saves <= 100 or not 1 <= args.seconds <= 600:
        raise SystemExit("bounded: --students 1..2000, --saves 1..100, --seconds 1..600")

    from exercises.build import BuildOptions, build
    from exercises.seeding import student_token
    from grader.keyfile import read_key
    from web.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="cnnquiz-bench-serve-") as folder:
        out = Path(folder) / "out"
        roster = Path(folder) / "roster.csv"
        roster.write_text("student_id,name\n" + "".join(f"s{i:04d},Student {i}\n" for i in range(args.students)))
        build("week-04", BuildOptions(roster_path=str(roster), out=str(out), formats="md"))
        settings = load_settings("week-04", out=str(out), db=args.db)
        key = read_key(settings.key_path)
        tokens = {s.student_id: student_token(settings.salt, "week-04", s.student_id) for s in key.students}
        print(f"week-04 for {len(tokens)} students; answers in {settings.db_url if not args.db else 'the --db'}")
        load_run(args, out, key, tokens, settings.db_url)
        crash_run(args, out, key, tokens, settings.db_url)
        if args.pg:
            two_processes_run(args, out, key, tokens)
        else:
            print("\n(run 4, two processes on one PostgreSQL, needs --pg URL)")
        if os.environ.get("BENCH_SERVE_LOG"):
            print("".join(log.read_text()[-3000:] for log in out.glob("serve-*.log")))


if __name__ == "__main__":
    main()
