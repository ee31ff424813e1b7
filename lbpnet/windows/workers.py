"""``DataLoader`` workers open their own store handles.

A :class:`~lbpnet.windows.dataset.WindowDataset` over stored recordings holds memory maps or
Zarr arrays, each with a small handle (``stream.storage``,
:mod:`lbpnet.recording.store_handles`). Started with ``spawn``, a worker receives the
handles (pickled streams send no samples) and opens the store itself; started with
``fork`` it inherits the parent's objects. :func:`open_in_worker`, the ``worker_init_fn``
of the data modules, reopens every stored stream inside the worker in both cases, so no
file handle, memory map or Zarr/fsspec client is shared between processes.
"""

from __future__ import annotations

import pickle

import torch

__all__ = ["open_in_worker", "reopen_streams", "pickled_size"]


def reopen_streams(recordings) -> int:
    """Open every stored stream of ``recordings`` again in this process; return how many."""
    n = 0
    for rec in recordings:
        for stream in rec.streams.values():
            if getattr(stream, "storage", None) is not None:
                stream.data = stream.storage.open()
                n += 1
    return n


def open_in_worker(worker_id: int) -> None:
    """``worker_init_fn``: reopen the worker's dataset's stored streams (see module doc)."""
    info = torch.utils.data.get_worker_info()
    dataset = getattr(info, "dataset", None)
    if dataset is not None and hasattr(dataset, "recordings"):
        reopen_streams(dataset.recordings)


def pickled_size(obj) -> int:
    """Bytes ``obj`` takes pickled (what a ``spawn`` worker receives), e.g. a dataset."""
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
