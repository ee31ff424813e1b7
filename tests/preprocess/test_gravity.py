import numpy as np
import pytest
from scipy.signal import butter, filtfilt

from lbpnet.errors import ConfigError
from lbpnet.preprocess import GravitySplit
from lbpnet.recording import Recording, Stream


def imu_recording(seconds=60.0, rate=50.0):
    """SYNTHETIC: gravity along z tilting slowly, plus 2 Hz body motion on x."""
    t = np.arange(int(seconds * rate)) / rate
    tilt = 0.2 * np.sin(2 * np.pi * 0.02 * t)
    acc = np.stack([np.sin(tilt) + 0.3 * np.sin(2 * np.pi * 2 * t), 0 * t, np.cos(tilt)], 1)
    gyro = np.zeros_like(acc)
    data = np.concatenate([acc, gyro], 1).astype(np.float32)
    names = ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
    return Recording({"imu": Stream("imu", data, rate, names, ["ACCEL"] * 3 + ["GYRO"] * 3,
                                    ["g"] * 3 + ["rad/s"] * 3)}, source="synthetic.lbp"), t, tilt


def test_gravity_and_body_acceleration_are_separated():
    rec, t, tilt = imu_recording()
    out = GravitySplit()(rec).validate()
    s = out.streams["imu"]
    assert s.channel_names[6:] == ["gravity_x", "gravity_y", "gravity_z", "body_acc_x",
                                   "body_acc_y", "body_acc_z", "acc_magnitude"]
    g, body = s.data[:, 6:9], s.data[:, 9:12]
    inner = slice(250, -250)                      # away from the filter's edges
    np.testing.assert_allclose(g[inner, 0], np.sin(tilt)[inner], atol=0.03)
    np.testing.assert_allclose(body[inner, 0], 0.3 * np.sin(2 * np.pi * 2 * t)[inner], atol=0.03)
    np.testing.assert_allclose(g + body, s.data[:, :3], atol=1e-5)
    assert s.units[6:] == ["g"] * 7
    assert rec.streams["imu"].n_channels == 6     # the input recording is untouched


def test_matches_scipy_filtfilt_on_the_same_butterworth():
    rec, _, _ = imu_recording()
    s = GravitySplit()(rec).streams["imu"]
    b, a = butter(3, 0.3, fs=50.0)
    ref = filtfilt(b, a, rec.streams["imu"].data[:, :3].astype(np.float64), axis=0)
    inner = slice(500, -500)
    np.testing.assert_allclose(s.data[inner, 6:9], ref[inner], atol=1e-4)


def test_missing_channel_and_bad_cutoff_are_named():
    rec, _, _ = imu_recording()
    with pytest.raises(ConfigError, match=r"synthetic\.lbp.*\['ax'\] not in stream 'imu'"):
        GravitySplit(acc_channels=["ax", "acc_y", "acc_z"])(rec)
    with pytest.raises(ConfigError, match=r"cut-off 30\.0 Hz outside \(0, 25\.0\) Hz"):
        GravitySplit(cutoff_hz=30)(rec)
    with pytest.raises(ConfigError, match=r"no stream 'emg'"):
        GravitySplit(stream="emg")(rec)
