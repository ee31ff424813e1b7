"""Madgwick and complementary filters on a forward bend with known angles; lumbar flexion."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.features import (FeatureError, complementary_sagittal_angle, gravity_in_sensor,
                             inclination, lumbar_flexion, madgwick_imu, sagittal_angle)

FS = 100.0


def _bend(peak_deg: float, seconds: float = 10.0, gyro_bias: float = 0.0, seed: int = 0):
    """A right-handed sensor (x up the spine, y to the right, z forward) bending forward by
    ``peak_deg * sin^2``: acc = gravity in the sensor frame + noise, gyro about -y."""
    t = np.arange(0, seconds, 1 / FS)
    theta = np.radians(peak_deg) * np.sin(np.pi * t / seconds) ** 2
    rng = np.random.default_rng(seed)
    acc = np.stack([np.cos(theta), 0 * t, -np.sin(theta)]) + 0.02 * rng.standard_normal((3, t.size))
    gyro = np.stack([0 * t, -np.gradient(theta, 1 / FS) + gyro_bias, 0 * t])
    return acc, gyro, np.degrees(theta)


def test_madgwick_and_complementary_track_a_forward_bend():
    acc, gyro, truth = _bend(60.0)
    madgwick = sagittal_angle(gravity_in_sensor(madgwick_imu(acc, gyro, FS)))
    comp = complementary_sagittal_angle(acc, -gyro[1], FS)
    raw = sagittal_angle(acc)
    assert np.abs(madgwick - truth).max() < 2.0
    assert np.abs(comp - truth).max() < 2.0
    # both fuse: smoother than the accelerometer angle alone
    assert np.std(np.diff(madgwick)) < np.std(np.diff(raw))
    assert np.std(np.diff(comp)) < np.std(np.diff(raw))


def test_gyro_bias_drift_is_corrected_by_the_accelerometer():
    acc, gyro, truth = _bend(30.0, seconds=60.0, gyro_bias=0.02)   # 1.15 deg/s bias
    integrated = np.degrees(np.cumsum(-gyro[1]) / FS)
    assert np.abs(integrated - truth).max() > 50                    # pure integration drifts
    madgwick = sagittal_angle(gravity_in_sensor(madgwick_imu(acc, gyro, FS)))
    assert np.abs(madgwick - truth)[int(10 * FS):].max() < 5.0


def test_batched_quaternions_equal_one_by_one_and_stay_unit():
    a1, g1, _ = _bend(40.0, seed=1)
    a2, g2, _ = _bend(80.0, seed=2)
    q = madgwick_imu(np.stack([a1, a2]), np.stack([g1, g2]), FS)
    assert q.shape == (2, 4, a1.shape[-1])
    np.testing.assert_allclose(q[1], madgwick_imu(a2, g2, FS))
    np.testing.assert_allclose(np.linalg.norm(q, axis=-2), 1.0, atol=1e-12)
    # the first sample already explains the first accelerometer reading
    g0 = a1[:, 0] / np.linalg.norm(a1[:, 0])
    np.testing.assert_allclose(gravity_in_sensor(q[0])[:, 0], g0, atol=0.01)


def test_lumbar_flexion_and_inclination():
    _, _, trunk = _bend(70.0)
    pelvis = 0.4 * trunk
    out = lumbar_flexion(trunk[None], pelvis[None])
    assert out["range_deg"][0] == pytest.approx(0.6 * 70.0, rel=0.01)
    np.testing.assert_allclose(out["lumbar_flexion_deg"][0], 0.6 * trunk)
    lying = np.tile([[0.0], [0.0], [1.0]], (1, 5))       # sensor x horizontal
    np.testing.assert_allclose(inclination(lying), 90.0)
    np.testing.assert_allclose(sagittal_angle(lying), -90.0)  # on the back: extension side


def test_bad_input_is_refused():
    acc, gyro, _ = _bend(10.0)
    with pytest.raises(FeatureError, match="3, n_samples"):
        madgwick_imu(acc[:2], gyro[:2], FS)
    with pytest.raises(FeatureError, match="differ"):
        madgwick_imu(acc, gyro[:, :-1], FS)
    bad = acc.copy()
    bad[0, 5] = np.nan
    with pytest.raises(FeatureError, match="NaN"):
        madgwick_imu(bad, gyro, FS)
    with pytest.raises(FeatureError, match="sampling rate"):
        madgwick_imu(acc, gyro, 0)


def test_madgwick_equals_the_ahrs_reference_implementation():
    ahrs = pytest.importorskip("ahrs", reason="ahrs (dev/test reference) not installed")
    acc, gyro, _ = _bend(50.0, seed=3)
    gyro = gyro + np.stack([0.2 * np.sin(np.linspace(0, 9, acc.shape[-1])), 0 * gyro[1],
                            0.1 * np.cos(np.linspace(0, 5, acc.shape[-1]))])  # all three axes
    ours = madgwick_imu(acc, gyro, FS, beta=0.1)
    ref = ahrs.filters.Madgwick(gyr=gyro.T, acc=acc.T * 9.81, frequency=FS, gain=0.1,
                                q0=ours[:, 0]).Q.T
    # same start, same update: quaternions equal up to sign
    np.testing.assert_allclose(np.abs(np.sum(ref * ours, axis=0)), 1.0, atol=1e-9)
