"""Daily-activity measures from IMU: step cadence, activity counts, time in trunk posture.

* Step cadence: steps are the peaks of the band-passed (0.5-3 Hz) acceleration magnitude
  of a trunk/waist sensor, at least 0.25 s apart and at least ``min_prominence_g``
  prominent (Zijlstra & Hof, "Assessment of spatio-temporal gait parameters from trunk
  accelerations during human walking", *Gait Posture* 18:1-10, 2003);
  ``cadence = 60 (n_steps - 1) / (t_last - t_first)`` (steps/min). Normal walking lies
  around 100-130 steps/min (Tudor-Locke et al., *Int. J. Behav. Nutr. Phys. Act.* 8:79, 2011).
* Activity counts: the integral of the absolute high-passed acceleration summed over axes,
  per epoch, ``IAA = sum_axes integral |a_hp(t)| dt`` (g s), the device-independent measure of
  Bouten et al., "A triaxial accelerometer and portable data processing unit for the
  assessment of daily physical activity", *IEEE Trans. Biomed. Eng.* 44:136-147 (1997).
  Not ActiGraph counts (whose filter is proprietary-derived); compare only within lbpnet.
* Time in posture: seconds and fraction of samples whose trunk sagittal angle falls in each
  band; the default bands 20 and 60 deg are those of ISO 11226:2000 ("Ergonomics -
  Evaluation of static working postures": < 20 deg acceptable, 20-60 deg conditionally
  acceptable, > 60 deg not recommended).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from lbpnet.errors import FeatureError
from lbpnet.features._checks import positive_rate, time_last


def _magnitude(acc) -> np.ndarray:
    a = time_last(acc, "acc", 2)
    if a.ndim < 2 or a.shape[-2] != 3:
        raise FeatureError(f"expected (..., 3, n_samples), got {a.shape}", field="acc",
                           fix="stack acc x, y, z on the second-last axis")
    return np.linalg.norm(a, axis=-2)


def step_cadence(acc, fs: float, min_prominence_g: float = 0.05, band_hz=(0.5, 3.0),
                 min_steps: int = 4, max_interval_cv: float = 0.3) -> dict[str, np.ndarray]:
    """Steps and cadence (steps/min) per window of trunk/waist acceleration.

    Parameters
    ----------
    acc : array, shape (..., 3, n_samples)
        Acceleration (g).
    fs : float
        Sampling rate (Hz), at least 2 * 3 Hz.
    min_prominence_g : float
        Smallest peak prominence counted as a step (g).
    band_hz : (float, float)
        Band-pass of the magnitude (Hz).
    min_steps : int
        Fewer detected steps give a masked cadence with the reason "no gait".
    max_interval_cv : float
        Step intervals varying more than this (SD / mean) are not a steady gait (a posture
        change, fidgeting): the cadence is masked with that reason.

    Returns
    -------
    dict
        ``"n_steps"`` (int, ...), ``"cadence_steps_per_min"`` (MaskedArray, ...) and
        ``"reason"`` (str, ...; ``""`` where valid).
    """
    fs = positive_rate(fs)
    mag = _magnitude(acc)
    if band_hz[1] >= fs / 2:
        raise FeatureError(f"band {band_hz} Hz reaches Nyquist ({fs / 2:g} Hz)", field="fs",
                           fix="use a faster sampled stream")
    sos = signal.butter(2, band_hz, btype="bandpass", fs=fs, output="sos")
    pad = min(mag.shape[-1] - 1, 3 * (2 * len(sos) + 1))
    filtered = signal.sosfiltfilt(sos, mag, axis=-1, padlen=pad)
    flat = filtered.reshape(-1, filtered.shape[-1])
    n_steps = np.zeros(flat.shape[0], dtype=int)
    cadence = np.zeros(flat.shape[0])
    reason = np.full(flat.shape[0], "", dtype=object)
    for i, row in enumerate(flat):
        peaks, _ = signal.find_peaks(row, distance=max(1, int(0.25 * fs)),
                                     prominence=min_prominence_g)
        n_steps[i] = peaks.size
        intervals = np.diff(peaks)
        if peaks.size < max(3, min_steps):
            reason[i] = f"fewer than {max(3, min_steps)} steps (no gait)"
        elif intervals.std() > max_interval_cv * intervals.mean():
            reason[i] = f"irregular step intervals (CV > {max_interval_cv:g}; no steady gait)"
        else:
            cadence[i] = 60.0 * (peaks.size - 1) / ((peaks[-1] - peaks[0]) / fs)
    bad = reason != ""
    shape = mag.shape[:-1]
    reason = reason.astype(str).reshape(shape)
    return {"n_steps": n_steps.reshape(shape),
            "cadence_steps_per_min": np.ma.masked_array(cadence, bad).reshape(shape),
            "reason": reason}


def activity_counts(acc, fs: float, epoch_s: float = 60.0, band_hz=(0.25, 20.0)) -> dict:
    """Integrated absolute acceleration per epoch (Bouten et al. 1997), g s.

    Parameters
    ----------
    acc : array, shape (..., 3, n_samples)
        Acceleration (g).
    fs : float
        Sampling rate (Hz).
    epoch_s : float
        Epoch length (s); a trailing partial epoch is dropped.
    band_hz : (float, float)
        Band-pass per axis (Hz), removing gravity; the upper edge is capped at 0.45 fs.

    Returns
    -------
    dict
        ``"start_s"`` (n_epochs,) and ``"counts_g_s"`` (..., n_epochs).
    """
    fs = positive_rate(fs)
    a = time_last(acc, "acc", 2)
    if a.ndim < 2 or a.shape[-2] != 3:
        raise FeatureError(f"expected (..., 3, n_samples), got {a.shape}", field="acc",
                           fix="stack acc x, y, z on the second-last axis")
    width = int(round(epoch_s * fs))
    n_epochs = a.shape[-1] // max(width, 1)
    if width < 2 or n_epochs < 1:
        raise FeatureError(f"{a.shape[-1] / fs:.2f} s is shorter than one {epoch_s:g} s epoch",
                           field="epoch_s", fix="use a shorter epoch or a longer recording")
    sos = signal.butter(2, (band_hz[0], min(band_hz[1], 0.45 * fs)), btype="bandpass", fs=fs,
                        output="sos")
    pad = min(a.shape[-1] - 1, 3 * (2 * len(sos) + 1))
    hp = np.abs(signal.sosfiltfilt(sos, a, axis=-1, padlen=pad)).sum(axis=-2)
    epochs = hp[..., : n_epochs * width].reshape(*hp.shape[:-1], n_epochs, width)
    return {"start_s": np.arange(n_epochs) * epoch_s, "counts_g_s": epochs.sum(-1) / fs}


def time_in_posture(angle_deg, fs: float, edges_deg=(20.0, 60.0)) -> dict[str, np.ndarray]:
    """Seconds and fraction of time in each band of trunk sagittal angle.

    Parameters
    ----------
    angle_deg : array, shape (..., n_samples)
        Trunk sagittal angle (deg, + = flexion), e.g. from
        :func:`lbpnet.features.orientation.sagittal_angle`.
    fs : float
        Sampling rate (Hz).
    edges_deg : sequence of float
        Increasing band edges (deg); default ISO 11226 (20, 60).

    Returns
    -------
    dict
        For each band ``"<lo>_<hi>_deg"`` (``"below_20_deg"``, ``"20_60_deg"``,
        ``"above_60_deg"``): ``{"seconds": (...), "fraction": (...)}``.
    """
    fs = positive_rate(fs)
    x = time_last(angle_deg, "angle_deg", 1)
    edges = [float(e) for e in edges_deg]
    if sorted(edges) != edges or len(set(edges)) != len(edges):
        raise FeatureError(f"edges {edges_deg} are not increasing", field="edges_deg",
                           fix="give increasing angles in deg")
    bounds = [-np.inf] + edges + [np.inf]
    out = {}
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        name = (f"below_{hi:g}_deg" if lo == -np.inf else
                f"above_{lo:g}_deg" if hi == np.inf else f"{lo:g}_{hi:g}_deg")
        inside = ((x >= lo) & (x < hi)).sum(-1)
        out[name] = {"seconds": inside / fs, "fraction": inside / x.shape[-1]}
    return out
