"""EMG mean/median frequency: a synthetic spectrum known in closed form, real PLUX EMG, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from lbpnet.errors import ReaderError
from lbpnet.features import FeatureError, emg_spectral_frequencies, mean_frequency, median_frequency

FS = 2000.0


def _expected(sos, band):
    """MNF and MDF of white noise through ``sos``: the spectrum is |H(f)|^2 exactly."""
    f, h = signal.sosfreqz(sos, worN=20000, fs=FS)
    p = np.abs(h) ** 2
    keep = (f >= band[0]) & (f <= band[1])
    f, p = f[keep], p[keep]
    cum = np.cumsum(p)
    return float(np.sum(f * p) / np.sum(p)), float(np.interp(cum[-1] / 2, cum, f))


def test_band_limited_noise_matches_its_known_spectrum():
    sos = signal.butter(4, [30, 200], btype="bandpass", fs=FS, output="sos")
    rng = np.random.default_rng(0)
    x = signal.sosfilt(sos, rng.standard_normal((3, int(60 * FS))), axis=-1)  # 3 channels, 60 s
    band = (10.0, 500.0)
    mnf_true, mdf_true = _expected(sos, band)
    out = emg_spectral_frequencies(x, FS, band=band)
    assert out["mean_frequency_hz"].shape == (3,)
    np.testing.assert_allclose(out["mean_frequency_hz"], mnf_true, rtol=0.03)
    np.testing.assert_allclose(out["median_frequency_hz"], mdf_true, rtol=0.03)
    assert (out["reason"] == "").all()


def test_time_first_stream_layout_and_shortcuts_agree():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4000, 2))  # (n_samples, n_channels) like Stream.data
    # white noise: MDF and MNF at the middle of the band
    np.testing.assert_allclose(median_frequency(x, FS, band=(100, 700), axis=0), 400, rtol=0.05)
    np.testing.assert_allclose(mean_frequency(x, FS, band=(100, 700), axis=0), 400, rtol=0.05)


def test_fatigue_like_shift_lowers_median_frequency():
    rng = np.random.default_rng(2)
    fresh = signal.sosfilt(signal.butter(2, [60, 250], "bandpass", fs=FS, output="sos"),
                           rng.standard_normal(8000))
    tired = signal.sosfilt(signal.butter(2, [40, 150], "bandpass", fs=FS, output="sos"),
                           rng.standard_normal(8000))
    assert median_frequency(tired, FS) < median_frequency(fresh, FS) - 20


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(FeatureError, match="too short"):
        median_frequency(np.ones(100), FS)
    with pytest.raises(FeatureError, match="NaN"):
        median_frequency(np.r_[np.random.default_rng(0).standard_normal(1000), np.nan], FS)
    x = np.stack([np.random.default_rng(3).standard_normal(2000), np.full(2000, 5.0)])
    with pytest.raises(FeatureError, match="flat-line"):
        median_frequency(x, FS)
    out = emg_spectral_frequencies(x, FS, on_invalid="mask")
    assert not out["median_frequency_hz"].mask[0] and out["median_frequency_hz"].mask[1]
    assert out["reason"][0] == "" and "flat-line" in out["reason"][1]
    with pytest.raises(FeatureError, match="band"):
        median_frequency(x[0], FS, band=(1500, 1600))


@pytest.mark.parametrize("name", ["emg_bursts", "emg_1000_hz_16_bits_solo"])
def test_real_surface_emg_lies_in_the_published_range(name):
    from lbpnet.datasets.biosignalsnotebooks import load_opensignals_sample
    pytest.importorskip("h5py", reason="h5py (the datasets extra) is not installed")
    try:
        rec = load_opensignals_sample(name)
    except ReaderError as exc:
        pytest.skip(f"biosignalsnotebooks==0.6.14 not available: {exc}")
    emg = rec.streams["emg"]
    data = emg.data[:, 0].astype(float)
    # active stretch: 0.5 s windows whose RMS is in the top quarter
    win = int(0.5 * emg.sampling_rate)
    windows = data[: data.size // win * win].reshape(-1, win)
    rms = np.sqrt(np.mean((windows - windows.mean(1, keepdims=True)) ** 2, axis=1))
    active = windows[rms >= np.quantile(rms, 0.75)]
    mdf = median_frequency(active, emg.sampling_rate, band=(20, 450))
    mnf = mean_frequency(active, emg.sampling_rate, band=(20, 450))
    # surface EMG during contraction: ~50-150 Hz (Phinyomark et al. 2012; Merletti & Parker 2004)
    assert 50 <= np.median(mdf) <= 150, np.median(mdf)
    assert 50 <= np.median(mnf) <= 150, np.median(mnf)
    assert np.median(mnf) >= np.median(mdf)  # EMG spectra are right-skewed
