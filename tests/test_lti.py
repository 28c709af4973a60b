"""LTI 1.3 Advantage against the test platform of tests/lti_platform.py: launches as learner (by SIS id, by
email, off the roster) and instructor, deep linking, scores to the line item (AGS), members (NRPS), the tool's
keys and configuration, and every launch that must be refused, each with its reason."""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from lti_platform import (
    CLIENT_ID,
    DEPLOYMENT,
    INSTRUCTOR,
    LEARNER,
    LTI,
    SCORE_SCOPE,
    TOOL,
    Platform,
    launch,
    login,
    rsa_key,
)
from starlette.testclient import TestClient
from webquiz import ROSTER, bank_text

from exercises.build import BuildOptions, build
from grader.keyfile import read_key
from web.app import create_app
from web.lti.keys import rotate
from web.lti.scores import post_scores
from web.settings import load_settings
from web.tokens import course_token, csrf_token, staff_token, student_token

LIS = LTI + "lis"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The web tests' quiz, built with a base URL (links.csv has the roster's emails)."""
    folder = tmp_path_factory.mktemp("lti")
    (folder / "bank.yaml").write_text(bank_text(), encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    build("wq", BuildOptions(bank_path=str(folder / "bank.yaml"), roster_path=str(folder / "roster.csv"),
                             out=str(folder / "out"), formats="md", base_url=TOOL))
    return folder


@pytest.fixture
def platform():
    started = Platform().start()
    yield started
    started.stop()


@pytest.fixture
def settings(course, platform, tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_text(bank_text() + platform.bank_entry(), encoding="utf-8")
    rotate(tmp_path / "lti-keys.json")
    return load_settings("wq", str(bank), str(course / "out"), f"sqlite:///{tmp_path / 'answers.sqlite'}")


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app, platform):
    with TestClient(app, base_url=TOOL) as test_client:
        platform.tool_jwks = test_client.get("/lti/jwks").json()
        yield test_client


# -- login ------------------------------------------------------------------------------------------------
def test_the_login_sends_the_browser_to_the_platform_with_state_nonce_and_a_state_cookie(client, platform):
    response = client.get("/lti/login", params={"iss": platform.issuer, "login_hint": "u", "client_id": CLIENT_ID,
                                                "target_link_uri": f"{TOOL}/lti/launch", "lti_message_hint": "m"},
                          follow_redirects=False)
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert {k: v[0] for k, v in query.items() if k not in ("state", "nonce")} == {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": CLIENT_ID, "redirect_uri": f"{TOOL}/lti/launch", "login_hint": "u", "lti_message_hint": "m"}
    assert len(query["state"][0]) >= 40 and len(query["nonce"][0]) >= 40 and query["state"] != query["nonce"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"cnnquiz_lti_state={query['state'][0]};")
    assert all(flag in cookie for flag in ("SameSite=None", "Secure", "HttpOnly", "Path=/lti/"))
    posted = client.post("/lti/login", data={"iss": platform.issuer, "login_hint": "u"}, follow_redirects=False)
    assert posted.status_code == 302  # GET or POST, as the platform likes


def test_a_login_from_an_unknown_platform_is_refused_with_its_reason(client, caplog):
    with caplog.at_level(logging.WARNING, logger="cnnquiz.lti"):
        response = client.get("/lti/login", params={"iss": "https://evil.example", "login_hint": "x"})
    assert response.status_code == 400 and "unknown issuer" in response.text and "Traceback" not in response.text
    assert "unknown issuer" in caplog.text


# -- launches ----------------------------------------------------------------------------------------------
def test_a_learner_lands_on_their_own_variant_signed_in_by_a_framable_session(client, platform, settings):
    response = launch(client, platform, **{LIS: {"person_sourcedid": "s1"}})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/q/{student_token(settings.salt, 'wq', 's1')}"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("cnnquiz_lti="))
    assert all(flag in cookie for flag in ("SameSite=None", "Secure", "HttpOnly", "Path=/"))
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Ada Lovelace" in page.text
    assert read_key(settings.key_path).student("s1").variant in page.text
    assert f"frame-ancestors {platform.base}" in page.headers["content-security-policy"]  # inside the LMS
    assert "x-frame-options" not in page.headers
    client.cookies.clear()
    alone = client.get(response.headers["location"])  # the same page without the session: no frame at all
    assert alone.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in \
        alone.headers["content-security-policy"]


def test_a_forged_or_expired_session_cookie_allows_no_frame(client, platform, settings):
    launch(client, platform, **{LIS: {"person_sourcedid": "s1"}})
    assert "x-frame-options" not in client.get("/practice").headers  # the genuine session may be framed
    value = client.cookies.get("cnnquiz_lti")
    payload, _, tag = value.partition(".")
    client.cookies.clear()
    page = client.get("/practice", headers={"cookie": f"cnnquiz_lti={payload}.{tag[::-1]}"})
    assert page.headers.get("x-frame-options") == "DENY" and "frame-ancestors 'none'" in \
        page.headers["content-security-policy"]
    from web.lti import session

    old = session.encode(settings.salt, session.Session(1, "wq", "s1", False, (platform.base,), int(time.time()) - 1))
    expired = client.get("/practice", headers={"cookie": f"cnnquiz_lti={old}"})
    assert expired.headers.get("x-frame-options") == "DENY"


def test_a_learner_without_sis_id_is_found_by_email(client, platform, settings):
    response = launch(client, platform, email="E@example.org")  # s3's address in links.csv, any case
    assert response.headers["location"] == f"/q/{student_token(settings.salt, 'wq', 's3')}"


def test_a_learner_the_roster_lacks_gets_a_recorded_variant_that_grade_db_grades(client, platform, settings,
                                                                                   tmp_path):
    from exercises.bank import load_bank
    from exercises.roster import Student
    from exercises.variant import make_variant

    response = launch(client, platform, sub="9f3c", name="Grace Hopper", email="grace@example.org")
    assert response.headers["location"] == f"/q/{student_token(settings.salt, 'wq', 'lti-9f3c')}"
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Grace Hopper" in page.text
    bank = load_bank(settings.bank)
    variant = make_variant(bank, bank.quiz("wq"), Student("lti-9f3c", "Grace Hopper"))
    state = client.get(f"/api/q/{student_token(settings.salt, 'wq', 'lti-9f3c')}").json()
    assert state["student_id"] == "lti-9f3c" and variant.code in page.text  # derived like everybody's
    column = state["parts"][0]["column"]
    saved = client.put(f"/api/q/{student_token(settings.salt, 'wq', 'lti-9f3c')}/{column}", json={"text": "(5, 4)"})
    assert saved.status_code == 200
    again = launch(client, platform, sub="9f3c", name="Grace Hopper", email="grace@example.org")  # found again
    assert again.headers["location"] == response.headers["location"]
    from exercises.cli import main

    assert main(["grade", "wq", "--db", settings.db_url, "--key", str(settings.key_path),
                 "--out", str(tmp_path)]) in (0, 1)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "wq" / "grades" / "grades.csv").read_text("utf-8"))))
    graded = next(row for row in rows if row["student_id"] == "lti-9f3c")
    assert graded["name"] == "Grace Hopper" and "unknown" not in graded["status"]


def test_an_instructor_lands_on_the_staff_page_of_the_quiz(client, platform, settings):
    response = launch(client, platform, roles=(INSTRUCTOR,), sub="teacher")
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/{staff_token(settings.salt)}/wq"  # the course's staff page, wq
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Send the released scores to the LMS" in page.text
    assert f"frame-ancestors {platform.base}" in page.headers["content-security-policy"]


def test_a_teaching_assistant_is_staff_too(client, platform, settings):
    ta = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    response = launch(client, platform, roles=(ta,), sub="ta")
    assert response.headers["location"] == f"/staff/{staff_token(settings.salt)}/wq"


def test_only_the_course_roles_count_not_the_institutions(client, platform, settings):
    teaches_elsewhere = ("http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
                         "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator", LEARNER)
    response = launch(client, platform, roles=teaches_elsewhere, **{LIS: {"person_sourcedid": "s1"}})
    assert response.headers["location"] == f"/q/{student_token(settings.salt, 'wq', 's1')}"
    only_institution = launch(client, platform, roles=teaches_elsewhere[:2])
    assert only_institution.status_code == 400 and "neither a learner" in only_institution.text


def test_a_resource_link_for_another_quiz_is_refused_by_this_server(client, platform):
    response = launch(client, platform, **{LTI + "custom": {"quiz": "week-09"}})
    assert response.status_code == 400 and "quiz &#39;week-09&#39;, which is not served here (served: wq)" in \
        response.text


# -- refused launches, each with its reason ------------------------------------------------------------------
def _claims(platform, auth, **changes):
    claims = platform.claims(auth, [LEARNER])
    claims.update(changes)
    return claims


REFUSALS = {
    "wrong signature": lambda p: lambda auth: p.sign(_claims(p, auth), key=rsa_key()),
    "unknown kid": lambda p: lambda auth: p.sign(_claims(p, auth), kid="never-published", key=rsa_key()),
    "expired": lambda p: lambda auth: p.sign(_claims(p, auth, exp=int(time.time()) - 3600,
                                                     iat=int(time.time()) - 4000)),
    "wrong audience": lambda p: lambda auth: p.sign(_claims(p, auth, aud="someone-else")),
    "unknown deployment_id": lambda p: lambda auth: p.sign(_claims(p, auth, **{LTI + "deployment_id": "other"})),
    "alg 'none'": lambda p: lambda auth: jwt.encode(_claims(p, auth), None, algorithm="none",
                                                     headers={"kid": "platform-key-1"}),
    "alg 'HS256'": lambda p: lambda auth: jwt.encode(_claims(p, auth), "a-shared-secret-of-32-bytes-at-least!",
                                                      algorithm="HS256", headers={"kid": "platform-key-1"}),
    "nonce is not the one": lambda p: lambda auth: p.sign(_claims(p, auth, nonce="made-up")),
    "LTI version": lambda p: lambda auth: p.sign(_claims(p, auth, **{LTI + "version": "1.1"})),
    "message_type": lambda p: lambda auth: p.sign(_claims(p, auth, **{LTI + "message_type": "LtiSubmissionReview"})),
    "azp": lambda p: lambda auth: p.sign(_claims(p, auth, aud=[CLIENT_ID, "other"], azp="other")),
}


@pytest.mark.parametrize("reason", list(REFUSALS))
def test_a_bad_id_token_is_refused_with_its_reason_and_logged(client, platform, reason, caplog):
    with caplog.at_level(logging.WARNING, logger="cnnquiz.lti"):
        response = launch(client, platform, token=REFUSALS[reason](platform))
    assert response.status_code == 400 and "The launch from the LMS was refused" in response.text
    assert f"frame-ancestors {platform.base}" in response.headers["content-security-policy"]  # shown in the LMS
    assert "x-frame-options" not in response.headers
    shown = response.text.replace("&#39;", "'")
    assert reason in shown and reason in caplog.text
    assert "cnnquiz_lti=" not in response.headers.get("set-cookie", "")  # no session


def test_a_replayed_id_token_is_refused(client, platform):
    auth = login(client, platform)
    token = platform.sign(platform.claims(auth, [LEARNER], **{LIS: {"person_sourcedid": "s1"}}))
    first = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}, follow_redirects=False)
    assert first.status_code == 303
    replay = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}, follow_redirects=False)
    assert replay.status_code == 400 and "replayed nonce" in replay.text


def test_a_launch_without_this_browsers_state_is_refused(client, platform):
    auth = login(client, platform)
    token = platform.sign(platform.claims(auth, [LEARNER]))
    client.cookies.clear()  # another browser, or cookies blocked in the frame
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}, follow_redirects=False)
    assert response.status_code == 400 and "state does not match" in response.text


def test_the_platforms_key_set_is_fetched_again_for_a_new_kid(client, platform, app):
    assert launch(client, platform, **{LIS: {"person_sourcedid": "s1"}}).status_code == 303
    fetched = platform.jwks_fetches
    assert launch(client, platform, **{LIS: {"person_sourcedid": "s1"}}).status_code == 303
    assert platform.jwks_fetches == fetched  # cached
    platform.rotate("platform-key-2")

    def new_key(auth):
        claims = platform.claims(auth, [LEARNER], **{LIS: {"person_sourcedid": "s1"}})
        return platform.sign(claims, kid="platform-key-2")

    refused = launch(client, platform, token=new_key)  # fetched seconds ago: unknown kids cannot make us hammer it
    assert refused.status_code == 400 and "unknown kid" in refused.text and platform.jwks_fetches == fetched
    _lti_state(app).platform_keys.refetch_after = 0  # as if the few seconds had passed
    response = launch(client, platform, token=new_key)
    assert response.status_code == 303 and platform.jwks_fetches == fetched + 1


# -- deep linking --------------------------------------------------------------------------------------------
def test_deep_linking_offers_the_built_quizzes_and_answers_with_a_signed_resource_link(client, platform, settings):
    dl = {LTI + "message_type": "LtiDeepLinkingRequest", LTI + "resource_link": None,
          DL_SETTINGS: {"deep_link_return_url": f"{platform.base}/courses/7/deep_links",
                        "accept_types": ["ltiResourceLink"], "data": "opaque-42"}}
    picker = launch(client, platform, roles=(INSTRUCTOR,), endpoint="/lti/deep-link", **dl)
    assert picker.status_code == 200 and "Web quiz (wq, " in picker.text
    assert f"frame-ancestors {platform.base}" in picker.headers["content-security-policy"]
    assert "x-frame-options" not in picker.headers
    fields = dict(_hidden(picker.text))
    answer = client.post("/lti/deep-link", data={**fields, "quiz": "wq"})
    assert answer.status_code == 200
    assert f'action="{platform.base}/courses/7/deep_links"' in answer.text
    assert f"form-action 'self' {platform.base}" in answer.headers["content-security-policy"]
    token = dict(_hidden(answer.text))["JWT"]
    key = jwt.PyJWKSet.from_dict(client.get("/lti/jwks").json())[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=platform.issuer)
    assert claims["iss"] == CLIENT_ID and claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == DEPLOYMENT and claims[LTI + "version"] == "1.3.0"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-42"
    points = sum(p.points for p in read_key(settings.key_path).students[0].parts)
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] == [{
        "type": "ltiResourceLink", "title": "Web quiz", "url": f"{TOOL}/lti/launch", "custom": {"quiz": "wq"},
        "lineItem": {"scoreMaximum": points, "label": "Web quiz", "resourceId": "wq"}}]
    forged = client.post("/lti/deep-link", data={**fields, "tag": "x" * 24, "quiz": "wq"})
    assert forged.status_code == 403


def test_a_learner_cannot_deep_link(client, platform):
    dl = {LTI + "message_type": "LtiDeepLinkingRequest",
          DL_SETTINGS: {"deep_link_return_url": f"{platform.base}/dl"}}
    response = launch(client, platform, endpoint="/lti/deep-link", **dl)
    assert response.status_code == 400 and "only instructors" in response.text


def _hidden(html: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)


# -- scores (AGS) ---------------------------------------------------------------------------------------------
def _answer_correctly(client, settings, student_id: str, parts: int) -> None:
    """Type the key's answer into the first `parts` parts of a student."""
    student = read_key(settings.key_path).student(student_id)
    for part in student.parts[:parts]:
        value = part.answer.to_json()["answer"]
        text = "; ".join(" ".join(map(str, row)) for row in value) if value and isinstance(value[0], list) \
            else "(" + ", ".join(map(str, value)) + ")" if part.answer.kind == "tuple" \
            else " ".join(map(str, value)) if isinstance(value, list) else str(value)
        token = student_token(settings.salt, "wq", student_id)
        assert client.put(f"/api/q/{token}/{part.column}", json={"text": text}).json()["valid"], text


def _release(client, settings) -> None:
    """Press the staff page's release button of wq (no due time: its results wait for the button)."""
    token = staff_token(settings.salt)
    pressed = client.post(f"/staff/{token}/wq/release", data={"csrf": csrf_token(settings.salt, token)},
                          follow_redirects=False)
    assert pressed.status_code == 303


def test_a_released_score_reaches_the_line_item_with_the_graders_values(client, platform, settings, app, tmp_path):
    assert launch(client, platform, sub="ada", **{LIS: {"person_sourcedid": "s1"}}).status_code == 303
    _answer_correctly(client, settings, "s1", 2)
    token = student_token(settings.salt, "wq", "s1")
    assert client.post(f"/api/q/{token}/submit", json={}).status_code == 200
    before = post_scores(_lti_state(app), _quiz(app))
    assert before.waiting == ["s1"] and not before.sent and not platform.received.scores  # nothing before release
    _release(client, settings)
    [score] = platform.wait_scores(1)  # the release hook sends it, from the sender thread
    [request] = platform.received.token_requests
    assert request["scope"].split() == [SCORE_SCOPE]
    assert score["path"] == "/courses/7/lineitems/1/lineitem/scores?type=cnnquiz"
    assert score["headers"]["content-type"] == "application/vnd.ims.lis.v1.score+json"
    from exercises.cli import main

    main(["grade", "wq", "--db", settings.db_url, "--key", str(settings.key_path), "--out", str(tmp_path)])
    rows = csv.DictReader(io.StringIO((tmp_path / "wq" / "grades" / "grades.csv").read_text("utf-8")))
    graded = next(row for row in rows if row["student_id"] == "s1")
    body = score["body"]
    assert body["userId"] == "ada" and body["scoreGiven"] == pytest.approx(float(graded["total"]))
    assert body["scoreGiven"] > 0 and body["scoreMaximum"] == float(graded["maximum"])
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    assert body["timestamp"].endswith("+00:00") and "T" in body["timestamp"]
    again = post_scores(_lti_state(app), _quiz(app))
    assert again.unchanged == ["s1"] and len(platform.received.scores) == 1  # a repost of the same score is skipped


def _lti_state(app):
    return app.app.state.lti


def _quiz(app, quiz: str = "wq"):
    return app.app.state.web.course.quiz(quiz)


def _pending(app, student_id: str = "s1", seconds: float = 20.0):
    """The student's latest post once one is recorded (the sender thread tries RETRIES times first)."""
    deadline = time.monotonic() + seconds
    while student_id not in _lti_state(app).records.latest_posts("wq") and time.monotonic() < deadline:
        time.sleep(0.05)
    return _lti_state(app).records.latest_posts("wq")[student_id]


def test_a_failed_post_is_retried_shown_on_the_staff_page_and_sent_by_the_button(client, platform, settings, app):
    assert launch(client, platform, sub="ada", **{LIS: {"person_sourcedid": "s1"}}).status_code == 303
    platform.fail_scores = 3
    _release(client, settings)
    failed = _pending(app)
    assert not failed.ok and "503" in failed.detail and not platform.received.scores
    staff = f"/staff/{staff_token(settings.salt)}/wq"
    page = client.get(staff).text
    assert "1 post is not through yet" in page and "pending" in page and "score 0 of " in page
    refused = client.post(f"{staff}/lti/scores", data={"csrf": "forged"})
    assert refused.status_code == 403
    form = {"csrf": csrf_token(settings.salt, staff_token(settings.salt))}
    sent = client.post(f"{staff}/lti/scores", data=form, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"{staff}#lti"
    assert len(platform.received.scores) == 1
    assert "not through yet" not in client.get(staff).text


def test_pending_scores_are_sent_again_in_the_background(client, platform, settings, app):
    import threading

    from web.lti.scores import send_scores

    assert launch(client, platform, sub="ada", **{LIS: {"person_sourcedid": "s1"}}).status_code == 303
    platform.fail_scores = 3
    _release(client, settings)
    assert not _pending(app).ok
    stop = threading.Event()
    worker = threading.Thread(target=send_scores, args=(_lti_state(app), stop, 0.05))  # a sweep every 0.05 s
    worker.start()
    platform.wait_scores(1)
    stop.set()
    worker.join()
    assert len(platform.received.scores) == 1 and _lti_state(app).records.latest_posts("wq")["s1"].ok


def test_a_score_post_that_fails_once_succeeds_on_the_retry(client, platform, settings, app):
    assert launch(client, platform, sub="ada", **{LIS: {"person_sourcedid": "s1"}}).status_code == 303
    platform.fail_scores = 1
    _release(client, settings)
    assert len(platform.wait_scores(1)) == 1 and platform.fail_scores == 0 and _pending(app).ok


# -- members (NRPS) --------------------------------------------------------------------------------------------
def test_the_members_button_gives_links_for_the_students_the_roster_lacks(client, platform, settings):
    platform.members = [
        {"user_id": "u-ada", "roles": [LEARNER], "name": "Ada Lovelace", "lis_person_sourcedid": "s1",
         "status": "Active"},
        {"user_id": "u-new", "roles": [LEARNER], "name": "Alan Turing", "email": "alan@example.org",
         "status": "Active"},
        {"user_id": "u-teacher", "roles": [INSTRUCTOR], "name": "Prof"},
        {"user_id": "u-gone", "roles": [LEARNER], "name": "Left", "status": "Inactive"},
        {"user_id": "u-sis", "roles": ["Learner"], "name": "Kurt Gödel", "lis_person_sourcedid": "k77"},
    ]
    assert launch(client, platform, roles=(INSTRUCTOR,), sub="teacher").status_code == 303
    staff = staff_token(settings.salt)
    response = client.post(f"/staff/{staff}/wq/lti/members", data={"csrf": csrf_token(settings.salt, staff)})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["student_id"], r["name"], r["email"]) for r in rows] == [
        ("lti-u-new", "Alan Turing", "alan@example.org"), ("k77", "Kurt Gödel", "")]
    assert rows[0]["url"] == f"{TOOL}/q/{student_token(settings.salt, 'wq', 'lti-u-new')}"
    assert rows[0]["course_url"] == f"{TOOL}/c/{course_token(settings.salt, 'lti-u-new')}"
    assert client.get(urlsplit(rows[1]["url"]).path).status_code == 200  # recorded: the link works
    assert platform.received.member_reads == ["application/vnd.ims.lti-nrps.v2.membershipcontainer+json"] * 2


# -- the tool's keys and configuration ------------------------------------------------------------------------
def test_the_jwks_publishes_old_and_new_keys_while_rotating(client, settings, platform):
    first = client.get("/lti/jwks").json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256" and "d" not in first[0]
    keys = rotate(settings.lti_key_path)
    both = client.get("/lti/jwks").json()["keys"]
    assert [k["kid"] for k in both] == [keys.signing.kid, first[0]["kid"]]
    rotate(settings.lti_key_path, retire_old=True)
    assert [k["kid"] for k in client.get("/lti/jwks").json()["keys"]] == [keys.signing.kid]
    assert oct(settings.lti_key_path.stat().st_mode & 0o777) == "0o600"


def test_lti_config_prints_the_fixed_urls_and_canvas_json(capsys):
    from exercises.cli import main

    assert main(["lti", "config", "--base-url", "https://quiz.example.edu/", "--json"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["login_initiation_url"] == "https://quiz.example.edu/lti/login"
    assert config["launch_url"] == "https://quiz.example.edu/lti/launch"
    assert config["jwks_url"] == "https://quiz.example.edu/lti/jwks"
    assert config["deep_linking_url"] == "https://quiz.example.edu/lti/deep-link"
    canvas = config["canvas_developer_key"]
    assert canvas["oidc_initiation_url"] == config["login_initiation_url"]
    assert canvas["public_jwk_url"] == config["jwks_url"] and canvas["target_link_uri"] == config["launch_url"]
    assert canvas["extensions"][0]["domain"] == "quiz.example.edu"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in canvas["scopes"]
    assert main(["lti", "config", "--base-url", "javascript:alert(1)"]) == 2


def test_the_config_endpoint_answers_the_same(client):
    config = client.get("/lti/config").json()
    assert config["jwks_url"] == f"{TOOL}/lti/jwks"


def test_keygen_writes_beside_the_bank_and_rotates(tmp_path, capsys, monkeypatch):
    from exercises.cli import main

    (tmp_path / "question_bank.yaml").write_text(bank_text(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["lti", "keygen"]) == 0 and main(["lti", "keygen"]) == 0
    data = json.loads((tmp_path / "lti-keys.json").read_text())
    assert len(data["keys"]) == 2 and "retire-old" in capsys.readouterr().out
    assert main(["lti", "keygen", "--retire-old"]) == 0
    assert len(json.loads((tmp_path / "lti-keys.json").read_text())["keys"]) == 1
    monkeypatch.chdir(Path(tmp_path).parent)
    assert main(["lti", "keygen"]) == 2  # no bank here


def test_without_a_key_the_jwks_says_what_to_run(client, settings):
    settings.lti_key_path.unlink()
    response = client.get("/lti/jwks")
    assert response.status_code == 503 and "cnnquiz lti keygen" in response.text


# -- the bank's lti: list ------------------------------------------------------------------------------------
PLATFORM = """lti:
  - issuer: https://lms.example.edu
    client_id: abc
    deployment_ids: 3
    auth_login_url: https://lms.example.edu/auth
    auth_token_url: https://lms.example.edu/token
    key_set_url: https://lms.example.edu/jwks
"""


def test_the_bank_lists_the_platforms(tmp_path):
    from exercises.bank import load_bank

    (tmp_path / "bank.yaml").write_text(bank_text() + PLATFORM, encoding="utf-8")
    [platform] = load_bank(tmp_path / "bank.yaml").lti
    assert platform.issuer == "https://lms.example.edu" and platform.deployment_ids == ("3",)
    assert platform.key_set_url == "https://lms.example.edu/jwks" and platform.auth_audience == ""


@pytest.mark.parametrize("change, line, message", [
    (("client_id: abc", "client_idd: abc"), 3, "unknown key 'client_idd' (did you mean 'client_id'?)"),
    (("    key_set_url: https://lms.example.edu/jwks\n", ""), 2, "needs key_set_url"),
    (("https://lms.example.edu/token", "ftp://lms/token"), 6, "auth_token_url 'ftp://lms/token' must be an https://"),
    (("deployment_ids: 3", "deployment_ids: {a: 1}"), 4, "deployment_ids must be a list"),
])
def test_a_bad_platform_is_refused_at_its_line(tmp_path, change, line, message):
    from exercises.bank import BankError, load_bank

    (tmp_path / "bank.yaml").write_text(bank_text() + PLATFORM.replace(*change), encoding="utf-8")
    with pytest.raises(BankError) as error:
        load_bank(tmp_path / "bank.yaml")
    where = f"bank.yaml:{bank_text().count(chr(10)) + line}:"
    assert message in str(error.value) and where in str(error.value), str(error.value)


def test_serve_says_it_takes_launches_and_answers_on_the_fixed_urls(settings):
    import httpx
    from webquiz import free_port, serve, stop

    settings.lti_key_path.unlink()
    port = free_port()
    server = serve(settings, port)
    try:
        log = (settings.key_path.parent.parent / f"serve-{port}.log").read_text(encoding="utf-8")
        assert "LTI 1.3: launches from 1 LMS platform(s)" in log and "run `cnnquiz lti keygen`" in log
        assert httpx.get(f"http://127.0.0.1:{port}/lti/jwks").status_code == 503
        rotate(settings.lti_key_path)  # a running server takes the new key without a restart
        assert httpx.get(f"http://127.0.0.1:{port}/lti/jwks").json()["keys"][0]["kty"] == "RSA"
        assert httpx.get(f"http://127.0.0.1:{port}/lti/config").json()["launch_url"].endswith("/lti/launch")
    finally:
        stop(server)
