"""NIRS: mean TSI, de-oxygenation slope and recovery half-time on a planted exercise response."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.features import FeatureError, deoxygenation_slope, mean_tsi, recovery_half_time

FS = 10.0


def _exercise(tau_s: float, drop: float = 12.0):
    """60 s rest at 68 %, 30 s linear desaturation by ``drop``, exponential recovery."""
    t = np.arange(0, 180, 1 / FS)
    tsi = np.full(t.size, 68.0)
    ex = (t >= 60) & (t < 90)
    tsi[ex] = 68.0 - drop * (t[ex] - 60) / 30
    rec = t >= 90
    tsi[rec] = 68.0 - drop * np.exp(-(t[rec] - 90) / tau_s)
    return tsi


def test_planted_slope_and_half_time_are_recovered():
    x = np.stack([_exercise(10.0), _exercise(25.0)])
    np.testing.assert_allclose(deoxygenation_slope(x, FS, (61.0, 89.0)), -12.0 / 30, rtol=1e-6)
    half = recovery_half_time(x, FS, baseline_s=(0.0, 60.0), exercise_end_s=90.0)
    np.testing.assert_allclose(half, [10 * np.log(2), 25 * np.log(2)], rtol=0.02)
    assert mean_tsi(x[:, :600]) == pytest.approx(68.0)


def test_no_desaturation_or_no_recovery_is_masked_and_bad_input_refused():
    flat = np.full(1800, 70.0)
    never = _exercise(1e6)
    out = recovery_half_time(np.stack([flat, never]), FS, (0.0, 60.0), 90.0)
    assert out.mask.all()
    with pytest.raises(FeatureError, match="0-100"):
        mean_tsi(np.r_[flat, 120.0])
    with pytest.raises(FeatureError, match="NaN"):
        deoxygenation_slope(np.r_[flat, np.nan], FS)
    with pytest.raises(FeatureError, match="no sample"):
        deoxygenation_slope(flat, FS, (500.0, 600.0))
