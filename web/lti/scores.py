"""The scores of a quiz sent to the LMS (Assignment and Grade Services): every student who launched it from the
LMS with a line item gets the score `cnnquiz grade --db` gives (the same grader, on the store's answers), posted
to the line item of their latest launch. Each outcome is recorded; a score already sent is not sent again; a
failed post is tried RETRIES times and stays pending (on the staff page) until a later send succeeds."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from web.lti import claims as c
from web.lti.keys import KeyFileMissing
from web.lti.records import Launch, ScorePost
from web.lti.services import ServiceError
from web.lti.state import LtiState
from web.storage import now

if TYPE_CHECKING:
    from grader.batch import Gradebook

log = logging.getLogger("cnnquiz.lti")
RETRIES = 3
BACKOFF = 0.5  # seconds before the second try, doubled before each next one
RETRY_PENDING_EVERY = 300.0  # seconds between a serve process's sends of the scores still pending


@dataclass
class ScoreReport:
    sent: list[str] = field(default_factory=list)  # student ids
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # student id → why

    def summary(self) -> str:
        text = f"{len(self.sent)} scores sent to the LMS, {len(self.unchanged)} unchanged"
        return text + (f", {len(self.failed)} failed (retry with the button)" if self.failed else "")


def post_scores(lti: LtiState, book: Gradebook | None = None, backoff: float = BACKOFF,
                pending_only: bool = False) -> ScoreReport:
    """Post the graded score of every student of the quiz who launched it from the LMS (blocking: call it off
    the event loop); with `pending_only`, of those whose last post failed. `book` is the quiz's graded results
    (grader.batch.grade_class of the key and the store's answers, as `grade --db` makes them; made here when not
    given). Scores already sent unchanged are skipped, so calling it again is harmless."""
    from grader.batch import grade_class
    from web.collect import submissions_from_store

    quiz_id = lti.settings.quiz
    targets = lti.records.learner_launches(quiz_id)
    latest = lti.records.latest_posts(quiz_id)
    if pending_only:
        targets = {student: launch for student, launch in targets.items()
                   if student in latest and not latest[student].ok}
    report = ScoreReport()
    if not targets:
        return report
    if book is None:
        key = lti.quiz.key()
        book = grade_class(key, submissions_from_store(lti.store, key))
    rows = {row.key_id: row for row in book.rows if row.key_id}
    submitted = lti.store.submitted(quiz_id)
    for student_id, launch in sorted(targets.items()):
        row = rows.get(student_id)
        given, maximum = (row.total or 0.0, float(row.maximum)) if row else (0.0, 0.0)
        if maximum <= 0:
            report.failed[student_id] = "not in the key: rebuild the quiz or launch again"
            continue
        before = latest.get(student_id)
        if before and before.ok and (before.lineitem, before.score_given, before.score_maximum) == \
                (launch.lineitem, round(given, 4), maximum):
            report.unchanged.append(student_id)
            continue
        progress = "Completed" if student_id in submitted else "InProgress" if row and row.graded else "Initialized"
        ok, detail = _post(lti, launch, round(given, 4), maximum, progress, backoff)
        lti.records.record_post(ScorePost(quiz_id, student_id, launch.id, launch.lineitem, round(given, 4), maximum,
                                          ok, detail, now()))
        if ok:
            report.sent.append(student_id)
        else:
            report.failed[student_id] = detail
            log.warning("score of %s for %s not sent: %s", student_id, quiz_id, detail)
    return report


def _post(lti: LtiState, launch: Launch, given: float, maximum: float, progress: str,
          backoff: float) -> tuple[bool, str]:
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
        score = {"userId": launch.sub, "scoreGiven": given, "scoreMaximum": maximum, "activityProgress": progress,
                 "gradingProgress": "FullyGraded", "timestamp": now()}
        try:
            return True, lti.services.post_score(platform, launch.lineitem, score, scopes)
        except (ServiceError, KeyFileMissing) as error:
            detail = str(error)
    return False, detail


def retry_pending(lti: LtiState, stop: threading.Event, every: float = RETRY_PENDING_EVERY) -> None:
    """Send the pending scores again every `every` seconds until `stop` (a thread of each serve process with
    LTI platforms; several processes may both send one: a repost is harmless)."""
    while not stop.wait(every):
        try:
            report = post_scores(lti, pending_only=True)
            if report.sent or report.failed:
                log.info("pending scores of %s: %s", lti.settings.quiz, report.summary())
        except Exception:  # noqa: BLE001 - the next round tries again; the staff page shows what is pending
            log.exception("sending the pending scores of %s failed", lti.settings.quiz)
