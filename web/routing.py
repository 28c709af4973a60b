"""What a route declares about itself. A route whose URL holds a secret token (a student's or the staff's) is a
`TokenRoute`: the app derives from these routes the path prefixes whose responses are never cached
(web.security), so a new page with a token in its URL is private by being declared so, here next to its path."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, Mount, Route


class TokenRoute(Route):
    """A route whose path holds `{token}`; everything under its prefix (the path up to the first parameter) is
    served with `Cache-Control: no-store`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], methods: Sequence[str]) -> None:
        if "{token}" not in path:
            raise ValueError(f"TokenRoute {path!r}: the path holds no {{token}}")
        super().__init__(path, endpoint, methods=list(methods))

    @property
    def private_prefix(self) -> str:
        return self.path.split("{", 1)[0]


def private_prefixes(routes: Iterable[BaseRoute]) -> tuple[str, ...]:
    """The path prefixes of the token routes, for web.security.SecurityHeaders."""
    return tuple(sorted({route.private_prefix for route in routes if isinstance(route, TokenRoute)}))


def allowed_methods(routes: Iterable[BaseRoute], scope: dict[str, Any]) -> list[str]:
    """Every method some route of this path answers (for a 405's Allow header)."""
    probe = {"type": "http", "method": scope["method"], "path": scope["path"], "root_path": ""}  # as routed afresh
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Route) and route.matches(probe)[0] != Match.NONE:
            methods |= route.methods or set()
        elif isinstance(route, Mount) and route.matches(probe)[0] != Match.NONE:
            methods |= {"GET", "HEAD"}  # the app's one mount: its static files
    return sorted(methods)
