"""Request helpers shared by the routes: the app's Context, the client, bodies within the limit, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from web.quiz import LiveQuiz
from web.security import Throttle
from web.settings import Settings
from web.storage import Store

T = TypeVar("T")


class ApiError(Exception):
    """A request the app refuses, with the status and a message for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Context:
    settings: Settings
    quiz: LiveQuiz
    store: Store
    throttle: Throttle


def context(request: Request) -> Context:
    return request.app.state.web


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_label(request: Request) -> str:
    """Who saved: address and browser, for the append-only rows."""
    return f"{client(request)} {request.headers.get('user-agent', '')[:150]}".strip()


def guarded(request: Request, lookup: Callable[[str], T | None]) -> T:
    """What `lookup` finds for the request's token: 429 for a client that guessed too often, and the app's one 404
    (counted against the client) when it finds nothing."""
    ctx = context(request)
    who = client(request)
    wait = ctx.throttle.blocked(who)
    if wait:
        raise ApiError(429, f"Too many unknown links from your address; try again in {int(wait)} s.")
    found = lookup(request.path_params["token"])
    if found is None:
        ctx.throttle.failed(who)
        raise ApiError(404, "not found")
    return found


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
    if not isinstance(data, dict):
        raise ApiError(400, 'The body must be a JSON object such as {"text": "1 0; 0 1"}.')
    return data


def text_field(data: dict[str, Any]) -> str:
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(400, 'The body needs "text": the answer as a string.')
    return text


async def in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Blocking work (the database, the grader) off the event loop."""
    return await run_in_threadpool(function, *args, **kwargs)
