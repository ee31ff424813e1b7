"""Small in-memory inputs for the FHIR export tests (SYNTHETIC signals made here)."""

from __future__ import annotations

import json

import numpy as np

from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream
from lbpnet.reports.fhir_bundle import ModelInfo

MODEL = ModelInfo("synthetic_strategy", {"name": "checkpoints/last.ckpt", "sha256": "ab" * 32},
                  "cd" * 32, "0.1.0", {"seq": 4, "hash": "ef" * 32, "command": "lbpnet-train"},
                  "strategy-cnn@3")


def recording(subject="P001", session="1", seconds=4.0, **meta) -> Recording:
    """Two streams (EMG 200 Hz, trunk IMU 50 Hz) of seeded noise; metadata as given."""
    rng = np.random.default_rng(0)
    emg = Stream("emg", rng.standard_normal((int(200 * seconds), 2)) * 20, 200.0,
                 ["multifidus_left", "multifidus_right"], ["EMG", "EMG"], ["uV", "uV"])
    imu = Stream("imu", rng.standard_normal((int(50 * seconds), 3)) * 0.1 + [0, 0, 1], 50.0,
                 ["trunk_l1_acc_x", "trunk_l1_acc_y", "trunk_l1_acc_z"], ["ACCEL"] * 3,
                 ["g"] * 3)
    return Recording({"emg": emg, "imu": imu}, subject=subject, session=session,
                     metadata={"synthetic": True, **meta})


def strict_r4(bundle_json: str):
    """Parse a bundle's JSON with fhirclient's FHIR R4 (4.0.1) models, strictly; and back
    with fhir.resources R4B. Returns the fhir.resources Bundle."""
    from fhir.resources.R4B.bundle import Bundle
    from fhirclient.models.bundle import Bundle as R4Bundle

    R4Bundle(json.loads(bundle_json), strict=True)
    return Bundle.model_validate_json(bundle_json)


def resources(bundle, kind=None) -> list:
    out = [e.resource for e in bundle.entry]
    return [r for r in out if kind is None or type(r).__name__ == kind]
