"""What a quiz owes the LMS's gradebook (Assignment and Grade Services), sent to the line item of each student's
latest launch of it:
- once the student's results are released (web.schedule), their score as `cnnquiz grade --db` gives it (the
  same code: web.results), `activityProgress: Completed`, `gradingProgress: FullyGraded`;
- before that nothing, unless the bank's quiz says `lti_scores: on-submit`: then, once they submitted, only that
  (`Submitted`, `Pending`, no score: nothing of the result leaves before its release).

Each attempt is recorded (web.lti.records); what the line item already has is not sent again, so sending again is
harmless; a failed post is tried RETRIES times and stays pending (on the staff page) until a later send succeeds.

`subscribe` wires the course's events: a release (web.release: once per student among the processes) and, for
on-submit quizzes, a submit (web.events) ask the sender thread (`send_scores`, one per process) for the students'
posts; that thread also sends, at its start and every SWEEP_EVERY seconds, whatever any quiz still owes (failed
posts; a release whose announcing process stopped before sending; a launch after the release).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from exercises.lti_platforms import ON_SUBMIT
from web.course import CourseQuiz
from web.events import Submitted
from web.http import Context
from web.lti import claims as c
from web.lti.keys import KeyFileMissing
from web.lti.records import FULLY_GRADED, PENDING, Launch, ScorePost
from web.lti.services import ServiceError
from web.lti.state import LtiState
from web.release import Released
from web.results import graded_row, score_of
from web.storage import now

log = logging.getLogger("cnnquiz.lti")
RETRIES = 3
BACKOFF = 0.5  # seconds before the second try, doubled before each next one
SWEEP_EVERY = 300.0  # seconds between a serve process's sends of what every quiz still owes
JOB_WAIT = 1.0  # seconds the sender waits for a job before it looks at its stop event again


@dataclass(frozen=True)
class Owed:
    """What a student's line item should hold: a score (FullyGraded) or only that they submitted (Pending)."""

    grading: str
    given: float = 0.0
    maximum: float = 0.0

    def body(self, launch: Launch) -> dict[str, object]:
        """The AGS score object."""
        if self.grading == PENDING:
            return {"userId": launch.sub, "activityProgress": "Submitted", "gradingProgress": PENDING,
                    "timestamp": now()}
        return {"userId": launch.sub, "scoreGiven": self.given, "scoreMaximum": self.maximum,
                "activityProgress": "Completed", "gradingProgress": FULLY_GRADED, "timestamp": now()}

    def sent_by(self, post: ScorePost | None, launch: Launch) -> bool:
        """Whether this post already put it on the launch's line item."""
        return post is not None and post.ok and (post.lineitem, post.grading, post.score_given, post.score_maximum) \
            == (launch.lineitem, self.grading, self.given, self.maximum)


@dataclass
class ScoreReport:
    sent: list[str] = field(default_factory=list)  # student ids
    unchanged: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # results not released: nothing to send yet
    failed: dict[str, str] = field(default_factory=dict)  # student id → why

    def summary(self) -> str:
        text = f"{len(self.sent)} sent to the LMS, {len(self.unchanged)} unchanged"
        text += f", {len(self.waiting)} waiting for the release" if self.waiting else ""
        return text + (f", {len(self.failed)} failed (retry with the button)" if self.failed else "")


def post_scores(lti: LtiState, quiz: CourseQuiz, student_ids: tuple[str, ...] | None = None,
                backoff: float = BACKOFF) -> ScoreReport:
    """Send what the quiz owes the line items of the students (all, or `student_ids`) who launched it from the LMS
    with one (blocking: call it off the event loop; one sender at a time in a process)."""
    with lti.posting:
        targets = lti.records.learner_launches(quiz.id, student_ids)
        report = ScoreReport()
        if not targets:
            return report
        latest = lti.records.latest_posts(quiz.id, tuple(targets))
        schedule = quiz.schedule.current()
        submitted = quiz.store.submitted(quiz.id) if quiz.rules.lti_scores == ON_SUBMIT else {}
        for student_id, launch in sorted(targets.items()):
            if schedule.released(student_id):
                student = quiz.variant(student_id)
                if student is None:
                    report.failed[student_id] = "not in the key: rebuild the quiz or launch again"
                    continue
                row = graded_row(quiz, student)
                owed = Owed(FULLY_GRADED, score_of(row), float(row.maximum))
            elif student_id in submitted:
                owed = Owed(PENDING)
            else:
                report.waiting.append(student_id)
                continue
            if owed.sent_by(latest.get(student_id), launch):
                report.unchanged.append(student_id)
                continue
            ok, detail = _post(lti, launch, owed, backoff)
            lti.records.record_post(ScorePost(quiz.id, student_id, launch.id, launch.lineitem, owed.given,
                                              owed.maximum, ok, detail, now(), owed.grading))
            if ok:
                report.sent.append(student_id)
            else:
                report.failed[student_id] = detail
                log.warning("the LMS's line item of %s for %s not updated: %s", student_id, quiz.id, detail)
        return report


def _post(lti: LtiState, launch: Launch, owed: Owed, backoff: float) -> tuple[bool, str]:
    """Send one score, trying RETRIES times; (sent, the platform's answer or the last reason)."""
    platform = lti.platform(launch.issuer, launch.client_id)
    if platform is None:
        return False, f"the bank no longer lists the platform {launch.issuer} (client_id {launch.client_id})"
    scopes = [c.SCORE_SCOPE]
    if c.SCORE_SCOPE not in launch.scopes.split():
        return False, "the LMS did not grant the score scope for this launch"
    detail = ""
    for attempt in range(RETRIES):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            return True, lti.services.post_score(platform, launch.lineitem, owed.body(launch), scopes)
        except (ServiceError, KeyFileMissing) as error:
            detail = str(error)
    return False, detail


def subscribe(lti: LtiState, ctx: Context) -> None:
    """Ask the sender for the posts of released students and, in on-submit quizzes, of each submit."""
    ctx.releases.subscribe(lambda released: _released(lti, released))
    ctx.submits.subscribe(lambda submitted: _submitted(lti, submitted))


def _released(lti: LtiState, released: Released) -> None:
    lti.post_soon(released.quiz, released.student_ids)


def _submitted(lti: LtiState, submitted: Submitted) -> None:
    quiz = lti.course.quiz(submitted.quiz)
    if quiz is not None and quiz.rules.lti_scores == ON_SUBMIT:
        lti.post_soon(quiz.id, (submitted.student_id,))


def send_scores(lti: LtiState, stop: threading.Event, every: float = SWEEP_EVERY) -> None:
    """The sender thread of a serve process: the posts asked for (LtiState.post_soon) at once, and what every quiz
    owes at the start and every `every` seconds, until `stop` (processes may both send one: a repost is
    harmless)."""
    next_sweep = time.monotonic()
    while not stop.is_set():
        if time.monotonic() >= next_sweep:
            for quiz in lti.course.quizzes():
                _send(lti, quiz.id, None)
            next_sweep = time.monotonic() + every
        try:
            quiz_id, student_ids = lti.jobs.get(timeout=min(JOB_WAIT, max(0.0, next_sweep - time.monotonic())))
        except queue.Empty:
            continue
        _send(lti, quiz_id, student_ids)


def _send(lti: LtiState, quiz_id: str, student_ids: tuple[str, ...] | None) -> None:
    quiz = lti.course.quiz(quiz_id)
    if quiz is None:
        return
    try:
        report = post_scores(lti, quiz, student_ids)
        if report.sent or report.failed:
            log.info("scores of %s: %s", quiz_id, report.summary())
    except Exception:  # noqa: BLE001 - the next sweep tries again; the staff page shows what is pending
        log.exception("sending the scores of %s failed", quiz_id)
