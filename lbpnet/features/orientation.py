"""Sensor orientation from accelerometer + gyroscope, and sagittal trunk/pelvis angles.

Two standard estimators, vectorised over leading (batch, sensor) dims and looping only
over time:

* **Madgwick** gradient-descent filter, IMU form (Madgwick, Harrison & Vaidyanathan,
  "Estimation of IMU and MARG orientation using a gradient descent algorithm", *IEEE Int.
  Conf. Rehabil. Robot.* 2011). With ``q = (w, x, y, z)`` the unit quaternion taking sensor
  vectors to the earth frame (``v_e = q v_s q*``) and ``a`` the normalised accelerometer:

      g_s(q) = (2(xz - wy), 2(wx + yz), 1 - 2(x^2 + y^2))   (earth "up" seen by the sensor)
      f = g_s(q) - a,   J = d f / d q,   grad = J^T f / |J^T f|
      dq/dt = 1/2 q (x) (0, omega) - beta * grad,   q <- normalise(q + dq/dt * dt)

  ``omega`` is the gyroscope (rad/s, sensor frame); ``beta`` (rad/s) trades gyroscope
  drift against accelerometer noise (0.1 is the authors' suggestion for a MEMS IMU). The
  filter starts at the orientation that makes ``g_s`` equal the first accelerometer sample.
  Yaw is unobservable without a magnetometer; the tilt (the sagittal and frontal angles)
  is what lbpnet uses. The sensor frame must be right-handed (``x`` cross ``y`` = ``z``) and
  the gyroscope follow the right-hand rule; mirror one axis of a left-handed device first.
* **Complementary filter** of one sagittal angle (e.g. Mahony-type first-order fusion,
  Colton, "The balance filter", MIT 2007):
  ``theta_k = alpha (theta_{k-1} + omega_k dt) + (1 - alpha) theta_acc,k`` with
  ``alpha = tau / (tau + dt)``; a linear recursion, run with :func:`scipy.signal.lfilter`.

Sagittal angle of a sensor whose axes ``up`` (along the spine) and ``forward`` span the
sagittal plane: ``theta = atan2(-g_forward, g_up)`` (deg, positive = forward flexion), from
the gravity direction ``g`` in the sensor frame. Lumbar flexion is trunk (L1) minus pelvis
(S1) sagittal angle (e.g. Williams, Haq & Lee, "Dynamic measurement of lumbar curvature
using fibre-optic sensors", *Med. Eng. Phys.* 32:1043-1049, 2010; Ha et al., "Measurement
of lumbar spine range of movement and coupled motion using inertial sensors", *J. Biomech.*
46:2043-2048, 2013, for the two-sensor IMU method).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from lbpnet.errors import FeatureError
from lbpnet.features._checks import positive_rate, time_last


def _axes3(x, field: str) -> np.ndarray:
    x = time_last(x, field, 1)
    if x.ndim < 2 or x.shape[-2] != 3:
        raise FeatureError(f"expected (..., 3, n_samples), got {x.shape}", field=field,
                           fix="stack the x, y, z channels on the second-last axis")
    return x


def gravity_in_sensor(q) -> np.ndarray:
    """Earth 'up' in the sensor frame, ``g_s(q)``: quaternions ``(..., 4, n)`` → ``(..., 3, n)``."""
    w, x, y, z = np.moveaxis(np.asarray(q, np.float64), -2, 0)
    return np.stack([2 * (x * z - w * y), 2 * (w * x + y * z), w * w - x * x - y * y + z * z],
                    axis=-2)


def _quaternion_from_gravity(a: np.ndarray) -> np.ndarray:
    """Shortest-arc quaternion taking the unit vector ``a`` (..., 3) to earth up (0, 0, 1)."""
    w = 1.0 + a[..., 2]
    q = np.stack([w, a[..., 1], -a[..., 0], np.zeros_like(w)], axis=-1)  # (1 + a.z, a x z)
    flipped = w < 1e-9  # a points down: any half-turn about a horizontal axis
    q[flipped] = [0.0, 1.0, 0.0, 0.0]
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def madgwick_imu(acc, gyro, fs: float, beta: float = 0.1) -> np.ndarray:
    """Orientation quaternions of an IMU (Madgwick 2011, gyroscope + accelerometer).

    Parameters
    ----------
    acc : array, shape (..., 3, n_samples)
        Accelerometer (any unit; only its direction is used). Reads +1 g along earth up at rest.
    gyro : array, shape (..., 3, n_samples)
        Gyroscope (rad/s), same sensor frame.
    fs : float
        Sampling rate (Hz).
    beta : float
        Filter gain (rad/s).

    Returns
    -------
    ndarray, shape (..., 4, n_samples)
        Unit quaternions ``(w, x, y, z)``, sensor to earth frame.
    """
    fs = positive_rate(fs)
    acc, gyro = _axes3(acc, "acc"), _axes3(gyro, "gyro")
    if acc.shape != gyro.shape:
        raise FeatureError(f"acc {acc.shape} and gyro {gyro.shape} differ", field="gyro",
                           fix="resample both to one rate and window")
    norm = np.linalg.norm(acc, axis=-2, keepdims=True)
    if (norm == 0).any():
        raise FeatureError("accelerometer reads exactly zero (dropout)", field="acc",
                           fix="exclude the dropout with the quality mask")
    a = np.moveaxis(acc / norm, -1, 0)       # (n, ..., 3)
    g = np.moveaxis(gyro, -1, 0)
    dt = 1.0 / fs
    q = _quaternion_from_gravity(a[0])
    out = np.empty((a.shape[0],) + q.shape)
    for k in range(a.shape[0]):
        w, x, y, z = np.moveaxis(q, -1, 0)
        ax, ay, az = np.moveaxis(a[k], -1, 0)
        gx, gy, gz = np.moveaxis(g[k], -1, 0)
        f1 = 2 * (x * z - w * y) - ax
        f2 = 2 * (w * x + y * z) - ay
        f3 = 1 - 2 * (x * x + y * y) - az
        grad = np.stack([-2 * y * f1 + 2 * x * f2,
                         2 * z * f1 + 2 * w * f2 - 4 * x * f3,
                         -2 * w * f1 + 2 * z * f2 - 4 * y * f3,
                         2 * x * f1 + 2 * y * f2], axis=-1)
        gn = np.linalg.norm(grad, axis=-1, keepdims=True)
        grad = grad / np.where(gn > 0, gn, 1.0)
        dq = 0.5 * np.stack([-x * gx - y * gy - z * gz, w * gx + y * gz - z * gy,
                             w * gy - x * gz + z * gx, w * gz + x * gy - y * gx], axis=-1)
        q = q + (dq - beta * grad) * dt
        q = q / np.linalg.norm(q, axis=-1, keepdims=True)
        out[k] = q
    return np.moveaxis(out, 0, -1)


def sagittal_angle(gravity, up_axis: int = 0, forward_axis: int = 2) -> np.ndarray:
    """Sagittal inclination ``atan2(-g_forward, g_up)`` (deg, + = forward flexion).

    Parameters
    ----------
    gravity : array, shape (..., 3, n_samples)
        Earth 'up' in the sensor frame: a resting accelerometer, low-passed acceleration,
        or :func:`gravity_in_sensor` of Madgwick quaternions.
    up_axis, forward_axis : int
        Sensor axes (0, 1, 2 = x, y, z) pointing up the spine and forward when upright
        (lbpnet's simulator: x up, z forward).

    Returns
    -------
    ndarray, shape (..., n_samples)
        Angle (deg), 0 upright.
    """
    g = _axes3(gravity, "gravity")
    return np.degrees(np.arctan2(-g[..., forward_axis, :], g[..., up_axis, :]))


def inclination(gravity, up_axis: int = 0) -> np.ndarray:
    """Tilt of the sensor's up axis from the vertical, ``arccos(g_up / |g|)`` (deg, 0-180).

    Unsigned and plane-free (lying on the back or the side are both ~90 deg); see
    :func:`sagittal_angle` for parameters.
    """
    g = _axes3(gravity, "gravity")
    norm = np.linalg.norm(g, axis=-2)
    if (norm == 0).any():
        raise FeatureError("zero gravity vector (dropout)", field="gravity",
                           fix="exclude the dropout with the quality mask")
    return np.degrees(np.arccos(np.clip(g[..., up_axis, :] / norm, -1.0, 1.0)))


def complementary_sagittal_angle(acc, sagittal_rate, fs: float, tau_s: float = 1.0,
                                 up_axis: int = 0, forward_axis: int = 2) -> np.ndarray:
    """Sagittal angle (deg) fusing the accelerometer angle and the gyroscope rate.

    Parameters
    ----------
    acc : array, shape (..., 3, n_samples)
        Accelerometer (g or m/s^2).
    sagittal_rate : array, shape (..., n_samples)
        Gyroscope rate about the medio-lateral axis (rad/s), positive in flexion.
    fs : float
        Sampling rate (Hz).
    tau_s : float
        Time constant (s): below ``1 / (2 pi tau)`` Hz the accelerometer wins, above it
        the gyroscope.
    up_axis, forward_axis : int
        See :func:`sagittal_angle`.

    Returns
    -------
    ndarray, shape (..., n_samples)
        Angle (deg), + = flexion.
    """
    fs = positive_rate(fs)
    theta_acc = sagittal_angle(acc, up_axis, forward_axis)
    rate = time_last(sagittal_rate, "sagittal_rate", 1)
    if rate.shape != theta_acc.shape:
        raise FeatureError(f"sagittal_rate {rate.shape} does not match acc {theta_acc.shape}",
                           field="sagittal_rate", fix="give one rate sample per acc sample")
    dt = 1.0 / fs
    alpha = tau_s / (tau_s + dt)
    u = alpha * np.degrees(rate) * dt + (1 - alpha) * theta_acc
    zi = alpha * theta_acc[..., :1]  # start at the accelerometer angle
    return signal.lfilter([1.0], [1.0, -alpha], u, axis=-1, zi=zi)[0]


def lumbar_flexion(trunk_deg, pelvis_deg) -> dict[str, np.ndarray]:
    """Lumbar flexion = trunk minus pelvis sagittal angle, and its range.

    Parameters
    ----------
    trunk_deg, pelvis_deg : array, shape (..., n_samples)
        Sagittal angles (deg) of the trunk (L1) and pelvis (S1) sensors.

    Returns
    -------
    dict
        ``"lumbar_flexion_deg"`` (..., n_samples), ``"range_deg"`` (max - min) and
        ``"peak_deg"`` (max), each (...).
    """
    trunk = time_last(trunk_deg, "trunk_deg", 1)
    pelvis = time_last(pelvis_deg, "pelvis_deg", 1)
    if trunk.shape != pelvis.shape:
        raise FeatureError(f"trunk {trunk.shape} and pelvis {pelvis.shape} differ",
                           field="pelvis_deg", fix="use the same windows for both sensors")
    lumbar = trunk - pelvis
    return {"lumbar_flexion_deg": lumbar, "range_deg": np.ptp(lumbar, axis=-1),
            "peak_deg": lumbar.max(axis=-1)}
