"""Flexion-relaxation ratio of the lumbar erector spinae.

In healthy people the lumbar extensors fall silent at full trunk flexion (the
flexion-relaxation phenomenon); in many with chronic low back pain they stay active.
Watson, Booker, Main & Chen, "Surface electromyography of the paraspinal muscles in chronic
low back pain patients", *Clin. Biomech.* 12:165-171 (1997) quantify it as

    FRR = max over the flexion phase of RMS_w(t) / mean over full flexion of RMS_w(t)

with ``RMS_w`` a moving RMS over ``w`` seconds (here default 1 s, centred). FRR >> 1:
flexion-relaxation present; FRR near 1: absent. Dimensionless.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from lbpnet.errors import FeatureError
from lbpnet.features._checks import interval_mask, positive_rate, time_last


def moving_rms(x, fs: float, window_s: float = 1.0, axis: int = -1) -> np.ndarray:
    """Centred moving RMS ``sqrt(mean_{|k-i| <= w/2} x_k**2)``, same length as ``x``.

    Parameters
    ----------
    x : array, shape (..., n_samples)
        Band-passed EMG.
    fs : float
        Sampling rate (Hz).
    window_s : float
        Window length (s).
    axis : int
        Time axis.

    Returns
    -------
    ndarray, shape (..., n_samples)
        Moving RMS (unit of ``x``), time last; edges use reflected samples.
    """
    fs = positive_rate(fs)
    x = time_last(x, "x", 2, axis)
    width = max(1, int(round(window_s * fs)))
    return np.sqrt(np.maximum(uniform_filter1d(x ** 2, width, axis=-1, mode="reflect"), 0.0))


def flexion_relaxation_ratio(x, fs: float, flexion_s, full_flexion_s, window_s: float = 1.0,
                             axis: int = -1, on_invalid: str = "raise") -> np.ndarray:
    """FRR = max moving RMS in the flexion phase / mean moving RMS at full flexion.

    Parameters
    ----------
    x : array, shape (..., n_samples) with time on ``axis``
        Lumbar erector spinae EMG of one flexion movement (or a batch of them).
    fs : float
        Sampling rate (Hz).
    flexion_s, full_flexion_s : (start_s, end_s) or array, shape (..., 2)
        The flexion phase and the full-flexion phase (s from the first sample), shared by
        the batch or one per element.
    window_s : float
        Moving-RMS window (s).
    axis : int
        Time axis.
    on_invalid : {"raise", "mask"}
        Zero EMG at full flexion: raise :class:`FeatureError`, or mask.

    Returns
    -------
    ndarray or MaskedArray, shape (...)
        FRR (dimensionless).
    """
    env = moving_rms(x, fs, window_s, axis)
    n = env.shape[-1]
    flex = np.broadcast_to(interval_mask(n, fs, flexion_s, "flexion_s"), env.shape)
    full = np.broadcast_to(interval_mask(n, fs, full_flexion_s, "full_flexion_s"), env.shape)
    peak = np.max(np.where(flex, env, -np.inf), axis=-1)
    relaxed = np.sum(np.where(full, env, 0.0), axis=-1) / full.sum(axis=-1)
    # a running sum leaves ~1e-6 relative residues in a silent stretch: FRR > 1e5 is no EMG
    bad = ~(relaxed > 1e-5 * np.max(env, axis=-1))
    if bad.any() and on_invalid == "raise":
        raise FeatureError(f"{int(bad.sum())} movement(s) with zero EMG at full flexion",
                           field="x", fix="check the channel (flat-line?) or on_invalid='mask'")
    out = peak / np.where(bad, 1.0, relaxed)
    return np.ma.masked_array(out, bad) if on_invalid == "mask" else out
