"""The ASGI app: `create_app(settings)` wires the routes, the store, the served quiz and the error pages.

Routes live in web.student, web.practice and web.staff; they reach what they need through
`request.app.state.web` (a web.http.Context), so each app (and each test) has its own, with no globals.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web import practice, staff, student
from web.http import ApiError, Context, context, in_thread
from web.pages import render
from web.quiz import BuildGone, LiveQuiz
from web.security import SecurityHeaders, Throttle
from web.settings import Settings
from web.storage import Store, StoreUnavailable

log = logging.getLogger("cnnquiz.web")
STATIC = Path(__file__).parent / "static"
NOT_FOUND = "Not found."


def not_found(request: Request | None = None, exc: Exception | None = None) -> Response:
    """The one 404 of the app: unknown tokens, templates and paths all look alike."""
    return HTMLResponse(render("error.html.j2", status=404, message=NOT_FOUND), status_code=404)


def error_response(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith(("/api/", "/healthz")):
        return JSONResponse({"error": message}, status_code=status)
    return HTMLResponse(render("error.html.j2", status=status, message=message), status_code=status)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.status == 404:
        return not_found()
    response = error_response(request, exc.status, exc.message)
    if exc.status == 429:
        response.headers["retry-after"] = "60"
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return not_found()
    message = "This address does not accept that method." if exc.status_code == 405 else str(exc.detail)
    return error_response(request, exc.status_code, message)


async def _unavailable(request: Request, exc: Exception) -> Response:
    log.warning("unavailable: %s", exc)
    if isinstance(exc, StoreUnavailable):
        message = "The answer store is busy or unreachable; nothing was saved. Try again in a moment."
    else:
        message = f"{exc}"
    response = error_response(request, 503, message)
    response.headers["retry-after"] = "5"
    return response


async def _internal(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s", request.url.path)
    return error_response(request, 500, "Something went wrong on the server; nothing else was affected. "
                                        "Try again, and tell the course staff if it keeps happening.")


async def healthz(request: Request) -> Response:
    ctx = context(request)
    key = ctx.quiz.key()
    await in_thread(ctx.store.ping)
    return JSONResponse({"ok": True, "quiz": key.quiz, "students": len(key.students)})


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The app for one quiz; `store` defaults to the settings' database (tests may pass their own)."""
    quiz = LiveQuiz(settings)
    ctx = Context(settings, quiz, store or Store(settings.db_url), Throttle(settings.failed_lookups,
                                                                             settings.lookup_window))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await in_thread(_warm, ctx)  # the server answers once every page is ready (about 1 s for 500 students)
        yield
        ctx.store.close()

    routes = [
        Route("/healthz", healthz),
        *student.routes(), *practice.routes(), *staff.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ApiError: _api_error, HTTPException: _http_error, StoreUnavailable: _unavailable, BuildGone: _unavailable,
        Exception: _internal,
    })
    app.state.web = ctx
    return SecurityHeaders(app, settings.max_body)  # type: ignore[return-value]


def _warm(ctx: Context) -> None:
    """Print every variant once (and import the grader's heavy parts) before the first student asks."""
    try:
        for student in ctx.quiz.key().students:
            for question in student.questions:
                ctx.quiz.question_context(question)
    except Exception:  # noqa: BLE001 - warming is an optimisation: a failure shows again on the real request
        log.exception("warming the quiz pages failed")
