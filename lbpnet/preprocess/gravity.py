"""Split a body-worn accelerometer into gravity and body acceleration.

The gravity component is a zero-phase Butterworth low-pass of the acceleration
(0.3 Hz, 3rd order, as in the UCI-HAR preprocessing: Anguita et al., ESANN
2013); body acceleration is the remainder, and the magnitude of the total
acceleration is rotation-invariant. Gravity direction carries posture (sitting
vs standing); body acceleration carries movement.

The filter runs over the whole stream (``scipy.signal.sosfiltfilt``), not per
window, because a 0.3 Hz low-pass needs several seconds of context; this is a
transform of a recording, applied once after loading. It uses future samples of
the same recording (zero phase), never other subjects.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
from scipy.signal import butter, sosfiltfilt

from lbpnet.errors import ConfigError
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream


class GravitySplit:
    """Append gravity (3), body acceleration (3) and |acc| (1) channels to a stream.

    Parameters
    ----------
    stream : str
        Stream holding the accelerometer (``"imu"``).
    acc_channels : sequence of 3 str
        Names of the x, y, z acceleration channels.
    cutoff_hz : float
        Low-pass cut-off (Hz) that separates gravity from body acceleration.
    order : int
        Butterworth order (applied forwards and backwards: twice the order).

    The new channels are named ``gravity_x/y/z``, ``body_acc_x/y/z`` and
    ``acc_magnitude``, typed ``ACCEL``, in the accelerometer's unit.
    Call it on a recording: ``GravitySplit()(recording) -> recording``.
    """

    def __init__(self, stream: str = "imu", acc_channels: Sequence[str] = ("acc_x", "acc_y", "acc_z"),
                 cutoff_hz: float = 0.3, order: int = 3) -> None:
        if len(acc_channels) != 3:
            raise ConfigError(f"need 3 acceleration channels, got {list(acc_channels)}",
                              field="preprocess.acc_channels", fix="name the x, y, z channels")
        self.stream, self.acc_channels = stream, list(acc_channels)
        self.cutoff_hz, self.order = float(cutoff_hz), int(order)

    def __call__(self, recording: Recording) -> Recording:
        s = recording.streams.get(self.stream)
        if s is None:
            raise ConfigError(f"no stream '{self.stream}'; streams: {recording.modalities}",
                              source=recording.source, field="preprocess.stream",
                              fix="name the stream that holds the accelerometer")
        missing = [c for c in self.acc_channels if c not in s.channel_names]
        if missing:
            raise ConfigError(f"channels {missing} not in stream '{self.stream}' "
                              f"({s.channel_names})", source=recording.source,
                              field="preprocess.acc_channels", fix="use the stream's channel names")
        nyquist = s.sampling_rate / 2
        if not 0 < self.cutoff_hz < nyquist:
            raise ConfigError(f"cut-off {self.cutoff_hz} Hz outside (0, {nyquist}) Hz",
                              source=recording.source, field="preprocess.cutoff_hz",
                              fix="choose a cut-off below the Nyquist frequency")
        cols = [s.channel_names.index(c) for c in self.acc_channels]
        acc = np.asarray(s.data[:, cols], dtype=np.float64)                 # (n, 3)
        sos = butter(self.order, self.cutoff_hz, btype="low", fs=s.sampling_rate, output="sos")
        padlen = min(3 * (2 * len(sos) + 1), acc.shape[0] - 1)
        gravity = sosfiltfilt(sos, acc, axis=0, padlen=padlen)
        body = acc - gravity
        magnitude = np.linalg.norm(acc, axis=1, keepdims=True)
        data = np.concatenate([np.asarray(s.data), gravity, body, magnitude], axis=1,
                              dtype=np.float32)
        unit = s.units[cols[0]]
        names = s.channel_names + ["gravity_x", "gravity_y", "gravity_z", "body_acc_x",
                                   "body_acc_y", "body_acc_z", "acc_magnitude"]
        new = Stream(s.name, data, s.sampling_rate, names,
                     s.channel_types + ["ACCEL"] * 7, s.units + [unit] * 7, s.start_time)
        return replace(recording, streams={**recording.streams, s.name: new})
