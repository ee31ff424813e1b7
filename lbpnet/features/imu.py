"""Acceleration magnitude and its per-window statistics (g).

The magnitude of a tri-axial accelerometer, ``|a| = sqrt(a_x**2 + a_y**2 + a_z**2)`` (g),
is orientation-free: at rest it equals 1 g (gravity), and its spread grows with movement
intensity (Mathie, Coster, Lovell & Celler, "Accelerometry: providing an integrated,
practical method for long-term, ambulatory monitoring of human movement", *Physiol. Meas.*
25:R1-R20, 2004; Bouten et al., *IEEE Trans. Biomed. Eng.* 44:136-147, 1997).
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError

STANDARD_GRAVITY = 9.80665
"""m/s**2 per g (ISO 80000-3)."""


def acc_magnitude(acc: np.ndarray, unit: str = "g") -> np.ndarray:
    """Euclidean norm of tri-axial acceleration, in g.

    Parameters
    ----------
    acc : array, shape (..., 3)
        Acceleration, axes last (a Stream's ``(n_samples, 3)`` accelerometer columns).
    unit : {"g", "m/s^2"}
        Unit of ``acc``; m/s**2 is divided by 9.80665.

    Returns
    -------
    ndarray, shape (...)
        ``sqrt(ax**2 + ay**2 + az**2)`` (g).
    """
    acc = np.asarray(acc, dtype=np.float64)
    if acc.shape[-1:] != (3,):
        raise FeatureError(f"expected 3 axes last, got shape {acc.shape}", field="acc",
                           fix="pass the acc_x, acc_y, acc_z columns, shape (n_samples, 3)")
    if unit not in ("g", "m/s^2"):
        raise FeatureError(f"unknown unit {unit!r}", field="unit", fix="use 'g' or 'm/s^2'")
    mag = np.sqrt(np.sum(acc ** 2, axis=-1))
    return mag / STANDARD_GRAVITY if unit == "m/s^2" else mag


def acc_magnitude_stats(acc: np.ndarray, fs: float, window_s: float = 2.0,
                        step_s: float | None = None, percentiles=(5.0, 50.0, 95.0),
                        unit: str = "g") -> dict[str, np.ndarray]:
    """Mean, SD and percentiles of the acceleration magnitude in sliding windows.

    Parameters
    ----------
    acc : array, shape (n_samples, 3)
        Tri-axial acceleration, time first.
    fs : float
        Sampling rate (Hz).
    window_s, step_s : float
        Window length and hop (s); ``step_s`` defaults to ``window_s`` (no overlap).
    percentiles : sequence of float
        Percentiles (0-100) of the magnitude per window.
    unit : {"g", "m/s^2"}
        Unit of ``acc``.

    Returns
    -------
    dict
        ``"start_s"`` (n_windows,) window starts (s); ``"mean_g"``, ``"sd_g"`` (sample SD,
        ddof=1) and ``"p<q>_g"`` per percentile (e.g. ``"p95_g"``), each (n_windows,) in g.

    Raises
    ------
    FeatureError
        Fewer samples than one window, non-finite samples, bad rate or window.
    """
    if not fs or fs <= 0 or window_s <= 0 or (step_s is not None and step_s <= 0):
        raise FeatureError(f"fs ({fs}), window_s ({window_s}) and step_s ({step_s}) must be "
                           "positive", field="window_s", fix="give positive seconds and Hz")
    mag = acc_magnitude(acc, unit)
    if mag.ndim != 1:
        raise FeatureError(f"expected (n_samples, 3), got {np.shape(acc)}", field="acc",
                           fix="pass one accelerometer at a time")
    if not np.isfinite(mag).all():
        raise FeatureError(f"{int((~np.isfinite(mag)).sum())} NaN/inf samples", field="acc",
                           fix="interpolate or exclude the dropout (quality mask)")
    width = int(round(window_s * fs))
    hop = int(round((step_s or window_s) * fs))
    if width < 2 or mag.size < width:
        raise FeatureError(f"{mag.size} samples ({mag.size / fs:.2f} s) is shorter than one "
                           f"{window_s:g} s window", field="window_s",
                           fix="use a shorter window or a longer segment")
    starts = np.arange(0, mag.size - width + 1, max(hop, 1))
    windows = np.lib.stride_tricks.sliding_window_view(mag, width)[starts]
    out = {"start_s": starts / fs, "mean_g": windows.mean(axis=1),
           "sd_g": windows.std(axis=1, ddof=1)}
    for q, values in zip(percentiles, np.percentile(windows, list(percentiles), axis=1)):
        out[f"p{q:g}_g"] = values
    return out


def vertical_horizontal_acceleration(body_acc, gravity) -> dict[str, np.ndarray]:
    """Body acceleration split into its component along gravity and the rest.

    ``a_v = (a_body . g) / |g|`` (g, + = upward) and ``a_h = |a_body - a_v g / |g||`` (g),
    sample by sample: orientation-free descriptions of movement (Mathie et al. 2004; e.g.
    stair ascent and descent differ in their vertical acceleration).

    Parameters
    ----------
    body_acc : array, shape (..., 3, n_samples)
        Acceleration without gravity (g), e.g. acc minus its 0.3 Hz low-pass.
    gravity : array, shape (..., 3, n_samples)
        The gravity estimate in the same sensor frame (g).

    Returns
    -------
    dict
        ``"vertical_g"`` and ``"horizontal_g"``, each (..., n_samples).
    """
    a = np.asarray(body_acc, dtype=np.float64)
    g = np.asarray(gravity, dtype=np.float64)
    if a.shape != g.shape or a.ndim < 2 or a.shape[-2] != 3:
        raise FeatureError(f"body_acc {a.shape} and gravity {g.shape} must both be "
                           "(..., 3, n_samples)", field="gravity",
                           fix="stack x, y, z on the second-last axis for both")
    if not (np.isfinite(a).all() and np.isfinite(g).all()):
        raise FeatureError("NaN/inf samples", field="body_acc",
                           fix="interpolate or exclude the dropout (quality mask)")
    norm = np.linalg.norm(g, axis=-2, keepdims=True)
    if (norm == 0).any():
        raise FeatureError("zero gravity vector", field="gravity",
                           fix="low-pass the accelerometer to estimate gravity")
    unit = g / norm
    vertical = np.sum(a * unit, axis=-2)
    horizontal = np.linalg.norm(a - vertical[..., None, :] * unit, axis=-2)
    return {"vertical_g": vertical, "horizontal_g": horizontal}
