"""The LTI 1.3 claim names and message types (IMS LTI 1.3, Deep Linking 2.0, AGS 2.0, NRPS 2.0)."""

from __future__ import annotations

from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
LIS = LTI + "lis"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DEEP_LINKING_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

STAFF_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}
LEARNER_ROLES = {"Learner"}
CONTEXT_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership"


def role_names(roles: Any) -> set[str]:
    """The short names of the context (course) roles: '…/membership#Learner' → Learner,
    '…/membership/Instructor#TeachingAssistant' → TeachingAssistant, and the simple names LTI 1.3 also allows.
    Institution and system roles say nothing about this course (Canvas sends a student who teaches elsewhere
    as an institution Instructor), so they are left out."""
    if not isinstance(roles, list):
        return set()
    return {role.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for role in roles
            if isinstance(role, str) and (role.startswith(CONTEXT_ROLE) or "/" not in role)}


def is_staff(roles: Any) -> bool:
    return bool(role_names(roles) & STAFF_ROLES)


def is_learner(roles: Any) -> bool:
    return bool(role_names(roles) & LEARNER_ROLES)


def text(claims: dict[str, Any], name: str, field: str = "") -> str:
    """A claim (or a field of an object claim) as text, "" when absent or not text."""
    value = claims.get(name)
    if field:
        value = value.get(field) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""
