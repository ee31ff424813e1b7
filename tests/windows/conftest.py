import numpy as np
import pytest

from lbpnet.recording import Annotations, Recording, Stream


def multirate_recording(subject="01", session="1", seconds=10.0, emg_rate=200.0, imu_rate=20.0,
                        labels=(("sit", 0.0, 4.0), ("stand", 4.0, 6.0))):
    """A synthetic recording whose samples encode their own time: value = t (s)."""
    n_emg, n_imu = int(seconds * emg_rate), int(seconds * imu_rate)
    t_emg = (np.arange(n_emg) / emg_rate).astype(np.float32)
    t_imu = (np.arange(n_imu) / imu_rate).astype(np.float32)
    emg = Stream("emg", np.stack([t_emg, -t_emg], 1), emg_rate, ["es_l", "es_r"],
                 ["EMG"] * 2, ["uV"] * 2)
    imu = Stream("imu", np.stack([t_imu] * 3, 1), imu_rate, ["x", "y", "z"], ["ACCEL"] * 3,
                 ["g"] * 3)
    on, du, lab = zip(*[(a, b - a, n) for n, a, b in labels]) if labels else ((), (), ())
    return Recording({"emg": emg, "imu": imu}, Annotations(on, du, lab), subject=subject,
                     session=session, metadata={"synthetic": True})


@pytest.fixture
def recording():
    return multirate_recording()


@pytest.fixture
def make_recording():
    """The factory itself, for tests that need other subjects, lengths or labels."""
    return multirate_recording
