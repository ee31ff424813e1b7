"""Hudgins time-domain EMG measures: closed-form sinusoids, thresholds, real EMG vs Rice's formula."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from lbpnet.features import (FeatureError, hudgins_features, mean_absolute_value, rms,
                             slope_sign_changes, waveform_length, welch_psd, zero_crossings)


def test_sinusoid_has_its_closed_form_values():
    fs, f, amp = 2000.0, 50.0, 0.3
    t = (np.arange(2000) + 0.25) / fs          # 1 s, 50 periods; no sample on a zero or
    # two equal samples around an extremum (flat tops are not slope-sign changes)
    x = amp * np.sin(2 * np.pi * f * t)
    batch = np.stack([x, 2 * x])                # (2, n): amplitude-linear measures double
    h = hudgins_features(batch)
    np.testing.assert_allclose(h["rms"], [amp / np.sqrt(2), 2 * amp / np.sqrt(2)], rtol=1e-6)
    np.testing.assert_allclose(h["mav"], [2 * amp / np.pi, 4 * amp / np.pi], rtol=2e-3)
    np.testing.assert_allclose(h["wl"], [4 * amp * f, 8 * amp * f], rtol=1e-2)
    assert (h["zc"] == 2 * f - 1).all()          # crossings between the first and last sample
    assert (h["ssc"] == 2 * f).all()             # one maximum and one minimum per period


def test_thresholds_reject_small_noise_and_time_axis_is_honoured():
    rng = np.random.default_rng(0)
    noise = 1e-3 * rng.standard_normal(4000)
    assert zero_crossings(noise) > 1000
    assert zero_crossings(noise, threshold=0.05) == 0
    assert slope_sign_changes(noise, threshold=1e-4) == 0
    x = rng.standard_normal((4000, 3))          # (n_samples, channels)
    np.testing.assert_allclose(rms(x, axis=0), rms(x.T))
    np.testing.assert_allclose(waveform_length(x, axis=0), waveform_length(x.T))
    np.testing.assert_allclose(mean_absolute_value(x, axis=0), np.abs(x).mean(0))


def test_bad_input_is_refused():
    with pytest.raises(FeatureError, match="NaN"):
        rms(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(FeatureError, match="too short"):
        slope_sign_changes(np.ones(2))


@pytest.mark.parametrize("name", ["emg_bursts", "emg_1000_hz_16_bits_solo", "emg_fatigue"])
def test_real_emg_zero_crossing_rate_follows_rice(name, opensignals):
    # For a Gaussian stationary signal the zero-crossing rate is 2 sqrt(int f^2 P / int P)
    # (Rice, Bell Syst. Tech. J. 24:46-156, 1945), a property surface EMG is known to
    # follow closely during contraction; check our ZC count against our own Welch PSD.
    x, fs = opensignals(name, "emg")
    x = signal.sosfiltfilt(signal.butter(4, (20, 450), "bandpass", fs=fs, output="sos"), x)
    win = int(0.5 * fs)
    windows = x[: x.size // win * win].reshape(-1, win)
    level = rms(windows)
    active = windows[level >= np.quantile(level, 0.75)]
    zc_rate = zero_crossings(active) / 0.5
    f, p = welch_psd(active, fs)
    keep = (f >= 20) & (f <= 450)
    rice = 2 * np.sqrt(np.trapezoid(p[:, keep] * f[keep] ** 2, f[keep], axis=-1)
                       / np.trapezoid(p[:, keep], f[keep], axis=-1))
    assert np.median(zc_rate) == pytest.approx(np.median(rice), rel=0.15)
    # slope-sign changes exceed zero crossings (each crossing sits between two extrema)
    assert np.median(slope_sign_changes(active)) > np.median(zero_crossings(active))
