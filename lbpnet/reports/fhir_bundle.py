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
from lbpnet.reports.fhir_findings import forecast_finding, make_flag, window_findings
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
    for rec in inputs.recordings:
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
        resources += outcome_observations(rec, patient.id, keep_dates)
        windows = inputs.windows.get(rec.key)
        if windows is not None:
            sources = [ref("Observation", m.id) for m in measures] or [
                ref("Observation", w) for w in waveforms.values()]
            found = window_findings(windows, inputs.output_names, rec, patient.id,
                                    timing(rec, keep_dates), sources, threshold, inputs.method)
            resources += found
            derived += found
    findings = [forecast_finding(f, patient.id, {}) for f in inputs.forecasts]
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


def write_bundle(bundle, path: str | os.PathLike) -> Path:
    """Write the bundle's FHIR JSON to ``path`` atomically (temporary file + rename)."""
    return atomic_write_text(path, bundle.model_dump_json(indent=1) + "\n")


def count_resources(bundle) -> dict:
    """``{resourceType: count}`` of a bundle's entries."""
    types = [type(e.resource).__name__ for e in bundle.entry or []]
    return {t: int(n) for t, n in zip(*np.unique(types, return_counts=True))}
