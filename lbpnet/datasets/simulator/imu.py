"""IMU at trunk (L1) and pelvis (S1): gravity projected into the sensor frame + linear
acceleration, gyro = rate of change of orientation, sensor noise and bias.

Sensor frame when upright: x up along the spine, y to the left, z forward. Flexion is a
rotation about y, axial rotation about x, lateral bend about z. A resting accelerometer reads
+1 g along the world vertical. Noise and bias of MEMS IMUs (e.g. Bosch BMI160 data sheet):
accelerometer noise ~0.003-0.01 g RMS at 100 Hz, bias up to ~0.02 g; gyroscope noise
~0.005-0.01 rad/s, bias up to ~0.02 rad/s. Walking ranges: see :mod:`.protocol`.
"""

from __future__ import annotations

import numpy as np

SITES = ("trunk_l1", "pelvis_s1")
AXES = ("acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z")
CHANNELS = [f"{s}_{a}" for s in SITES for a in AXES]
TYPES = (["ACCEL"] * 3 + ["GYRO"] * 3) * 2
UNITS = (["g"] * 3 + ["rad/s"] * 3) * 2


def gravity_in_sensor(flex_deg, yaw_deg, lat_deg) -> np.ndarray:
    """World 'up' (1 g) expressed in the sensor frame, shape (n, 3)."""
    th, ph = np.radians(flex_deg), np.radians(lat_deg)
    # R = Rx(yaw) Ry(flex) Rz(lat); up is the world x axis; yaw about the vertical leaves
    # the up vector unchanged, so only flexion and lateral bend tilt it.
    return np.stack([np.cos(th) * np.cos(ph), np.sin(ph) * np.cos(th), -np.sin(th)], axis=1)


class IMUGenerator:
    """Trunk and pelvis IMU of one session at ``fs`` Hz: acceleration (g) and angular rate
    (rad/s) from the movement control signals, with per-sensor bias and noise.
    """
    def __init__(self, fs: float, difficulty: float, rng: np.random.Generator) -> None:
        self.fs = fs
        self.rng = rng
        self.acc_noise = 0.006 * np.sqrt(difficulty)
        self.gyro_noise = 0.008 * np.sqrt(difficulty)
        self.bias = np.concatenate([np.r_[rng.uniform(-0.02, 0.02, 3), rng.uniform(-0.02, 0.02, 3)]
                                    for _ in SITES])

    def chunk(self, timeline, t: np.ndarray) -> np.ndarray:
        """Samples at times ``t`` (s), shape (n, 12) float32 (g and rad/s)."""
        h = 0.5 / self.fs
        c = timeline.evaluate(t)
        cm, cp = timeline.evaluate(t - h), timeline.evaluate(t + h)
        out = np.empty((len(t), 12))
        for j, (flex, lin, pick) in enumerate((
                (lambda k: k.flex, c.lin_trunk, 0), (lambda k: k.pelvis, c.lin_pelvis, 1))):
            g = gravity_in_sensor(flex(c), c.yaw, c.lat)
            rate = lambda f: np.radians(f(cp) - f(cm)) / (2 * h)
            out[:, 6 * j:6 * j + 3] = g + lin
            out[:, 6 * j + 3] = rate(lambda k: k.yaw) * (1.0 if pick == 0 else 0.7)
            out[:, 6 * j + 4] = rate(flex)
            out[:, 6 * j + 5] = rate(lambda k: k.lat)
        n = len(t)
        noise = self.rng.standard_normal((n, 12))
        scale = np.array(([self.acc_noise] * 3 + [self.gyro_noise] * 3) * 2)
        return (out + self.bias + noise * scale).astype(np.float32)
