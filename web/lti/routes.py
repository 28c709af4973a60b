"""The tool's fixed endpoints (stable across versions, so LMS registrations stay valid):
GET|POST /lti/login (OIDC third-party login), POST /lti/launch (the id_token), GET /lti/jwks (the tool's public
keys), POST /lti/deep-link (a deep-linking request, and the quiz picked in it), GET /lti/config (what to
register). A launch's quiz is the link's custom parameter `quiz` (deep linking sets it): a learner lands on
their own page of it, staff on its staff page; a link naming no quiz leads to the learner's course page and the
course's staff page. A refused launch is a page saying why, and a log line."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from grader.errors import UserError
from web.course import CourseQuiz
from web.http import ApiError, body, in_thread
from web.lti import claims as c
from web.lti import deep_linking, session
from web.lti.keys import KeyFileMissing
from web.lti.launch import LaunchError, Verified, verify
from web.lti.people import Person, find_student, student_for
from web.lti.records import Launch
from web.lti.state import LtiState, lti_state
from web.lti.tool_config import tool_config
from web.pages import render
from web.security import csp

log = logging.getLogger("cnnquiz.lti")
MAX_FIELDS = 50


def routes() -> list[Route]:
    return [
        Route("/lti/login", login, methods=["GET", "POST"]),
        Route("/lti/launch", launch, methods=["POST"]),
        Route("/lti/jwks", jwks, methods=["GET"]),
        Route("/lti/deep-link", deep_link, methods=["POST"]),
        Route("/lti/config", config, methods=["GET"]),
    ]


async def _fields(request: Request) -> dict[str, str]:
    """The query string and, for a POST, the form body (within the body limit)."""
    fields = dict(request.query_params)
    if request.method == "POST":
        try:
            fields.update(parse_qsl((await body(request)).decode("utf-8"), max_num_fields=MAX_FIELDS))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "The form could not be read.") from None
    return fields


def refused(request: Request, reason: str, status: int = 400) -> Response:
    """The page of a refused launch (and its log line), shown inside the frame of the bank's LMSs."""
    log.warning("LTI launch refused from %s: %s", request.client.host if request.client else "?", reason)
    html = render("lti_refused.html.j2", status=status, reason=reason)
    return HTMLResponse(html, status_code=status, headers={
        "content-security-policy": csp(frame_origins(request, *lti_state(request).settings.lti))})


def frame_origins(request: Request, *platforms: Any) -> tuple[str, ...]:
    """Who may frame a launch's pages: the platforms' origins (issuer, login) and the origin the launch was
    posted from (the LMS's own address, which Canvas's issuer is not)."""
    urls = [url for p in platforms for url in (p.issuer, p.auth_login_url)]
    return tuple(dict.fromkeys(o for o in map(session.origin, (*urls, request.headers.get("origin", ""))) if o))


async def login(request: Request) -> Response:
    """OIDC login initiation: remember a state and a nonce, send the browser to the platform's authorization."""
    lti = lti_state(request)
    fields = await _fields(request)
    issuer, hint = fields.get("iss", ""), fields.get("login_hint", "")
    matching = [p for p in lti.settings.lti if p.issuer == issuer
                and fields.get("client_id", p.client_id) == p.client_id]
    if not issuer or not hint:
        return refused(request, "the login needs iss and login_hint (start the quiz from the LMS)")
    if len(matching) > 1:
        return refused(request, f"the bank lists several platforms of {issuer[:200]!r}: the LMS must send client_id")
    if not matching:
        client = f" with client_id {fields['client_id'][:100]!r}" if fields.get("client_id") else ""
        return refused(request, f"unknown issuer {issuer[:200]!r}{client}: add the platform to the bank's lti: list")
    platform = matching[0]
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await in_thread(lambda: lti.records.record_login(state, nonce, platform.issuer, platform.client_id))
    base = _base(request)
    target = fields.get("target_link_uri", "")
    redirect_uri = target if target in (f"{base}/lti/launch", f"{base}/lti/deep-link") else f"{base}/lti/launch"
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
             "client_id": platform.client_id, "redirect_uri": redirect_uri, "login_hint": hint, "state": state,
             "nonce": nonce}
    if fields.get("lti_message_hint"):
        query["lti_message_hint"] = fields["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    response = RedirectResponse(f"{platform.auth_login_url}{separator}{urlencode(query)}", status_code=302)
    response.headers.append("set-cookie", session.cookie_header(session.STATE_COOKIE, state, 600, "/lti/"))
    return response


async def launch(request: Request, fields: dict[str, str] | None = None) -> Response:
    lti = lti_state(request)
    fields = await _fields(request) if fields is None else fields
    try:
        verified = await in_thread(lambda: verify(fields.get("id_token", ""), fields.get("state", ""),
                                                  request.cookies.get(session.STATE_COOKIE, ""), lti.settings.lti,
                                                  lti.records, lti.platform_keys))
        return await in_thread(_land, request, lti, verified)
    except (LaunchError, UserError) as error:  # UserError: the bank or build changed under the server
        return refused(request, str(error))


def _land(request: Request, lti: LtiState, verified: Verified) -> Response:
    """Record the accepted launch, set the session cookie and send the browser where it belongs: a learner to
    their page of the link's quiz (their course page for a link naming none), staff to the staff page of the
    quiz (the course's for a link naming none), a deep-linking request to the quiz picker."""
    claims, platform = verified.claims, verified.platform
    quiz = _quiz(lti, claims)
    staff = c.is_staff(claims.get(c.ROLES))
    deep_linking_request = verified.message_type == c.DEEP_LINKING_REQUEST
    if deep_linking_request and not staff:
        raise LaunchError("only instructors may add quizzes to the course (deep linking)")
    if not staff and not c.is_learner(claims.get(c.ROLES)):
        raise LaunchError("the launch's roles are neither a learner's nor an instructor's")
    person = Person.of_launch(claims, platform.issuer)
    student_id = "" if staff else _student(person, quiz, lti)
    ags = claims.get(c.AGS_ENDPOINT) if isinstance(claims.get(c.AGS_ENDPOINT), dict) else {}
    scopes = ags.get("scope") if isinstance(ags.get("scope"), list) else []
    settings = claims.get(c.DEEP_LINKING_SETTINGS) if deep_linking_request else None
    record = lti.records.record_launch(Launch(
        quiz=quiz.id if quiz else "", student_id=student_id, staff=staff, message_type=verified.message_type,
        issuer=platform.issuer, client_id=platform.client_id, deployment_id=c.text(claims, c.DEPLOYMENT_ID),
        sub=person.sub, name=person.name, email=person.email, context_id=c.text(claims, c.CONTEXT, "id"),
        lineitem=c.text(claims, c.AGS_ENDPOINT, "lineitem") if quiz else "",
        scopes=" ".join(s for s in scopes if isinstance(s, str)),
        memberships_url=c.text(claims, c.NRPS, "context_memberships_url"),
        return_url=c.text(claims, c.DEEP_LINKING_SETTINGS, "deep_link_return_url"),
        deep_link_data=settings.get("data", "") if isinstance(settings, dict) and
        isinstance(settings.get("data"), str) else ""))
    origins = frame_origins(request, platform)
    cookie = session.Session(record.id, record.quiz, student_id, staff, origins, int(time.time()) + session.LIFETIME)
    course = lti.course
    if deep_linking_request:
        response: Response = deep_linking.picker(lti, record, origins)
    elif staff:
        response = RedirectResponse(course.staff_path(record.quiz), status_code=303)
    elif quiz is None:
        response = RedirectResponse(course.course_path(student_id), status_code=303)
    else:
        response = RedirectResponse(course.quiz_path(quiz.id, student_id), status_code=303)
        if record.lineitem and quiz.schedule.current().released(student_id):
            lti.post_soon(quiz.id, (student_id,))  # released before this launch: the LMS may not have the score
    value = session.encode(lti.settings.salt, cookie)
    response.headers.append("set-cookie", session.cookie_header(session.COOKIE, value, session.LIFETIME))
    log.info("LTI launch %s: %s of %s as %s", record.id, verified.message_type, record.quiz or "the course",
             "staff" if staff else student_id)
    return response


def _quiz(lti: LtiState, claims: dict[str, Any]) -> CourseQuiz | None:
    """The quiz the link names (its custom parameter `quiz`); `serve QUIZ`'s one quiz for a link naming none,
    else None (the course)."""
    named = c.text(claims, c.CUSTOM, "quiz")
    if not named:
        return lti.course.quiz(lti.settings.quiz) if lti.settings.quiz else None
    found = lti.course.quiz(named)
    if found is None:
        served = ", ".join(quiz.id for quiz in lti.course.quizzes())
        raise LaunchError(f"the link names quiz {named[:100]!r}, which is not served here (served: {served}); "
                          "build it, or fix the link's custom parameter quiz")
    return found


def _student(person: Person, quiz: CourseQuiz | None, lti: LtiState) -> str:
    """The learner's student id: in the quiz (a variant recorded for someone its build lacks); for a link naming
    no quiz, the student of any quiz's roster or of an earlier launch."""
    if quiz is not None:
        return student_for(person, quiz, lti.records, lti.course.bank)
    found = find_student(person, lti.course.quizzes(), lti.records)
    if found is None:
        raise LaunchError("this link names no quiz, and you are on no quiz's roster: open a quiz from the LMS "
                          "first (its link names it)")
    return found


async def deep_link(request: Request) -> Response:
    """A deep-linking request (an id_token, as at /lti/launch), or the quiz an instructor picked in it."""
    fields = await _fields(request)
    if "id_token" in fields:
        return await launch(request, fields)
    lti = lti_state(request)
    try:
        return await in_thread(deep_linking.respond, lti, fields, session.from_scope(lti.settings.salt, request.scope),
                                 _base(request))
    except LaunchError as error:
        return refused(request, str(error), 403)
    except KeyFileMissing as error:
        return refused(request, str(error), 503)


async def jwks(request: Request) -> Response:
    try:
        keys = await in_thread(lti_state(request).tool_keys)
    except KeyFileMissing as error:
        raise ApiError(503, str(error)) from None
    return JSONResponse(keys.jwks(), headers={"cache-control": "public, max-age=300"})


async def config(request: Request) -> Response:
    lti = lti_state(request)
    return JSONResponse(tool_config(_base(request), lti.course.title or "cnnquiz"))


def _base(request: Request) -> str:
    return lti_state(request).settings.base_url or str(request.base_url).rstrip("/")
