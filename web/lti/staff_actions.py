"""The staff page's LTI part: who launched from the LMS, each score's last post (failed ones pending), and two
buttons: POST /staff/{token}/lti/scores sends the scores (web.lti.scores), POST /staff/{token}/lti/members reads
the course's members (NRPS) and answers with links.csv rows for the students the roster lacks (their variants
recorded, so their links work and `grade --db` grades them)."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from grader.spreadsheet import safe_cell
from web.http import ApiError, body, context, in_thread, staff_only
from web.lti import claims as c
from web.lti.keys import KeyFileMissing
from web.lti.people import Person, find_student, record_variant
from web.lti.scores import post_scores
from web.lti.services import ServiceError
from web.lti.state import LtiState, lti_state
from web.routing import TokenRoute
from web.tokens import csrf_token, same, student_token


def routes() -> list[TokenRoute]:
    return [
        TokenRoute("/staff/{token}/lti/scores", send_scores, methods=["POST"]),
        TokenRoute("/staff/{token}/lti/members", members, methods=["POST"]),
    ]


def overview(request: Request) -> dict[str, Any] | None:
    """What the staff page shows of LTI (blocking; None when the bank lists no platform)."""
    lti = lti_state(request)
    if not lti.settings.lti:
        return None
    launches = lti.records.learner_launches(lti.settings.quiz)
    posts = lti.records.latest_posts(lti.settings.quiz)
    return {"launched": len(launches), "posts": [posts[s] for s in sorted(posts)],
            "pending": sum(not post.ok for post in posts.values()),
            "members": lti.records.staff_launch(lti.settings.quiz) is not None,
            "csrf": csrf_token(lti.settings.salt, request.path_params["token"])}


async def _checked_form(request: Request) -> None:
    """The staff token and the form's CSRF token (the session cookie travels with cross-site posts)."""
    staff_only(request)
    try:
        fields = dict(parse_qsl((await body(request)).decode("utf-8"), max_num_fields=10))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "The form could not be read; reload the page and try again.") from None
    if not same(fields.get("csrf", ""), csrf_token(context(request).settings.salt, request.path_params["token"])):
        raise ApiError(403, "The form has expired or did not come from this page; reload the page and try again.")


async def send_scores(request: Request) -> Response:
    """Send the scores now (the release hook calls web.lti.scores.post_scores the same way)."""
    await _checked_form(request)
    await in_thread(post_scores, lti_state(request))
    return RedirectResponse(f"/staff/{request.path_params['token']}#lti", status_code=303)


async def members(request: Request) -> Response:
    await _checked_form(request)
    text = await in_thread(missing_students_csv, lti_state(request), str(request.base_url).rstrip("/"))
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{lti_state(request).settings.quiz}-lms-links.csv"'})


def missing_students_csv(lti: LtiState, base: str) -> str:
    """links.csv rows (student_id,name,email,url) of the course's active learners the roster lacks."""
    launch = lti.records.staff_launch(lti.settings.quiz)
    if launch is None:
        raise ApiError(409, "Launch this quiz from the LMS as an instructor first: the course's member list comes "
                            "with that launch.")
    platform = lti.platform(launch.issuer, launch.client_id)
    if platform is None:
        raise ApiError(409, f"The bank no longer lists the platform {launch.issuer}.")
    try:
        found = lti.services.members(platform, launch.memberships_url, [c.MEMBERSHIP_SCOPE])
    except (ServiceError, KeyFileMissing) as error:
        raise ApiError(502, f"The LMS's member list could not be read: {error}") from None
    roster = set(lti.quiz.served().student_ids())
    base = lti.settings.base_url or base
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "email", "url"])
    for member in found:
        if not c.is_learner(member.get("roles")) or member.get("status", "Active") != "Active" or \
                not isinstance(member.get("user_id"), str) or not member["user_id"]:
            continue
        person = Person(launch.issuer, member["user_id"], _text(member.get("name")), _text(member.get("email")),
                        _text(member.get("lis_person_sourcedid")))
        student_id = find_student(person, lti.quiz, lti.records)
        if student_id in roster:
            continue
        student_id = student_id or person.new_id
        record_variant(lti.quiz, lti.store, student_id, person.name or student_id, person.email,
                       f"LTI members of {launch.issuer}")
        url = f"{base}/q/{student_token(lti.settings.salt, lti.settings.quiz, student_id)}"
        writer.writerow([safe_cell(text) for text in (student_id, person.name, person.email, url)])
    return buffer.getvalue()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
