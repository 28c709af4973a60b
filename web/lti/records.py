"""The LTI state in the database (the course's shared one: web.course), shared by every `serve` process: OIDC
logins (state and the nonce sent), nonces used, launches (who, from which platform, which quiz, the line item and
the services) and every attempt to post to a line item (a score, or only that the student submitted). Rows are
only ever added; the latest row is what holds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa

from web.storage import Store, StoreUnavailable, now

FULLY_GRADED, PENDING = "FullyGraded", "Pending"  # AGS gradingProgress: a score, or none yet
tables = sa.MetaData()
_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")
logins = sa.Table(
    "lti_logins", tables,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("state_digest", sa.String(64), nullable=False, unique=True),  # SHA-256 (hex) of the state
    sa.Column("nonce", sa.String(100), nullable=False),
    sa.Column("issuer", sa.String(300), nullable=False),
    sa.Column("client_id", sa.String(300), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
nonces = sa.Table(
    "lti_nonces", tables,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("issuer", sa.String(300), nullable=False),
    sa.Column("nonce", sa.String(300), nullable=False),
    sa.Column("used_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("issuer", "nonce", name="lti_nonces_once"),
)
launches = sa.Table(
    "lti_launches", tables,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("student_id", sa.String(200), nullable=False),  # "" for staff and deep linking
    sa.Column("staff", sa.Boolean, nullable=False),
    sa.Column("message_type", sa.String(40), nullable=False),
    sa.Column("issuer", sa.String(300), nullable=False),
    sa.Column("client_id", sa.String(300), nullable=False),
    sa.Column("deployment_id", sa.String(300), nullable=False),
    sa.Column("sub", sa.String(300), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("email", sa.String(300), nullable=False),
    sa.Column("context_id", sa.String(300), nullable=False),
    sa.Column("lineitem", sa.Text, nullable=False),  # AGS: the line item the score goes to ("" for none)
    sa.Column("scopes", sa.Text, nullable=False),  # AGS scopes granted, space-separated
    sa.Column("memberships_url", sa.Text, nullable=False),  # NRPS ("" for none)
    sa.Column("return_url", sa.Text, nullable=False),  # deep linking: where the chosen quiz goes back
    sa.Column("deep_link_data", sa.Text, nullable=False),
    sa.Column("launched_at", sa.String(40), nullable=False),
    sa.Index("lti_launches_by_quiz", "quiz", "student_id", "id"),
    sa.Index("lti_launches_by_sub", "issuer", "sub", "quiz"),
)
score_posts = sa.Table(
    "lti_score_posts", tables,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("quiz", sa.String(100), nullable=False),
    sa.Column("student_id", sa.String(200), nullable=False),
    sa.Column("launch_id", sa.BigInteger, nullable=False),
    sa.Column("lineitem", sa.Text, nullable=False),
    sa.Column("score_given", sa.Float, nullable=False),
    sa.Column("score_maximum", sa.Float, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # the platform's answer, or why the post failed
    sa.Column("attempted_at", sa.String(40), nullable=False),
    # FullyGraded (a score) or Pending (only that the student submitted: score_given and score_maximum are 0)
    sa.Column("grading", sa.String(20), nullable=False, server_default=FULLY_GRADED),
    sa.Index("lti_score_posts_by_quiz", "quiz", "student_id", "id"),
)


@dataclass(frozen=True)
class Launch:
    """One accepted launch (a row of lti_launches)."""

    quiz: str
    student_id: str
    staff: bool
    message_type: str
    issuer: str
    client_id: str
    deployment_id: str
    sub: str
    name: str = ""
    email: str = ""
    context_id: str = ""
    lineitem: str = ""
    scopes: str = ""
    memberships_url: str = ""
    return_url: str = ""
    deep_link_data: str = ""
    id: int = 0
    launched_at: str = ""


@dataclass(frozen=True)
class ScorePost:
    """The latest attempt to post a student's score (a row of lti_score_posts)."""

    quiz: str
    student_id: str
    launch_id: int
    lineitem: str
    score_given: float
    score_maximum: float
    ok: bool
    detail: str
    attempted_at: str
    grading: str = FULLY_GRADED  # or PENDING: no score was sent, only that the student submitted

    @property
    def scored(self) -> bool:
        return self.grading == FULLY_GRADED


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Records:
    """The LTI tables of one answer store (created when missing)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.create_tables(tables, _add_grading)

    def record_login(self, state: str, nonce: str, issuer: str, client_id: str) -> None:
        row = {"state_digest": digest(state), "nonce": nonce, "issuer": issuer[:300], "client_id": client_id[:300],
               "created_at": now()}
        with self.store.writes("record the LTI login") as connection:
            connection.execute(logins.insert(), row)

    def login(self, state: str) -> dict[str, Any] | None:
        """The login of a state (nonce, issuer, client_id, created_at), or None."""
        query = sa.select(logins).where(logins.c.state_digest == digest(state))
        with self.store.reads("read the LTI login") as connection:
            row = connection.execute(query).first()
        return None if row is None else dict(row._mapping)

    def use_nonce(self, issuer: str, nonce: str) -> bool:
        """Mark a nonce used; False if it was used before (by any process)."""
        try:
            with self.store.writes("record the nonce") as connection:
                connection.execute(nonces.insert(), {"issuer": issuer[:300], "nonce": nonce[:300], "used_at": now()})
        except StoreUnavailable:
            query = sa.select(nonces.c.id).where(nonces.c.issuer == issuer[:300], nonces.c.nonce == nonce[:300])
            with self.store.reads("read the nonces") as connection:
                if connection.execute(query).first() is not None:
                    return False
            raise
        return True

    def record_launch(self, launch: Launch) -> Launch:
        row = {f.name: getattr(launch, f.name) for f in fields(Launch) if f.name not in ("id", "launched_at")}
        row = {key: value[:300] if isinstance(value, str) and key in _SHORT else value for key, value in row.items()}
        row["launched_at"] = now()
        with self.store.writes("record the launch") as connection:
            new_id = connection.execute(launches.insert().returning(launches.c.id), row).scalar_one()
        return Launch(**{**row, "id": int(new_id)})

    def launch(self, launch_id: int) -> Launch | None:
        with self.store.reads("read the launch") as connection:
            row = connection.execute(sa.select(launches).where(launches.c.id == launch_id)).first()
        return None if row is None else Launch(**row._mapping)

    def student_of(self, issuer: str, sub: str) -> str | None:
        """The student id a learner's earlier launch (of any quiz of the course) was matched to, or None."""
        query = (sa.select(launches.c.student_id).where(launches.c.issuer == issuer, launches.c.sub == sub,
                                                        launches.c.student_id != "")
                 .order_by(launches.c.id.desc()).limit(1))
        with self.store.reads("read the launches") as connection:
            return connection.execute(query).scalar()

    def learner_launches(self, quiz: str, student_ids: tuple[str, ...] | None = None) -> dict[str, Launch]:
        """Each student's (or each of `student_ids`') latest launch of the quiz that came with a line item (where
        the score goes)."""
        newest = (sa.select(sa.func.max(launches.c.id)).where(launches.c.quiz == quiz, launches.c.student_id != "",
                                                              launches.c.lineitem != "")
                  .group_by(launches.c.student_id))
        if student_ids is not None:
            newest = newest.where(launches.c.student_id.in_(student_ids))
        query = sa.select(launches).where(launches.c.id.in_(newest.scalar_subquery()))
        with self.store.reads("read the launches") as connection:
            return {row.student_id: Launch(**row._mapping) for row in connection.execute(query)}

    def staff_launch(self, quiz: str | None = None) -> Launch | None:
        """The latest staff launch (of the quiz, or of any) that came with the course's membership service."""
        query = (sa.select(launches).where(launches.c.staff.is_(True), launches.c.memberships_url != "")
                 .order_by(launches.c.id.desc()).limit(1))
        if quiz is not None:
            query = query.where(launches.c.quiz == quiz)
        with self.store.reads("read the launches") as connection:
            row = connection.execute(query).first()
        return None if row is None else Launch(**row._mapping)

    def record_post(self, post: ScorePost) -> None:
        row = {f.name: getattr(post, f.name) for f in fields(ScorePost)}
        with self.store.writes("record the score post") as connection:
            connection.execute(score_posts.insert(), {**row, "detail": row["detail"][:2000]})

    def latest_posts(self, quiz: str, student_ids: tuple[str, ...] | None = None) -> dict[str, ScorePost]:
        """Each student's (or each of `student_ids`') latest attempt to post to the quiz's line item."""
        newest = (sa.select(sa.func.max(score_posts.c.id)).where(score_posts.c.quiz == quiz)
                  .group_by(score_posts.c.student_id))
        if student_ids is not None:
            newest = newest.where(score_posts.c.student_id.in_(student_ids))
        query = sa.select(score_posts).where(score_posts.c.id.in_(newest.scalar_subquery()))
        names = [f.name for f in fields(ScorePost)]
        with self.store.reads("read the score posts") as connection:
            return {row.student_id: ScorePost(**{name: getattr(row, name) for name in names})
                    for row in connection.execute(query)}


def _add_grading(connection: sa.Connection) -> None:
    """lti_score_posts made before posts without a score lack `grading`: add it (each earlier post was a score)."""
    def has_it() -> bool:
        return "grading" in {column["name"] for column in sa.inspect(connection).get_columns("lti_score_posts")}

    if has_it():
        return
    try:
        connection.execute(sa.text("ALTER TABLE lti_score_posts ADD COLUMN grading VARCHAR(20) NOT NULL "
                                   f"DEFAULT '{FULLY_GRADED}'"))
    except sa.exc.OperationalError:  # SQLite: another process added it since (PostgreSQL holds the schema lock)
        if not has_it():
            raise


_SHORT = {"issuer", "client_id", "deployment_id", "sub", "name", "email", "context_id", "student_id", "quiz",
          "message_type"}
