"""Integer samples (ADC counts) read as physical values: ``physical = counts * gain + offset``.

Amplifiers and EDF/BDF files store samples as integers (16-bit EDF, 24-bit BDF) with a
per-channel linear map to physical units (EDF's digital→physical mapping). Keeping the
integers halves the bytes of float32 (int16) and loses nothing the amplifier measured.
:class:`ScaledArray` wraps the integer array (in memory, memory-mapped ``.npy`` or a Zarr
array) and applies the map to the part that is read: ``a[i:j]`` is a float32 array of
physical values of shape ``(j - i, n_channels)``, so a window touches only its own samples.

The map is computed in float32 (``float32(count) * float32(gain) + float32(offset)``: a
few float32 roundings, ~3e-7 of the value, far below half a count), the same way for every
backend, so the same counts give the same float32 values bit for bit wherever they are
stored.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import RecordingError

__all__ = ["ScaledArray", "quantise", "edf_gain_offset"]

_CHUNK = 1 << 18
"""Rows converted at a time by ``np.asarray(scaled)`` (bounds the float64 temporary)."""


class ScaledArray:
    """A read-only, float32, ``(n_samples, n_channels)`` view of integer counts.

    Parameters
    ----------
    raw : array-like of int, shape (n_samples, n_channels)
        The counts: ``np.ndarray``, ``np.memmap`` or a Zarr array (sliced lazily).
    gain, offset : array-like of float, shape (n_channels,)
        Physical units per count and physical value of count 0, per channel.

    Attributes
    ----------
    shape, ndim, dtype
        As a float32 array of the same shape (``dtype`` is float32).
    raw_dtype : numpy.dtype
        The stored integer dtype.
    """

    def __init__(self, raw, gain, offset) -> None:
        self.raw = raw
        n = int(raw.shape[1]) if len(raw.shape) == 2 else 0
        self.gain = np.asarray(gain, dtype=np.float64).reshape(-1)
        self.offset = np.asarray(offset, dtype=np.float64).reshape(-1)
        if np.dtype(raw.dtype).kind not in "iu":
            raise RecordingError(f"counts must be integers, got {raw.dtype}", field="data",
                                 fix="store physical values as float32 without gain/offset")
        if self.gain.shape != (n,) or self.offset.shape != (n,):
            raise RecordingError(f"{self.gain.size} gains and {self.offset.size} offsets for "
                                 f"{n} channels", field="gain", fix="give one per channel")
        if not (np.isfinite(self.gain).all() and np.isfinite(self.offset).all()
                and (self.gain != 0).all()):
            raise RecordingError("gain and offset must be finite and gain non-zero",
                                 field="gain", fix="check the digital/physical range")
        self._gain32 = self.gain.astype(np.float32)
        self._offset32 = self.offset.astype(np.float32)

    @property
    def shape(self) -> tuple[int, ...]:
        """(n_samples, n_channels) of the counts."""
        return tuple(int(s) for s in self.raw.shape)

    @property
    def ndim(self) -> int:
        """2 for a stream."""
        return len(self.raw.shape)

    @property
    def dtype(self) -> np.dtype:
        """float32: what a read returns."""
        return np.dtype(np.float32)

    @property
    def raw_dtype(self) -> np.dtype:
        """The stored integer dtype (int16, int32)."""
        return np.dtype(self.raw.dtype)

    def __len__(self) -> int:
        return self.shape[0]

    def _raw(self, key):
        if hasattr(self.raw, "oindex") and isinstance(key, tuple) and any(
                isinstance(k, (list, np.ndarray)) for k in key):
            return self.raw.oindex[key]          # Zarr: lists select orthogonally
        return self.raw[key]

    def __getitem__(self, key) -> np.ndarray:
        """Physical values (float32) of ``raw[key]``; the channel axis must be kept whole
        or selected by a slice, an integer or a list."""
        counts = np.asarray(self._raw(key))
        cols = key[1] if isinstance(key, tuple) and len(key) > 1 else slice(None)
        out = counts.astype(np.float32)
        out *= self._gain32[cols]
        out += self._offset32[cols]
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.empty(self.shape, dtype=np.float32)
        for start in range(0, self.shape[0], _CHUNK):
            out[start:start + _CHUNK] = self[start:start + _CHUNK]
        return out if dtype is None else out.astype(dtype)

    def __repr__(self) -> str:
        return f"ScaledArray({self.raw_dtype} counts, shape={self.shape})"


def quantise(physical: np.ndarray, dtype: str = "int16", gain=None, offset=None
             ) -> ScaledArray:
    """Round physical values to integer counts of ``dtype``; return them as a ScaledArray.

    Parameters
    ----------
    physical : array, shape (n_samples, n_channels)
        Finite physical values (µV, g, ...).
    dtype : str
        Integer dtype of the counts (``int16``, ``int32``).
    gain, offset : array-like (n_channels,), optional
        Default: each channel's range spread over the dtype's full range.

    Returns
    -------
    ScaledArray
        Reading it back differs from ``physical`` by at most ``gain / 2`` (half a count)
        plus float32 rounding.
    """
    x = np.asarray(physical, dtype=np.float64)
    info = np.iinfo(np.dtype(dtype))
    if gain is None:
        lo, hi = x.min(axis=0), x.max(axis=0)
        gain = np.where(hi > lo, (hi - lo) / (float(info.max) - float(info.min)), 1.0)
        offset = lo - float(info.min) * gain if offset is None else offset
    offset = np.zeros(x.shape[1]) if offset is None else np.asarray(offset, dtype=np.float64)
    gain = np.asarray(gain, dtype=np.float64)
    counts = np.rint((x - offset) / gain)
    if counts.size and (counts.min() < info.min or counts.max() > info.max):
        raise RecordingError(f"values do not fit {dtype} with this gain", field="gain",
                             fix="use a larger gain or int32")
    return ScaledArray(counts.astype(dtype), gain, offset)


def edf_gain_offset(physical_min: float, physical_max: float, digital_min: int,
                    digital_max: int) -> tuple[float, float]:
    """EDF's linear map: ``physical = digital * gain + offset``; returns (gain, offset)."""
    gain = (float(physical_max) - float(physical_min)) / (float(digital_max) - float(digital_min))
    return gain, float(physical_min) - float(digital_min) * gain
