"""Windows of one stream as a strided view, and what kind of signal each channel carries.

Windows are cut at the stream's own rate (``round(length_s * rate)`` samples) from starts in
seconds, exactly as :class:`lbpnet.windows.WindowDataset` cuts them; a chunk of windows is
one fancy-index into ``sliding_window_view`` (no Python loop per window).

A stream in RAM or memory-mapped (an ``np.ndarray``) is viewed whole, without a copy. Any
other array (integer counts behind a :class:`~lbpnet.recording.scaled.ScaledArray`, a Zarr
array) would be converted whole by ``sliding_window_view`` (an hour of 16-ch EMG at 2 kHz:
0.46 GB of float32), so it is read **block by block**: the rows under a chunk of windows,
at most ``max(window, chunk_samples // channels)`` rows at once, give the same windows bit
for bit (a slice of a stored stream holds the same values as the whole).
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
    step = max(1, int(chunk_samples // max(n * len(columns), 1)))
    whole = isinstance(stream.data, np.ndarray)
    if whole:
        view = sliding_window_view(stream.data, n, axis=0)      # (N - n + 1, C, n), no copy
    span = max(n, int(chunk_samples) // max(stream.n_channels, 1))   # rows read at once
    for a in range(0, len(first), step):
        rows = slice(a, min(a + step, len(first)))
        cut = (view[first[rows]][:, columns, :] if whole
               else _blockwise(stream.data, first[rows], n, columns, span))
        w = np.asarray(cut, dtype=np.float32)
        finite = np.isfinite(w)
        if not finite.all():
            w = np.where(finite, w, np.float32(0))
        yield rows, w, finite


def block_runs(first: np.ndarray, n: int, span: int) -> list[tuple[int, int]]:
    """Split window starts ``first`` (in their order) into runs ``(i, j)`` whose rows
    ``min(first[i:j]) .. max(first[i:j]) + n`` span at most ``max(span, n)`` rows."""
    first = np.asarray(first, dtype=np.int64)
    if len(first) == 0:
        return []
    if int(first.max()) - int(first.min()) + n <= span:
        return [(0, len(first))]
    runs, i, lo, hi = [], 0, int(first[0]), int(first[0])
    for j in range(1, len(first)):
        f = int(first[j])
        if max(hi, f) - min(lo, f) + n > span:
            runs.append((i, j))
            i, lo, hi = j, f, f
        else:
            lo, hi = min(lo, f), max(hi, f)
    runs.append((i, len(first)))
    return runs


def _blockwise(data, first: np.ndarray, n: int, columns: list[int], span: int) -> np.ndarray:
    """Windows ``(len(first), len(columns), n)`` of ``data`` read one block of rows per run
    of :func:`block_runs`, never the whole array."""
    parts = []
    for i, j in block_runs(first, n, span):
        f = first[i:j]
        lo = int(f.min())
        block = np.asarray(data[lo:int(f.max()) + n])
        parts.append(sliding_window_view(block, n, axis=0)[f - lo][:, columns, :])
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
