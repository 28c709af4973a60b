"""A real browser on a real server: Chromium (Debian's chromium + chromium-driver, driven by Selenium) opens a
personal link served by `cnnquiz serve`, types a matrix, sees what the grader read, reloads and finds it
saved, submits; then `cnnquiz grade --db` gives the student the expected score.

The screenshot goes to tmp; set CNNQUIZ_SCREENSHOT=docs/answer-page.png to refresh the README's picture."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys

import pytest
from webquiz import ROOT, SALT, free_port, key_of, make_quiz, serve, stop

from web.tokens import student_token

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


@pytest.fixture
def served(tmp_path):
    """`cnnquiz serve wq` in its own process on a free loopback port."""
    settings = make_quiz(tmp_path)
    port = free_port()
    server = serve(settings, port)
    yield settings, f"http://127.0.0.1:{port}"
    stop(server)
    assert "staff page (keep it private): " in (tmp_path / "out" / f"serve-{port}.log").read_text()


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
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_a_student_answers_in_a_real_browser_and_is_graded_from_the_database(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    settings, base = served
    student = key_of(settings).student("s1")
    matrix = next(p for p in student.parts if p.answer.kind == "matrix")
    shape = next(p for p in student.parts if p.answer.kind == "tuple")
    rows = matrix.answer.value
    wait = WebDriverWait(browser, 30)

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
