"""Windows of one stream as a strided view, and what kind of signal each channel carries.

Windows are cut at the stream's own rate (``round(length_s * rate)`` samples) from starts in
seconds, exactly as :class:`lbpnet.windows.WindowDataset` cuts them; a chunk of windows is
one fancy-index into ``sliding_window_view`` (no Python loop per window).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lbpnet.errors import WindowError
from lbpnet.recording.stream import Stream

KINDS = ("EMG", "ECG", "ACCEL", "GYRO", "NIRS", "PPG", "RR")
"""Kinds of signal the checks know; other channels get only the ``missing`` check."""
_ALIASES = {"BVP": "PPG", "PPG": "PPG", "EMG": "EMG", "ECG": "ECG", "EKG": "ECG",
            "ACCEL": "ACCEL", "ACC": "ACCEL", "GYRO": "GYRO", "NIRS": "NIRS", "RR": "RR"}


def channel_kinds(stream: Stream, kind: str | None = None) -> list[str]:
    """Kind of each channel: from ``kind`` if given, else the BIDS channel type.

    A channel in ms whose name contains ``rr`` (an RR tachogram) is ``"RR"``; unknown types
    give ``"OTHER"``.
    """
    if kind is not None:
        k = _ALIASES.get(str(kind).upper())
        if k is None:
            raise WindowError(f"unknown signal kind {kind!r} for stream '{stream.name}'",
                              field="qc.kinds", fix=f"use one of {', '.join(KINDS)}")
        return [k] * stream.n_channels
    out = []
    for name, ctype, unit in zip(stream.channel_names, stream.channel_types, stream.units):
        if unit == "ms" and "rr" in name.lower():
            out.append("RR")
        else:
            out.append(_ALIASES.get(str(ctype).upper(), "OTHER"))
    return out


def window_samples(stream: Stream, length_s: float) -> int:
    """Samples per window of this stream, ``round(length_s * rate)``."""
    return int(round(length_s * float(stream.sampling_rate)))


def first_samples(stream: Stream, starts: np.ndarray, n: int) -> np.ndarray:
    """First sample of each window (clamped inside the stream, as the dataset does)."""
    s = np.rint((np.asarray(starts, float) - stream.start_time) * stream.sampling_rate)
    return np.clip(s.astype(np.int64), 0, max(stream.n_samples - n, 0))


def iter_windows(stream: Stream, starts: np.ndarray, length_s: float, columns: list[int],
                 chunk_samples: int) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield ``(rows, windows, finite)`` chunk by chunk.

    ``windows`` is float32, shape (chunk, channels, time) with non-finite samples set to 0;
    ``finite`` is the boolean mask of the samples that were finite (same shape).

    Raises
    ------
    WindowError
        A stream shorter than one window.
    """
    n = window_samples(stream, length_s)
    if n < 2 or stream.n_samples < n:
        raise WindowError(f"stream '{stream.name}' ({stream.n_samples} samples at "
                          f"{stream.sampling_rate} Hz) cannot hold a {length_s} s window "
                          f"of at least 2 samples", field="window.length_s",
                          fix="use longer windows or drop this stream from QC")
    first = first_samples(stream, starts, n)
    view = sliding_window_view(stream.data, n, axis=0)          # (N - n + 1, C, n), no copy
    step = max(1, int(chunk_samples // max(n * len(columns), 1)))
    for a in range(0, len(first), step):
        rows = slice(a, min(a + step, len(first)))
        w = np.asarray(view[first[rows]][:, columns, :], dtype=np.float32)
        finite = np.isfinite(w)
        if not finite.all():
            w = np.where(finite, w, np.float32(0))
        yield rows, w, finite
