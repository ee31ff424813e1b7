"""HRV measures on the real pyhrv NN series: an independent numpy computation and neurokit2."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.errors import ReaderError
from lbpnet.features import FeatureError, hrv_frequency_domain, hrv_time_domain


def _real(which):
    from lbpnet.datasets.pyhrv_samples import load_nn_intervals
    try:
        return load_nn_intervals(which)
    except ReaderError as exc:
        pytest.skip(f"pyhrv==0.5.0 sample NN series not available: {exc}")


@pytest.mark.parametrize("which", ["long", "short"])
def test_time_domain_matches_an_independent_computation(which):
    nn = _real(which)
    got = hrv_time_domain(nn)
    n = len(nn)
    mean = sum(nn) / n
    sdnn = (sum((v - mean) ** 2 for v in nn) / (n - 1)) ** 0.5
    d = [b - a for a, b in zip(nn[:-1], nn[1:])]
    rmssd = (sum(v * v for v in d) / len(d)) ** 0.5
    pnn50 = 100.0 * sum(abs(v) > 50 for v in d) / n
    assert got["valid"] and got["n_intervals"] == n
    np.testing.assert_allclose([got["mean_nn_ms"], got["sdnn_ms"], got["rmssd_ms"],
                                got["pnn50_pct"]], [mean, sdnn, rmssd, pnn50], rtol=1e-9)


@pytest.mark.parametrize("which", ["long", "short"])
def test_time_domain_agrees_with_neurokit2(which):
    nk = pytest.importorskip("neurokit2", reason="neurokit2 (dev/test reference) not installed")
    nn = _real(which)
    peaks = np.concatenate([[0], np.cumsum(nn)]).astype(int)  # 1 kHz sample indices
    ref = nk.hrv_time(peaks, sampling_rate=1000).iloc[0]
    got = hrv_time_domain(nn)
    for ours, theirs in [("mean_nn_ms", "HRV_MeanNN"), ("sdnn_ms", "HRV_SDNN"),
                         ("rmssd_ms", "HRV_RMSSD"), ("pnn50_pct", "HRV_pNN50")]:
        assert got[ours] == pytest.approx(float(ref[theirs]), rel=0.01), ours


def test_lf_hf_ratio_agrees_with_neurokit2_on_the_short_series():
    nk = pytest.importorskip("neurokit2", reason="neurokit2 (dev/test reference) not installed")
    nn = _real("short")
    peaks = np.concatenate([[0], np.cumsum(nn)]).astype(int)
    ref = float(nk.hrv_frequency(peaks, sampling_rate=1000)["HRV_LFHF"].iloc[0])
    # different interpolation and Welch settings: agreement within 5 %
    assert hrv_frequency_domain(nn)["lf_hf"] == pytest.approx(ref, rel=0.05)


def test_frequency_domain_recovers_known_sinusoid_powers():
    # NN modulated at 0.1 Hz (LF) with amplitude 30 ms and 0.25 Hz (HF) with 20 ms:
    # a sinusoid of amplitude A has power A^2 / 2 -> LF 450 ms^2, HF 200 ms^2
    nn, t = [], 0.0
    while t < 600.0:
        v = 800 + 30 * np.sin(2 * np.pi * 0.1 * t) + 20 * np.sin(2 * np.pi * 0.25 * t)
        nn.append(v)
        t += v / 1000
    out = hrv_frequency_domain(np.array(nn))
    assert out["lf_ms2"] == pytest.approx(450, rel=0.1)
    assert out["hf_ms2"] == pytest.approx(200, rel=0.1)
    assert out["lf_hf"] == pytest.approx(2.25, rel=0.15)


def test_gaps_and_short_series_are_refused_or_masked_with_a_reason():
    rng = np.random.default_rng(0)
    nn = 800 + 40 * rng.standard_normal(400)
    with pytest.raises(FeatureError, match="valid NN"):
        hrv_time_domain(nn[:5])
    gappy = nn.copy()
    gappy[::3] = np.nan
    with pytest.raises(FeatureError, match="gaps"):
        hrv_time_domain(gappy)
    masked = hrv_time_domain(gappy, on_invalid="mask")
    assert not masked["valid"] and "gaps" in masked["reason"] and np.isnan(masked["sdnn_ms"])
    one_gap = nn.copy()
    one_gap[10] = np.nan
    assert hrv_time_domain(one_gap)["n_intervals"] == 399  # differences across it dropped
    with pytest.raises(FeatureError, match="gap"):
        hrv_frequency_domain(one_gap)
    with pytest.raises(FeatureError, match="shorter than"):
        hrv_frequency_domain(nn[:100])  # 80 s
    with pytest.raises(FeatureError, match="positive"):
        hrv_time_domain(np.r_[nn, -5.0])
