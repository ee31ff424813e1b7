"""One patient's FHIR bundle from in-memory SYNTHETIC recordings: what it holds, what it
never holds, and that it parses back strictly as FHIR R4."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lbpnet.reports import fhir_codes as codes
from lbpnet.reports.fhir_bundle import PatientInputs, patient_bundle, write_bundle
from lbpnet.reports.fhir_findings import interpretation
from fhir_fixtures import MODEL, recording, resources, strict_r4

FLAG = {"subject": "P001", "rule_id": "non_response_early", "rule_version": "1",
        "status": "active", "severity": "high", "message": "ODI improved 2 points",
        "session": "2", "evidence": {"d_odi": -2.0}, "uncertainty": {"level": 0.8},
        "source": "m.json"}
FORECAST = {"subject": "P001", "outcome": "odi", "value": 31.0, "lower": 24.0, "upper": 39.0,
            "level": 0.8, "session": "4", "unit": None, "source": "m.json"}


def build(keep_dates=False, waveform_seconds=0.0, **meta):
    recs = [recording(session="1", session_day=0, outcomes={"odi": 42.0, "nrs": 6.5, "psfs": 4},
                      start_datetime="2003-07-19T11:22:33", **meta),
            recording(session="2", session_day=14, outcomes={"odi": 40.0, "nrs": None})]
    windows = {recs[0].key: {"probability/strategy/guarding": np.array([0.7, 0.8, 0.9, 0.95]),
                             "probability/strategy/fatigue": np.array([0.1, 0.6, 0.2, 0.3])}}
    inputs = PatientInputs("P001", recs, measures={recs[0].key: {"emg_log_rms/multifidus_left":
                                                                  1.5, "hrv/mean_nn_ms": 800.0,
                                                                  "eda/mean_us": float("nan")}},
                           windows=windows,
                           output_names=["strategy/guarding", "strategy/fatigue"],
                           flags=[FLAG], forecasts=[FORECAST], synthetic=True)
    return patient_bundle(inputs, MODEL, keep_dates, waveform_seconds), recs


def test_the_bundle_holds_patient_devices_measures_pros_findings_flags_provenance(tmp_path):
    bundle, recs = build()
    path = write_bundle(bundle, tmp_path / "b.json")
    back = strict_r4(path.read_text())
    assert back.type == "collection"
    patient, = resources(back, "Patient")
    assert patient.identifier[0].value == "P001" and patient.name is None
    assert patient.birthDate is None and patient.gender is None
    devices = resources(back, "Device")
    sensors = [d for d in devices if d.type.coding[0].code != "model"]
    assert len(sensors) == 2            # the same two sensors in both sessions: one Device each
    emg = next(d for d in sensors if d.type.coding[0].code == "emg")
    props = {p.type.coding[0].code: p for p in emg.property}
    assert float(props["sampling-rate"].valueQuantity[0].value) == 200.0
    assert props["sampling-rate"].valueQuantity[0].code == "Hz"
    assert [c.text for c in props["body-site"].valueCode] == ["multifidus_left", "multifidus_right"]
    obs = resources(back, "Observation")
    by_code = {}
    for o in obs:
        by_code.setdefault(o.code.coding[0].code, []).append(o)
    assert [float(o.valueQuantity.value) for o in by_code["97909-6"]] == [42.0, 40.0]   # ODI, LOINC
    assert [float(o.valueQuantity.value) for o in by_code["72514-3"]] == [6.5]          # NRS reported once
    assert by_code["psfs"][0].code.coding[0].system == codes.OUTCOMES
    rms, = by_code["emg-rms"]
    assert float(rms.valueQuantity.value) == pytest.approx(10 ** 1.5) and rms.valueQuantity.code == "uV"
    assert rms.device.reference == f"urn:uuid:{emg.id}"
    hr, = by_code["8867-4"]
    assert float(hr.valueQuantity.value) == pytest.approx(75.0) and hr.valueQuantity.code == "/min"
    assert "eda-mean" not in by_code                                          # NaN: left out
    guarding, = by_code["finding/strategy/guarding"]
    assert guarding.interpretation[0].coding[0].code == "POS"
    fatigue, = by_code["finding/strategy/fatigue"]
    assert fatigue.interpretation[0].coding[0].code == "IND"   # windows on both sides of 0.5
    interval = {e.url: e for e in guarding.extension}[codes.EXT_INTERVAL]
    parts = {e.url: float(e.valueDecimal if e.valueDecimal is not None else e.valueInteger)
             for e in interval.extension}
    p = np.array([0.7, 0.8, 0.9, 0.95])
    assert parts["low"] == pytest.approx(np.quantile(p, 0.1)) and parts["windows"] == 4
    assert float(guarding.valueQuantity.value) == pytest.approx(p.mean())
    assert {r.reference for r in guarding.derivedFrom} == {f"urn:uuid:{o.id}" for o in
                                                          by_code["emg-rms"] + by_code["mean-nn"]
                                                          + by_code["8867-4"]}
    forecast, = by_code["finding/forecast/odi"]
    assert forecast.valueQuantity.code == "{score}"
    flag, = resources(back, "Flag")
    assert flag.code.coding[0].code == "non_response_early" and flag.code.coding[0].version == "1"
    ext = {e.url: e for e in flag.extension}
    assert json.loads(ext[codes.EXT_EVIDENCE].valueString) == {"d_odi": -2.0}
    rule = {e.url: e.valueString for e in ext[codes.EXT_RULE].extension}
    assert rule["severity"] == "high" and json.loads(rule["uncertainty"]) == {"level": 0.8}
    prov, = resources(back, "Provenance")
    derived = {f"urn:uuid:{r.id}" for r in obs + [flag]
               if r.code.coding[0].system != codes.LOINC or r.code.coding[0].code == "8867-4"}
    derived -= {f"urn:uuid:{o.id}" for o in by_code["psfs"]}
    assert {t.reference for t in prov.target} == derived
    ids = {e.what.identifier.system.rsplit("/", 1)[1]: e.what.identifier.value for e in prov.entity}
    assert ids == {"checkpoint-sha256": "ab" * 32, "config-sha256": "cd" * 32,
                   "model-registry": "strategy-cnn@3", "audit-entry": "ef" * 32}
    assert back.meta.tag[0].code == "synthetic"


def test_dates_only_when_asked_else_relative_time():
    text = build()[0].model_dump_json()
    assert "2003-07-19" not in text and codes.EXT_RELATIVE_TIME in text
    kept = build(keep_dates=True)[0]
    first = [o for o in resources(kept, "Observation") if o.code.coding[0].code == "97909-6"][0]
    assert str(first.effectiveDateTime).startswith("2003-07-19")


def test_a_waveform_excerpt_is_the_signal_itself_and_only_when_asked():
    assert not [o for o in resources(build()[0], "Observation")
                if o.code.coding[0].code == "waveform-excerpt"]
    bundle, recs = build(waveform_seconds=0.5)
    strict_r4(bundle.model_dump_json())
    wf = [o for o in resources(bundle, "Observation") if o.code.coding[0].code == "waveform-excerpt"]
    assert len(wf) == 4                                           # 2 streams x 2 sessions
    emg = next(o for o in wf if "emg" in o.code.text)
    sampled = emg.component[1].valueSampledData
    values = np.array([float(v) for v in sampled.data.split()])
    assert float(sampled.period) == pytest.approx(5.0) and values.size == 100      # 0.5 s at 200 Hz
    np.testing.assert_allclose(values, recs[0].streams["emg"].data[:100, 1], rtol=1e-4)


@pytest.mark.parametrize("low, high, value, expected", [
    (0.6, 0.9, 0.7, "POS"), (0.1, 0.4, 0.3, "NEG"), (0.3, 0.7, 0.5, "IND"),
    (None, None, 0.5, "POS"), (None, None, 0.49, "NEG")])
def test_interpretation_against_the_threshold(low, high, value, expected):
    assert interpretation(low, high, value, 0.5) == expected
