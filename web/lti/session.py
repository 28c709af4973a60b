"""The LTI session cookie: set by a launch, bound to its quiz, its student (or staff) and its launch, signed
with the course salt. `SameSite=None; Secure; HttpOnly`, so the browser sends it inside the LMS's frame and no
script reads it. A page opened with a valid session may be framed by that session's LMS (and only by it: the
app's other pages refuse every frame), which is how the answer page works inside the LMS."""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from exercises.seeding import salted_token
from web.tokens import same

COOKIE = "cnnquiz_lti"
STATE_COOKIE = "cnnquiz_lti_state"
LIFETIME = 12 * 3600  # seconds a session lasts
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


@dataclass(frozen=True)
class Session:
    launch_id: int
    quiz: str
    student_id: str  # "" for staff
    staff: bool
    origins: tuple[str, ...]  # who may frame the pages: the LMS's origins
    expires: int


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, or "" when it is not a plain http(s) one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    found = f"{parts.scheme}://{parts.netloc}"
    return found if _ORIGIN.match(found) else ""


def encode(salt: str, session: Session) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(
        [session.launch_id, session.quiz, session.student_id, session.staff, list(session.origins), session.expires],
        separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{payload}.{_tag(salt, payload)}"


def decode(salt: str, value: str) -> Session | None:
    """The session of a cookie value, or None when it is forged, damaged or expired."""
    payload, _, tag = value.partition(".")
    if not payload or len(value) > 4096 or not same(tag, _tag(salt, payload)):
        return None
    try:
        launch_id, quiz, student_id, staff, origins, expires = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        session = Session(int(launch_id), str(quiz), str(student_id), bool(staff),
                          tuple(o for o in origins if isinstance(o, str) and _ORIGIN.match(o)), int(expires))
    except (ValueError, TypeError):
        return None
    return session if session.expires > time.time() else None


def _tag(salt: str, payload: str) -> str:
    return salted_token(salt, f"cnnquiz-lti-session|{payload}")


def cookie_header(name: str, value: str, max_age: int, path: str = "/") -> str:
    """A Set-Cookie value for the LMS's frame: SameSite=None; Secure; HttpOnly."""
    return f"{name}={value}; Max-Age={max_age}; Path={path}; SameSite=None; Secure; HttpOnly"


def from_scope(salt: str, scope: dict[str, Any]) -> Session | None:
    """The valid session of a request's Cookie header, or None."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - http.cookies raises its own CookieError on junk; junk is no session
                return None
            if COOKIE in cookie:
                return decode(salt, cookie[COOKIE].value)
    return None


def frame_ancestors(salt: str) -> Any:
    """The callback web.security.SecurityHeaders asks which origins may frame a request's page."""

    def allowed(scope: dict[str, Any]) -> tuple[str, ...]:
        session = from_scope(salt, scope)
        return session.origins if session else ()

    return allowed
