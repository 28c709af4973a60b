"""A test LMS written from the LTI 1.3 specifications (Core 1.3, Security Framework 1.0, Deep Linking 2.0,
AGS 2.0, NRPS 2.0): an RSA key and its JWK Set served on 127.0.0.1, the OIDC authorization answer (a signed
id_token for the login the tool started), a token endpoint that checks the tool's client-credentials JWT
against the tool's JWK Set, a line item's score endpoint and a membership service that record what they get;
and `login`/`launch`, a browser going through the tool's login and launch with the platform's id_token."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TOOL = "https://testserver"  # where the tests' TestClient reaches the tool
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID = "cnnquiz-client"
DEPLOYMENT = "deployment-1"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def rsa_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Received:
    """What the platform's services were sent."""

    token_requests: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)  # {"path", "headers", "body"}
    member_reads: list[str] = field(default_factory=list)


class Platform:
    """The LMS: `start()` serves its JWK Set and services on 127.0.0.1; `id_token(...)` answers a login."""

    def __init__(self) -> None:
        self.keys = {"platform-key-1": rsa_key()}
        self.published = ["platform-key-1"]  # the kids the JWK Set shows
        self.received = Received()
        self.tool_jwks: dict[str, Any] = {}  # the tool's JWK Set (GET /lti/jwks), to check its JWTs
        self.tokens: set[str] = set()
        self.fail_scores = 0  # answer this many score posts with 503
        self.members: list[dict[str, Any]] = []
        self.jwks_fetches = 0
        self._server: ThreadingHTTPServer | None = None

    # -- addresses ----------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.base

    def bank_entry(self) -> str:
        """The platform in a bank's lti: list."""
        return (f"lti:\n  - issuer: {self.issuer}\n    client_id: {CLIENT_ID}\n    deployment_ids: [{DEPLOYMENT}]\n"
                f"    auth_login_url: {self.base}/auth\n    auth_token_url: {self.base}/token\n"
                f"    key_set_url: {self.base}/jwks\n")

    @property
    def lineitem(self) -> str:
        return f"{self.base}/courses/7/lineitems/1/lineitem?type=cnnquiz"

    # -- the launch -----------------------------------------------------------------------------------
    def claims(self, auth: dict[str, str], roles: list[str], sub: str = "user-1", **extra: Any) -> dict[str, Any]:
        """The id_token claims answering the tool's authorization request (its query as a dict)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": CLIENT_ID, "sub": sub, "iat": now, "exp": now + 300, "nonce": auth["nonce"],
            "name": "Ada Lovelace", "email": "ada@example.org",
            LTI + "message_type": "LtiResourceLinkRequest", LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT, LTI + "target_link_uri": auth["redirect_uri"],
            LTI + "resource_link": {"id": "link-1", "title": "Week quiz"}, LTI + "roles": roles,
            LTI + "context": {"id": "course-7", "title": "Deep learning"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [LINEITEM_SCOPE, SCORE_SCOPE], "lineitem": self.lineitem,
                "lineitems": f"{self.base}/courses/7/lineitems"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.base}/courses/7/memberships", "service_versions": ["2.0"]},
        }
        claims.update(extra)
        return claims

    def sign(self, claims: dict[str, Any], kid: str = "platform-key-1", key: Any = None,
             algorithm: str = "RS256") -> str:
        return jwt.encode(claims, key or self.keys[kid], algorithm=algorithm, headers={"kid": kid})

    def wait_scores(self, count: int, seconds: float = 20.0) -> list[dict[str, Any]]:
        """The scores received once there are `count` of them (the tool sends them from a thread of its own);
        whatever came when `seconds` have passed."""
        deadline = time.monotonic() + seconds
        while len(self.received.scores) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received.scores

    def rotate(self, kid: str) -> None:
        """A new key, published beside the old ones."""
        self.keys[kid] = rsa_key()
        self.published.append(kid)

    # -- the services ---------------------------------------------------------------------------------
    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _authorized(self, scope: str) -> bool:
                token = self.headers.get("authorization", "").removeprefix("Bearer ")
                return f"{token}|{scope}" in platform.tokens

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = urlsplit(self.path)
                if path.path == "/jwks":
                    platform.jwks_fetches += 1
                    keys = [{**RSAAlgorithm.to_jwk(platform.keys[kid].public_key(), as_dict=True), "kid": kid,
                             "alg": "RS256", "use": "sig"} for kid in platform.published]
                    self._send(200, {"keys": keys})
                elif path.path == "/courses/7/memberships":
                    if not self._authorized(MEMBERSHIP_SCOPE):
                        self._send(401, {"error": "invalid token"})
                        return
                    platform.received.member_reads.append(self.headers.get("accept", ""))
                    page = int(parse_qs(path.query).get("page", ["1"])[0])
                    half = (len(platform.members) + 1) // 2
                    members = platform.members[:half] if page == 1 else platform.members[half:]
                    link = {"link": f'<{platform.base}/courses/7/memberships?page=2>; rel="next"'} if page == 1 else {}
                    self._send(200, {"id": "course-7", "context": {"id": "course-7"}, "members": members}, link)
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                path = urlsplit(self.path)
                if path.path == "/token":
                    self._token(parse_qs(body.decode()))
                elif path.path == "/courses/7/lineitems/1/lineitem/scores":
                    if not self._authorized(SCORE_SCOPE):
                        self._send(401, {"error": "invalid token"})
                        return
                    if platform.fail_scores:
                        platform.fail_scores -= 1
                        self._send(503, {"error": "busy"})
                        return
                    platform.received.scores.append({"path": self.path, "headers": dict(self.headers),
                                                     "body": json.loads(body)})
                    self._send(200, {})
                else:
                    self._send(404, {"error": "not found"})

            def _token(self, form: dict[str, list[str]]) -> None:
                """RFC 7523 client credentials: the tool's JWT checked against the tool's JWK Set."""
                fields = {name: values[0] for name, values in form.items()}
                platform.received.token_requests.append(fields)
                try:
                    kid = jwt.get_unverified_header(fields["client_assertion"])["kid"]
                    key = next(k for k in jwt.PyJWKSet.from_dict(platform.tool_jwks).keys if k.key_id == kid)
                    claims = jwt.decode(fields["client_assertion"], key, algorithms=["RS256"],
                                        audience=f"{platform.base}/token")
                    assert claims["iss"] == claims["sub"] == CLIENT_ID and claims["jti"]
                    assert fields["grant_type"] == "client_credentials"
                    assert fields["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                except (KeyError, StopIteration, AssertionError, jwt.InvalidTokenError) as error:
                    self._send(400, {"error": "invalid_client", "error_description": repr(error)})
                    return
                token = uuid.uuid4().hex
                for scope in fields.get("scope", "").split():
                    platform.tokens.add(f"{token}|{scope}")
                self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                 "scope": fields.get("scope", "")})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def login(client, platform, target: str = f"{TOOL}/lti/launch") -> dict[str, str]:
    """The OIDC login initiation (`client`: a TestClient of the tool); the tool's authorization request to the
    platform, as a dict."""
    response = client.get("/lti/login", params={"iss": platform.issuer, "login_hint": "user-1",
                                                "target_link_uri": target, "client_id": CLIENT_ID,
                                                "lti_message_hint": "hint-7"}, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{platform.base}/auth"
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def launch(client, platform, roles=(LEARNER,), sub="user-1", token=None, endpoint="/lti/launch", **claims):
    """A whole launch: login, the platform's signed id_token, the form post to the tool."""
    auth = login(client, platform)
    id_token = token(auth) if token else platform.sign(platform.claims(auth, list(roles), sub, **claims))
    return client.post(endpoint, data={"id_token": id_token, "state": auth["state"]}, follow_redirects=False,
                       headers={"origin": platform.base})
