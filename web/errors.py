"""The app's error responses: JSON under /api/ (and /healthz), an HTML page elsewhere, one 404 for everything
that is not there (unknown tokens, templates and paths look alike), 405 with Allow, 503 with Retry-After."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from web.http import ApiError
from web.pages import render
from web.quiz import BuildGone
from web.routing import allowed_methods
from web.storage import StoreUnavailable

log = logging.getLogger("cnnquiz.web")
NOT_FOUND = "Not found."
JSON_PREFIXES = ("/api/", "/healthz")


def error_response(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith(JSON_PREFIXES):
        return JSONResponse({"error": message}, status_code=status)
    return HTMLResponse(render("error.html.j2", status=status, message=message), status_code=status)


def not_found(request: Request) -> Response:
    """The one 404 of the app (one for the pages, one for the API)."""
    return error_response(request, 404, NOT_FOUND)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.status == 404:
        return not_found(request)
    response = error_response(request, exc.status, exc.message)
    if exc.retry_after:
        response.headers["retry-after"] = str(exc.retry_after)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return not_found(request)
    if exc.status_code == 405:
        allowed = allowed_methods(request.app.router.routes, request.scope)
        message = f"This address does not accept the {request.method} method; it accepts {', '.join(allowed)}."
        response = error_response(request, 405, message)
        response.headers["allow"] = ", ".join(allowed)
        return response
    return error_response(request, exc.status_code, str(exc.detail))


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


HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    ApiError: _api_error, HTTPException: _http_error, StoreUnavailable: _unavailable, BuildGone: _unavailable,
    Exception: _internal,
}
