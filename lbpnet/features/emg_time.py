"""Time-domain surface-EMG measures: RMS, MAV, WL, ZC, SSC, batched over leading dims.

The four "Hudgins features" MAV, WL, ZC and SSC follow Hudgins, Parker & Scott, "A new
strategy for multifunction myoelectric control", *IEEE Trans. Biomed. Eng.* 40:82-94 (1993),
with the threshold forms reviewed by Phinyomark, Phukpattaranont & Limsakul, "Feature
reduction and selection for EMG signal classification", *Expert Syst. Appl.* 39:7420-7431
(2012). ``x_i``, ``i = 1..N``, are the samples of one window of band-passed EMG:

* RMS = ``sqrt(mean(x_i**2))`` (unit of x, e.g. mV);
* MAV = ``mean(|x_i|)`` (unit of x);
* WL (waveform length) = ``sum_{i=1}^{N-1} |x_{i+1} - x_i|`` (unit of x);
* ZC (zero crossings) = ``#{i : x_i * x_{i+1} < 0 and |x_i - x_{i+1}| >= eps}`` (count);
* SSC (slope-sign changes) = ``#{i : (x_i - x_{i-1}) * (x_i - x_{i+1}) >= eps_ssc}``
  (count), with ``eps_ssc > 0`` so that flat stretches do not count.

The thresholds ``eps`` reject crossings caused by noise; Hudgins et al. chose them from the
noise level, so they are given in the unit of ``x`` (``eps_ssc`` in its square). Counts
grow with window length: divide by the window duration for a rate.
"""

from __future__ import annotations

import numpy as np

from lbpnet.features._checks import time_last


def rms(x, axis: int = -1) -> np.ndarray:
    """Root mean square ``sqrt(mean(x**2))`` per window.

    Parameters
    ----------
    x : array, shape (..., n_samples) with time on ``axis``
        Band-passed EMG (mV or uV).
    axis : int
        Time axis.

    Returns
    -------
    ndarray, shape (...)
        RMS in the unit of ``x``.
    """
    x = time_last(x, "x", 1, axis)
    return np.sqrt(np.mean(x ** 2, axis=-1))


def mean_absolute_value(x, axis: int = -1) -> np.ndarray:
    """MAV ``mean(|x|)`` per window (unit of ``x``); see :func:`rms` for shapes."""
    return np.mean(np.abs(time_last(x, "x", 1, axis)), axis=-1)


def waveform_length(x, axis: int = -1) -> np.ndarray:
    """WL ``sum |x_{i+1} - x_i|`` per window (unit of ``x``); see :func:`rms` for shapes."""
    return np.sum(np.abs(np.diff(time_last(x, "x", 2, axis), axis=-1)), axis=-1)


def zero_crossings(x, threshold: float = 0.0, axis: int = -1) -> np.ndarray:
    """ZC: sign changes between neighbours whose difference is at least ``threshold``.

    Parameters
    ----------
    x : array, shape (..., n_samples)
        Zero-mean (band-passed) EMG.
    threshold : float
        Smallest ``|x_i - x_{i+1}|`` counted (unit of ``x``), >= 0.
    axis : int
        Time axis.

    Returns
    -------
    ndarray of int, shape (...)
        Number of crossings in the window.
    """
    x = time_last(x, "x", 2, axis)
    a, b = x[..., :-1], x[..., 1:]
    return np.sum((a * b < 0) & (np.abs(a - b) >= threshold), axis=-1)


def slope_sign_changes(x, threshold: float = 1e-12, axis: int = -1) -> np.ndarray:
    """SSC: local extrema where ``(x_i - x_{i-1}) * (x_i - x_{i+1}) >= threshold``.

    Parameters
    ----------
    x : array, shape (..., n_samples)
        EMG.
    threshold : float
        Smallest product counted (unit of ``x`` squared), > 0 so that flat runs are not
        counted.
    axis : int
        Time axis.

    Returns
    -------
    ndarray of int, shape (...)
        Number of slope-sign changes in the window.
    """
    x = time_last(x, "x", 3, axis)
    mid = x[..., 1:-1]
    return np.sum((mid - x[..., :-2]) * (mid - x[..., 2:]) >= threshold, axis=-1)


def hudgins_features(x, zc_threshold: float = 0.0, ssc_threshold: float = 1e-12,
                     axis: int = -1) -> dict[str, np.ndarray]:
    """RMS, MAV, WL, ZC and SSC of each window in one dict (keys ``rms``, ``mav``, ``wl``,
    ``zc``, ``ssc``); shapes as :func:`rms`, thresholds as :func:`zero_crossings` and
    :func:`slope_sign_changes`."""
    x = time_last(x, "x", 3, axis)
    return {"rms": rms(x), "mav": mean_absolute_value(x), "wl": waveform_length(x),
            "zc": zero_crossings(x, zc_threshold), "ssc": slope_sign_changes(x, ssc_threshold)}
