"""The platform's services, called by the tool: OAuth 2 access tokens (the client-credentials grant with a JWT
signed by the tool's key, RFC 7523 as LTI's Security Framework asks), scores to a line item (Assignment and
Grade Services 2.0) and the course's members (Names and Role Provisioning Services 2.0)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from web.lti.keys import ToolKeys

TIMEOUT = 10.0  # seconds for each call to the platform
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
MEMBERS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_MEMBER_PAGES = 100


class ServiceError(Exception):
    """A call to the platform failed; the message says which and why."""


class Services:
    """Calls to the platforms with access tokens, each kept until shortly before it expires (per process)."""

    def __init__(self, keys: Any) -> None:
        self._keys = keys  # a callable giving the ToolKeys (read when first needed)
        self._tokens: dict[tuple[str, str, str], tuple[float, str]] = {}
        self._lock = threading.Lock()

    def access_token(self, platform: Any, scopes: list[str]) -> str:
        """An access token for `scopes` from the platform's token endpoint."""
        scope = " ".join(sorted(scopes))
        cache_key = (platform.auth_token_url, platform.client_id, scope)
        with self._lock:
            cached = self._tokens.get(cache_key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        keys: ToolKeys = self._keys()
        now = int(time.time())
        assertion = keys.sign({"iss": platform.client_id, "sub": platform.client_id,
                               "aud": platform.auth_audience or platform.auth_token_url, "iat": now,
                               "exp": now + 300, "jti": uuid.uuid4().hex})
        form = {"grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion, "scope": scope}
        data = _json(_call("POST", platform.auth_token_url, "the access token", data=form))
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ServiceError(f"the token endpoint ({platform.auth_token_url}) gave no access_token")
        lifetime = data.get("expires_in", 3600)
        lifetime = lifetime if isinstance(lifetime, int | float) else 3600
        with self._lock:
            self._tokens[cache_key] = (time.monotonic() + max(lifetime - 60, 0), token)
        return token

    def post_score(self, platform: Any, lineitem: str, score: dict[str, Any], scopes: list[str]) -> str:
        """POST a score to the line item's /scores; the platform's status line."""
        token = self.access_token(platform, scopes)
        response = _call("POST", scores_url(lineitem), "the score", json=score,
                         headers={"authorization": f"Bearer {token}", "content-type": SCORE_TYPE})
        return f"{response.status_code} {response.reason_phrase}".strip()

    def members(self, platform: Any, url: str, scopes: list[str]) -> list[dict[str, Any]]:
        """Every member of the course (following the `Link: rel="next"` pages)."""
        token = self.access_token(platform, scopes)
        found: list[dict[str, Any]] = []
        for _ in range(MAX_MEMBER_PAGES):
            response = _call("GET", url, "the course's members",
                             headers={"authorization": f"Bearer {token}", "accept": MEMBERS_TYPE})
            members = _json(response).get("members")
            if not isinstance(members, list):
                raise ServiceError(f"the membership service ({url}) answered without members")
            found += [member for member in members if isinstance(member, dict)]
            url = response.links.get("next", {}).get("url", "")
            if not url:
                return found
        raise ServiceError(f"the membership service ({url}) has more than {MAX_MEMBER_PAGES} pages")


def scores_url(lineitem: str) -> str:
    """The line item's score endpoint: its URL with /scores after the path (the query string kept)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _call(method: str, url: str, what: str, **options: Any) -> Any:
    import httpx

    try:
        response = httpx.request(method, url, timeout=TIMEOUT, **options)
    except httpx.HTTPError as error:
        raise ServiceError(f"{what}: cannot reach {url}: {error or type(error).__name__}") from None
    if response.status_code >= 400:
        raise ServiceError(f"{what}: {url} answered {response.status_code} {response.text[:200]}".strip())
    return response


def _json(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ServiceError(f"{response.url} did not answer with a JSON object")
    return data
