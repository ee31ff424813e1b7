"""Outcome instruments' codes and units, outcome-table session times, and the forecast
interpretation against the baseline (hand-made values, no training)."""

import numpy as np
import pytest

pytest.importorskip("fhir.resources")

from lbpnet.recording.outcomes import Instrument, OutcomeTable  # noqa: E402
from lbpnet.reports import fhir_codes as codes  # noqa: E402
from lbpnet.reports.fhir_findings import forecast_interpretation  # noqa: E402
from lbpnet.reports.fhir_observations import outcome_observations, timing  # noqa: E402
from lbpnet.reports.fhir_outcomes import outcome_code, table_sessions  # noqa: E402


def _table(time_unit="weeks"):
    """SYNTHETIC: two participants, an ODI and a sidecar-described instrument."""
    values = np.array([[[40.0, 3.0], [30.0, np.nan]], [[50.0, 2.0], [np.nan, np.nan]]])
    return OutcomeTable(["A", "B"], [["1", "2"], ["1"]], ["odi", "fatigue"], values,
                        np.array([[0.0, 6.0], [0.0, np.nan]]), time_unit, "weeks",
                        info={"odi": Instrument("odi"),
                              "fatigue": Instrument("fatigue", long_name="Fatigue VAS",
                                                    units="mm")},
                        synthetic=True)


def test_odi_keeps_its_loinc_code_and_others_take_the_sidecar():
    table = _table()
    system, code, display, unit = outcome_code("odi", table.info)
    assert (system, code) == (codes.LOINC, "97909-6") and unit["code"] == "{score}"
    system, code, display, unit = outcome_code("fatigue", table.info)
    assert system == codes.OUTCOMES and code == "fatigue" and "Fatigue VAS" in display
    assert unit == {"unit": "mm", "system": codes.UCUM, "code": "{mm}"}
    assert outcome_code("nrs")[1] == "72514-3"


def test_table_sessions_carry_outcomes_and_relative_weeks():
    recs = table_sessions(_table())
    assert [(r.subject, r.session) for r in recs] == [("A", "1"), ("A", "2"), ("B", "1")]
    rel = timing(recs[1], keep_dates=True)["extension"][0]["valueQuantity"]
    assert rel["value"] == 6.0 and rel["code"] == "wk"
    obs = outcome_observations(recs[1], "pid", False, _table().info)
    assert [o.code.coding[0].code for o in obs] == ["97909-6"]       # NaN fatigue left out
    by_order = table_sessions(_table("sessions"))
    assert timing(by_order[1], False)["extension"][0]["valueQuantity"]["code"] == "{session}"


@pytest.mark.parametrize("low, high, worse, code", [
    (20.0, 30.0, True, "B"), (45.0, 60.0, True, "W"), (35.0, 45.0, True, "IND"),
    (20.0, 30.0, False, "W"), (45.0, 60.0, None, "U"), (20.0, 30.0, None, "D"),
    (None, 45.0, True, "IND"), (None, 30.0, True, "B")])
def test_forecast_interpretation_against_the_baseline(low, high, worse, code):
    got = forecast_interpretation({"lower": low, "upper": high, "level": 0.8}, 40.0, worse)
    assert got["code"] == code and "40" in got["text"]
    assert forecast_interpretation({"lower": low, "upper": high}, None, worse) is None
