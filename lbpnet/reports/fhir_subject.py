"""FHIR R4 ``Patient`` (pseudonymous) and ``Device`` (one per sensor stream) resources.

Resources are built with ``fhir.resources`` models (the R4B package, the R4 line's 4.3.0
release; every element used here is the same in R4 4.0.1), so each is validated when it
is constructed. Ids are UUIDs derived from what the resource is (:func:`resource_id`), so
that exporting the same run twice gives the same ids.
"""

from __future__ import annotations

import re
import uuid

from lbpnet.reports import fhir_codes as codes

NAMESPACE = uuid.UUID("6f1c3e2a-4b7d-5e8f-9a0b-1c2d3e4f5a6b")
_AXIS = {"x", "y", "z", "acc", "gyro", "mag", "accel", "gyr", "magn", "ch", "norm"}


def resource_id(*parts: object) -> str:
    """A stable UUID (str, 36 characters: a valid FHIR id) for the parts that name a resource."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def ref(resource_type: str, rid: str, display: str | None = None) -> dict:
    """A reference to a bundle entry: ``{"reference": "urn:uuid:<id>"}`` (+ display)."""
    out = {"reference": f"urn:uuid:{rid}"}
    if display:
        out["display"] = display
    return out


def quantity(value: float, unit: str | None) -> dict:
    """A FHIR ``Quantity`` with a UCUM code; ``unit`` None (undocumented): no unit at all."""
    if unit is None:
        return {"value": float(value)}
    return {"value": float(value), "unit": unit, "system": codes.UCUM, "code": unit}


def make_patient(subject: str, synthetic: bool):
    """A ``Patient`` holding only lbpnet's pseudonym of ``subject`` (no name, birth date,
    sex or address) and, for simulated data, the ``synthetic-data`` extension."""
    from fhir.resources.R4B.patient import Patient

    data = {"id": resource_id("patient", subject), "active": True,
            "identifier": [{"system": codes.PATIENT_IDS, "value": str(subject)}]}
    if synthetic:
        data["extension"] = [{"url": codes.EXT_SYNTHETIC, "valueBoolean": True}]
    return Patient.model_validate(data)


def body_sites(channel_names) -> list[str]:
    """Body sites named by the channels: the name without axis/sensor tokens
    (``trunk_l1_acc_x`` → ``trunk_l1``; an EMG channel is its muscle,
    ``erector_spinae_left``); none when only axes are named (``acc_x``)."""
    sites = []
    for name in channel_names:
        tokens = [t for t in re.split(r"[_\s]+", str(name).lower()) if t and t not in _AXIS]
        site = "_".join(tokens)
        if site and site not in sites:
            sites.append(site)
    return sites


def stream_key(stream) -> tuple:
    """What makes two streams the same sensor: modality, rate and channel names."""
    return (stream.name, float(stream.sampling_rate), tuple(stream.channel_names))


def make_device(subject: str, stream, patient_id: str):
    """A ``Device`` for one sensor stream: type (modality), sampling rate (Hz), body sites
    and channel types as ``property`` entries; the patient it is attached to."""
    from fhir.resources.R4B.device import Device

    def prop(code, **value):
        return {"type": {"coding": [{"system": codes.DEVICE_PROPERTIES, "code": code}],
                         "text": code.replace("-", " ")}, **value}

    properties = [prop("sampling-rate",
                       valueQuantity=[quantity(float(stream.sampling_rate), "Hz")])]
    sites = body_sites(stream.channel_names)
    if sites:
        properties.append(prop("body-site", valueCode=[{"text": s} for s in sites]))
    types = sorted(set(stream.channel_types or []))
    if types:
        properties.append(prop("channel-types", valueCode=[{"text": t} for t in types]))
    properties.append(prop("channels", valueQuantity=[quantity(len(stream.channel_names), "1")]))
    data = {"id": resource_id("device", subject, *stream_key(stream)),
            "type": {"coding": [{"system": codes.SENSORS, "code": str(stream.name),
                                 "display": f"{stream.name} sensor"}],
                     "text": f"{stream.name} sensor at {float(stream.sampling_rate):g} Hz"},
            "deviceName": [{"name": f"{stream.name} sensor", "type": "user-friendly-name"}],
            "property": properties,
            "patient": ref("Patient", patient_id)}
    return Device.model_validate(data)


def make_model_device(task: str, checkpoint_sha256: str, lbpnet_version: str,
                      registry_version: str | None = None):
    """A software ``Device`` standing for the trained model (the agent of ``Provenance``):
    its versions are the checkpoint SHA-256, the registry version if any, and lbpnet's."""
    from fhir.resources.R4B.device import Device

    versions = [{"type": {"text": "checkpoint-sha256"}, "value": checkpoint_sha256}]
    if lbpnet_version:
        versions.append({"type": {"text": "lbpnet"}, "value": lbpnet_version})
    if registry_version:
        versions.insert(0, {"type": {"text": "registry-version"}, "value": registry_version})
    return Device.model_validate({
        "id": resource_id("model", checkpoint_sha256),
        "type": {"coding": [{"system": codes.SENSORS, "code": "model",
                             "display": "trained lbpnet model (software)"}],
                 "text": "trained lbpnet model: research decision support, not a diagnosis"},
        "deviceName": [{"name": f"lbpnet {task} model", "type": "model-name"}],
        "version": versions})
