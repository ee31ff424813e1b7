"""A constructed explanation of two sessions with tiny signals (no model needed)."""

import numpy as np

from lbpnet.explain.result import ChannelSegmentAttribution
from lbpnet.reports import SessionInfo, WindowSignals

EMG = ["erector_spinae_left", "erector_spinae_right", "multifidus_left", "multifidus_right"]
IMU = ["acc_x", "acc_y", "acc_z"]
EMG_RATE, IMU_RATE, LENGTH_S = 200.0, 50.0, 2.0


def make_result(n_per_session=4, with_probability=True, quality=True, faithfulness=True,
                output_names=("strategy/guarding", "strategy/asymmetry")):
    rng = np.random.default_rng(0)
    channels = [f"emg/{c}" for c in EMG] + [f"imu/{c}" for c in IMU]
    n = 2 * n_per_session
    matrix = rng.normal(0, 0.1, (n, len(channels), 4))
    matrix[:, 1, 2] += 2.0        # planted: right erector spinae, third segment
    windows = {"recording": np.repeat([0, 1], n_per_session),
               "start": np.tile(np.arange(n_per_session) * 1.0, 2) + 30.0}
    if with_probability:
        windows["probability"] = np.array([0.9, 0.8, 0.85, 0.7, 0.2, 0.1, 0.3, 0.15][:n])
    if quality:
        windows["quality"] = np.linspace(1.0, 0.4, n)
    return ChannelSegmentAttribution(
        matrix=matrix, channels=channels, modalities=[c.split("/")[0] for c in channels],
        segment_edges_s=np.linspace(0, LENGTH_S, 5), target=np.zeros(n, dtype=int),
        output_names=list(output_names), method="integrated_gradients", windows=windows,
        faithfulness={"deletion_auc": 0.21, "random_deletion_auc": 0.45,
                      "insertion_auc": 0.7, "random_insertion_auc": 0.5} if faithfulness else {})


def make_signals(rows):
    k = len(rows)
    t_emg = np.arange(int(LENGTH_S * EMG_RATE)) / EMG_RATE
    raw_emg = np.sin(2 * np.pi * 40 * t_emg)[None, None] * np.ones((k, len(EMG), 1)) * 50
    raw_imu = np.cos(2 * np.pi * 1 * np.arange(int(LENGTH_S * IMU_RATE)) / IMU_RATE)
    return WindowSignals(
        raw={"emg": raw_emg, "imu": np.ones((k, len(IMU), 1)) * raw_imu},
        raw_rate={"emg": EMG_RATE, "imu": IMU_RATE},
        units={"emg": ["uV"] * len(EMG), "imu": ["g"] * len(IMU)},
        processed={"emg": np.abs(raw_emg[..., ::10]), "imu": np.ones((k, len(IMU), 100))},
        processed_rate={"emg": EMG_RATE / 10, "imu": IMU_RATE},
        processed_label={"emg": "RMS envelope", "imu": "standardised"})


SESSIONS = {0: SessionInfo("P01", "1", "sub-P01_ses-1_task-lbp", synthetic=True),
            1: SessionInfo("P02", "2", "sub-P02_ses-2_task-lbp", synthetic=True)}

PROVENANCE = {"run_id": "20261125T180000Z-abcdef12", "training_run": "logs/x/runs/1",
              "checkpoint_sha256": "a" * 64, "config_sha256": "b" * 64, "data_sha256": "c" * 64,
              "lbpnet_version": "0.1.0", "git_commit": "deadbeef", "method": "integrated_gradients",
              "created_utc": "2026-11-25T18:00:00+00:00"}
