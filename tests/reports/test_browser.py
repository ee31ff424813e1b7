"""The reports open in a real browser (headless Chromium) without console errors."""

import time
from pathlib import Path

from report_fixtures import PROVENANCE, SESSIONS, make_result, make_signals

from lbpnet.reports import write_reports

SECTIONS = ["synthetic", "disclaimer", "summary", "faithfulness", "provenance"]


def severe_console_messages(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


def full_page_screenshot(driver, path: Path) -> Path:
    driver.set_window_size(1200, 900)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1200, min(int(height) + 40, 16000))
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def check_page(driver, page: Path, sections) -> None:
    from selenium.webdriver.common.by import By

    driver.get(page.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    assert not severe_console_messages(driver), page
    for section in sections:
        assert driver.find_elements(By.ID, section), f"no #{section} in {page.name}"
    loaded = driver.execute_script(
        "return Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
    assert all(loaded), f"{loaded.count(False)} image(s) did not load in {page.name}"


def test_reports_open_in_chromium_without_console_errors(browser, tmp_path, artefacts):
    from selenium.webdriver.common.by import By

    summary = write_reports(make_result(), SESSIONS, tmp_path / "out", PROVENANCE,
                            {"strategy/guarding": 0.5}, load_signals=make_signals)
    session = Path(summary["sessions"]["sub-P01_ses-1_task-lbp"])
    check_page(browser, session, SECTIONS)
    assert len(browser.find_elements(By.TAG_NAME, "img")) == 3
    assert "SYNTHETIC DATA" in browser.find_element(By.ID, "synthetic").text
    assert "not a diagnosis" in browser.find_element(By.ID, "disclaimer").text
    full_page_screenshot(browser, artefacts / "report_session.png")
    index = Path(summary["index"])
    check_page(browser, index, ["synthetic", "disclaimer", "sessions", "provenance"])
    full_page_screenshot(browser, artefacts / "report_cohort.png")
    browser.find_element(By.LINK_TEXT, "Patient P02, session 2").click()
    assert browser.title == "lbpnet report: Patient P02, session 2"
    assert not severe_console_messages(browser)


def test_the_console_check_catches_a_broken_page(browser, tmp_path):
    # the same check on a page with a missing image must fail: it is not vacuous
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><img src="missing.png"></body></html>')
    browser.get(page.as_uri())
    # the failed load's console entry can arrive after get() returns on a loaded machine
    deadline, seen = time.monotonic() + 10.0, []
    while not seen and time.monotonic() < deadline:
        seen = severe_console_messages(browser)
        time.sleep(0.1)
    assert seen
