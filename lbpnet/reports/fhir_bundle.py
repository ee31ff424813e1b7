"""One FHIR R4 ``Bundle`` (type ``collection``) per patient, written atomically.

:func:`patient_bundle` gathers, for one pseudonymous subject: the ``Patient``; a ``Device``
per sensor stream (deduplicated over sessions) and one for the model; per session the
measure and outcome ``Observation``s (and, when asked, a ``SampledData`` waveform excerpt
per stream); model findings from an explanation's windows and from monitoring forecasts;
monitoring flags as ``Flag``; and a ``Provenance`` targeting every derived resource.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text
from lbpnet.reports import fhir_codes as codes
from lbpnet.reports.fhir_findings import (forecast_finding, forecast_interpretation, make_flag,
                                          window_findings)
from lbpnet.reports.fhir_observations import (measure_observations, outcome_observations,
                                              timing, waveform_observation)
from lbpnet.reports.fhir_provenance import make_provenance
from lbpnet.reports.fhir_subject import (make_device, make_model_device, make_patient, ref,
                                         stream_key)


@dataclass
class ModelInfo:
    """What produced the derived resources.

    Parameters
    ----------
    task : str
        The run's task name (``synthetic_strategy``).
    checkpoint : dict
        ``{"name": file name, "sha256": hex}`` of the tested checkpoint.
    config_sha256 : str, optional
        SHA-256 of the run's ``config.yaml``.
    lbpnet_version : str
    audit : dict, optional
        The run's audit entry (``seq``, ``hash``, ``command``), see
        :func:`lbpnet.reports.fhir_provenance.find_audit_entry`.
    registry_version : str, optional
        The model registry's name@version of this checkpoint.
    """

    task: str
    checkpoint: dict
    config_sha256: str | None = None
    lbpnet_version: str = ""
    audit: dict | None = None
    registry_version: str | None = None


@dataclass
class PatientInputs:
    """Everything exported for one subject.

    Parameters
    ----------
    subject : str
        lbpnet's pseudonym of the subject.
    recordings : list of Recording
        The subject's sessions.
    measures : dict of str to dict
        Recording key → ``{measure name: value}`` (units as in
        :mod:`lbpnet.tasks.trajectory_measures`).
    windows : dict of str to dict
        Recording key → explanation windows of that session (``probability/<output>``).
    output_names : list of str
        The model's outputs (for findings).
    flags, forecasts : list of dict
        Monitoring items of this subject (:mod:`lbpnet.reports.fhir_monitoring`).
    synthetic : bool
        Simulated data (tagged in the bundle and the Patient).
    method : str, optional
        The explanation method of the findings.
    instruments : dict of str to Instrument
        Outcome instrument → its sidecar meaning (long name, units) on a trajectory run
        (:mod:`lbpnet.reports.fhir_outcomes`); empty: ODI/NRS by LOINC, others by name.
    """

    subject: str
    recordings: list
    measures: dict = field(default_factory=dict)
    windows: dict = field(default_factory=dict)
    output_names: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    forecasts: list = field(default_factory=list)
    synthetic: bool = False
    method: str | None = None
    instruments: dict = field(default_factory=dict)


def _entry(resource) -> dict:
    return {"fullUrl": f"urn:uuid:{resource.id}", "resource": resource}


def patient_bundle(inputs: PatientInputs, model: ModelInfo, keep_dates: bool = False,
                   waveform_seconds: float = 0.0, threshold: float = 0.5):
    """The ``Bundle`` of one patient (validated by ``fhir.resources`` on construction).

    Parameters
    ----------
    keep_dates : bool
        Write ``effectiveDateTime`` when recordings kept their start date; else relative times.
    waveform_seconds : float
        Length (s) of the ``SampledData`` excerpt per stream; 0: none (no raw signal).
    threshold : float
        Score threshold of the findings' interpretation.
    """
    from fhir.resources.R4B.bundle import Bundle

    patient = make_patient(inputs.subject, inputs.synthetic)
    model_device = make_model_device(model.task, model.checkpoint["sha256"],
                                     model.lbpnet_version, model.registry_version)
    resources, derived, devices = [patient, model_device], [], {}
    pros = {}                   # session position (1-based) -> its outcome observations
    for position, rec in enumerate(inputs.recordings, start=1):
        device_ids, waveforms = {}, {}
        for name, stream in rec.streams.items():
            key = stream_key(stream)
            if key not in devices:
                devices[key] = make_device(inputs.subject, stream, patient.id)
                resources.append(devices[key])
            device_ids[name] = devices[key].id
            if waveform_seconds and waveform_seconds > 0:
                wf = waveform_observation(rec, stream, waveform_seconds, patient.id,
                                          device_ids[name], keep_dates)
                waveforms[name] = wf.id
                resources.append(wf)
                derived.append(wf)
        measures = measure_observations(rec, inputs.measures.get(rec.key, {}), patient.id,
                                        device_ids, waveforms, keep_dates)
        resources += measures
        derived += measures
        pros[str(position)] = outcome_observations(rec, patient.id, keep_dates,
                                                   inputs.instruments)
        resources += pros[str(position)]
        windows = inputs.windows.get(rec.key)
        if windows is not None:
            sources = [ref("Observation", m.id) for m in measures] or [
                ref("Observation", w) for w in waveforms.values()]
            found = window_findings(windows, inputs.output_names, rec, patient.id,
                                    timing(rec, keep_dates), sources, threshold, inputs.method)
            resources += found
            derived += found
    findings = [_forecast(f, inputs, pros, patient.id, keep_dates) for f in inputs.forecasts]
    resources += findings
    derived += findings
    for flag in inputs.flags:
        implicated = [ref("Observation", f.id) for f in findings]
        flagged = make_flag(flag, patient.id, model_device.id, implicated)
        resources.append(flagged)
        derived.append(flagged)
    provenance = make_provenance(inputs.subject, [ref(type(r).__name__, r.id) for r in derived],
                                 model_device.id, model.checkpoint, model.config_sha256,
                                 model.audit, model.registry_version)
    resources.append(provenance)
    meta = {"tag": [{"system": f"{codes.BASE}/CodeSystem/tags", "code": "synthetic",
                     "display": "SYNTHETIC: simulated data"}]} if inputs.synthetic else None
    data = {"id": patient.id, "type": "collection",
            "identifier": {"system": codes.PATIENT_IDS, "value": inputs.subject},
            "entry": [_entry(r) for r in resources]}
    if meta:
        data["meta"] = meta
    return Bundle.model_validate(data)


def _forecast(forecast: dict, inputs: PatientInputs, pros: dict, patient_id: str,
              keep_dates: bool):
    """A monitoring forecast as a finding: timed as its horizon session (lbpnet-monitor
    counts sessions from 1 in the patient's order), in its instrument's unit, derived from
    the outcome observations of the sessions it had seen (``made_at_session``)."""
    from lbpnet.reports.fhir_outcomes import outcome_code

    forecast = dict(forecast)
    if not forecast.get("unit") and (inputs.instruments or forecast["outcome"] in
                                     codes.OUTCOME_CODES):
        forecast["unit"] = outcome_code(forecast["outcome"], inputs.instruments)[3]["code"]
    when, seen = {}, []
    session = forecast.get("session")
    if session is not None and session.isdigit() and 0 < int(session) <= len(inputs.recordings):
        when = timing(inputs.recordings[int(session) - 1], keep_dates)
    made_at = forecast.get("made_at_session")
    if made_at is not None and made_at.isdigit():
        seen = [ref("Observation", o.id) for s in range(1, int(made_at) + 1)
                for o in pros.get(str(s), [])]
    name = forecast["outcome"]
    first = (inputs.recordings[0].metadata or {}).get("outcomes", {}) if inputs.recordings \
        else {}
    baseline = first.get(name)
    info = inputs.instruments.get(name)
    worse = getattr(info, "higher_is_worse", None)
    if worse is None and name.lower() in codes.OUTCOME_CODES:
        worse = True                                  # ODI and pain NRS: higher is worse
    judged = forecast_interpretation(forecast, None if baseline is None else float(baseline),
                                     worse)
    return forecast_finding(forecast, patient_id, when, derived_from=seen, judged=judged)


def write_bundle(bundle, path: str | os.PathLike) -> Path:
    """Write the bundle's FHIR JSON to ``path`` atomically (temporary file + rename)."""
    return atomic_write_text(path, bundle.model_dump_json(indent=1) + "\n")


def count_resources(bundle) -> dict:
    """``{resourceType: count}`` of a bundle's entries."""
    types = [type(e.resource).__name__ for e in bundle.entry or []]
    return {t: int(n) for t, n in zip(*np.unique(types, return_counts=True))}
