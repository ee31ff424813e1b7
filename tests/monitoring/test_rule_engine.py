"""Rules evaluated on hand-made patients whose flags are known in advance."""

import numpy as np
import pytest

from lbpnet.errors import ConfigError
from lbpnet.monitoring.change import MeasureSpec
from lbpnet.monitoring.rule_engine import (Flag, Forecast, PatientSessions, evaluate,
                                           first_flag_session)
from lbpnet.monitoring.rules import load_rules, rule_set
from tests.monitoring.test_rules import CONF

NAN = np.nan
# SEM 2 -> SDC95 5.54 ODI points; SEM 0.5 -> 1.39 NRS; MIC 10 / 2
SPECS = {"odi": MeasureSpec("odi", 2.0, "hand-made", True, 10.0),
         "nrs": MeasureSpec("nrs", 0.5, "hand-made", True, 2.0),
         "co_contraction_index": MeasureSpec("co_contraction_index", 0.02, "hand-made", True),
         "flexion_relaxation_ratio": MeasureSpec("flexion_relaxation_ratio", 0.2, "hand-made",
                                                 False)}
RULES = load_rules(CONF / "default.yaml")


def forecast(lower, upper, made_at=2):
    return {"odi": Forecast("odi", 6, made_at, lower, (lower + upper) / 2, upper, 0.8,
                            "mixed_model@test")}


def ids(flags):
    return sorted(f.rule_id for f in flags)


def test_forecast_that_cannot_reach_mic_is_flagged_with_its_interval():
    p = PatientSessions("A", {"odi": np.array([40.0, 39.0, NAN, NAN, NAN, NAN])})
    flags = evaluate(RULES, p, 2, SPECS, forecast(32.0, 44.0))          # best 32 > 40 - 10
    assert ids(flags) == ["forecast_cannot_reach_mic"]
    f = flags[0]
    assert f.evidence["interval"] == [32.0, 44.0] and f.evidence["needed_value"] == 30.0
    assert f.uncertainty["interval_level"] == 0.8 and f.model_version == "mixed_model@test"
    assert f.rule_version == "1" and f.rule_set_version == "1.0.0"
    assert f.action == "for clinician review"
    assert evaluate(RULES, p, 2, SPECS, forecast(28.0, 44.0)) == []     # 28 reaches 30
    assert evaluate(RULES, p, 2, SPECS, None) == []                     # no forecast, no flag


def test_worsening_needs_two_consecutive_sessions_beyond_sdc():
    odi = np.array([30.0, 37.0, 33.0, 37.0, 38.0, NAN])                 # +7, +3, +7, +8
    p = PatientSessions("B", {"odi": odi})
    got = {s: ids(evaluate(RULES, p, s, SPECS)) for s in range(1, 6)}
    assert got == {1: [], 2: [], 3: [], 4: [], 5: ["outcome_worsening_two_sessions"]}
    f = evaluate(RULES, p, 5, SPECS)[0]
    m = f.evidence["measures"][0]
    assert m["sessions"] == [4, 5] and m["change"] == [7.0, 8.0] and f.level == "urgent"
    assert f.uncertainty["smallest_detectable_change_95"]["odi"] == pytest.approx(5.54, abs=0.01)


def test_sensor_measure_in_its_own_direction():
    ccr = np.array([0.30, 0.33, 0.40, 0.41])                            # SDC 0.055: +0.1, +0.11
    frr = np.array([2.0, 2.0, 1.9, 1.95])                               # SDC 0.55: no
    p = PatientSessions("C", {"odi": np.full(4, 30.0), "co_contraction_index": ccr,
                              "flexion_relaxation_ratio": frr})
    assert ids(evaluate(RULES, p, 4, SPECS)) == ["sensor_measure_deteriorating"]
    p.values["flexion_relaxation_ratio"] = np.array([2.0, 2.0, 1.2, 1.1])
    p.values["co_contraction_index"] = ccr * 0 + 0.3
    f = evaluate(RULES, p, 4, SPECS)
    assert ids(f) == ["sensor_measure_deteriorating"]
    assert f[0].evidence["measures"][0]["measure"] == "flexion_relaxation_ratio"
    p.values["flexion_relaxation_ratio"] = np.array([2.0, 2.0, 2.8, 2.9])   # rising: better
    assert evaluate(RULES, p, 4, SPECS) == []


def test_missed_sessions_and_first_flag():
    odi = np.array([30.0, NAN, 30.0, NAN, NAN, 30.0])
    p = PatientSessions("D", {"odi": odi})
    got = {s: ids(evaluate(RULES, p, s, SPECS)) for s in range(1, 7)}
    assert got[3] == [] and got[4] == ["missed_sessions"] and got[5] == ["missed_sessions"]
    assert got[6] == ["missed_sessions"]                                # 4, 5 of 4..6 missed
    flags = [f for s in range(1, 7) for f in evaluate(RULES, p, s, SPECS)]
    assert first_flag_session(flags, levels=("info",)) == {"D": 4}
    assert first_flag_session(flags) == {}                              # info only


def test_last_change_rule_and_unknown_measure():
    last = load_rules(CONF / "last_change.yaml")
    p = PatientSessions("E", {"odi": np.array([40.0, 35.0, NAN, 29.0])})
    assert ids(evaluate(last, p, 2, SPECS)) == ["last_change_below_mic"]
    assert ids(evaluate(last, p, 3, SPECS)) == ["last_change_below_mic"]   # latest: session 2
    assert evaluate(last, p, 4, SPECS) == []                               # 11 points better
    bad = rule_set("t", "1", [{"id": "x", "version": 1, "kind": "worsening_beyond_sdc",
                               "text": "t", "level": "info", "action": "for clinician review",
                               "params": {"measures": ["grip"]}}])
    assert evaluate(bad, p, 3, SPECS) == []                   # not measured: nothing to judge
    p.values["grip"] = np.array([30.0, 20.0, 10.0, 5.0])
    with pytest.raises(ConfigError, match="grip"):
        evaluate(bad, p, 3, SPECS)


def test_no_flag_without_uncertainty():
    with pytest.raises(ConfigError, match="uncertainty"):
        Flag("r", "1", "s", "1", "info", "t", "for clinician review", "P", 1, {"v": 1}, {})
