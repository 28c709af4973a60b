"""Security that is part of the app, not of a proxy: response headers (no-store on the pages whose URL holds a
token, which their routes declare: web.routing.TokenRoute) and the body size limit. No page may be framed,
except by the LMS of the request's LTI session (web.lti.session)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),  # personal links never leak to other sites
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def csp(frame_ancestors: tuple[str, ...] = (), form_action: tuple[str, ...] = ()) -> str:
    """The policy above, with the origins that may frame the page and that its forms may post to."""
    policy = CSP.replace("form-action 'self'", " ".join(("form-action 'self'", *form_action)))
    return policy.replace("frame-ancestors 'none'", f"frame-ancestors {' '.join(frame_ancestors)}") \
        if frame_ancestors else policy


class SecurityHeaders:
    """ASGI middleware: the headers above on every response, `Cache-Control: no-store` under the private path
    prefixes; bodies over `max_body` get 413 before they are read (by their Content-Length; routes count
    streamed bytes themselves). With `timing`, a Server-Timing header says how long the app took.
    `framing(scope)` names the origins that may frame the request's page (none: X-Frame-Options DENY); a
    response that sets its own Content-Security-Policy (made with `csp`) keeps it."""

    def __init__(self, app: Any, max_body: int, private: tuple[str, ...], timing: bool = False,
                 framing: Callable[[dict], tuple[str, ...]] | None = None) -> None:
        self.app, self.max_body, self.private, self.timing = app, max_body, private, timing
        self.framing = framing

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(self.private)
        started = time.perf_counter()
        framers = self.framing(scope) if self.framing else ()
        ours = [(b"content-security-policy", csp(framers).encode()),
                *[header for header in HEADERS if header[0] != b"content-security-policy"
                  and not (framers and header[0] == b"x-frame-options")]]

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                own = [h for h in message.get("headers", []) if h[0] == b"content-security-policy"]
                framed = bool(own) and b"frame-ancestors 'none'" not in own[0][1]  # the page says who frames it
                headers = [h for h in message.get("headers", []) if h[0] not in {name for name, _ in HEADERS}]
                headers += own + [h for h in ours if not (own and h[0] == b"content-security-policy")
                                  and not (framed and h[0] == b"x-frame-options")]
                if self.timing:  # bench/bench_serve.py tells the app's time from the time spent in queues
                    headers.append((b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()))
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _plain(send_with_headers, 413, f"The request body is larger than {self.max_body // 1024} KB.")
            return
        await self.app(scope, receive, send_with_headers)


async def _plain(send: Any, status: int, text: str) -> None:
    body = (text + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
