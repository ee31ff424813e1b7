"""Constructed signals for the QC tests (synthetic, built here; real recordings are loaded
in test_real.py). Test modules import them from here, never from a conftest."""

import numpy as np
from scipy import signal

from lbpnet.recording import Annotations, Recording, Stream

EMG_FS, IMU_FS = 2000.0, 100.0


def emg_like(seconds=20.0, fs=EMG_FS, channels=2, seed=0, active=((4, 8), (12, 16))):
    """Surface-EMG-like noise (20-450 Hz band-passed Gaussian, uV): 5 uV at rest, 80 uV
    during the ``active`` stretches (s), shape (n, channels)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * fs)
    sos = signal.butter(4, [20, 450], btype="bandpass", fs=fs, output="sos")
    x = signal.sosfilt(sos, rng.standard_normal((n, channels)), axis=0)
    x /= x.std(axis=0)
    t = np.arange(n) / fs
    env = np.full(n, 5.0)
    for a, b in active:
        env[(t >= a) & (t < b)] = 80.0
    return (x * env[:, None]).astype(np.float32), t


def emg_recording(x, names=None, fs=EMG_FS):
    names = names or [f"ch{i}" for i in range(x.shape[1])]
    s = Stream("emg", x, fs, names, ["EMG"] * len(names), ["uV"] * len(names))
    return Recording({"emg": s}, Annotations(), subject="qc", metadata={"synthetic": True})


def imu_recording(acc, fs=IMU_FS, site="trunk_l1"):
    names = [f"{site}_acc_{a}" for a in "xyz"]
    s = Stream("imu", acc.astype(np.float32), fs, names, ["ACCEL"] * 3, ["g"] * 3)
    return Recording({"imu": s}, Annotations(), subject="qc", metadata={"synthetic": True})


def starts_of(seconds, length=2.0, stride=1.0):
    return np.arange(0.0, seconds - length + 1e-9, stride)
