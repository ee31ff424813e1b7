"""Tolerant reading of monitoring.json for the FHIR export: hand-made files."""

from __future__ import annotations

import json

import pytest

from lbpnet.errors import ReaderError
from lbpnet.reports.fhir_monitoring import read_monitoring, read_monitoring_folder


def write(tmp_path, doc, name="a"):
    path = tmp_path / "monitoring" / name / "monitoring.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def test_flags_and_forecasts_in_either_layout_are_read_with_rule_ids(tmp_path):
    write(tmp_path, {"rule_set": {"id": "default", "version": "2"},
                     "flags": [{"subject": "P003", "rule_id": "non_response_early",
                                "rule_version": "1", "severity": "high",
                                "message": "ODI improved 2 points", "evidence": {"d_odi": -2},
                                "future_key": "ignored"},
                               {"patient": "P004", "rule": {"id": "rci_worse"}},
                               # lbpnet.monitoring.rule_engine.Flag.to_dict()'s fields
                               {"rule_id": "forecast_misses_mic", "rule_version": "3",
                                "rule_set": "lbp_default", "rule_set_version": "1",
                                "level": "review", "text": "forecast misses the MIC",
                                "action": "review at next visit", "patient": "P006",
                                "session": 3, "evidence": {"upper": 41.0},
                                "uncertainty": {"level": 0.8}, "model_version": None}],
                     "forecasts": [{"subject": "P003", "outcome": "odi", "median": 31.0,
                                    "lower": 24.0, "upper": 39.0, "level": 0.8,
                                    "horizon_session": 6, "calibrated": True}]})
    write(tmp_path, {"patients": {"P005": {"flags": [{"rule": "sdc_exceeded", "status": "inactive"}],
                                           "forecasts": [{"name": "nrs", "value": 4}]}}}, "b")
    got = read_monitoring_folder(tmp_path)
    flags = {f["subject"]: f for f in got["flags"]}
    assert flags["P003"]["rule_id"] == "non_response_early" and flags["P003"]["rule_version"] == "1"
    assert flags["P003"]["evidence"] == {"d_odi": -2} and flags["P003"]["severity"] == "high"
    assert flags["P004"]["rule_id"] == "rci_worse" and flags["P004"]["rule_version"] == "2"
    assert flags["P005"]["status"] == "inactive" and flags["P005"]["rule_id"] == "sdc_exceeded"
    p6 = flags["P006"]
    assert (p6["rule_id"], p6["rule_version"], p6["severity"], p6["message"], p6["session"]) == (
        "forecast_misses_mic", "3", "review", "forecast misses the MIC", "3")
    assert p6["uncertainty"] == {"level": 0.8} and p6["rule_set"] == "lbp_default"
    fc = {f["subject"]: f for f in got["forecasts"]}
    assert (fc["P003"]["value"], fc["P003"]["lower"], fc["P003"]["upper"]) == (31.0, 24.0, 39.0)
    assert fc["P003"]["session"] == "6" and fc["P003"]["calibrated"] is True
    assert fc["P005"]["outcome"] == "nrs" and fc["P005"]["lower"] is None


def test_a_run_without_monitoring_has_nothing(tmp_path):
    assert read_monitoring_folder(tmp_path) == {"flags": [], "forecasts": []}


@pytest.mark.parametrize("doc, field", [
    ("{not json", None),
    ([1, 2], None),
    ({"flags": {"subject": "P1"}}, "flags"),
    ({"flags": [{"rule_id": "x"}]}, "flags[0].subject"),
    ({"flags": [{"subject": "P1"}]}, "flags[0].rule_id"),
    ({"flags": [{"subject": "P1", "rule_id": "x", "status": "maybe"}]}, "flags[0].status"),
    ({"forecasts": [{"subject": "P1", "outcome": "odi", "value": "high"}]}, "forecasts[0].value"),
    ({"forecasts": [{"subject": "P1", "outcome": "odi", "value": 3, "lower": 5, "upper": 1}]},
     "forecasts[0]"),
])
def test_a_malformed_summary_names_the_file_and_the_entry(tmp_path, doc, field):
    path = write(tmp_path, doc)
    with pytest.raises(ReaderError) as err:
        read_monitoring(path)
    assert str(path) in str(err.value)
    if field:
        assert f"'{field}'" in str(err.value)
