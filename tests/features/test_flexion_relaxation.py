"""Flexion-relaxation ratio on EMG with a planted amplitude course."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.features import FeatureError, flexion_relaxation_ratio, moving_rms

FS = 1000.0


def _movement(relaxed_level: float, seed: int) -> np.ndarray:
    """2 s upright (0.3), 2 s flexing (1.0), 3 s full flexion (relaxed_level), 2 s extension."""
    rng = np.random.default_rng(seed)
    amp = np.concatenate([np.full(2000, 0.3), np.full(2000, 1.0), np.full(3000, relaxed_level),
                          np.full(2000, 0.8)])
    return amp * rng.standard_normal(amp.size)


def test_present_and_absent_flexion_relaxation():
    x = np.stack([_movement(0.1, 0), _movement(0.9, 1)])
    frr = flexion_relaxation_ratio(x, FS, flexion_s=(2.0, 4.0), full_flexion_s=(4.5, 6.5))
    assert frr.shape == (2,)
    assert frr[0] == pytest.approx(10.0, rel=0.15)
    assert frr[1] == pytest.approx(1.0 / 0.9, rel=0.15)
    per_movement = flexion_relaxation_ratio(x, FS, flexion_s=[[2.0, 4.0], [2.0, 4.0]],
                                            full_flexion_s=[[4.5, 6.5], [4.5, 6.5]])
    np.testing.assert_allclose(per_movement, frr)


def test_moving_rms_of_white_noise_and_bad_phases():
    x = np.random.default_rng(2).standard_normal(20000)
    np.testing.assert_allclose(moving_rms(x, FS, 1.0)[2000:-2000], 1.0, atol=0.1)
    with pytest.raises(FeatureError, match="end > start"):
        flexion_relaxation_ratio(x, FS, (3.0, 2.0), (4.0, 5.0))
    with pytest.raises(FeatureError, match="no sample"):
        flexion_relaxation_ratio(x, FS, (1.0, 2.0), (40.0, 50.0))
    silent = np.r_[x[:5000], np.zeros(5000)]
    assert flexion_relaxation_ratio(silent, FS, (1.0, 2.0), (7.0, 9.0), on_invalid="mask").mask
