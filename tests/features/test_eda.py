"""EDA: tonic level and SCR count on planted responses and on real EDA against neurokit2."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from lbpnet.features import FeatureError, eda_measures, scr_peaks

FS = 32.0


def _scr(t, onset, amp, tau_rise=0.7, tau_decay=3.0):
    """Bateman-shaped skin-conductance response of peak ``amp`` uS at ``onset`` s."""
    s = np.clip(t - onset, 0, None)
    shape = np.exp(-s / tau_decay) - np.exp(-s / tau_rise)
    peak = np.max(np.exp(-np.linspace(0, 20, 2000) / tau_decay)
                  - np.exp(-np.linspace(0, 20, 2000) / tau_rise))
    return amp * shape / peak


def test_planted_responses_are_counted_above_the_amplitude_threshold():
    t = np.arange(0, 120, 1 / FS)
    tonic = 5.0 + 0.5 * t / 120
    eda = tonic + sum(_scr(t, on, 0.3) for on in (15, 40, 70, 95)) + _scr(t, 55, 0.01)
    out = eda_measures(np.stack([eda, tonic + 0.001 * np.sin(t)]), FS)
    assert out["scr_count"].tolist() == [4, 0]         # the 0.01 uS response is below 0.05
    assert out["scr_per_min"][0] == pytest.approx(2.0)
    assert out["tonic_level_us"][1] == pytest.approx(5.25, abs=0.02)
    with pytest.raises(FeatureError, match="constant"):
        eda_measures(np.full(4000, 3.0), FS)
    with pytest.raises(FeatureError, match="too short"):
        eda_measures(eda[:300], FS)


def test_real_eda_responses_agree_with_neurokit2(pyphysio_column, match_f1):
    nk = pytest.importorskip("neurokit2", reason="neurokit2 (dev/test reference) not installed")
    eda, fs = pyphysio_column("eda")
    eda = signal.resample_poly(eda, 1, int(fs // FS))    # 2048 -> 32 Hz
    ours = scr_peaks(eda, FS)
    processed, info = nk.eda_process(eda, sampling_rate=int(FS))
    ref = np.asarray(info["SCR_Peaks"])
    # different decompositions: the same responses within 1 s, most of them
    assert match_f1(ours / FS, ref / FS, 1.0) >= 0.8, (ours / FS, ref / FS)
    tonic = eda_measures(eda, FS)["tonic_level_us"]
    assert tonic == pytest.approx(float(processed["EDA_Tonic"].mean()), rel=0.02)
