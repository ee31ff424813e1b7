"""Model findings as FHIR ``Observation``s and monitoring flags as ``Flag`` resources.

A finding is the model's score for one output over the explained windows of one session:
the mean probability, with the 10th-90th percentile of the window scores as its interval
(``prediction-interval`` extension: ``low``, ``high``, ``level``, ``windows``) and an
``interpretation``: ``POS`` when even the low end reaches the threshold, ``NEG`` when even
the high end stays below it, ``IND`` (indeterminate) otherwise. Scores are uncalibrated
model outputs — research decision support, never a diagnosis (said in every note).
A forecast of the monitoring summary becomes a finding the same way, with its own interval.
"""

from __future__ import annotations

import json

import numpy as np

from lbpnet.reports import fhir_codes as codes
from lbpnet.reports.fhir_subject import quantity, ref, resource_id

NOTE = ("lbpnet model output for research decision support, not a diagnosis; "
        "scores are uncalibrated unless stated.")
INTERPRETATIONS = {"POS": "Positive", "NEG": "Negative", "IND": "Indeterminate"}


def interpretation(low: float | None, high: float | None, value: float,
                   threshold: float) -> str:
    """``POS`` / ``NEG`` / ``IND`` of a score against ``threshold`` given its interval."""
    low = value if low is None else low
    high = value if high is None else high
    if low >= threshold:
        return "POS"
    if high < threshold:
        return "NEG"
    return "IND"


def _interval_extension(low, high, level, n_windows=None) -> dict:
    parts = []
    if low is not None:
        parts.append({"url": "low", "valueDecimal": float(low)})
    if high is not None:
        parts.append({"url": "high", "valueDecimal": float(high)})
    if level is not None:
        parts.append({"url": "level", "valueDecimal": float(level)})
    if n_windows is not None:
        parts.append({"url": "windows", "valueInteger": int(n_windows)})
    return {"url": codes.EXT_INTERVAL, "extension": parts}


def finding(rid: str, output: str, value: float, low, high, level, patient_id: str,
            when: dict, derived_from: list, threshold: float | None, unit: str | None = "1",
            n_windows: int | None = None, method: str | None = None,
            judged: dict | None = None):
    """One model-finding ``Observation`` (see the module docstring); ``judged``: an
    interpretation given instead of the threshold's (``{"code", "display", "text"}``)."""
    from fhir.resources.R4B.observation import Observation

    data = {"id": rid, "status": "preliminary",
            "category": [{"coding": [{"system": codes.MEASURES, "code": "model-finding",
                                      "display": "Model finding"}]}],
            "code": {"coding": [{"system": codes.MEASURES, "code": f"finding/{output}",
                                 "display": f"model score: {output}"}],
                     "text": f"model score: {output}"},
            "subject": ref("Patient", patient_id),
            "valueQuantity": quantity(value, unit),
            "note": [{"text": NOTE}]}
    extensions = list(when.get("extension", []))
    extensions.append(_interval_extension(low, high, level, n_windows))
    data["extension"] = extensions
    data.update({k: v for k, v in when.items() if k != "extension"})
    if judged is not None:
        data["interpretation"] = [{"coding": [{"system": codes.INTERPRETATION,
                                               "code": judged["code"],
                                               "display": judged["display"]}],
                                   "text": judged["text"]}]
    elif threshold is not None:
        code = interpretation(low, high, value, threshold)
        data["interpretation"] = [{"coding": [{"system": codes.INTERPRETATION, "code": code,
                                               "display": INTERPRETATIONS[code]}],
                                   "text": f"{INTERPRETATIONS[code]} at threshold {threshold:g}"}]
    if method:
        data["method"] = {"text": method}
    if derived_from:
        data["derivedFrom"] = derived_from
    return Observation.model_validate(data)


def window_findings(windows: dict, output_names, recording, patient_id: str, when: dict,
                    derived_from: list, threshold: float, method: str | None = None) -> list:
    """Findings of one session from the windows of an explanation: ``windows`` holds
    ``probability/<output>`` arrays (one value per window of this session)."""
    out = []
    for name in output_names:
        p = np.asarray(windows.get(f"probability/{name}", []), dtype=float)
        p = p[np.isfinite(p)]
        if p.size == 0:
            continue
        low, high = (float(v) for v in np.quantile(p, [0.1, 0.9]))
        out.append(finding(resource_id("finding", recording.key, name), name, float(p.mean()),
                           low, high, 0.8, patient_id, when, derived_from, threshold,
                           n_windows=int(p.size), method=method))
    return out


def forecast_interpretation(forecast: dict, baseline: float | None,
                            higher_is_worse: bool | None) -> dict | None:
    """The interpretation of a forecast against the patient's baseline (first session):
    the whole interval on the better side — ``B`` (better), on the worse side — ``W``
    (worse), ``U`` / ``D`` (up / down) when the instrument states no direction, else
    ``IND`` (also when an end is missing: lbpnet-monitor leaves it unbounded when too few
    patients calibrated it); None without a baseline. Not a judgement of clinical importance
    (the monitoring rules judge that, against the instrument's MIC)."""
    if baseline is None or not np.isfinite(baseline):
        return None
    low, high = forecast.get("lower"), forecast.get("upper")
    open_ended = low is None or high is None
    low = -np.inf if low is None else low
    high = np.inf if high is None else high
    up, down = low > baseline, high < baseline
    if higher_is_worse is None:
        code, display = ("U", "Significant change up") if up else (
            ("D", "Significant change down") if down else ("IND", "Indeterminate"))
    else:
        worse = up if higher_is_worse else down
        better = down if higher_is_worse else up
        code, display = ("W", "Worse") if worse else (
            ("B", "Better") if better else ("IND", "Indeterminate"))
    side = {"U": "above", "W": "on the worse side of", "D": "below",
            "B": "on the better side of"}.get(code)
    level = forecast.get("level")
    name = f"{level:.0%} interval" if level else "interval"
    name = f"{name} (unbounded)" if open_ended else name
    text = (f"the {name} lies wholly {side} the baseline {baseline:g}" if side
            else f"the {name} contains the baseline {baseline:g}")
    return {"code": code, "display": display, "text": text}


def forecast_finding(forecast: dict, patient_id: str, when: dict, threshold=None,
                     derived_from: list | None = None, judged: dict | None = None):
    """A finding from a monitoring forecast (its interval and level as given);
    ``derived_from``: references to the observations the forecast was made from;
    ``judged``: its interpretation (:func:`forecast_interpretation`)."""
    unit = forecast.get("unit") or codes.OUTCOME_CODES.get(forecast["outcome"].lower(),
                                                           (None,) * 4)[3] or "{score}"
    rid = resource_id("forecast", forecast["subject"], forecast["outcome"],
                      forecast.get("session"), forecast["source"])
    how = "calibrated" if forecast.get("calibrated") else (
        "not calibrated" if forecast.get("calibrated") is False else "calibration not stated")
    model = f", {forecast['model_version']}" if forecast.get("model_version") else ""
    return finding(rid, f"forecast/{forecast['outcome']}", forecast["value"], forecast["lower"],
                   forecast["upper"], forecast["level"], patient_id, when,
                   list(derived_from or []), threshold,
                   unit=unit, method=f"lbpnet-monitor forecast ({how}{model})",
                   judged=judged)


def make_flag(flag: dict, patient_id: str, model_device_id: str | None, implicated: list):
    """A FHIR ``Flag`` for one monitoring flag: ``code`` is the rule id in lbpnet's rule
    code system (with the rule version), the message its text; the rule, severity, session
    and evidence (as JSON text) ride in the ``monitoring-rule`` / ``evidence`` extensions."""
    from fhir.resources.R4B.flag import Flag

    rule = {"system": codes.RULES, "code": flag["rule_id"], "display": flag["rule_id"]}
    if flag.get("rule_version"):
        rule["version"] = flag["rule_version"]
    parts = [{"url": "rule_id", "valueString": flag["rule_id"]}]
    for key in ("rule_version", "rule_set", "rule_set_version", "severity", "session", "action"):
        if flag.get(key) not in (None, ""):
            parts.append({"url": key, "valueString": str(flag[key])})
    if flag.get("uncertainty"):
        parts.append({"url": "uncertainty", "valueString": json.dumps(
            flag["uncertainty"], sort_keys=True, default=str)})
    extensions = [{"url": codes.EXT_RULE, "extension": parts}]
    if flag.get("evidence") is not None:
        extensions.append({"url": codes.EXT_EVIDENCE,
                           "valueString": json.dumps(flag["evidence"], sort_keys=True,
                                                     default=str)})
    for r in implicated:
        extensions.append({"url": f"{codes.EXT_EVIDENCE}-reference", "valueReference": r})
    data = {"id": resource_id("flag", flag["subject"], flag["rule_id"], flag.get("session"),
                              flag["source"]),
            "status": flag["status"], "extension": extensions,
            "category": [{"coding": [{"system": codes.FLAG_CATEGORY, "code": "clinical",
                                      "display": "Clinical"}]}],
            "code": {"coding": [rule],
                     "text": str(flag.get("message") or f"monitoring rule {flag['rule_id']}")},
            "subject": ref("Patient", patient_id)}
    if model_device_id:
        data["author"] = ref("Device", model_device_id)
    return Flag.model_validate(data)
