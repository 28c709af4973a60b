"""A real browser on a real server: Chromium (Debian's chromium + chromium-driver, driven by Selenium) opens a
personal link served by `cnnquiz serve`, types a matrix, sees what the grader read, reloads and finds it
saved, submits; then `cnnquiz grade --db` gives the student the expected score. The server is killed while
Chromium types and restarted (the answer is saved without a click), a tab is closed during an outage (its
answer is saved when the link is opened again); times, the console and a phone's buttons are checked. On a
course served whole (issue 24), a student opens their course link, answers two quizzes, the staff releases them
with the staff page's button, and the student sees the scores and the feedback that `cnnquiz grade --db` gives.

The screenshots go to tmp; set CNNQUIZ_SCREENSHOT=docs/answer-page.png (and CNNQUIZ_RESULT_SCREENSHOT=
docs/result-page.png) to refresh the README's pictures."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from webquiz import ROOT, SALT, free_port, key_of, make_course, make_quiz, mixed_answers, serve, staff_path, stop

from grader.keyfile import read_key
from web.tokens import course_token, staff_token, student_token


def waiting(browser):  # noqa: ANN001, ANN201 (selenium's types are imported lazily)
    """A 30-second wait that looks again when the element read was replaced (the page re-rendered or navigated
    between finding an element and reading it)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 30, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


ZONE = "Asia/Kolkata"  # the browser's time zone (UTC+5:30, no daylight saving): not the server's UTC


class Server:
    """`cnnquiz serve wq` in its own process on a free loopback port, which a test may kill and start again."""

    def __init__(self, settings) -> None:
        self.settings, self.port = settings, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = serve(settings, self.port)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def restart(self) -> None:
        self.process = serve(self.settings, self.port)


@pytest.fixture
def served(tmp_path):
    server = Server(make_quiz(tmp_path, due="2999-01-01T00:30:00+01:00"))
    yield server
    stop(server.process)
    assert "staff page (keep it private): " in (tmp_path / "out" / f"serve-{server.port}.log").read_text()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1100,1500", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for errors
    driver = webdriver.Chrome(service=Service(DRIVER, env={**os.environ, "TZ": ZONE}), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def box_id(column: str) -> str:
    return column.replace(".", chr(92) + ".")  # a CSS selector's escaped dot


def test_a_student_answers_in_a_real_browser_and_is_graded_from_the_database(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    settings, base = served.settings, served.base
    student = key_of(settings).student("s1")
    matrix = next(p for p in student.parts if p.answer.kind == "matrix")
    shape = next(p for p in student.parts if p.answer.kind == "tuple")
    rows = matrix.answer.value
    wait = waiting(browser)

    browser.get(f"{base}/q/{student_token(SALT, 'wq', 's1')}")
    assert "Ada Lovelace" in browser.find_element(By.CSS_SELECTOR, "p.who").text
    box = browser.find_element(By.ID, f"answer-{matrix.column}")
    box.click()
    for index, row in enumerate(rows):  # row by row, one line each, as students type it
        box.send_keys(" ".join(str(v) for v in row) + (Keys.ENTER if index < len(rows) - 1 else ""))
    message = browser.find_element(By.CSS_SELECTOR, f"#read-{matrix.column.replace('.', chr(92) + '.')} .message")
    wait.until(lambda _: message.text.startswith(f"Read as a {len(rows)}×{len(rows[0])} matrix"))
    preview = browser.find_element(By.CSS_SELECTOR, f"#read-{matrix.column.replace('.', chr(92) + '.')} .preview")
    assert len(preview.find_elements(By.TAG_NAME, "mtr")) == len(rows)  # rendered as a matrix (MathML)
    status = browser.find_element(By.ID, f"status-{matrix.column}")
    wait.until(lambda _: status.text.startswith("saved "))
    shape_box = browser.find_element(By.ID, f"answer-{shape.column}")
    shape_box.send_keys("(4, 6)")  # the swapped shape: 0 points
    shape_box.send_keys(Keys.TAB)
    wait.until(lambda _: browser.find_element(By.ID, f"status-{shape.column}").text.startswith("saved "))
    browser.execute_script("window.scrollTo(0, 0)")
    shot = tmp_path / "answer-page.png"
    assert browser.save_screenshot(str(shot)) and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("CNNQUIZ_SCREENSHOT"):
        shutil.copy(shot, ROOT / os.environ["CNNQUIZ_SCREENSHOT"])

    browser.refresh()
    again = browser.find_element(By.ID, f"answer-{matrix.column}")
    typed = "\n".join(" ".join(str(v) for v in row) for row in rows)
    assert again.get_property("value") == typed
    assert browser.find_element(By.ID, f"status-{matrix.column}").text.startswith("saved ")

    browser.find_element(By.ID, "submit").click()
    wait.until(lambda _: browser.find_element(By.ID, "submitted").text.startswith("Submitted at"))

    result = subprocess.run([sys.executable, "-m", "exercises.cli", "grade", "wq", "--db", settings.db_url,
                             "--key", str(settings.key_path), "--out", str(tmp_path / "graded")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    grades = {row["student_id"]: row for row in csv.DictReader(io.StringIO(
        (tmp_path / "graded" / "wq" / "grades" / "grades.csv").read_text(encoding="utf-8")))}
    assert float(grades["s1"]["total"]) == matrix.points
    assert grades["s1"]["status"] == "ok"


def test_an_answer_typed_while_the_server_restarts_is_saved_without_a_click(served, browser):
    from selenium.webdriver.common.by import By

    from web.storage import Store

    settings = served.settings
    column = next(p.column for p in key_of(settings).student("s1").parts if p.answer.kind == "matrix")
    browser.get(f"{served.base}/q/{student_token(SALT, 'wq', 's1')}")
    box = browser.find_element(By.ID, f"answer-{column}")
    status = browser.find_element(By.ID, f"status-{column}")
    box.send_keys("1 0")
    waiting(browser).until(lambda _: status.text.startswith("saved "))

    served.kill()
    box.send_keys("; 0 1")  # typed while the server is down
    waiting(browser).until(lambda _: "will save when the server is back" in status.text)
    assert "cannot be reached" in browser.find_element(By.ID, "connection").text
    drafts = browser.execute_script("return Object.keys(localStorage).map(k => localStorage.getItem(k))")
    assert any('"text":"1 0; 0 1"' in draft for draft in drafts)  # kept in the browser too
    leaving = ("const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); "
               "return e.defaultPrevented")
    assert browser.execute_script(leaving) is True  # closing the tab now would ask first

    served.restart()
    waiting(browser).until(lambda _: status.text.startswith("saved "))  # no click, no keystroke
    assert Store(settings.db_url).latest("wq")[("s1", column)].text == "1 0; 0 1"
    assert browser.find_element(By.ID, "connection").text == ""
    assert browser.execute_script(leaving) is False
    assert browser.execute_script("return localStorage.length") == 0


def test_an_answer_typed_in_a_tab_closed_during_an_outage_is_saved_when_the_page_is_opened_again(served, browser):
    from selenium.webdriver.common.by import By

    from web.storage import Store

    settings = served.settings
    column = next(p.column for p in key_of(settings).student("s3").parts if p.answer.kind == "tuple")
    link = f"{served.base}/q/{student_token(SALT, 'wq', 's3')}"
    browser.get(link)
    served.kill()
    browser.find_element(By.ID, f"answer-{column}").send_keys("(6, 4)")
    status = browser.find_element(By.ID, f"status-{column}")
    waiting(browser).until(lambda _: "will save when the server is back" in status.text)
    page = browser.current_window_handle
    browser.switch_to.new_window("tab")
    other = browser.current_window_handle
    browser.switch_to.window(page)
    browser.close()  # the tab is gone, and the server with it
    browser.switch_to.window(other)
    served.restart()
    browser.get(link)
    status = browser.find_element(By.ID, f"status-{column}")
    waiting(browser).until(lambda _: status.text.startswith("saved "))
    assert browser.find_element(By.ID, f"answer-{column}").get_property("value") == "(6, 4)"
    assert Store(settings.db_url).latest("wq")[("s3", column)].text == "(6, 4)"


def test_times_are_in_the_readers_zone_and_name_it_and_the_console_stays_clean(served, browser):
    from selenium.webdriver.common.by import By

    column = next(p.column for p in key_of(served.settings).student("s1").parts if p.answer.kind == "tuple")
    browser.get(f"{served.base}/q/{student_token(SALT, 'wq', 's1')}")
    browser.find_element(By.ID, f"answer-{column}").send_keys("(6, 4)")
    status = browser.find_element(By.ID, f"status-{column}")
    waiting(browser).until(lambda _: status.text.startswith("saved "))
    browser.find_element(By.ID, "submit").click()
    waiting(browser).until(lambda _: browser.find_element(By.ID, "submitted").text.startswith("Submitted"))
    zone = browser.execute_script("return new Intl.DateTimeFormat([], {timeZoneName: 'short'}).formatToParts("
                                  "new Date()).find(p => p.type === 'timeZoneName').value")
    assert zone != "UTC"
    student_times = [t.text for t in browser.find_elements(By.TAG_NAME, "time")]
    assert len(student_times) == 3 and all(t.endswith(zone) for t in student_times)  # due, saved, submitted
    assert "Jan 1, 2999" in student_times[0] and "05:00" in student_times[0]  # 00:30 at +01:00 is 05:00 at +05:30
    browser.get(served.base + staff_path(served.settings))
    waiting(browser).until(lambda _: "being" not in browser.find_element(By.TAG_NAME, "main").text
                                     or browser.refresh())  # the item analysis, made in a thread of its own
    staff_times = [t.text for t in browser.find_elements(By.TAG_NAME, "time")]
    assert len(staff_times) == 4 and all(t.endswith(zone) for t in staff_times)  # and the analysis's time
    browser.get(f"{served.base}/practice/conv1d?seed=3")
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []  # no favicon.ico 404, nothing else


def test_on_a_phone_every_button_is_at_least_44_px_tall(served, browser):
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 844)
    for path in (f"/q/{student_token(SALT, 'wq', 's1')}", "/practice/conv1d?seed=3"):
        browser.get(served.base + path)
        heights = [button.rect["height"] for button in browser.find_elements(By.TAG_NAME, "button")]
        assert heights and min(heights) >= 44, (path, heights)


def test_a_student_answers_two_quizzes_from_the_course_link_and_sees_what_grade_db_gives(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    settings = make_course(tmp_path, {"wa": {"release": "manual"}, "wb": {"release": "manual"}})
    port = free_port()
    server = serve(settings, port)
    base, wait = f"http://127.0.0.1:{port}", waiting(browser)
    try:
        browser.get(f"{base}/c/{course_token(SALT, 's1')}")
        assert "Ada Lovelace" in browser.find_element(By.CSS_SELECTOR, "p.who").text
        typed: dict[str, dict[str, str]] = {}
        for quiz in ("wa", "wb"):
            browser.find_element(By.LINK_TEXT, f"Quiz {quiz}").click()
            texts = mixed_answers(settings, quiz, "s1")
            columns = list(texts)[:3]  # the key, a named misconception, another
            for column in columns:
                box = browser.find_element(By.ID, f"answer-{column}")
                box.send_keys(texts[column].replace("\n", Keys.ENTER))
                box.send_keys(Keys.TAB)
                wait.until(lambda _, column=column: browser.find_element(By.ID, f"status-{column}").text
                           .startswith("saved "))
            typed[quiz] = {column: texts[column] for column in columns}
            browser.find_element(By.ID, "submit").click()
            wait.until(lambda _: browser.find_element(By.ID, "submitted").text.startswith("Submitted at"))
            browser.find_element(By.LINK_TEXT, "All your quizzes").click()
        course_page = browser.find_element(By.TAG_NAME, "table").text
        assert course_page.count("3 of 5 saved") == 2 and course_page.count("not released yet") == 2

        for quiz in ("wa", "wb"):  # the staff page's button, a real form
            browser.get(f"{base}/staff/{staff_token(SALT)}/{quiz}")
            browser.find_element(By.XPATH, "//button[text()='Release the results']").click()
            wait.until(lambda _: "Released to 3 of 3 students" in browser.find_element(By.TAG_NAME, "main").text)

        graded = {}
        for quiz in ("wa", "wb"):
            result = subprocess.run([sys.executable, "-m", "exercises.cli", "grade", quiz, "--db",
                                     settings.db_url_of(quiz), "--out", str(tmp_path / "graded"), "--key",
                                     str(settings.key_path_of(quiz))], cwd=ROOT, capture_output=True, text=True,
                                    timeout=120)
            assert result.returncode in (0, 1), result.stderr
            book = json.loads((tmp_path / "graded" / quiz / "grades" / "grades.json").read_text(encoding="utf-8"))
            graded[quiz] = next(row for row in book["rows"] if row["student_id"] == "s1")

        browser.get(f"{base}/c/{course_token(SALT, 's1')}")
        rows = browser.find_elements(By.CSS_SELECTOR, "table.quizzes tbody tr")
        for row, quiz in zip(rows, ("wa", "wb"), strict=True):
            assert f"{graded[quiz]['total']:g} of {graded[quiz]['maximum']} points" in row.text
        rows[0].find_element(By.TAG_NAME, "a").click()
        heading = browser.find_element(By.ID, "result-title").text
        assert heading == f"Your result: {graded['wa']['total']:g} of {graded['wa']['maximum']} points"
        parts = {part["column"]: part for question in graded["wa"]["questions"] for part in question["parts"]}
        key = read_key(settings.key_path_of("wa")).student("s1")
        for part in key.parts:
            shown = browser.find_element(By.ID, f"result-{part.column}").text
            written = parts[part.column]
            assert f"{written['points']:g} of {written['maximum']}" in shown
            assert written["feedback"].splitlines()[0] in shown
            assert f"Key: {part.answer.to_text()}" in shown
            if written["misconception"]:
                assert f"Misconception: {written['misconception']}" in shown
        assert any(parts[column]["misconception"] for column in typed["wa"])
        solutions = browser.find_elements(By.CSS_SELECTOR, "details.solution")
        assert len(solutions) == len(key.questions) and all(s.is_displayed() for s in solutions)
        assert browser.find_element(By.ID, f"answer-{key.parts[0].column}").get_attribute("readonly")
        browser.execute_script("window.scrollTo(0, 0)")
        shot = tmp_path / "result-page.png"
        assert browser.save_screenshot(str(shot))
        if os.environ.get("CNNQUIZ_RESULT_SCREENSHOT"):
            shutil.copy(shot, ROOT / os.environ["CNNQUIZ_RESULT_SCREENSHOT"])
        errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        stop(server)
