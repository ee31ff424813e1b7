"""Angular velocity, jerk and LDLJ on a minimum-jerk movement (closed form), variability."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.features import (FeatureError, angular_velocity, log_dimensionless_jerk,
                             movement_variability, rms_jerk, time_normalise)

FS = 1000.0


def _minimum_jerk(amplitude: float = 1.0, seconds: float = 1.0):
    """Velocity and acceleration of a minimum-jerk point-to-point movement."""
    tau = np.linspace(0.0, 1.0, int(seconds * FS) + 1)
    v = amplitude / seconds * (30 * tau ** 2 - 60 * tau ** 3 + 30 * tau ** 4)
    a = amplitude / seconds ** 2 * (60 * tau - 180 * tau ** 2 + 120 * tau ** 3)
    return v, a


def test_ldlj_of_minimum_jerk_has_its_closed_form():
    v, a = _minimum_jerk()
    # integral (d2v/dt2)^2 = 720 A^2 / T^5, v_peak = 1.875 A / T, a_peak = (10 / sqrt 3) A / T^2
    assert log_dimensionless_jerk(v, FS) == pytest.approx(-np.log(720 / 1.875 ** 2), abs=0.01)
    assert log_dimensionless_jerk(a, FS, kind="acceleration") == pytest.approx(
        -np.log(720 / (100 / 3)), abs=0.01)
    # dimensionless: the same movement twice as large and twice as slow scores the same
    v2, _ = _minimum_jerk(amplitude=2.0, seconds=2.0)
    assert log_dimensionless_jerk(v2, FS) == pytest.approx(log_dimensionless_jerk(v, FS), abs=0.01)
    # a tremor on top makes it less smooth; batched over a leading axis
    tremor = v + 0.05 * np.sin(2 * np.pi * 8 * np.linspace(0, 1, v.size))
    both = log_dimensionless_jerk(np.stack([v, tremor]), FS)
    assert both.shape == (2,) and both[1] < both[0] - 1.0
    # vector input: a movement along one axis scores as the scalar
    vec = np.stack([v, 0 * v, 0 * v])
    assert log_dimensionless_jerk(vec, FS, vector=True) == pytest.approx(both[0])


def test_angular_velocity_and_jerk_of_known_signals():
    t = np.arange(0, 2, 1 / FS)
    gyro = np.stack([np.full(t.size, 0.3), np.full(t.size, 0.4), 0 * t])   # |w| = 0.5 rad/s
    out = angular_velocity(gyro)
    np.testing.assert_allclose(out["magnitude_deg_s"], np.degrees(0.5))
    acc = np.stack([0.1 * np.sin(2 * np.pi * 2 * t), 0 * t, 1 + 0 * t])   # jerk 0.4 pi cos
    assert rms_jerk(acc, FS) == pytest.approx(0.1 * 2 * np.pi * 2 / np.sqrt(2), rel=1e-3)
    with pytest.raises(FeatureError, match="no movement"):
        log_dimensionless_jerk(np.zeros(100), FS)
    with pytest.raises(FeatureError, match="kind"):
        log_dimensionless_jerk(np.ones(100), FS, kind="position")


def test_variability_of_repetitions():
    base = np.sin(np.linspace(0, np.pi, 80)) * 50.0                        # deg
    reps = [base * s for s in (0.9, 1.0, 1.1)]
    reps.append(np.interp(np.linspace(0, 1, 120), np.linspace(0, 1, 80), base))  # slower rep
    curves = time_normalise(reps, n_points=101)
    assert curves.shape == (4, 101)
    out = movement_variability(curves)
    peaks = np.array([45.0, 50.0, 55.0, 50.0])
    assert out["peak_cv_pct"] == pytest.approx(100 * peaks.std(ddof=1) / peaks.mean(), rel=1e-3)
    identical = movement_variability(np.stack([curves[1]] * 3))
    assert identical["mean_sd"] == pytest.approx(0.0, abs=1e-12)
    assert out["mean_sd"] > 1.0
    with pytest.raises(FeatureError, match="at least 2"):
        time_normalise([base])
