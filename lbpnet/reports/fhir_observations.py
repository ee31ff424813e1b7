"""FHIR ``Observation`` resources of one recorded session: measures, PROs, a waveform.

- :func:`timing` — ``effectiveDateTime`` only when the user kept dates
  (``keep_dates=true`` and the recording still holds its ``start_datetime``); otherwise the
  ``relative-time`` extension (seconds from the subject's first recording, or the
  session's study day), or nothing;
- :func:`measure_observations` — one per session measure (LOINC where one exists, else
  lbpnet's code system; UCUM units; ``device``; ``derivedFrom`` the waveform excerpt);
- :func:`outcome_observations` — ODI, pain NRS and any other outcome instrument;
- :func:`waveform_observation` — a short ``SampledData`` excerpt of one stream, one
  component per channel (only when ``waveform_seconds`` > 0: it is raw signal).
"""

from __future__ import annotations

import math

import numpy as np

from lbpnet.reports import fhir_codes as codes
from lbpnet.reports.fhir_subject import quantity, ref, resource_id


def timing(recording, keep_dates: bool) -> dict:
    """The ``effective[x]`` / extension fields of an observation of ``recording``."""
    meta = recording.metadata or {}
    start = meta.get("start_datetime")
    if keep_dates and start:
        return {"effectiveDateTime": fhir_datetime(start)}
    if meta.get("start_offset_s") is not None:
        value, unit = float(meta["start_offset_s"]), "s"
    elif meta.get("session_day") is not None:
        value, unit = float(meta["session_day"]), "d"
    elif _finite(meta.get("session_week")):          # an outcome table's session time
        value, unit = float(meta["session_week"]), "wk"
    elif _finite(meta.get("session_index")):         # an outcome table without times
        value, unit = float(meta["session_index"]), "{session}"
    else:
        return {}
    return {"extension": [{"url": codes.EXT_RELATIVE_TIME,
                           "valueQuantity": quantity(value, unit)}]}


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def fhir_datetime(value) -> str:
    """A FHIR ``dateTime``: with its time zone when known; a time without a zone (EDF+
    start times are local) is written as its date only, as FHIR requires a zone with a time."""
    from datetime import date, datetime

    if isinstance(value, (datetime, date)):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)[:10]
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment.isoformat()
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def _category(code: str, display: str, system: str = codes.OBSERVATION_CATEGORY) -> list:
    return [{"coding": [{"system": system, "code": code, "display": display}]}]


def _observation(rid: str, code: tuple, value: dict, patient_id: str, when: dict,
                 category: list, **more):
    from fhir.resources.R4B.observation import Observation

    system, c, display = code[:3]
    data = {"id": rid, "status": "final", "category": category,
            "code": {"coding": [{"system": system, "code": c, "display": display}],
                     "text": display},
            "subject": ref("Patient", patient_id), **value, **more}
    extensions = list(when.get("extension", [])) + list(more.get("extension", []))
    data.update({k: v for k, v in when.items() if k != "extension"})
    if extensions:
        data["extension"] = extensions
    return Observation.model_validate(data)


def measure_code(name: str) -> tuple | None:
    """``(system, code, display, UCUM unit, scale)`` of a session measure
    ``<measure>/<channel or site>``; None for an unknown measure."""
    head, _, tail = name.partition("/")
    if head == "hrv":
        return codes.HRV_CODES.get(tail)
    return codes.MEASURE_CODES.get(head)


def measure_observations(recording, measures: dict, patient_id: str, device_ids: dict,
                         derived_from: dict, keep_dates: bool) -> list:
    """One ``Observation`` per finite session measure (and the heart rate, LOINC 8867-4,
    from the mean NN interval). ``measures``: name → value, or ``(value, UCUM unit or
    None)`` to give the unit; ``device_ids`` / ``derived_from``: modality → resource id."""
    when = timing(recording, keep_dates)
    out = []
    for name, value in sorted(measures.items()):
        known = measure_code(name)
        value, own_unit = value if isinstance(value, tuple) else (value, "")
        if known is None or value is None or not math.isfinite(float(value)):
            continue
        system, c, display, unit, scale = known
        unit = unit if own_unit == "" else own_unit
        value = 10.0 ** float(value) if scale == "exp10" else float(value)
        _, _, where = name.partition("/")
        modality = _modality_of(name, device_ids)
        more = {}
        if modality in device_ids:
            more["device"] = ref("Device", device_ids[modality])
        if modality in derived_from:
            more["derivedFrom"] = [ref("Observation", derived_from[modality])]
        if where and name.startswith("emg_"):
            more["bodySite"] = {"text": where}          # the muscle
        shown = where and not name.startswith(("hrv/", "eda/"))
        label = f"{display} ({where})" if shown else display
        out.append(_observation(resource_id("measure", recording.key, name),
                                (system, c, label), {"valueQuantity": quantity(value, unit)},
                                patient_id, when, _category("activity", "Activity"), **more))
        if name == "hrv/mean_nn_ms" and value > 0:
            out.append(_observation(resource_id("measure", recording.key, "heart_rate"),
                                    codes.HEART_RATE,
                                    {"valueQuantity": quantity(60000.0 / value, "/min")},
                                    patient_id, when, _category("vital-signs", "Vital Signs"),
                                    **more))
    return out


def _modality_of(name: str, device_ids: dict) -> str:
    head, _, tail = name.partition("/")
    if tail in device_ids:
        return tail
    guess = {"emg_log_rms": "emg", "emg_median_freq": "emg", "trunk_acc_sd": "imu",
             "trunk_gyro_rms": "imu", "hrv": "ecg", "eda": "eda"}.get(head, head)
    if guess == "ecg" and "ecg" not in device_ids:
        guess = "rr" if "rr" in device_ids else guess
    return guess


def outcome_observations(recording, patient_id: str, keep_dates: bool,
                         instruments: dict | None = None) -> list:
    """One ``Observation`` (category survey) per reported outcome of the session
    (``metadata["outcomes"]``: ``odi``, ``nrs`` and any other instrument; ``instruments``:
    name → :class:`~lbpnet.recording.outcomes.Instrument`, the sidecar's long name and
    units, see :func:`lbpnet.reports.fhir_outcomes.outcome_code`)."""
    from lbpnet.reports.fhir_outcomes import outcome_code

    outcomes = (recording.metadata or {}).get("outcomes") or {}
    when = timing(recording, keep_dates)
    out = []
    for name, value in sorted(outcomes.items()):
        if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        system, c, display, unit = outcome_code(str(name), instruments)
        out.append(_observation(resource_id("outcome", recording.key, name), (system, c, display),
                                {"valueQuantity": {"value": float(value), **unit}}, patient_id,
                                when, _category("survey", "Survey")))
    return out


def waveform_observation(recording, stream, seconds: float, patient_id: str, device_id: str,
                         keep_dates: bool, digits: int = 5):
    """The first ``seconds`` of ``stream`` (from the recording's common start) as one
    ``Observation`` with a ``SampledData`` component per channel (period in ms, origin 0
    in the channel's UCUM unit, values to ``digits`` significant digits)."""
    fs = float(stream.sampling_rate)
    start = max(0, stream.sample_at(recording.start_time))
    n = max(1, int(round(seconds * fs)))
    x = np.asarray(stream.data[start:start + n], dtype=np.float64)
    units = list(stream.units) or [None] * stream.n_channels
    components = []
    for j, channel in enumerate(stream.channel_names):
        unit = codes.ucum(units[j]) if units[j] not in (None, "n/a", "") else None
        values = " ".join("E" if not math.isfinite(v) else f"{v:.{digits}g}" for v in x[:, j])
        components.append({
            "code": {"coding": [{"system": f"{codes.BASE}/CodeSystem/channels",
                                 "code": str(channel)}], "text": str(channel)},
            "valueSampledData": {"origin": quantity(0.0, unit), "period": 1000.0 / fs,
                                 "dimensions": 1, "data": values}})
    display = f"{stream.name} waveform excerpt, {x.shape[0] / fs:g} s at {fs:g} Hz"
    return _observation(resource_id("waveform", recording.key, stream.name),
                        (codes.MEASURES, "waveform-excerpt", display), {}, patient_id,
                        timing(recording, keep_dates), _category("procedure", "Procedure"),
                        device=ref("Device", device_id), component=components)
