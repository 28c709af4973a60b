"""An id_token checked as LTI 1.3 (IMS Security Framework 1.0, §5.1.3) requires, before anything trusts it.

Every refusal is a LaunchError whose message says why, for the log and the page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from web.lti import claims as c
from web.lti.platform_keys import KeySetError, PlatformKeys
from web.lti.records import Records

ALGORITHMS = ["RS256"]  # the only one LTI 1.3 allows; 'none' and HMAC (HS256) never get near a key
LEEWAY = 60  # seconds of clock difference allowed on exp and iat
LOGIN_VALID = 600  # seconds between the OIDC login and its launch
MAX_TOKEN = 64 * 1024  # characters of an id_token


class LaunchError(Exception):
    """A launch refused; the message is the reason (logged, and shown on the page)."""


@dataclass(frozen=True)
class Verified:
    """A launch's id_token, checked: its claims and the bank's platform it came from."""

    claims: dict[str, Any]
    platform: Any  # exercises.bank.LtiPlatform

    @property
    def message_type(self) -> str:
        return c.text(self.claims, c.MESSAGE_TYPE)


def verify(id_token: str, state: str, state_cookie: str, platforms: tuple[Any, ...], records: Records,
           keys: PlatformKeys) -> Verified:
    """Check state, signature, issuer, audience, times, nonce (once), deployment, message type and version."""
    import jwt

    if not id_token or not state:
        raise LaunchError("the launch has no id_token or no state (it must come from the LMS's login redirect)")
    if len(id_token) > MAX_TOKEN:
        raise LaunchError("the id_token is too long")
    login = _login(state, state_cookie, records)
    try:
        header = jwt.get_unverified_header(id_token)
        unverified = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.exceptions.DecodeError as error:
        raise LaunchError(f"the id_token is not a JWT: {error}") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise LaunchError(f"the id_token is signed with alg {algorithm!r}; only RS256 is accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LaunchError("the id_token's header names no key (kid)")
    platform = _platform(unverified, platforms)
    if (platform.issuer, platform.client_id) != (login["issuer"], login["client_id"]):
        raise LaunchError("the id_token comes from another platform or client than the login that started it")
    try:
        key = keys.key(platform.key_set_url, kid)
        verified = jwt.decode(id_token, key, algorithms=ALGORITHMS, audience=platform.client_id,
                              issuer=platform.issuer, leeway=LEEWAY,
                              options={"require": ["exp", "iat", "iss", "aud", "nonce"]})
    except KeySetError as error:
        raise LaunchError(str(error)) from None
    except jwt.exceptions.InvalidSignatureError:
        raise LaunchError("wrong signature: the id_token was not signed by the platform's key") from None
    except jwt.exceptions.ExpiredSignatureError:
        raise LaunchError("the id_token has expired (exp is past)") from None
    except jwt.exceptions.InvalidAudienceError:
        raise LaunchError(f"wrong audience: the id_token is not for client_id {platform.client_id}") from None
    except jwt.exceptions.ImmatureSignatureError:
        raise LaunchError("the id_token was issued in the future (iat); check the clocks") from None
    except jwt.exceptions.InvalidTokenError as error:
        raise LaunchError(f"the id_token is not valid: {error}") from None
    _check_claims(verified, platform, login)
    if not records.use_nonce(platform.issuer, verified["nonce"]):
        raise LaunchError("replayed nonce: this id_token was used before")
    return Verified(verified, platform)


def _login(state: str, state_cookie: str, records: Records) -> dict[str, Any]:
    """The OIDC login this launch answers: the state this browser was given, recent, and known to the store."""
    from web.tokens import same

    if not state_cookie or not same(state, state_cookie):
        raise LaunchError("the state does not match this browser's login (cookies blocked in the LMS's frame? "
                          "open the quiz in a new window)")
    login = records.login(state)
    if login is None:
        raise LaunchError("unknown state: no login started this launch")
    started = datetime.datetime.fromisoformat(login["created_at"])
    if (datetime.datetime.now(datetime.UTC) - started).total_seconds() > LOGIN_VALID:
        raise LaunchError("the login is more than 10 minutes old; launch again from the LMS")
    return login


def _platform(unverified: dict[str, Any], platforms: tuple[Any, ...]) -> Any:
    """The bank's platform of the token's iss and aud."""
    issuer = unverified.get("iss")
    audience = unverified.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    for platform in platforms:
        if platform.issuer == issuer and platform.client_id in audiences:
            return platform
    if any(platform.issuer == issuer for platform in platforms):
        raise LaunchError(f"wrong audience: the id_token is for {audience!r}, not a client_id of {issuer}")
    raise LaunchError(f"unknown issuer {str(issuer)[:200]!r}: add the platform to the bank's lti: list")


def _check_claims(claims: dict[str, Any], platform: Any, login: dict[str, Any]) -> None:
    audience = claims["aud"]
    azp = claims.get("azp")
    if isinstance(audience, list) and len(audience) > 1 and azp is None:
        raise LaunchError("the id_token has several audiences and no azp")
    if azp is not None and azp != platform.client_id:
        raise LaunchError(f"wrong audience: azp {str(azp)[:200]!r} is not client_id {platform.client_id}")
    if claims["nonce"] != login["nonce"]:
        raise LaunchError("the nonce is not the one this login sent")
    deployment = c.text(claims, c.DEPLOYMENT_ID)
    if deployment not in platform.deployment_ids:
        raise LaunchError(f"unknown deployment_id {deployment[:200]!r}: add it to the platform's deployment_ids")
    if c.text(claims, c.VERSION) != c.LTI_VERSION:
        raise LaunchError(f"LTI version {str(claims.get(c.VERSION))[:20]!r}: only {c.LTI_VERSION} is accepted")
    message_type = c.text(claims, c.MESSAGE_TYPE)
    if message_type not in (c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST):
        raise LaunchError(f"message_type {str(claims.get(c.MESSAGE_TYPE))[:60]!r} is not a launch this tool takes")
    if not isinstance(claims.get(c.ROLES), list):
        raise LaunchError("the id_token has no roles claim")
    if message_type == c.RESOURCE_LINK_REQUEST and not c.text(claims, c.RESOURCE_LINK, "id"):
        raise LaunchError("a resource link launch without resource_link.id")
    if message_type == c.DEEP_LINKING_REQUEST and not c.text(claims, c.DEEP_LINKING_SETTINGS, "deep_link_return_url"):
        raise LaunchError("a deep linking request without deep_link_return_url")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise LaunchError("the id_token names no user (sub); anonymous launches cannot answer a quiz")
