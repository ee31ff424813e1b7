"""Median-frequency fatigue index: a planted linear spectral compression, real fatiguing EMG."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from lbpnet.features import FeatureError, fatigue_index, median_frequency_course

FS = 1000.0


def _compressing_noise(seconds: int, start_hz: float, end_hz: float, seed: int) -> np.ndarray:
    """1-s epochs of band noise whose band centre moves linearly from start_hz to end_hz."""
    rng = np.random.default_rng(seed)
    parts = []
    for k in range(seconds):
        c = start_hz + (end_hz - start_hz) * (k + 0.5) / seconds
        sos = signal.butter(4, (c * 0.6, c * 1.4), "bandpass", fs=FS, output="sos")
        parts.append(signal.sosfilt(sos, rng.standard_normal(int(FS) + 500))[500:])
    return np.concatenate(parts)


def test_planted_median_frequency_decline_is_recovered():
    x = np.stack([_compressing_noise(60, 120, 80, 0), _compressing_noise(60, 100, 100, 1)])
    out = fatigue_index(x, FS, epoch_s=1.0)
    assert out["fatigue_index_pct_per_s"].shape == (2,)
    # planted: -40 Hz over 60 s from ~120 Hz -> about -0.56 %/s
    assert out["fatigue_index_pct_per_s"][0] == pytest.approx(-40 / 60 / 120 * 100, rel=0.25)
    assert abs(out["fatigue_index_pct_per_s"][1]) < 0.1       # no fatigue planted
    np.testing.assert_allclose(out["fatigue_index_pct_per_min"],
                               60 * out["fatigue_index_pct_per_s"])
    t, mdf = median_frequency_course(x, FS, epoch_s=2.0)
    assert t.shape == (30,) and mdf.shape == (2, 30) and t[0] == 1.0


def test_too_few_epochs_are_refused_and_flat_channels_masked():
    with pytest.raises(FeatureError, match="at least 3"):
        fatigue_index(np.random.default_rng(0).standard_normal(2000), FS, epoch_s=1.0)
    x = np.stack([_compressing_noise(10, 120, 80, 3), np.zeros(10000)])
    with pytest.raises(FeatureError, match="flat-line"):
        fatigue_index(x, FS)
    out = fatigue_index(x, FS, on_invalid="mask")
    assert out["fatigue_index_pct_per_s"].mask.tolist() == [False, True]


def test_real_fatiguing_biceps_emg_has_a_negative_index(opensignals):
    x, fs = opensignals("emg_fatigue", "emg")   # cyclic biceps flexion to fatigue, 127 s
    x = signal.sosfiltfilt(signal.butter(4, (20, 450), "bandpass", fs=fs, output="sos"), x)
    out = fatigue_index(x, fs, epoch_s=1.0)
    assert out["fatigue_index_pct_per_s"] < 0
    assert 40 < out["initial_mdf_hz"] < 150     # surface EMG range (Phinyomark et al. 2012)
