"""What a lecturer registers in the LMS: the tool's fixed URLs for a base URL, and Canvas's developer-key JSON."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from web.lti import claims as c


def tool_urls(base: str) -> dict[str, str]:
    base = base.rstrip("/")
    return {"login_initiation_url": f"{base}/lti/login", "redirect_urls": f"{base}/lti/launch {base}/lti/deep-link",
            "launch_url": f"{base}/lti/launch", "jwks_url": f"{base}/lti/jwks",
            "deep_linking_url": f"{base}/lti/deep-link", "config_url": f"{base}/lti/config"}


def canvas_developer_key(base: str, title: str) -> dict[str, Any]:
    """The JSON Canvas takes for an LTI developer key (Admin › Developer Keys › + LTI Key › Paste JSON)."""
    urls = tool_urls(base)
    placement = {"text": title, "message_type": c.DEEP_LINKING_REQUEST, "target_link_uri": urls["deep_linking_url"]}
    return {
        "title": title,
        "description": "Randomized CNN exercises: each student answers their own variant; scores return to the "
                       "gradebook.",
        "oidc_initiation_url": urls["login_initiation_url"],
        "target_link_uri": urls["launch_url"],
        "public_jwk_url": urls["jwks_url"],
        "scopes": [c.LINEITEM_SCOPE, c.SCORE_SCOPE, c.MEMBERSHIP_SCOPE],
        "extensions": [{
            "platform": "canvas.instructure.com",
            "domain": urlsplit(base).hostname or "",
            "privacy_level": "public",  # names, emails and SIS ids: how launches find the roster's students
            "settings": {"placements": [{**placement, "placement": "assignment_selection"},
                                        {**placement, "placement": "link_selection"}]},
        }],
        "custom_fields": {},
    }


def tool_config(base: str, title: str) -> dict[str, Any]:
    """Everything `cnnquiz lti config` prints (and GET /lti/config answers)."""
    return {**tool_urls(base), "canvas_developer_key": canvas_developer_key(base, title)}
