"""Deep linking (LTI Deep Linking 2.0): an instructor adding a quiz to the course picks one of the quizzes the
course service serves (every quiz built under OUT); the tool answers the LMS with a signed LtiDeepLinkingResponse
holding a resource link to /lti/launch with the custom parameter `quiz` and a line item worth the quiz's points."""

from __future__ import annotations

import datetime
import secrets
import time
from typing import Any

from starlette.responses import HTMLResponse

from exercises.seeding import salted_token
from grader.keyfile import KeyFileError
from web.lti import claims as c
from web.lti import session
from web.lti.launch import LaunchError
from web.lti.records import Launch
from web.lti.state import LtiState
from web.pages import render
from web.quiz import BuildGone
from web.security import csp
from web.tokens import same

PICK_WITHIN = 3600  # seconds an instructor has to pick a quiz after the LMS asked


def built_quizzes(lti: LtiState) -> list[dict[str, Any]]:
    """The served quizzes whose build can be read, in the bank's order: id, title and points."""
    found = []
    for quiz in lti.course.quizzes():
        try:
            found.append({"id": quiz.id, "title": quiz.title, "points": quiz.key.served().points})
        except (BuildGone, KeyFileError):
            continue
    return found


def _tag(salt: str, launch_id: int) -> str:
    return salted_token(salt, f"cnnquiz-lti-deep-link|{launch_id}")


def picker(lti: LtiState, launch: Launch, origins: tuple[str, ...]) -> HTMLResponse:
    """The page of a deep-linking request: the built quizzes to choose from."""
    quizzes = built_quizzes(lti)
    ids = [quiz["id"] for quiz in quizzes]
    chosen = launch.quiz if launch.quiz in ids else ids[0] if ids else ""  # the link's quiz, else the first
    html = render("lti_pick.html.j2", quizzes=quizzes, launch=launch.id, tag=_tag(lti.settings.salt, launch.id),
                  chosen=chosen)
    return HTMLResponse(html, headers={"content-security-policy": csp(origins)})


def respond(lti: LtiState, fields: dict[str, str], current: session.Session | None, base: str) -> HTMLResponse:
    """The signed answer to the LMS for the picked quiz, in a form the page posts to the LMS's return URL."""
    try:
        launch_id = int(fields.get("launch", ""))
    except ValueError:
        raise LaunchError("the deep-linking form is incomplete; start again from the LMS") from None
    if not same(fields.get("tag", ""), _tag(lti.settings.salt, launch_id)):
        raise LaunchError("the deep-linking form did not come from this tool's page; start again from the LMS")
    launch = lti.records.launch(launch_id)
    if launch is None or launch.message_type != c.DEEP_LINKING_REQUEST or not launch.staff:
        raise LaunchError("no deep-linking request of an instructor matches the form; start again from the LMS")
    started = datetime.datetime.fromisoformat(launch.launched_at)
    if (datetime.datetime.now(datetime.UTC) - started).total_seconds() > PICK_WITHIN:
        raise LaunchError("the deep-linking request is more than an hour old; start again from the LMS")
    platform = lti.platform(launch.issuer, launch.client_id)
    if platform is None:
        raise LaunchError(f"the bank no longer lists the platform {launch.issuer}")
    chosen = next((q for q in built_quizzes(lti) if q["id"] == fields.get("quiz")), None)
    if chosen is None:
        raise LaunchError("pick one of the built quizzes")
    item = {"type": "ltiResourceLink", "title": chosen["title"], "url": f"{base}/lti/launch",
            "custom": {"quiz": chosen["id"]},
            "lineItem": {"scoreMaximum": chosen["points"], "label": chosen["title"], "resourceId": chosen["id"]}}
    now = int(time.time())
    claims = {"iss": platform.client_id, "aud": platform.issuer, "iat": now, "exp": now + 600,
              "nonce": secrets.token_urlsafe(24), c.DEPLOYMENT_ID: launch.deployment_id,
              c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE, c.VERSION: c.LTI_VERSION, c.CONTENT_ITEMS: [item]}
    if launch.deep_link_data:
        claims[c.DEEP_LINKING_DATA] = launch.deep_link_data
    jwt = lti.tool_keys().sign(claims)
    origins = current.origins if current else ()
    policy = csp(origins, form_action=tuple(o for o in (session.origin(launch.return_url),) if o))
    return HTMLResponse(render("lti_return.html.j2", action=launch.return_url, jwt=jwt, title=chosen["title"]),
                        headers={"content-security-policy": policy})

