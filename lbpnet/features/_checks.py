"""Shared input checks of the measures: time last, finite, long enough, positive rate."""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError


def time_last(x, field: str, min_samples: int = 2, axis: int = -1) -> np.ndarray:
    """``x`` as float64 with time moved last; refuse non-finite or too-short input.

    Parameters
    ----------
    x : array, shape (..., n_samples) with time on ``axis``
    field : str
        Name of the argument, for the error message.
    min_samples : int
        Fewest samples the measure needs.
    axis : int
        Time axis of ``x``.

    Raises
    ------
    FeatureError
        Fewer than ``min_samples`` samples, or NaN/inf samples.
    """
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    if x.ndim == 0 or x.shape[-1] < min_samples:
        n = 0 if x.ndim == 0 else x.shape[-1]
        raise FeatureError(f"{n} samples is too short (need at least {min_samples})",
                           field=field, fix="use a longer window")
    if not np.isfinite(x).all():
        raise FeatureError(f"{int((~np.isfinite(x)).sum())} NaN/inf samples", field=field,
                           fix="interpolate or exclude the gap (quality mask)")
    return x


def positive_rate(fs, field: str = "fs") -> float:
    """``fs`` as a positive finite float (Hz), else :class:`FeatureError`."""
    try:
        fs = float(fs)
    except (TypeError, ValueError):
        fs = float("nan")
    if not np.isfinite(fs) or fs <= 0:
        raise FeatureError(f"sampling rate must be positive, got {fs!r}", field=field,
                           fix="give the stream's sampling rate in Hz")
    return fs


def interval_mask(n: int, fs: float, interval, field: str) -> np.ndarray:
    """Boolean mask ``(..., n)`` of samples whose time ``k / fs`` (s) lies in ``interval``.

    ``interval`` is ``(start_s, end_s)`` or an array ``(..., 2)`` of one interval per
    batch element; an empty interval raises :class:`FeatureError`.
    """
    iv = np.asarray(interval, dtype=np.float64)
    if iv.shape[-1:] != (2,) or not np.isfinite(iv).all() or (iv[..., 1] <= iv[..., 0]).any():
        raise FeatureError(f"interval must be (start_s, end_s) with end > start, got {interval!r}",
                           field=field, fix="give the phase as (start_s, end_s) in seconds")
    t = np.arange(n) / fs
    mask = (t >= iv[..., :1]) & (t < iv[..., 1:])
    if not mask.any(axis=-1).all():
        raise FeatureError(f"interval {interval!r} holds no sample of a {n / fs:.3f} s signal",
                           field=field, fix="give an interval inside the signal")
    return mask
