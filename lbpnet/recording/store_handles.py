"""How a stored stream is opened again: a small picklable handle instead of its samples.

A :class:`~lbpnet.recording.stream.Stream` read from a store carries one of these in
``stream.storage``. Pickling the stream (a ``DataLoader`` worker started with ``spawn``, a
Dask task) sends the handle, a few hundred bytes, not the samples; the receiving process
opens its own memory map or Zarr array when it unpickles the stream. With ``fork`` the
worker inherits the parent's memory map, which shares the page cache and copies nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lbpnet.recording.scaled import ScaledArray

__all__ = ["NpyHandle", "ZarrHandle"]


def _scaled(raw, gain, offset):
    return raw if gain is None else ScaledArray(raw, gain, offset)


@dataclass(frozen=True)
class NpyHandle:
    """A stream stored as a ``.npy`` file, memory-mapped read-only.

    Parameters
    ----------
    path : str
        The ``<stream>.npy`` file.
    gain, offset : tuple of float, optional
        Per-channel count→physical map (integer streams); ``None`` for physical values.
    """

    path: str
    gain: tuple | None = None
    offset: tuple | None = None

    def open(self):
        """The stream's data: ``np.memmap`` (n_samples, n_channels), or a ScaledArray of it."""
        return _scaled(np.load(Path(self.path), mmap_mode="r", allow_pickle=False),
                       self.gain, self.offset)


@dataclass(frozen=True)
class ZarrHandle:
    """A stream stored as an array of a Zarr v3 group (local path or fsspec URL).

    Parameters
    ----------
    url : str
        The group (``/data/sub-01.zarr``, ``s3://bucket/sub-01.zarr``, ``memory://x.zarr``).
    name : str
        The array inside the group.
    gain, offset : tuple of float, optional
        As :class:`NpyHandle`.
    storage_options : dict
        fsspec options of a remote URL (credentials stay out of the store itself).
    """

    url: str
    name: str
    gain: tuple | None = None
    offset: tuple | None = None
    storage_options: dict = field(default_factory=dict)

    def open(self):
        """The stream's data: the Zarr array behind a decoded-chunk cache
        (:class:`~lbpnet.recording.chunk_cache.ChunkCache`), or a ScaledArray of it."""
        import zarr

        from lbpnet.recording.chunk_cache import ChunkCache

        group = zarr.open_group(self.url, mode="r",
                                storage_options=self.storage_options or None)
        raw = group[self.name]
        return _scaled(ChunkCache(raw, raw.chunks[0]), self.gain, self.offset)
