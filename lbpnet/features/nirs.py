"""Muscle oxygenation (NIRS) measures: mean tissue saturation, de-oxygenation slope,
recovery half-time.

``TSI(t)`` is the tissue saturation index (%) of spatially resolved NIRS over a muscle
(e.g. the lumbar erector spinae; Kell & Bhambhani, "In vivo erector spinae muscle blood
volume and oxygenation measures during repetitive incremental lifting and lowering in
chronic low back pain participants", *Spine* 31:2630-2637, 2006).

* mean TSI over a window (%);
* de-oxygenation slope: least-squares slope of TSI over a contraction phase (%/s; negative
  while the muscle desaturates);
* recovery half-time ``T1/2`` (s): after the end of exercise, the first time TSI has
  recovered half of the way from its minimum back to its pre-exercise baseline
  (Chance, Dait, Zhang, Hamaoka & Hagerman, "Recovery from exercise-induced desaturation
  in the quadriceps muscles of elite competitive rowers", *Am. J. Physiol.* 262:C766-C775,
  1992), measured from the minimum and linearly interpolated between samples.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError
from lbpnet.features._checks import interval_mask, positive_rate, time_last


def mean_tsi(tsi, axis: int = -1) -> np.ndarray:
    """Mean tissue saturation index per window (%); ``tsi`` (..., n_samples) in %."""
    x = time_last(tsi, "tsi", 1, axis)
    if (x < 0).any() or (x > 100).any():
        raise FeatureError("TSI outside 0-100 %", field="tsi",
                           fix="pass TSI in percent; flag signal loss with the quality mask")
    return x.mean(axis=-1)


def deoxygenation_slope(tsi, fs: float, interval_s=None, axis: int = -1) -> np.ndarray:
    """Least-squares slope of TSI over ``interval_s`` (%/s).

    Parameters
    ----------
    tsi : array, shape (..., n_samples)
        TSI (%).
    fs : float
        Sampling rate (Hz).
    interval_s : (start_s, end_s) or array (..., 2), optional
        The contraction phase; default the whole window.
    axis : int
        Time axis.

    Returns
    -------
    ndarray, shape (...)
        Slope (%/s).
    """
    fs = positive_rate(fs)
    x = time_last(tsi, "tsi", 2, axis)
    n = x.shape[-1]
    mask = np.ones(x.shape, bool) if interval_s is None else np.broadcast_to(
        interval_mask(n, fs, interval_s, "interval_s"), x.shape)
    if (mask.sum(-1) < 2).any():
        raise FeatureError("the interval holds fewer than 2 samples", field="interval_s",
                           fix="widen the interval")
    t = np.broadcast_to(np.arange(n) / fs, x.shape)
    w = mask.astype(np.float64)
    cnt = w.sum(-1, keepdims=True)
    tm = (w * t).sum(-1, keepdims=True) / cnt
    xm = (w * x).sum(-1, keepdims=True) / cnt
    return (w * (t - tm) * (x - xm)).sum(-1) / (w * (t - tm) ** 2).sum(-1)


def recovery_half_time(tsi, fs: float, baseline_s, exercise_end_s: float,
                       axis: int = -1) -> np.ndarray:
    """Time (s) from the post-exercise TSI minimum to 50 % recovery toward baseline.

    Parameters
    ----------
    tsi : array, shape (..., n_samples)
        TSI (%) spanning rest, exercise and recovery.
    fs : float
        Sampling rate (Hz).
    baseline_s : (start_s, end_s)
        Resting stretch before exercise; its mean is the baseline.
    exercise_end_s : float
        End of exercise (s from the first sample); the minimum is searched from 5 s
        before it to the end.
    axis : int
        Time axis.

    Returns
    -------
    MaskedArray, shape (...)
        ``T1/2`` (s); masked where TSI never fell below baseline or never recovered half
        way within the window.
    """
    fs = positive_rate(fs)
    x = time_last(tsi, "tsi", 3, axis)
    n = x.shape[-1]
    base_mask = np.broadcast_to(interval_mask(n, fs, baseline_s, "baseline_s"), x.shape)
    baseline = (x * base_mask).sum(-1) / base_mask.sum(-1)
    start = int(np.clip(round((exercise_end_s - 5.0) * fs), 0, n - 2))
    flat_x = x.reshape(-1, n)
    flat_b = np.broadcast_to(baseline, x.shape[:-1]).reshape(-1)
    out = np.full(flat_x.shape[0], np.nan)
    for i, (row, b) in enumerate(zip(flat_x, flat_b)):
        k_min = start + int(np.argmin(row[start:]))
        drop = b - row[k_min]
        if drop <= 0:
            continue
        half = row[k_min] + drop / 2.0
        after = np.nonzero(row[k_min:] >= half)[0]
        if after.size == 0:
            continue
        k = k_min + after[0]
        frac = (half - row[k - 1]) / (row[k] - row[k - 1]) if row[k] != row[k - 1] else 1.0
        out[i] = (k - 1 + frac - k_min) / fs
    out = out.reshape(x.shape[:-1])
    return np.ma.masked_invalid(out)
