"""Request helpers shared by the routes: the app's Context, the client, tokens looked up under the guessing
throttle, the staff pages' token, quiz and forms, bodies within the limit, JSON objects and answer texts a
database can store."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from web.course import Course, CourseQuiz
from web.events import Listeners, Submitted
from web.overview import Overviews
from web.release import ReleaseHooks
from web.settings import Settings
from web.throttle import GuessThrottle
from web.tokens import csrf_token, same

T = TypeVar("T")


class ApiError(Exception):
    """A request the app refuses, with the status and a message for the user."""

    def __init__(self, status: int, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


@dataclass
class Context:
    """What the routes reach through `request.app.state.web`: one per app."""

    settings: Settings
    course: Course
    throttle: GuessThrottle
    releases: ReleaseHooks
    overviews: Overviews
    submits: Listeners[Submitted] = field(default_factory=Listeners)  # told after each recorded submit


def context(request: Request) -> Context:
    return request.app.state.web


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_label(request: Request) -> str:
    """Who saved: address and browser, for the append-only rows."""
    return f"{client(request)} {request.headers.get('user-agent', '')[:150]}".strip()


def guarded(request: Request, lookup: Callable[[str], T | None]) -> T:
    """What `lookup` finds for the request's token. A valid token is always served, whatever its address did;
    an unknown one gets the app's one 404, or 429 once its address has tried too many (web.throttle)."""
    token = request.path_params["token"]
    found = lookup(token)
    if found is not None:
        return found
    wait = context(request).throttle.unknown(client(request), token)
    if wait:
        raise ApiError(429, "This link is not known, and too many unknown links came from your address: check "
                            f"that the link was copied whole, and try again in {int(wait)} s.", retry_after=int(wait))
    raise ApiError(404, "not found")


def staff_only(request: Request) -> None:
    """The course's staff token in the request's URL, or the app's one 404 (throttled like students' tokens)."""
    staff = context(request).course.staff_token
    guarded(request, lambda token: True if same(token, staff) else None)


def staff_quiz(request: Request) -> CourseQuiz:
    """The quiz of a staff page's URL (/staff/{token}/{quiz}), once the staff token is checked; else the 404."""
    staff_only(request)
    found = context(request).course.quiz(request.path_params["quiz"])
    if found is None:
        raise ApiError(404, "not found")
    return found


async def staff_form(request: Request) -> dict[str, str]:
    """A staff page form's fields, once its CSRF token is checked (the LMS's session cookie travels with
    cross-site posts; the CSRF token does not)."""
    raw = await body(request)
    try:
        fields = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "The form could not be read; reload the page and try again.") from None
    if not same(fields.get("csrf", ""), csrf_token(context(request).settings.salt, request.path_params["token"])):
        raise ApiError(403, "The form has expired or did not come from this page; reload the page and try again.")
    return fields


async def body(request: Request) -> bytes:
    """The request body, refused with 413 past the limit even when no Content-Length announced it."""
    limit = context(request).settings.max_body
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"The request body is larger than {limit // 1024} KB.")
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request, empty_ok: bool = False) -> dict[str, Any]:
    """A JSON object body. State changes need Content-Type application/json, which other sites' forms
    cannot send without the browser asking this server first."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "Send the request as JSON (Content-Type: application/json).")
    raw = await body(request)
    if not raw.strip() and empty_ok:
        return {}
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(400, f"The body is not valid JSON: {error}") from None
    except RecursionError:
        raise ApiError(400, "The body is not valid here: its JSON is nested too deeply.") from None
    if not isinstance(data, dict):
        raise ApiError(400, 'The body must be a JSON object such as {"text": "1 0; 0 1"}.')
    return data


def text_field(data: dict[str, Any]) -> str:
    """The body's "text", checked as stored_text checks it."""
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(400, 'The body needs "text": the answer as a string.')
    return stored_text(text)


def stored_text(text: str) -> str:
    """Text that every database stores as it is: 400 for a NUL character or a lone UTF-16 surrogate (JSON may
    hold "\\ud800"; no keyboard types either)."""
    if "\x00" in text:
        raise ApiError(400, "The answer holds a NUL character (\\u0000), which cannot be stored; remove it.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ApiError(400, f"The answer holds a lone surrogate ({text[error.start]!a}), which is not text; "
                            "remove it.") from None
    return text


async def in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Blocking work (the database, the grader) off the event loop."""
    return await run_in_threadpool(function, *args, **kwargs)
