"""Heart-rate variability from NN intervals: time- and frequency-domain measures.

Definitions follow the Task Force of the European Society of Cardiology and the North
American Society of Pacing and Electrophysiology, "Heart rate variability: standards of
measurement, physiological interpretation and clinical use", *Circulation* 93:1043-1065
(1996). ``NN_i`` are normal-to-normal intervals in ms, ``N`` their number.

* mean NN = ``mean(NN)`` (ms);
* SDNN = ``sqrt(sum((NN_i - mean NN)**2) / (N - 1))`` (ms);
* RMSSD = ``sqrt(mean((NN_{i+1} - NN_i)**2))`` (ms);
* pNN50 = ``100 * #{|NN_{i+1} - NN_i| > 50 ms} / N`` (%; NN50 over the number of NN
  intervals, as the Task Force and neurokit2 define it);
* LF = power in 0.04-0.15 Hz, HF = power in 0.15-0.4 Hz (ms**2), LF/HF (dimensionless):
  the NN series is placed at the beat times ``cumsum(NN)``, resampled evenly at 4 Hz by
  cubic-spline interpolation, linearly detrended, and its Welch PSD (Hann window, 50 %
  overlap) is integrated (trapezoid) over each band. The Task Force asks for at least
  ~2 min of data for LF (1 min for HF); shorter series are refused.

Gaps: a NaN in ``nn_ms`` marks a missing or removed (ectopic) interval. Time-domain
differences spanning a gap are dropped; beyond ``max_gap_fraction`` of the intervals the
series is refused. The frequency domain needs an unbroken series and refuses any gap.
"""

from __future__ import annotations

import numpy as np
from scipy import signal
from scipy.integrate import trapezoid
from scipy.interpolate import CubicSpline

from lbpnet.errors import FeatureError

LF_BAND = (0.04, 0.15)
"""Low-frequency band (Hz), Task Force 1996."""
HF_BAND = (0.15, 0.40)
"""High-frequency band (Hz), Task Force 1996."""


def _as_nn(nn_ms) -> np.ndarray:
    nn = np.asarray(nn_ms, dtype=np.float64)
    if nn.ndim != 1:
        raise FeatureError(f"NN intervals must be 1-D, got shape {nn.shape}", field="nn_ms",
                           fix="pass one series of intervals in ms")
    if np.isinf(nn).any() or (nn[np.isfinite(nn)] <= 0).any():
        raise FeatureError("NN intervals must be positive and finite (NaN marks a gap)",
                           field="nn_ms", fix="remove or mark (NaN) the invalid intervals")
    return nn


def hrv_time_domain(nn_ms, min_intervals: int = 10, max_gap_fraction: float = 0.2,
                    on_invalid: str = "raise") -> dict[str, float | bool | str]:
    """Mean NN, SDNN, RMSSD (ms) and pNN50 (%) of one NN series (Task Force 1996).

    Parameters
    ----------
    nn_ms : array, shape (n_intervals,)
        NN intervals (ms), in order; NaN marks a gap (missing or ectopic beat).
    min_intervals : int
        Fewest valid intervals accepted.
    max_gap_fraction : float
        Largest accepted fraction of NaN intervals.
    on_invalid : {"raise", "mask"}
        Raise :class:`FeatureError` on a too-short or gappy series, or return NaN values
        with ``valid=False`` and the ``reason``.

    Returns
    -------
    dict
        ``mean_nn_ms``, ``sdnn_ms``, ``rmssd_ms``, ``pnn50_pct``, ``n_intervals`` (valid
        ones), ``valid`` (bool) and ``reason`` (``""`` when valid).
    """
    nn = _as_nn(nn_ms)
    ok = np.isfinite(nn)
    n_valid = int(ok.sum())
    reason = ""
    if n_valid < max(2, min_intervals):
        reason = f"only {n_valid} valid NN intervals (need {max(2, min_intervals)})"
    elif nn.size and (1 - n_valid / nn.size) > max_gap_fraction:
        reason = (f"{nn.size - n_valid} of {nn.size} intervals are gaps "
                  f"(> {100 * max_gap_fraction:g} %)")
    if reason:
        if on_invalid == "raise":
            raise FeatureError(reason, field="nn_ms",
                               fix="use a longer or cleaner series, or on_invalid='mask'")
        return {"mean_nn_ms": np.nan, "sdnn_ms": np.nan, "rmssd_ms": np.nan,
                "pnn50_pct": np.nan, "n_intervals": n_valid, "valid": False, "reason": reason}
    valid = nn[ok]
    diff = np.diff(nn)
    diff = diff[np.isfinite(diff)]  # differences spanning a gap are NaN and dropped
    return {"mean_nn_ms": float(valid.mean()), "sdnn_ms": float(valid.std(ddof=1)),
            "rmssd_ms": float(np.sqrt(np.mean(diff ** 2))) if diff.size else np.nan,
            "pnn50_pct": float(100.0 * np.sum(np.abs(diff) > 50.0) / n_valid),
            "n_intervals": n_valid, "valid": True, "reason": ""}


def resample_nn(nn_ms, fs: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """NN series on an even time grid by cubic-spline interpolation.

    Parameters
    ----------
    nn_ms : array, shape (n_intervals,)
        NN intervals (ms), no gaps.
    fs : float
        Output rate (Hz); 4 Hz is customary for HRV spectra.

    Returns
    -------
    t : ndarray, shape (n,)
        Times (s) from the end of the first interval.
    nn_even : ndarray, shape (n,)
        Interpolated NN interval (ms) at ``t``.
    """
    nn = _as_nn(nn_ms)
    beat_t = np.cumsum(nn) / 1000.0
    t = np.arange(beat_t[0], beat_t[-1], 1.0 / fs)
    return t - beat_t[0], CubicSpline(beat_t, nn)(t)


def hrv_frequency_domain(nn_ms, resample_hz: float = 4.0, segment_s: float = 120.0,
                         min_duration_s: float = 120.0,
                         on_invalid: str = "raise") -> dict[str, float | bool | str]:
    """LF and HF power (ms**2) and LF/HF of one NN series (Task Force 1996).

    Parameters
    ----------
    nn_ms : array, shape (n_intervals,)
        NN intervals (ms), without gaps.
    resample_hz : float
        Even resampling rate (Hz) before the Welch estimate.
    segment_s : float
        Welch segment length (s); capped at the series duration. 120 s gives 0.0083 Hz
        resolution (13 bins in LF).
    min_duration_s : float
        Shortest accepted series (s); the Task Force recommends >= 2 min for LF.
    on_invalid : {"raise", "mask"}
        Raise :class:`FeatureError` on a gap or a too-short series, or return NaN values
        with ``valid=False`` and the ``reason``.

    Returns
    -------
    dict
        ``lf_ms2``, ``hf_ms2``, ``lf_hf``, ``duration_s``, ``valid``, ``reason``.
    """
    nn = _as_nn(nn_ms)
    duration = float(np.nansum(nn)) / 1000.0
    reason = ""
    if np.isnan(nn).any():
        reason = (f"{int(np.isnan(nn).sum())} gap(s) in the NN series; the spectrum needs an "
                  "unbroken series")
    elif duration < min_duration_s or nn.size < 4:
        reason = f"series lasts {duration:.1f} s, shorter than {min_duration_s:g} s"
    if reason:
        if on_invalid == "raise":
            raise FeatureError(reason, field="nn_ms",
                               fix="use an unbroken stretch of at least 2 min, or "
                                   "on_invalid='mask'")
        return {"lf_ms2": np.nan, "hf_ms2": np.nan, "lf_hf": np.nan, "duration_s": duration,
                "valid": False, "reason": reason}
    _, even = resample_nn(nn, resample_hz)
    even = signal.detrend(even, type="linear")
    nperseg = min(even.size, int(round(segment_s * resample_hz)))
    freqs, psd = signal.welch(even, fs=resample_hz, window="hann", nperseg=nperseg,
                              noverlap=nperseg // 2, detrend=False)

    def band_power(band):
        keep = (freqs >= band[0]) & (freqs <= band[1])
        return float(trapezoid(psd[keep], freqs[keep]))

    lf, hf = band_power(LF_BAND), band_power(HF_BAND)
    return {"lf_ms2": lf, "hf_ms2": hf, "lf_hf": lf / hf if hf > 0 else np.inf,
            "duration_s": duration, "valid": True, "reason": ""}
