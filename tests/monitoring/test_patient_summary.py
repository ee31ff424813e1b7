"""Monitoring summaries from known numbers (SYNTHETIC hand-made patients): SEM by
test-retest of the stable patients, sensor change against its SDC, unbounded intervals."""

from pathlib import Path

import numpy as np
import pytest

from lbpnet.monitoring import Forecast, MeasureSpec, load_rules
from lbpnet.monitoring.patient_summary import (forecast_record, outcome_specs,
                                               patient_summary, sensor_changes)
from lbpnet.recording.outcomes import Instrument

RULES = Path(__file__).resolve().parents[2] / "conf" / "monitoring" / "default.yaml"


def test_outcome_specs_sem_from_the_stable_patients_and_direction():
    v = np.zeros((6, 3, 1))
    v[:, 0, 0] = [10, 20, 30, 40, 50, 60]
    v[:, 1, 0] = [11, 19, 32, 38, 80, 90]            # the last two changed for real
    stable = np.array([1, 1, 1, 1, 0, 0], bool)
    specs = outcome_specs(v, ["odi"], {"odi": Instrument("odi", higher_is_worse=True,
                                                         minimal_important_change=10)}, stable)
    d = np.array([1.0, -1.0, 2.0, -2.0])
    assert specs["odi"].sem == pytest.approx(np.std(d, ddof=1) / np.sqrt(2))
    assert "4 stable" in specs["odi"].sem_source and specs["odi"].mic == 10
    # no direction in the data: taken as higher = worse, and said so
    other = outcome_specs(v, ["x"], {}, None)["x"]
    assert other.higher_is_worse and "not given" in other.sem_source


def test_sensor_changes_against_their_sdc():
    train = np.zeros((4, 2, 1))
    train[:, 0, 0], train[:, 1, 0] = [1, 2, 3, 4], [1.1, 1.9, 3.1, 3.9]
    sem = np.std([0.1, -0.1, 0.1, -0.1], ddof=1) / np.sqrt(2)
    sdc = 1.96 * np.sqrt(2) * sem
    rows = sensor_changes(np.array([[2.0], [2.0 + sdc / 2], [2.0 - 2 * sdc], [9.0]]),
                          ["emg_median_freq/x"], train, as_of=3)
    assert [r["session"] for r in rows] == [1, 2, 3]            # session 4 is not seen
    assert [r["beyond_sdc"] for r in rows] == [False, False, True]
    assert rows[2]["change"] == pytest.approx(-2 * sdc) and rows[2]["sdc95"] == pytest.approx(
        sdc, rel=1e-3)


def test_an_unbounded_interval_is_marked_and_never_flagged():
    f = Forecast("odi", 3, 2, -np.inf, 40.0, np.inf, 0.8, "m", True)
    assert forecast_record(f, "P1", "gru")["bounded"] is False
    spec = {"odi": MeasureSpec("odi", 2.0, "hand-made", True, 10.0)}
    s = patient_summary("P1", ["1", "2", "3"], np.array([0.0, 1, 2]),
                        np.array([[40.0], [41.0], [np.nan]]), ["odi"], spec, [f],
                        load_rules(RULES), 2, 3)
    assert [x["rule_id"] for x in s["flags"]] == []            # no finite end: no MIC verdict
    assert s["forecasts"][0]["lower"] is None and not s["forecasts"][0]["bounded"]   # JSON null
