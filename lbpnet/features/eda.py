"""Electrodermal activity (EDA): tonic level and phasic skin-conductance responses.

EDA (uS) is the sum of a slowly varying tonic level (skin conductance level, SCL) and
fast phasic skin-conductance responses (SCRs) (Boucsein, *Electrodermal Activity*, 2nd
ed., Springer 2012; Society for Psychophysiological Research Ad Hoc Committee on
Electrodermal Measures, "Publication recommendations for electrodermal measurements",
*Psychophysiology* 49:1017-1034, 2012). Here, as in the high-pass decomposition of
neurokit2's ``eda_phasic(method="highpass")``:

* tonic = EDA low-passed at 0.05 Hz (Butterworth order 2, zero-phase); tonic level = its
  mean (uS);
* phasic = EDA low-passed at ``smooth_hz`` (1 Hz) minus tonic; SCRs are its peaks whose
  prominence is at least ``min_amplitude_us`` (default 0.05 uS, the upper end of the
  0.01-0.05 uS minimum SCR amplitudes in use, Boucsein 2012) and that are at least 1 s
  apart; reported as a count and a rate (per minute). The zero-phase tonic filter leaves
  bumps of up to ~0.04 uS in the phasic component between large (0.3 uS) responses, which
  a threshold below 0.05 uS would count as responses.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from lbpnet.errors import FeatureError
from lbpnet.features._checks import positive_rate, time_last

TONIC_CUTOFF_HZ = 0.05


def eda_decompose(eda, fs: float, smooth_hz: float = 1.0, axis: int = -1):
    """Tonic and phasic components (uS) of EDA, each (..., n_samples).

    Parameters
    ----------
    eda : array, shape (..., n_samples)
        Skin conductance (uS), at least 40 s (two periods of the tonic cut-off).
    fs : float
        Sampling rate (Hz), above 2 * ``smooth_hz``.
    smooth_hz : float
        Low-pass (Hz) removing noise before the phasic peaks are found.
    axis : int
        Time axis.

    Returns
    -------
    tonic, phasic : ndarray, shape (..., n_samples)
    """
    fs = positive_rate(fs)
    if smooth_hz >= fs / 2:
        raise FeatureError(f"smooth_hz {smooth_hz} is not below Nyquist ({fs / 2:g} Hz)",
                           field="fs", fix="use a lower smooth_hz or a faster stream")
    x = time_last(eda, "eda", int(2 / TONIC_CUTOFF_HZ * fs), axis)
    if (np.ptp(x, axis=-1) == 0).any():
        raise FeatureError("constant EDA trace (no electrode contact?)", field="eda",
                           fix="exclude the stretch with the quality mask")
    low = signal.butter(2, TONIC_CUTOFF_HZ, fs=fs, output="sos")
    tonic = signal.sosfiltfilt(low, x, axis=-1)
    smooth = signal.sosfiltfilt(signal.butter(2, smooth_hz, fs=fs, output="sos"), x, axis=-1)
    return tonic, smooth - tonic


def scr_peaks(eda, fs: float, min_amplitude_us: float = 0.05, smooth_hz: float = 1.0,
              axis: int = -1):
    """Sample indices of the skin-conductance responses (peaks of the phasic component).

    Parameters
    ----------
    eda, fs, smooth_hz, axis
        See :func:`eda_decompose`.
    min_amplitude_us : float
        Smallest SCR (peak prominence of the phasic component, uS).

    Returns
    -------
    ndarray of int (1-D input), or object array of shape (...) of int arrays
    """
    fs = positive_rate(fs)
    tonic, phasic = eda_decompose(eda, fs, smooth_hz, axis)
    flat = phasic.reshape(-1, phasic.shape[-1])
    found = [signal.find_peaks(row, prominence=min_amplitude_us, distance=max(1, int(fs)))[0]
             for row in flat]
    if phasic.ndim == 1:
        return found[0]
    out = np.empty(len(found), dtype=object)
    out[:] = found
    return out.reshape(phasic.shape[:-1])


def eda_measures(eda, fs: float, min_amplitude_us: float = 0.05, smooth_hz: float = 1.0,
                 axis: int = -1) -> dict[str, np.ndarray]:
    """Tonic level (uS), SCR count and SCR rate (per min) per window.

    Parameters
    ----------
    eda, fs, min_amplitude_us, smooth_hz, axis
        See :func:`scr_peaks`.

    Returns
    -------
    dict
        ``"tonic_level_us"``, ``"scr_count"`` (int), ``"scr_per_min"``, each (...).
    """
    fs = positive_rate(fs)
    tonic, _ = eda_decompose(eda, fs, smooth_hz, axis)
    peaks = scr_peaks(eda, fs, min_amplitude_us, smooth_hz, axis)
    counts = (np.array(len(peaks)) if isinstance(peaks, np.ndarray) and peaks.dtype != object
              else np.vectorize(len, otypes=[int])(peaks))
    minutes = tonic.shape[-1] / fs / 60.0
    return {"tonic_level_us": tonic.mean(-1), "scr_count": counts, "scr_per_min": counts / minutes}
