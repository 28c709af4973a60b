"""A quiz's staff page, its LTI part: who launched the quiz from the LMS, each line item's last post (failed ones
pending), and two buttons: POST /staff/{token}/{quiz}/lti/scores sends what the quiz owes the LMS now
(web.lti.scores), POST /staff/{token}/{quiz}/lti/members reads the course's members (NRPS) and answers with
links.csv rows for the students the quiz's roster lacks (their variants recorded, so their links work and
`grade --db` grades them)."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from exercises.lti_platforms import ON_SUBMIT
from grader.spreadsheet import safe_cell
from web.course import CourseQuiz
from web.http import ApiError, in_thread, staff_form, staff_quiz
from web.lti import claims as c
from web.lti.keys import KeyFileMissing
from web.lti.people import Person, find_student, record_variant
from web.lti.scores import post_scores
from web.lti.services import ServiceError
from web.lti.state import LtiState, lti_state
from web.routing import TokenRoute


def routes() -> list[TokenRoute]:
    return [
        TokenRoute("/staff/{token}/{quiz}/lti/scores", send_scores, methods=["POST"]),
        TokenRoute("/staff/{token}/{quiz}/lti/members", members, methods=["POST"]),
    ]


def overview(lti: LtiState, quiz: CourseQuiz) -> dict[str, Any] | None:
    """What a quiz's staff page shows of LTI (blocking; None when the bank lists no platform)."""
    if not lti.settings.lti:
        return None
    launches = lti.records.learner_launches(quiz.id)
    posts = lti.records.latest_posts(quiz.id)
    return {"launched": len(launches), "posts": [posts[s] for s in sorted(posts)],
            "pending": sum(not post.ok for post in posts.values()), "on_submit": quiz.rules.lti_scores == ON_SUBMIT,
            "members": lti.records.staff_launch() is not None}


async def send_scores(request: Request) -> Response:
    """Send now what the quiz owes the LMS (as the release and the sender thread do: web.lti.scores)."""
    quiz = staff_quiz(request)
    await staff_form(request)
    await in_thread(post_scores, lti_state(request), quiz)
    return RedirectResponse(f"/staff/{request.path_params['token']}/{quiz.id}#lti", status_code=303)


async def members(request: Request) -> Response:
    quiz = staff_quiz(request)
    await staff_form(request)
    text = await in_thread(missing_students_csv, lti_state(request), quiz, str(request.base_url).rstrip("/"))
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{quiz.id}-lms-links.csv"'})


def missing_students_csv(lti: LtiState, quiz: CourseQuiz, base: str) -> str:
    """links.csv rows (student_id,name,email,url,course_url) of the course's active learners the quiz's roster
    lacks, their variants recorded (so that their links work)."""
    launch = lti.records.staff_launch(quiz.id) or lti.records.staff_launch()
    if launch is None:
        raise ApiError(409, "Launch a quiz from the LMS as an instructor first: the course's member list comes "
                            "with that launch.")
    platform = lti.platform(launch.issuer, launch.client_id)
    if platform is None:
        raise ApiError(409, f"The bank no longer lists the platform {launch.issuer}.")
    try:
        found = lti.services.members(platform, launch.memberships_url, [c.MEMBERSHIP_SCOPE])
    except (ServiceError, KeyFileMissing) as error:
        raise ApiError(502, f"The LMS's member list could not be read: {error}") from None
    roster = set(quiz.key.served().student_ids())
    base = lti.settings.base_url or base
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "email", "url", "course_url"])
    for member in found:
        if not c.is_learner(member.get("roles")) or member.get("status", "Active") != "Active" or \
                not isinstance(member.get("user_id"), str) or not member["user_id"]:
            continue
        person = Person(launch.issuer, member["user_id"], _text(member.get("name")), _text(member.get("email")),
                        _text(member.get("lis_person_sourcedid")))
        student_id = find_student(person, [quiz], lti.records)
        if student_id in roster:
            continue
        student_id = student_id or person.new_id
        record_variant(quiz, lti.course.bank, student_id, person.name or student_id, person.email,
                       f"LTI members of {launch.issuer}")
        writer.writerow([safe_cell(text) for text in (student_id, person.name, person.email,
                                                      base + lti.course.quiz_path(quiz.id, student_id),
                                                      base + lti.course.course_path(student_id))])
    return buffer.getvalue()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
