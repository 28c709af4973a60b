"""The answer store (SQLAlchemy Core): SQLite in WAL mode by default, PostgreSQL by URL.

Append-only: every save is a new row of `answers` (who, column, text, what the grader read, when, from
which client), every submit a new row of `submissions`, every published deadline a new row of `deadlines`,
every published release rule a row of `release_rules`, every press of the staff page's release button a row of
`releases`, every extension (from the bank's file or the staff page) a row of `extensions`, each student's
release, once announced to the release hooks, a row of `announcements`, and the variant of a student the roster
lacks, made when they came from the LMS (web.recorded), a row of `recorded_variants`; nothing is updated or
deleted. A student's current answer to a column is their latest row (the largest id). Everything several
`serve` processes must agree on lives here; each process keeps only caches. (web.lti.records adds LTI's own
tables through `create_tables`, `writes` and `reads`.)
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()


def _row_id() -> sa.Column:
    """Every table's key: the order rows were appended in (a 64-bit integer; SQLite's rowid)."""
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True)


answers = sa.Table(
    "answers", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("student_id", sa.String(200), nullable=False),
    sa.Column("column", sa.String(100), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Column("read_as", sa.Text, nullable=False),
    sa.Column("saved_at", sa.String(40), nullable=False),  # ISO 8601, UTC: sorts as it reads
    sa.Column("client", sa.String(200), nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Index("answers_by_student", "quiz", "student_id", "column", "id"),
)
submissions = sa.Table(
    "submissions", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("student_id", sa.String(200), nullable=False),
    sa.Column("submitted_at", sa.String(40), nullable=False),
    sa.Column("client", sa.String(200), nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Index("submissions_by_student", "quiz", "student_id", "id"),
)

deadlines = sa.Table(  # the quiz's deadline as `serve` last published it from the bank: every process reads it here
    "deadlines", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("due", sa.String(40), nullable=False),  # ISO 8601 with its UTC offset; "" for no deadline
    sa.Column("late", sa.String(20), nullable=False),  # "refuse" or "accept"
    sa.Column("set_at", sa.String(40), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),  # where it came from: the bank's path, the host
    sa.Index("deadlines_by_quiz", "quiz", "id"),
)
recorded_variants = sa.Table(  # variants made after the build (a student the roster lacks, launched from the LMS)
    "recorded_variants", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("student_id", sa.String(200), nullable=False),
    sa.Column("token_digest", sa.String(64), nullable=False),  # SHA-256 (hex) of the student's personal token
    sa.Column("variant", sa.Text, nullable=False),  # the student's entry of key.json, as JSON
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("quiz", "student_id", name="recorded_variants_once"),
    sa.Index("recorded_variants_by_token", "quiz", "token_digest"),
)
release_rules = sa.Table(  # the bank's `release:` as `serve` last published it: after-due, manual or an ISO time
    "release_rules", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("release", sa.String(40), nullable=False),
    sa.Column("set_at", sa.String(40), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Index("release_rules_by_quiz", "quiz", "id"),
)
releases = sa.Table(  # each press of the staff page's release button (`release: manual`)
    "releases", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("released_at", sa.String(40), nullable=False),
    sa.Column("source", sa.String(200), nullable=False),  # who pressed it: the staff page, address and browser
    sa.Index("releases_by_quiz", "quiz", "id"),
)
extensions = sa.Table(  # a student's own due time for a quiz; their latest row holds
    "extensions", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("student_id", sa.String(200), nullable=False),
    sa.Column("due", sa.String(40), nullable=False),  # ISO 8601 with its UTC offset
    sa.Column("set_at", sa.String(40), nullable=False),
    sa.Column("origin", sa.String(10), nullable=False),  # "bank" (its extensions file) or "staff" (the staff page)
    sa.Column("source", sa.String(200), nullable=False),  # the file and line, or the staff page's client
    sa.Index("extensions_by_quiz", "quiz", "id"),
)
announcements = sa.Table(  # a student's release, told to the release hooks (web.release) once by one process
    "announcements", metadata,
    _row_id(),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("student_id", sa.String(200), nullable=False),
    sa.Column("announced_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("quiz", "student_id", name="announcements_once"),
)
APPEND_ONLY = (answers, submissions, deadlines, recorded_variants, release_rules, releases, extensions, announcements)
_SCHEMA_LOCK = 0x636E6E71  # PostgreSQL advisory lock: processes starting together create the tables once

# The database itself refuses to change or remove a row (created with the tables).
_POSTGRES_GUARD = sa.DDL("""CREATE OR REPLACE FUNCTION cnnquiz_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'cnnquiz: %% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql""")
for _table in APPEND_ONLY:
    for _event in ("UPDATE", "DELETE"):
        sa.event.listen(_table, "after_create", sa.DDL(
            f"CREATE TRIGGER {_table.name}_no_{_event.lower()} BEFORE {_event} ON {_table.name} "
            f"BEGIN SELECT RAISE(ABORT, 'cnnquiz: {_table.name} is append-only'); END").execute_if(dialect="sqlite"))
    sa.event.listen(_table, "after_create", _POSTGRES_GUARD.execute_if(dialect="postgresql"))
    sa.event.listen(_table, "after_create", sa.DDL(
        f"CREATE TRIGGER {_table.name}_append_only BEFORE UPDATE OR DELETE ON {_table.name} "
        "FOR EACH ROW EXECUTE FUNCTION cnnquiz_append_only()").execute_if(dialect="postgresql"))


@dataclass(frozen=True)
class ExtensionRow:
    """One row of `extensions`."""

    student_id: str
    due: str
    set_at: str
    origin: str
    source: str


@dataclass(frozen=True)
class ScheduleRows:
    """What the store holds about a quiz's timing: the latest deadline and release rule (None if none was
    published), the release button's presses (oldest first) and every extension row (oldest first)."""

    deadline: tuple[str, str] | None
    release: str | None
    releases: tuple[str, ...]
    extensions: tuple[ExtensionRow, ...]


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or is locked; the message says so in one line."""


@dataclass(frozen=True)
class Saved:
    """One row of `answers`."""

    id: int
    student_id: str
    column: str
    text: str
    valid: bool
    read_as: str
    saved_at: str
    client: str
    late: bool


def now() -> str:
    """The current time, UTC, ISO 8601 with milliseconds."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an unreadable URL)"


class Store:
    """The answer store of one database URL; safe to use from several threads."""

    def __init__(self, url: str) -> None:
        try:
            parsed = sa.engine.make_url(url)
        except sa.exc.ArgumentError:
            raise StoreUnavailable(f"--db {url!r}: not a database URL (sqlite:///FILE or "
                                   "postgresql+psycopg://user:password@host/db)") from None
        self.url = url
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.busy_seconds = 5.0  # how long a SQLite write waits for another process's lock before giving up
        if self.sqlite:
            self.engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)
        # SQLite has one writer at a time: a lock in the process queues writers without its busy-wait backoff
        self._write_lock = threading.Lock() if self.sqlite else None
        self.create_tables(metadata)

    def create_tables(self, tables: sa.MetaData, upgrade: Callable[[sa.Connection], None] | None = None) -> None:
        """Create the tables of `tables` that are missing (once, when processes start together), then run
        `upgrade` (columns that tables made by an earlier version lack) in the same transaction."""
        with self._errors("create the tables"), self.engine.begin() as connection:
            if not self.sqlite:
                connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})"))
            tables.create_all(connection)
            if upgrade is not None:
                upgrade(connection)

    @contextmanager
    def writes(self, doing: str) -> Iterator[sa.Connection]:
        """A write transaction for another module's tables (web.lti.records), with the store's errors."""
        with self._errors(doing), self._writing() as connection:
            yield connection

    @contextmanager
    def reads(self, doing: str) -> Iterator[sa.Connection]:
        """A connection for reading another module's tables, with the store's errors."""
        with self._errors(doing), self.engine.connect() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sa.exc.DBAPIError as error:
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0][:200]
            raise StoreUnavailable(f"cannot {doing} in {describe_url(self.url)}: {reason}") from None

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        if self._write_lock is None:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._write_lock, self.engine.begin() as connection:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")
            yield connection

    # -- writes (appends only) ------------------------------------------------------------------
    def save(self, quiz: str, student_id: str, column: str, text: str, valid: bool, read_as: str,
             client: str = "", late: bool = False) -> Saved:
        """Append one answer; returns the stored row (its saved_at is the server's time)."""
        row = {"quiz": quiz, "student_id": student_id, "column": column, "text": text, "valid": valid,
               "read_as": read_as, "saved_at": now(), "client": client[:200], "late": late}
        with self._errors("save the answer"), self._writing() as connection:
            new_id = connection.execute(answers.insert().returning(answers.c.id), row).scalar_one()
        return Saved(new_id, student_id, column, text, valid, read_as, row["saved_at"], row["client"], late)

    def submit(self, quiz: str, student_id: str, client: str = "", late: bool = False) -> str:
        """Record a submit; returns its time."""
        when = now()
        with self._errors("record the submission"), self._writing() as connection:
            connection.execute(submissions.insert(), {"quiz": quiz, "student_id": student_id, "submitted_at": when,
                                                      "client": client[:200], "late": late})
        return when

    def set_deadline(self, quiz: str, due: str, late: str, source: str = "") -> None:
        """Publish the quiz's deadline (a new row; the latest row is the deadline)."""
        row = {"quiz": quiz, "due": due, "late": late, "set_at": now(), "source": source[:200]}
        with self._errors("record the deadline"), self._writing() as connection:
            connection.execute(deadlines.insert(), row)

    def set_release_rule(self, quiz: str, release: str, source: str = "") -> None:
        """Publish the quiz's release rule (a new row; the latest row is the rule)."""
        row = {"quiz": quiz, "release": release, "set_at": now(), "source": source[:200]}
        with self._errors("record the release rule"), self._writing() as connection:
            connection.execute(release_rules.insert(), row)

    def record_release(self, quiz: str, source: str = "") -> str:
        """Record a press of the release button; returns its time."""
        when = now()
        with self._errors("record the release"), self._writing() as connection:
            connection.execute(releases.insert(), {"quiz": quiz, "released_at": when, "source": source[:200]})
        return when

    def add_extension(self, quiz: str, student_id: str, due: str, origin: str, source: str = "") -> None:
        """Give a student their own due time (a new row; their latest row holds)."""
        row = {"quiz": quiz, "student_id": student_id, "due": due, "set_at": now(), "origin": origin,
               "source": source[:200]}
        with self._errors("record the extension"), self._writing() as connection:
            connection.execute(extensions.insert(), row)

    def announce(self, quiz: str, student_ids: list[str]) -> list[str]:
        """Record that these students' release was announced; returns those no process had announced before
        (the database's unique constraint decides, so each student is announced once among all processes)."""
        if self.sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        fresh: list[str] = []
        when = now()
        with self._errors("record the release announcements"), self._writing() as connection:
            for start in range(0, len(student_ids), 500):
                rows = [{"quiz": quiz, "student_id": s, "announced_at": when} for s in student_ids[start:start + 500]]
                statement = insert(announcements).values(rows).on_conflict_do_nothing(
                    index_elements=["quiz", "student_id"]).returning(announcements.c.student_id)
                fresh += [student_id for (student_id,) in connection.execute(statement)]
        return fresh

    def record_variant(self, quiz: str, student_id: str, token_digest: str, variant: str, source: str) -> bool:
        """Record a variant made after the build (key.json's entry as JSON); False if the student already has
        one (another process may have recorded it first: the first one stays)."""
        row = {"quiz": quiz, "student_id": student_id, "token_digest": token_digest, "variant": variant,
               "source": source[:200], "recorded_at": now()}
        try:
            with self._errors("record the variant"), self._writing() as connection:
                connection.execute(recorded_variants.insert(), row)
        except StoreUnavailable:
            if self.recorded_variants(quiz, student_id=student_id):
                return False
            raise
        return True

    # -- reads -------------------------------------------------------------------------------------
    def recorded_variants(self, quiz: str, token_digest: str | None = None,
                          student_id: str | None = None) -> list[str]:
        """The recorded variants of a quiz (key.json entries as JSON), oldest first; or the one of a token or a
        student."""
        query = sa.select(recorded_variants.c.variant).where(recorded_variants.c.quiz == quiz)
        if token_digest is not None:
            query = query.where(recorded_variants.c.token_digest == token_digest)
        if student_id is not None:
            query = query.where(recorded_variants.c.student_id == student_id)
        with self._errors("read the recorded variants"), self.engine.connect() as connection:
            return list(connection.execute(query.order_by(recorded_variants.c.id)).scalars())

    def recorded_students(self, quiz: str) -> list[str]:
        """The students of the quiz's recorded variants, oldest first."""
        query = (sa.select(recorded_variants.c.student_id).where(recorded_variants.c.quiz == quiz)
                 .order_by(recorded_variants.c.id))
        with self._errors("read the recorded variants"), self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def schedule(self, quiz: str) -> ScheduleRows:
        """The quiz's deadline, release rule, release presses and extensions, read on one connection."""
        deadline = (sa.select(deadlines.c.due, deadlines.c.late).where(deadlines.c.quiz == quiz)
                    .order_by(deadlines.c.id.desc()).limit(1))
        rule = (sa.select(release_rules.c.release).where(release_rules.c.quiz == quiz)
                .order_by(release_rules.c.id.desc()).limit(1))
        pressed = sa.select(releases.c.released_at).where(releases.c.quiz == quiz).order_by(releases.c.id)
        extended = (sa.select(extensions.c.student_id, extensions.c.due, extensions.c.set_at, extensions.c.origin,
                              extensions.c.source).where(extensions.c.quiz == quiz).order_by(extensions.c.id))
        with self._errors("read the schedule"), self.engine.connect() as connection:
            found = connection.execute(deadline).first()
            return ScheduleRows(None if found is None else (found.due, found.late),
                                connection.execute(rule).scalar(),
                                tuple(connection.execute(pressed).scalars()),
                                tuple(ExtensionRow(*row) for row in connection.execute(extended)))

    def last_rows(self, quiz: str) -> tuple[int, int]:
        """The ids of the quiz's latest answer and submit rows (0 for none): what changes when anything is saved."""
        last_answer = sa.select(sa.func.max(answers.c.id)).where(answers.c.quiz == quiz)
        last_submit = sa.select(sa.func.max(submissions.c.id)).where(submissions.c.quiz == quiz)
        with self._errors("read the answers"), self.engine.connect() as connection:
            return connection.execute(last_answer).scalar() or 0, connection.execute(last_submit).scalar() or 0

    def progress(self, quiz: str) -> tuple[int, int]:
        """How many students saved an answer, and how many submitted."""
        saved = sa.select(sa.func.count(sa.distinct(answers.c.student_id))).where(answers.c.quiz == quiz)
        submitted = sa.select(sa.func.count(sa.distinct(submissions.c.student_id))).where(submissions.c.quiz == quiz)
        with self._errors("count the answers"), self.engine.connect() as connection:
            return int(connection.execute(saved).scalar_one()), int(connection.execute(submitted).scalar_one())

    def deadline(self, quiz: str) -> tuple[str, str] | None:
        """The quiz's published deadline as (due, late), or None if none was ever published."""
        query = (sa.select(deadlines.c.due, deadlines.c.late).where(deadlines.c.quiz == quiz)
                 .order_by(deadlines.c.id.desc()).limit(1))
        with self._errors("read the deadline"), self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (row.due, row.late)

    def latest(self, quiz: str, student_id: str | None = None) -> dict[tuple[str, str], Saved]:
        """The current answer of each (student, column): the latest row."""
        newest = sa.select(sa.func.max(answers.c.id)).where(answers.c.quiz == quiz)
        if student_id is not None:
            newest = newest.where(answers.c.student_id == student_id)
        newest = newest.group_by(answers.c.student_id, answers.c.column)
        query = sa.select(answers).where(answers.c.id.in_(newest.scalar_subquery()))
        with self._errors("read the answers"), self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return {(row.student_id, row.column): _saved(row) for row in rows}

    def since(self, quiz: str, answer_id: int, submit_id: int) -> tuple[list[Saved], list[tuple[int, str, str]]]:
        """The quiz's answer rows after `answer_id` and its submits (id, student, time) after `submit_id`, oldest
        first: what changed since they were read last."""
        saved = sa.select(answers).where(answers.c.quiz == quiz, answers.c.id > answer_id).order_by(answers.c.id)
        submits = (sa.select(submissions.c.id, submissions.c.student_id, submissions.c.submitted_at)
                   .where(submissions.c.quiz == quiz, submissions.c.id > submit_id).order_by(submissions.c.id))
        with self._errors("read the answers"), self.engine.connect() as connection:
            return ([_saved(row) for row in connection.execute(saved)],
                    [(int(row.id), row.student_id, row.submitted_at) for row in connection.execute(submits)])

    def history(self, quiz: str, student_id: str) -> list[Saved]:
        """Every saved row of a student, oldest first."""
        query = (sa.select(answers).where(answers.c.quiz == quiz, answers.c.student_id == student_id)
                 .order_by(answers.c.id))
        with self._errors("read the answers"), self.engine.connect() as connection:
            return [_saved(row) for row in connection.execute(query)]

    def submitted(self, quiz: str, student_id: str | None = None) -> dict[str, str]:
        """The latest submit time of each student who submitted."""
        query = sa.select(submissions.c.student_id, sa.func.max(submissions.c.submitted_at)) \
            .where(submissions.c.quiz == quiz).group_by(submissions.c.student_id)
        if student_id is not None:
            query = query.where(submissions.c.student_id == student_id)
        with self._errors("read the submissions"), self.engine.connect() as connection:
            return {student: when for student, when in connection.execute(query)}

    def count(self, quiz: str | None = None) -> int:
        """How many answer rows there are (of one quiz, or in all)."""
        query = sa.select(sa.func.count()).select_from(answers)
        if quiz is not None:
            query = query.where(answers.c.quiz == quiz)
        with self._errors("count the answers"), self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers."""
        with self._errors("reach the database"), self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))


def _saved(row: Any) -> Saved:
    return Saved(int(row.id), row.student_id, row.column, row.text, bool(row.valid), row.read_as, row.saved_at,
                 row.client, bool(row.late))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL: readers never block the writer; synchronous=NORMAL keeps every commit through a killed process."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
