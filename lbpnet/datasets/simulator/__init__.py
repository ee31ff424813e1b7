"""The lbpnet synthetic LBP cohort: multimodal, multi-session recordings with ground truth.

Everything it writes is marked ``metadata["synthetic"] = True``. See
:func:`simulate_cohort` (write ``.lbp`` recordings) and :func:`load_synthetic_lbp` (generate
into a cache once, then read back through the normal store).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from lbpnet.atomic import atomic_write_json
from lbpnet.datasets.cache import cache_root
from lbpnet.datasets.simulator.cohort import LABEL_THRESHOLD, make_cohort, meets_mic
from lbpnet.datasets.simulator.config import (DEFAULT_EMG_CHANNELS, MUSCLES, PHENOTYPES,
                                              STRATEGIES, TASKS, SimulatorConfig)
from lbpnet.datasets.simulator.session import DATASET, simulate_session
from lbpnet.recording.recording import Recording
from lbpnet.recording.store import read_recording

GENERATOR_VERSION = 1
STRATEGY_LABELS = [f"strategy/{s}" for s in STRATEGIES]
__all__ = ["simulate_cohort", "load_synthetic_lbp", "SimulatorConfig", "TASKS",
           "STRATEGY_LABELS", "PHENOTYPES", "MUSCLES", "DEFAULT_EMG_CHANNELS",
           "LABEL_THRESHOLD", "meets_mic", "DATASET"]


def simulate_cohort(out_dir, n_patients: int = 12, n_sessions: int = 4, seed: int = 0,
                    difficulty: float = 1.0, emg_rate: float = 2000.0, imu_rate: float = 100.0,
                    free_living_hours: float = 0.0, artefact_rate: float = 0.5,
                    novel_rate: float = 0.05, **more) -> list[Path]:
    """Write one ``sub-<id>_ses-<k>.lbp`` recording per patient-session to ``out_dir``.

    Deterministic in ``seed`` (and the other parameters). Each recording is written
    atomically. ``more`` are further :class:`SimulatorConfig` fields (``emg_channels``,
    ``with_ecg``, ``protocol_scale``, ``task_seconds``, ``chunk_seconds``…).

    Raises
    ------
    ConfigError
        Naming the field and the fix for any impossible parameter.
    """
    cfg = SimulatorConfig(n_patients=n_patients, n_sessions=n_sessions, seed=seed,
                          difficulty=difficulty, emg_rate=emg_rate, imu_rate=imu_rate,
                          free_living_hours=free_living_hours, artefact_rate=artefact_rate,
                          novel_rate=novel_rate, **more)
    out = Path(out_dir)
    paths = []
    for patient in make_cohort(cfg):
        for plan in patient.sessions:
            path = out / f"sub-{patient.id}_ses-{plan.index}.lbp"
            paths.append(simulate_session(cfg, patient, plan, path))
    return paths


def load_synthetic_lbp(root=None, n_patients: int = 12, n_sessions: int = 4, seed: int = 0,
                       difficulty: float = 1.0, **more) -> list[Recording]:
    """Generate the cohort into a cache keyed by its parameters (once), then read it back.

    ``root``: the folder to use instead of ``~/.cache/lbpnet/synthetic_lbp/<hash>/`` (or
    ``$LBPNET_CACHE/synthetic_lbp/<hash>/``). Recordings are opened memory-mapped with
    :func:`lbpnet.recording.store.read_recording`, in patient then session order.
    """
    cfg = SimulatorConfig(n_patients=n_patients, n_sessions=n_sessions, seed=seed,
                          difficulty=difficulty, **more)
    params = {k: v for k, v in cfg.to_dict().items() if k != "extra"}
    key = hashlib.sha256(json.dumps({"v": GENERATOR_VERSION, **params}, sort_keys=True,
                                    default=str).encode()).hexdigest()[:16]
    folder = Path(root).expanduser() if root is not None else cache_root() / "synthetic_lbp" / key
    manifest = folder / "manifest.json"
    names = None
    if manifest.is_file():
        try:
            info = json.loads(manifest.read_text())
            if info.get("key") == key:
                names = info["recordings"]
        except (json.JSONDecodeError, KeyError):
            names = None
    if names is None or not all((folder / n).is_dir() for n in names):
        paths = simulate_cohort(folder, **params)
        names = [p.name for p in paths]
        atomic_write_json(manifest, {"key": key, "dataset": DATASET, "synthetic": True,
                                     "params": params, "recordings": names})
    return [read_recording(folder / n) for n in names]
