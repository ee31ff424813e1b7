"""Real signals for the preprocessing tests (biosignalsnotebooks EMG/ECG, UCI HAPT IMU)."""

from __future__ import annotations

import numpy as np
import pytest

import torch

from lbpnet.errors import ReaderError


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """One intra-op thread: these tests run many small ops, and on a shared, loaded machine
    OpenMP workers waiting for a core make each small op orders of magnitude slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _sample(name: str, stream: str) -> tuple[np.ndarray, float]:
    pytest.importorskip("h5py", reason="h5py (the datasets extra) is not installed")
    from lbpnet.datasets.biosignalsnotebooks import load_opensignals_sample
    try:
        s = load_opensignals_sample(name).streams[stream]
    except ReaderError as exc:
        pytest.skip(f"biosignalsnotebooks==0.6.14 could not be fetched: {exc}")
    return np.asarray(s.data, dtype=np.float64).T.copy(), float(s.sampling_rate)


@pytest.fixture(scope="session")
def real_emg():
    """Real biceps EMG (biosignalsnotebooks ``emg_fatigue``), (1, 126900) mV at 1 kHz."""
    return _sample("emg_fatigue", "emg")


@pytest.fixture(scope="session")
def real_emg_bursts():
    """Real biceps EMG with cyclic bursts (``emg_bursts``), (1, 28519) mV at 1 kHz."""
    return _sample("emg_bursts", "emg")


@pytest.fixture(scope="session")
def real_ecg():
    """Real resting ECG (``ecg_20_sec_1000_Hz``), (1, 20400) mV at 1 kHz."""
    return _sample("ecg_20_sec_1000_Hz", "ecg")


@pytest.fixture(scope="session")
def real_imu():
    """Real waist IMU of UCI HAPT (first recording), (6, n) acc (g) + gyro (rad/s), 50 Hz."""
    from lbpnet.datasets import load_hapt
    try:
        rec = load_hapt()[0]
    except ReaderError as exc:
        pytest.skip(f"UCI HAPT is not available: {exc}")
    s = rec.streams["imu"]
    return np.asarray(s.data, dtype=np.float64).T.copy(), float(s.sampling_rate)
