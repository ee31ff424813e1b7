"""Movement kinematics and quality from IMU signals: angular velocity, jerk, smoothness,
variability across repetitions.

* Angular velocity magnitude ``|omega| = sqrt(gx^2 + gy^2 + gz^2)`` (deg/s), and its peak
  and mean per window.
* Jerk = time derivative of acceleration (``g/s`` or ``m/s^3``), its magnitude over axes;
  reported as RMS jerk per window.
* Log dimensionless jerk (Balasubramanian, Melendez-Calderon, Roby-Brami & Burdet, "On the
  analysis of movement smoothness", *J. NeuroEng. Rehabil.* 12:112, 2015), from a velocity
  profile ``v(t)`` over a movement of duration ``T = t2 - t1``:

      LDLJ-V = -ln( T^3 / v_peak^2 * integral |d^2 v / dt^2|^2 dt )

  and from acceleration (Melendez-Calderon, Shirota & Balasubramanian, "Estimating movement
  smoothness from inertial measurement units", *Front. Bioeng. Biotechnol.* 8:558771, 2021):

      LDLJ-A = -ln( T / a_peak^2 * integral |d a / dt|^2 dt )

  (dimensionless; higher, i.e. less negative, is smoother). A minimum-jerk point-to-point
  movement has LDLJ-V = -ln(720 / 1.875^2) = -5.32.
* Variability across repetitions: the coefficient of variation of a per-repetition value
  (e.g. peak flexion), ``CV = 100 SD / |mean|`` (%), and the mean over normalised time of
  the across-repetition SD of time-normalised curves (Winter, "Kinematic and kinetic
  patterns in human gait: variability and compensating effects", *Hum. Mov. Sci.* 3:51-76,
  1984), in the unit of the curve (deg).
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError
from lbpnet.features._checks import positive_rate, time_last


def angular_velocity(gyro, unit: str = "rad/s") -> dict[str, np.ndarray]:
    """Magnitude of the angular velocity (deg/s) and its peak and mean per window.

    Parameters
    ----------
    gyro : array, shape (..., 3, n_samples)
        Gyroscope, unit ``unit``.
    unit : {"rad/s", "deg/s"}

    Returns
    -------
    dict
        ``"magnitude_deg_s"`` (..., n_samples); ``"peak_deg_s"``, ``"mean_deg_s"`` (...).
    """
    g = time_last(gyro, "gyro", 1)
    if g.ndim < 2 or g.shape[-2] != 3:
        raise FeatureError(f"expected (..., 3, n_samples), got {g.shape}", field="gyro",
                           fix="stack gyro x, y, z on the second-last axis")
    if unit not in ("rad/s", "deg/s"):
        raise FeatureError(f"unknown unit {unit!r}", field="unit", fix="use 'rad/s' or 'deg/s'")
    mag = np.linalg.norm(g, axis=-2) * (180.0 / np.pi if unit == "rad/s" else 1.0)
    return {"magnitude_deg_s": mag, "peak_deg_s": mag.max(-1), "mean_deg_s": mag.mean(-1)}


def _vector(x, field: str, vector: bool, min_samples: int) -> np.ndarray:
    x = time_last(x, field, min_samples)
    return x if vector else x[..., None, :]  # (..., n_axes, n)


def rms_jerk(acc, fs: float, vector: bool = True) -> np.ndarray:
    """RMS of the jerk magnitude ``|da/dt|`` per window (unit of ``acc`` per s).

    Parameters
    ----------
    acc : array, shape (..., 3, n_samples), or (..., n_samples) with ``vector=False``
        Acceleration (g or m/s^2).
    fs : float
        Sampling rate (Hz).
    vector : bool
        Whether the second-last axis holds vector components.

    Returns
    -------
    ndarray, shape (...)
        RMS jerk (g/s or m/s^3).
    """
    fs = positive_rate(fs)
    a = _vector(acc, "acc", vector, 3)
    jerk = np.gradient(a, 1.0 / fs, axis=-1)
    return np.sqrt(np.mean(np.sum(jerk ** 2, axis=-2), axis=-1))


def log_dimensionless_jerk(x, fs: float, kind: str = "velocity",
                           vector: bool = False) -> np.ndarray:
    """LDLJ of one movement per window (Balasubramanian 2015; Melendez-Calderon 2021).

    Parameters
    ----------
    x : array, shape (..., n_samples), or (..., n_axes, n_samples) with ``vector=True``
        A velocity profile (``kind="velocity"``, e.g. angular velocity) or an acceleration
        with gravity removed (``kind="acceleration"``) covering exactly one movement.
    fs : float
        Sampling rate (Hz).
    kind : {"velocity", "acceleration"}
    vector : bool
        Whether the second-last axis holds vector components (norms are taken over it).

    Returns
    -------
    ndarray, shape (...)
        LDLJ (dimensionless, <= 0 in practice; higher is smoother).
    """
    fs = positive_rate(fs)
    if kind not in ("velocity", "acceleration"):
        raise FeatureError(f"unknown kind {kind!r}", field="kind",
                           fix="use 'velocity' or 'acceleration'")
    v = _vector(x, "x", vector, 5)
    dt = 1.0 / fs
    duration = (v.shape[-1] - 1) * dt
    order = 2 if kind == "velocity" else 1
    d = v
    for _ in range(order):
        d = np.gradient(d, dt, axis=-1)
    integral = np.trapezoid(np.sum(d ** 2, axis=-2), dx=dt, axis=-1)
    peak = np.max(np.linalg.norm(v, axis=-2), axis=-1)
    if not (peak > 0).all():
        raise FeatureError("a window holds no movement (zero peak)", field="x",
                           fix="segment one movement per window")
    power = 3 if kind == "velocity" else 1
    dimensionless = duration ** power / peak ** 2 * integral
    return -np.log(np.maximum(dimensionless, np.finfo(float).tiny))


def time_normalise(repetitions, n_points: int = 101) -> np.ndarray:
    """Resample each repetition onto ``n_points`` of normalised time (0-100 %).

    Parameters
    ----------
    repetitions : sequence of 1-D arrays
        One curve per repetition (e.g. lumbar flexion, deg), lengths may differ.
    n_points : int

    Returns
    -------
    ndarray, shape (n_repetitions, n_points)
    """
    out = []
    for i, r in enumerate(repetitions):
        r = time_last(r, f"repetitions[{i}]", 2)
        if r.ndim != 1:
            raise FeatureError(f"repetition {i} has shape {r.shape}", field="repetitions",
                               fix="pass one 1-D curve per repetition")
        out.append(np.interp(np.linspace(0, 1, n_points), np.linspace(0, 1, r.size), r))
    if len(out) < 2:
        raise FeatureError("variability needs at least 2 repetitions", field="repetitions",
                           fix="segment more repetitions")
    return np.stack(out)


def movement_variability(curves, peaks=None) -> dict[str, float | np.ndarray]:
    """Across-repetition variability of time-normalised curves and of their peaks.

    Parameters
    ----------
    curves : array, shape (..., n_repetitions, n_points)
        Time-normalised curves (see :func:`time_normalise`), unit U (e.g. deg).
    peaks : array, shape (..., n_repetitions), optional
        Per-repetition values; default each curve's maximum.

    Returns
    -------
    dict
        ``"mean_sd"``: mean over time of the across-repetition SD (ddof=1, unit U);
        ``"peak_cv_pct"``: ``100 SD(peaks) / |mean(peaks)|`` (%); each (...).
    """
    c = time_last(curves, "curves", 2)
    if c.ndim < 2 or c.shape[-2] < 2:
        raise FeatureError(f"expected (..., n_repetitions >= 2, n_points), got {c.shape}",
                           field="curves", fix="give at least two repetitions")
    p = c.max(-1) if peaks is None else time_last(peaks, "peaks", 2)
    mean = p.mean(-1)
    if (mean == 0).any():
        raise FeatureError("mean peak is zero; the CV is undefined", field="peaks",
                           fix="use a value with a non-zero mean (e.g. range of motion)")
    return {"mean_sd": c.std(axis=-2, ddof=1).mean(-1),
            "peak_cv_pct": 100.0 * p.std(-1, ddof=1) / np.abs(mean)}
