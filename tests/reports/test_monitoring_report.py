"""The monitoring pages of a trajectory run open in headless Chromium: flags with their
evidence, calibrated forecasts, change beside SDC/MIC, the trajectory plot (SYNTHETIC
hand-made patients, no model: the summaries are built from known numbers)."""

from pathlib import Path

import numpy as np
import pytest
from test_browser import check_page, full_page_screenshot, severe_console_messages

from lbpnet.atomic import atomic_write_json
from lbpnet.monitoring import Forecast, MeasureSpec, load_rules
from lbpnet.monitoring.patient_summary import patient_summary
from lbpnet.monitoring.trajectory_plot import write_trajectory_png
from lbpnet.reports.monitoring_report import write_monitoring_reports
from lbpnet.reports.monitoring_section import monitoring_section

RULES = Path(__file__).resolve().parents[2] / "conf" / "monitoring" / "default.yaml"
SPECS = {"odi": MeasureSpec("odi", 3.0, "hand-made", True, 10.0, "points"),
         "nrs": MeasureSpec("nrs", 0.5, "hand-made", True, 2.0, "points")}
PROVENANCE = {"run_id": "r1", "checkpoint_sha256": "ab" * 32}


def summary(pid: str, odi, lower_at_5: float) -> dict:
    """SYNTHETIC patient seen up to session 3; forecasts of sessions 4 and 5 made at 1..3."""
    odi = np.asarray(odi, float)
    values = np.stack([odi, np.full(5, 6.0)], 1)
    fc = [Forecast(o, h, k, lo, (lo + 8), lo + 16, 0.8, "sha256:" + "ab" * 32)
          for k in (1, 2, 3) for h in range(k + 1, 6)
          for o, lo in (("odi", lower_at_5), ("nrs", 3.0))]
    s = patient_summary(pid, ["1", "2", "3", "4", "5"], np.arange(5.0) * 2, values,
                        ["odi", "nrs"], SPECS, fc, load_rules(RULES), 3, 5)
    s.update(synthetic=True, model={"version": "sha256:" + "ab" * 32, "checkpoint": "x.ckpt"},
             non_response={"probability": 0.7, "calibrated": True, "horizon_session": 5,
                           "outcome": "odi"})
    return s


def test_section_states_flags_with_evidence_and_known_answers():
    # ODI 40 -> 50 -> 52: worse than baseline by more than SDC95 (8.3) at sessions 2 and 3;
    # the forecast's best end (45) does not reach baseline - MIC (30)
    worse = summary("P01", [40, 50, 52, 53, 55], 45.0)
    rules = {(f["rule_id"], f["session"]) for f in worse["flags"]}
    assert ("outcome_worsening_two_sessions", 3) in rules
    assert ("outcome_worsening_two_sessions", 2) not in rules       # needs two sessions after 1
    assert {s for r, s in rules if r == "forecast_cannot_reach_mic"} == {1, 2, 3}
    html = monitoring_section(worse)
    assert "outcome_worsening_two_sessions v1" in html and "for clinician review" in html
    assert "80 % interval 45.0 to 61.0 (calibrated)" in html
    # an improving patient whose interval reaches the MIC has no flag
    better = summary("P02", [40, 35, 30, 28, 25], 20.0)
    assert better["flags"] == []
    assert 'id="monitoring-no-flags"' in monitoring_section(better)


def test_monitoring_pages_open_in_chromium(browser, tmp_path, artefacts):
    from selenium.webdriver.common.by import By

    run = tmp_path / "run"
    for s in (summary("P01", [40, 50, 52, 53, 55], 45.0), summary("P02", [40, 35, 30, 28, 25],
                                                                    20.0)):
        folder = run / "monitoring" / s["patient"]
        atomic_write_json(folder / "monitoring.json", s)
        write_trajectory_png(s, folder / "trajectory.png")
    out = write_monitoring_reports(run, tmp_path / "report", PROVENANCE)
    page = Path(out["patients"]["P01"])
    check_page(browser, page, ["synthetic", "disclaimer", "monitoring", "monitoring-flags",
                               "monitoring-forecasts", "monitoring-change", "provenance"])
    assert len(browser.find_elements(By.TAG_NAME, "img")) == 1       # the trajectory plot
    flags = browser.find_element(By.ID, "monitoring-flags").find_element(
        By.XPATH, "following-sibling::table[1]").text
    assert "urgent" in flags and "outcome_worsening_two_sessions v1" in flags
    assert "SDC95" in browser.find_element(By.ID, "monitoring").find_element(
        By.XPATH, "..").text
    full_page_screenshot(browser, artefacts / "report_monitoring_patient.png")
    check_page(browser, Path(out["index"]), ["synthetic", "disclaimer", "patients",
                                             "provenance"])
    browser.find_element(By.LINK_TEXT, "Patient P02").click()
    assert browser.title == "lbpnet report: Patient P02"
    assert browser.find_elements(By.ID, "monitoring-no-flags")
    assert not severe_console_messages(browser)


def test_no_summaries_is_refused(tmp_path):
    from lbpnet.errors import ConfigError
    with pytest.raises(ConfigError, match="lbpnet-monitor"):
        write_monitoring_reports(tmp_path, tmp_path / "report", PROVENANCE)


def test_a_saliency_session_page_shows_the_patients_monitoring(browser, tmp_path):
    """lbpnet-report of a window run with monitoring=<run>: the monitored patient's session
    page gains the monitoring section (and its plot), the other patient's does not."""
    from dataclasses import replace

    from report_fixtures import SESSIONS, make_result, make_signals

    from lbpnet.cli.report_monitoring import monitoring_sections
    from lbpnet.reports import write_reports

    s = summary("P01", [40, 50, 52, 53, 55], 45.0)
    folder = tmp_path / "traj" / "monitoring" / "P01"
    atomic_write_json(folder / "monitoring.json", s)
    write_trajectory_png(s, folder / "trajectory.png")
    shown = monitoring_sections(tmp_path / "traj")
    assert set(shown) == {"P01"} and monitoring_sections(tmp_path / "nothing") == {}
    sessions = {r: replace(i, monitoring_html=shown.get(i.subject)) for r, i in SESSIONS.items()}
    out = write_reports(make_result(), sessions, tmp_path / "out", PROVENANCE,
                        {"strategy/guarding": 0.5}, load_signals=make_signals)
    page = Path(out["sessions"]["sub-P01_ses-1_task-lbp"])
    check_page(browser, page, ["summary", "monitoring", "monitoring-flags", "faithfulness",
                               "provenance"])
    assert "outcome_worsening_two_sessions" in browser.page_source
    other = Path(out["sessions"]["sub-P02_ses-2_task-lbp"])
    assert 'id="monitoring"' not in other.read_text()
