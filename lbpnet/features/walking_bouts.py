"""Walking bouts of a trunk/waist accelerometer, and steps and cadence within them.

A free-living recording is mostly not walking: counting peaks over the whole file counts
every posture change and bump as a step, and its step intervals are too irregular for a
cadence. :func:`walking_bouts` first finds where the trunk moves periodically in the step
band, then counts steps only there.

Definition followed (Mobilise-D, Kluge et al., "Consensus based framework for digital
mobility monitoring", *PLoS One* 16:e0256541, 2021): a walking bout is a sequence of at
least two consecutive strides (``min_steps = 4`` steps); breaks between steps shorter than
``max_break_s = 3`` s do not end a bout; a bout runs from its first to its last step.

Steps are the peaks of the band-passed (0.5-3 Hz) acceleration magnitude, at least 0.25 s
apart and ``min_prominence_g`` prominent (Zijlstra & Hof, *Gait Posture* 18:1-10, 2003), as in
:func:`lbpnet.features.daily_activity.step_cadence`. A step counts only inside a *gait
stretch*: the union of ``window_s`` windows (hop ``hop_s``) whose band-passed magnitude has
an SD of at least ``min_sd_g`` and an unbiased autocorrelation peak of at least
``min_regularity`` at a lag of 0.3-1.2 s (a step or a stride; Moe-Nilssen & Helbostad, "Estimation
of gait cycle characteristics by trunk accelerometry", *J. Biomech.* 37:121-126, 2004).
The two thresholds were chosen on UCI HAPT subjects 01-15 only (selection rule and results in
``experiments/gait_validation``).

Cadence of a bout: ``60 (n_steps - 1) / (t_last - t_first)`` (steps/min); of the recording:
``60 sum_b (n_b - 1) / sum_b (t_last,b - t_first,b)`` (the step-weighted mean over bouts).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from lbpnet.errors import FeatureError
from lbpnet.features._checks import positive_rate, time_last

STEP_BAND_HZ = (0.5, 3.0)
"""Band-pass (Hz) of the acceleration magnitude: step frequencies of walking."""


def _filtered_magnitude(acc, fs: float) -> np.ndarray:
    a = time_last(acc, "acc", 2)
    if a.ndim != 2 or a.shape[0] != 3:
        raise FeatureError(f"expected one recording (3, n_samples), got {a.shape}", field="acc",
                           fix="stack acc x, y, z as rows; call once per recording")
    if STEP_BAND_HZ[1] >= fs / 2:
        raise FeatureError(f"step band {STEP_BAND_HZ} Hz reaches Nyquist ({fs / 2:g} Hz)",
                           field="fs", fix="use a stream sampled at 10 Hz or faster")
    mag = np.linalg.norm(a, axis=0)
    sos = signal.butter(2, STEP_BAND_HZ, btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, mag, padlen=min(mag.size - 1, 3 * (2 * len(sos) + 1)))


def gait_stretches(x: np.ndarray, fs: float, window_s: float = 3.0, hop_s: float = 0.5,
                   min_sd_g: float = 0.05, min_regularity: float = 0.6,
                   lag_range_s=(0.3, 1.2)) -> np.ndarray:
    """Mask of samples lying in a window of periodic trunk motion.

    Parameters
    ----------
    x : ndarray, shape (n_samples,)
        Band-passed acceleration magnitude (g).
    fs : float
        Sampling rate (Hz).
    window_s, hop_s : float
        Window length and hop (s).
    min_sd_g : float
        Smallest SD of ``x`` in a window (g).
    min_regularity : float
        Smallest unbiased autocorrelation peak at a lag within ``lag_range_s`` (-1..1).
    lag_range_s : (float, float)
        Lags (s) at which a step or stride period is looked for.

    Returns
    -------
    ndarray of bool, shape (n_samples,)
    """
    width, hop = int(round(window_s * fs)), max(1, int(round(hop_s * fs)))
    lo, hi = int(round(lag_range_s[0] * fs)), int(round(lag_range_s[1] * fs))
    if width <= hi + 1:
        raise FeatureError(f"window {window_s:g} s is not longer than the largest lag "
                           f"{lag_range_s[1]:g} s", field="window_s", fix="use a longer window")
    mask = np.zeros(x.size, dtype=bool)
    for start in range(0, max(x.size - width, 0) + 1, hop):
        w = x[start:start + width]
        if w.size < width or w.std() < min_sd_g:
            continue
        w = w - w.mean()
        ac = np.correlate(w, w, "full")[w.size - 1:w.size + hi + 1]
        ac = ac / (w.size - np.arange(ac.size)) / (ac[0] / w.size)   # unbiased, 1 at lag 0
        if ac[lo:hi + 1].max() >= min_regularity:
            mask[start:start + width] = True
    return mask


def walking_bouts(acc, fs: float, min_prominence_g: float = 0.05, min_steps: int = 4,
                  max_break_s: float = 3.0, **stretch_options) -> dict:
    """Walking bouts of one trunk/waist recording, with steps and cadence per bout and overall.

    Parameters
    ----------
    acc : array, shape (3, n_samples)
        Acceleration x, y, z (g; divide m/s^2 by 9.81) of one recording.
    fs : float
        Sampling rate (Hz), at least 10 Hz.
    min_prominence_g : float
        Smallest peak prominence of the band-passed magnitude counted as a step (g).
    min_steps : int
        Fewest steps of a bout (4 = two strides, Mobilise-D).
    max_break_s : float
        Steps further apart than this (s) belong to different bouts (Mobilise-D: 3 s).
    **stretch_options
        ``window_s``, ``hop_s``, ``min_sd_g``, ``min_regularity``, ``lag_range_s`` of
        :func:`gait_stretches`.

    Returns
    -------
    dict
        ``"start_s"``, ``"end_s"`` (n_bouts,) first and last step of each bout (s from the
        first sample); ``"n_steps"`` (n_bouts,) int; ``"cadence_steps_per_min"`` (n_bouts,);
        ``"step_times_s"`` (n_steps_total,) times of the steps inside bouts (s);
        ``"total_steps"`` int; ``"walking_s"`` total bout duration (s);
        ``"recording_cadence_steps_per_min"`` float (NaN when there is no bout) and
        ``"reason"`` (``""``, or why there is no cadence).

    Raises
    ------
    FeatureError
        Not (3, n_samples), NaN/inf samples, a rate too low for the step band, bad options.
    """
    fs = positive_rate(fs)
    if int(min_steps) < 2 or not max_break_s > 0:
        raise FeatureError(f"min_steps={min_steps}, max_break_s={max_break_s}",
                           field="min_steps", fix="use min_steps >= 2 and max_break_s > 0")
    x = _filtered_magnitude(acc, fs)
    in_gait = gait_stretches(x, fs, **stretch_options)
    peaks, _ = signal.find_peaks(x, distance=max(1, int(0.25 * fs)), prominence=min_prominence_g)
    times = peaks[in_gait[peaks]] / fs
    groups = np.split(times, np.flatnonzero(np.diff(times) > max_break_s) + 1) if times.size else []
    bouts = [g for g in groups if g.size >= int(min_steps)]
    start = np.array([g[0] for g in bouts])
    end = np.array([g[-1] for g in bouts])
    n = np.array([g.size for g in bouts], dtype=int)
    cadence = 60.0 * (n - 1) / np.maximum(end - start, 1e-12) if bouts else np.zeros(0)
    duration = float((end - start).sum()) if bouts else 0.0
    overall = 60.0 * float((n - 1).sum()) / duration if duration > 0 else float("nan")
    return {"start_s": start.reshape(-1), "end_s": end.reshape(-1), "n_steps": n,
            "cadence_steps_per_min": cadence,
            "step_times_s": np.concatenate(bouts) if bouts else np.zeros(0),
            "total_steps": int(n.sum()), "walking_s": duration,
            "recording_cadence_steps_per_min": overall,
            "reason": "" if bouts else f"no walking bout of at least {int(min_steps)} steps"}
