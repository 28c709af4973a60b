"""Security that is part of the app, not of a proxy: response headers, the body size limit, and the
throttle on failed token lookups."""

from __future__ import annotations

import collections
import threading
import time
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
PRIVATE_PATHS = ("/q/", "/api/q/", "/staff/")  # pages whose URL holds a token: never cached


class SecurityHeaders:
    """ASGI middleware: the headers above on every response; bodies over `max_body` get 413 before they are
    read (by their Content-Length; routes count streamed bytes themselves)."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(PRIVATE_PATHS)
        started = time.perf_counter()

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] not in {name for name, _ in HEADERS}]
                headers += HEADERS
                # how long the app took (bench/bench_serve.py tells it from the time spent in queues)
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


class Throttle:
    """Failed token lookups per client in a sliding window. A client over the limit is refused (429) on token
    routes until its window clears; other clients are not slowed. Memory stays bounded."""

    MAX_CLIENTS = 10_000

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> collections.deque[float] | None:
        failures = self._failures.get(client)
        if failures is not None:
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if not failures:
                del self._failures[client]
                return None
        return failures

    def blocked(self, client: str) -> float:
        """Seconds until the client may try again (0: not blocked)."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            if failures is None or len(failures) < self.limit:
                return 0.0
            return max(failures[0] + self.window - now, 1.0)

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if client not in self._failures and len(self._failures) >= self.MAX_CLIENTS:
                stale = [c for c, times in self._failures.items() if not times or times[-1] <= now - self.window]
                for gone in stale:
                    del self._failures[gone]
                if len(self._failures) >= self.MAX_CLIENTS:
                    self._failures.pop(next(iter(self._failures)))
            self._failures.setdefault(client, collections.deque(maxlen=self.limit * 2)).append(now)
