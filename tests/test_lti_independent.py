"""One launch and one score through an independent LTI 1.3 platform implementation, `lti1p3platform` (PyPI,
a test extra): its OIDC login initiation, its signed id_token with the AGS claim, its token endpoint (which
checks the tool's client-credentials JWT against the tool's JWK Set) and its score service."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient
from webquiz import bank_text, make_quiz

from web.app import create_app
from web.lti.keys import rotate
from web.lti.scores import post_scores
from web.settings import load_settings
from web.tokens import csrf_token, staff_token, student_token

lti1p3platform = pytest.importorskip("lti1p3platform", reason="the test extra lti1p3platform is not installed "
                                                               "(pip install -e '.[test]')")
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract  # noqa: E402
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract  # noqa: E402
from lti1p3platform.oidc_login import OIDCLoginAbstract  # noqa: E402
from lti1p3platform.registration import Registration  # noqa: E402
from lti1p3platform.request import Request  # noqa: E402
from lti1p3platform.service_connector import AssignmentsGradesService  # noqa: E402

TOOL = "https://testserver"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **settings) -> None:
        from jwcrypto.jwk import JWK

        key = JWK.generate(kty="RSA", size=2048)
        self._registration = (Registration().set_iss(settings["issuer"]).set_client_id("lib-client")
                              .set_deployment_id("lib-deployment").set_launch_url(f"{TOOL}/lti/launch")
                              .set_oidc_login_url(f"{TOOL}/lti/login")
                              .set_platform_public_key(key.export_to_pem().decode())
                              .set_platform_private_key(key.export_to_pem(private_key=True, password=None).decode()))

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, preflight: dict, conf: Conf) -> None:
        super().__init__(None, conf)
        self._preflight = preflight

    def get_preflight_response(self) -> dict:
        return self._preflight

    def render_launch_form(self, launch_data: dict, **kwargs) -> dict:
        return launch_data


class PlainRequest(Request):
    def build_metadata(self, request: dict) -> dict:
        return request


class Grades(AssignmentsGradesService):
    received: list = []

    def update_score(self, line_item_id, score):
        from lti1p3platform.score import UpdateScoreStatus

        Grades.received.append((line_item_id, score))
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *args, **kwargs):
        raise NotImplementedError

    find_lineitem = create_lineitem = update_lineitem = delete_lineitem = get_results = find_lineitems


class Server:
    """The library's platform served on 127.0.0.1: its JWK Set, token endpoint and score service."""

    def __init__(self) -> None:
        self.conf: Conf | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, data) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._send(200, server.conf.get_jwks())

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                path = urlsplit(self.path).path
                if path == "/token":
                    self._send(200, server.conf.get_access_token({k: v[0] for k, v in parse_qs(body).items()}))
                    return
                request = PlainRequest({"method": "POST", "form_data": {}, "get_data": {}, "headers": self.headers,
                                        "content_type": self.headers.get("content-type"), "path": path,
                                        "json": json.loads(body)})
                grades = Grades(request, server.conf, f"{server.base}/lineitems", f"{server.base}/lineitems/1")
                answer = grades.handle_resp(grades.handle_update_score, line_item_id="1")
                self._send(answer.code, {"message": answer.message})

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


@pytest.fixture
def library_platform():
    server = Server()
    server.conf = Conf(issuer=server.base)
    Grades.received = []
    yield server
    server.http.shutdown()
    server.http.server_close()


def test_a_launch_and_a_score_through_lti1p3platform(tmp_path, library_platform):
    server = library_platform
    built = make_quiz(tmp_path / "course")
    bank = tmp_path / "bank.yaml"
    bank.write_text(bank_text() + f"""lti:
  - issuer: {server.base}
    client_id: lib-client
    deployment_ids: [lib-deployment]
    auth_login_url: {server.base}/auth
    auth_token_url: {server.base}/token
    key_set_url: {server.base}/jwks
""", encoding="utf-8")
    rotate(tmp_path / "lti-keys.json")
    settings = load_settings("wq", str(bank), str(built.key_path.parent.parent), f"sqlite:///{tmp_path / 'a.sqlite'}")
    app = create_app(settings)
    with TestClient(app, base_url=TOOL) as client:
        server.conf.get_registration().set_tool_key_set(client.get("/lti/jwks").json())
        login = Login(None, server.conf)
        login.set_lti_message_hint(hint="resource-1")
        tool_login = urlsplit(login.initiate_login("user-42"))
        to_platform = client.get(f"{tool_login.path}?{tool_login.query}", follow_redirects=False)
        assert to_platform.status_code == 302
        preflight = {k: v[0] for k, v in parse_qs(urlsplit(to_platform.headers["location"]).query).items()}
        launch = Launch(preflight, server.conf)
        launch.set_user_data("user-42", [LEARNER], "Ada Lovelace", "ada@example.org")
        launch.set_resource_link_claim("resource-1")
        launch.set_extra_claims({"https://purl.imsglobal.org/spec/lti/claim/lis": {"person_sourcedid": "s1"}})
        launch.set_ags(f"{server.base}/lineitems", f"{server.base}/lineitems/1")
        form = launch.lti_launch()
        assert form["launch_url"] == f"{TOOL}/lti/launch"
        landed = client.post("/lti/launch", data={"id_token": form["id_token"], "state": form["state"]},
                             follow_redirects=False)
        assert landed.status_code == 303, landed.text
        assert landed.headers["location"] == f"/q/{student_token(settings.salt, 'wq', 's1')}"
        assert post_scores(app.app.state.lti, app.app.state.web.course.quiz("wq")).waiting == ["s1"]
        assert not Grades.received  # nothing before the release
        staff = staff_token(settings.salt)
        released = client.post(f"/staff/{staff}/wq/release", data={"csrf": csrf_token(settings.salt, staff)},
                               follow_redirects=False)
        assert released.status_code == 303
        deadline = time.monotonic() + 20
        while not Grades.received and time.monotonic() < deadline:  # sent by the tool's sender thread
            time.sleep(0.05)
    [(line_item, score)] = Grades.received
    assert line_item == "1" and score["userId"] == "user-42" and score["gradingProgress"] == "FullyGraded"
    assert score["scoreGiven"] == 0 and score["scoreMaximum"] > 0  # nothing answered yet
