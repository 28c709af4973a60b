"""The bank's LTI settings, checked: its `lti:` list, the LMSs (LTI 1.3 platforms) whose launches the course
service accepts, and a quiz's `lti_scores:`, when the LMS's gradebook hears of the quiz:
- `on-release` (the default): at the release of a student's results, their score (web.lti.scores);
- `on-submit`: also at each submit, that the student submitted (grading pending, no score: nothing of the
  result leaves before its release).

exercises.bank reads them; a PlatformError names the place, which the bank turns into file:line:col.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from grader.errors import UserError

ON_RELEASE, ON_SUBMIT = "on-release", "on-submit"
REQUIRED = ("issuer", "client_id", "deployment_ids", "auth_login_url", "auth_token_url", "key_set_url")
URLS = ("issuer", "auth_login_url", "auth_token_url", "key_set_url")


class PlatformError(UserError):
    """A bad platform entry; `where` is its path inside `lti:` (index, key), `key` whether the key is wrong."""

    def __init__(self, where: tuple, message: str, key: bool = False) -> None:
        super().__init__(message)
        self.where, self.key = where, key


@dataclass(frozen=True)
class LtiPlatform:
    """An LMS the course service accepts LTI 1.3 launches from."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str  # the platform's OIDC authorization endpoint
    auth_token_url: str  # its OAuth 2 token endpoint (access tokens for scores and members)
    key_set_url: str  # its JWK Set
    auth_audience: str = ""  # the `aud` its token endpoint wants, when not its URL (Brightspace)


def read_platforms(value: Any) -> tuple[LtiPlatform, ...]:
    """The platforms of the bank's `lti:` value (None: none)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PlatformError((), f"lti must be a list of platforms ({', '.join(REQUIRED)})")
    platforms: list[LtiPlatform] = []
    for index, item in enumerate(value):
        platform = _platform(index, item)
        if any((p.issuer, p.client_id) == (platform.issuer, platform.client_id) for p in platforms):
            raise PlatformError((index,), f"the platform {platform.issuer} with client_id {platform.client_id} is "
                                          "listed twice")
        platforms.append(platform)
    return tuple(platforms)


def read_lti_scores(value: Any) -> str:
    """A quiz's `lti_scores:` (None: the default, on-release)."""
    if value is None or value in (ON_RELEASE, ON_SUBMIT):
        return value or ON_RELEASE
    raise PlatformError((), f"lti_scores {str(value)!r}: choose on-release (the default: the LMS gets each "
                            "student's score when their results are released) or on-submit (it also hears of each "
                            "submit, without a score)")


def _platform(index: int, item: Any) -> LtiPlatform:
    if not isinstance(item, dict):
        raise PlatformError((index,), "an LTI platform must be a mapping (key: value lines)")
    for key in item:
        if key not in (*REQUIRED, "auth_audience"):
            close = difflib.get_close_matches(str(key), (*REQUIRED, "auth_audience"), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; expected {', '.join(REQUIRED)}"
            raise PlatformError((index, key), f"unknown key {key!r}{hint}", key=True)
    for key in REQUIRED:
        if item.get(key) in (None, "", []):
            raise PlatformError((index,), f"the LTI platform needs {key} (the LMS shows it when the tool is "
                                          "registered)")
    ids = item["deployment_ids"]
    ids = [ids] if isinstance(ids, str | int) else ids
    if not isinstance(ids, list) or not all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids):
        raise PlatformError((index, "deployment_ids"), "deployment_ids must be a list of the LMS's deployment ids")
    texts = {}
    for key in ("issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url", "auth_audience"):
        text = item.get(key, "")
        if isinstance(text, dict | list):
            raise PlatformError((index, key), f"{key} must be text")
        texts[key] = str(text).strip()
        if key in URLS and (not texts[key].startswith(("https://", "http://")) or
                            any(c.isspace() or c in "<>\"'`" for c in texts[key])):
            raise PlatformError((index, key), f"{key} {texts[key]!r} must be an https:// address")
    return LtiPlatform(deployment_ids=tuple(str(i) for i in ids), **texts)
