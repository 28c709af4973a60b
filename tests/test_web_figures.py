"""Figures on the pages, measured in Chromium (as tests/test_web_browser.py runs it): on a desktop and on a phone,
the practice page's figure has its labels at the page's text size and takes at least the share of the column it
takes on paper, within the column."""

from __future__ import annotations

import os
import shutil

import pytest
from webquiz import free_port, make_quiz, serve, stop

import exercises

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PAPER_COLUMN_CM = 17.0  # the sheets' text column: A4 less 2 cm margins

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")

MEASURE = """
document.querySelectorAll('details').forEach(d => { d.open = true; });  // the figure is in the worked solution
const svg = document.querySelector('figure svg'), main = document.querySelector('main');
const style = getComputedStyle(main);
const label = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height);
return {figure: svg.getBoundingClientRect().width, right: svg.getBoundingClientRect().right,
        column: main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
        columnRight: main.getBoundingClientRect().right - parseFloat(style.paddingRight),
        label: Math.min(...label), text: parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)};
"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_practice_figure_is_as_readable_as_on_paper(tmp_path, device):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--window-size=1100,1400", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    if device == "phone":
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844,
                                                                               "pixelRatio": 3}})
    settings = make_quiz(tmp_path)
    port = free_port()
    server = serve(settings, port)
    driver = webdriver.Chrome(service=Service(DRIVER, env=dict(os.environ)), options=options)
    try:
        driver.get(f"http://127.0.0.1:{port}/practice/pooling?seed=0")
        seen = driver.execute_script(MEASURE)
    finally:
        driver.quit()
        stop(server)
    paper_share = exercises.generate("pooling", seed=0).figures()[0].width_cm() / PAPER_COLUMN_CM
    assert seen["label"] >= 0.9 * seen["text"], seen  # on paper: 7 pt labels beside 11 pt text
    assert seen["figure"] / seen["column"] >= paper_share, seen
    assert seen["right"] <= seen["columnRight"] + 0.5, seen  # within the column
