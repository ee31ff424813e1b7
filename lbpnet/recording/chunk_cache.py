"""An LRU cache of decoded Zarr chunks, so windows read chunk by chunk, not call by call.

Every read of a Zarr v3 array costs a few milliseconds of fixed overhead (its async
machinery, one request per chunk) besides decompression: reading 2 s windows one by one
gives ~100 windows/s however small they are. :class:`ChunkCache` reads whole row chunks
(``chunk_rows`` samples x all channels), keeps the most recent ones decoded in memory up to
``max_bytes``, and cuts windows out of them; the missing chunks of a window are fetched in
one call. With the recording-local sampler (:mod:`lbpnet.windows.samplers`) consecutive
windows fall in the same few chunks, so most reads are cache hits.

Besides each array's own ``max_bytes``, all caches of a process share one budget,
:data:`PROCESS_BUDGET_BYTES` (``$LBPNET_CHUNK_CACHE_BYTES``, default 256 MiB): the least
recently used chunk of *any* array goes first, so a worker that touches 40 recordings holds
no more than one that touches 4 (``benchmarks/cohort.py`` measured ~95 MB more per recording
with per-array budgets only). Chunks decoded in one read (read-ahead) are copied apart, so
the bytes held are the bytes counted: as views of the read, one surviving chunk kept the
whole read alive (a worker walking 20 SYNTHETIC recordings held ~300 MB for 268 MB counted).
A worker's RssAnon grows by about the budget plus ~140 MB (batch, decode buffers, allocator).
"""

from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np

__all__ = ["ChunkCache", "PROCESS_BUDGET_BYTES", "process_cached_bytes"]

PROCESS_BUDGET_BYTES = int(os.environ.get("LBPNET_CHUNK_CACHE_BYTES", 256 << 20))

# (id of the cache, chunk number) -> the cache holding it, least recently used first; the
# strong reference keeps a dropped cache alive (and its id unique) until its chunks go.
_PROCESS_LRU: "OrderedDict[tuple[int, int], ChunkCache]" = OrderedDict()
_PROCESS_BYTES = [0]


def process_cached_bytes() -> int:
    """Decoded bytes held by every :class:`ChunkCache` of this process together."""
    return _PROCESS_BYTES[0]


class ChunkCache:
    """A read-only ``(n_samples, n_channels)`` array over ``array`` with decoded-chunk LRU.

    Parameters
    ----------
    array : zarr.Array (or any array sliced by rows)
    chunk_rows : int
        Rows per cached chunk (the array's own chunk length is best).
    max_bytes : int
        Most decoded bytes kept for this array; all arrays of a process together keep at
        most :data:`PROCESS_BUDGET_BYTES` (each DataLoader worker is its own process).
    readahead : int
        On a miss, also decode up to this many following chunks in the same read (one
        call instead of many while a sampler walks through a recording).

    Attributes
    ----------
    shape, ndim, dtype
        Those of ``array``.
    """

    def __init__(self, array, chunk_rows: int, max_bytes: int = 64 << 20,
                 readahead: int = 8) -> None:
        self.array, self.chunk_rows, self.max_bytes = array, int(chunk_rows), int(max_bytes)
        self.readahead = int(readahead)
        self.shape = tuple(int(s) for s in array.shape)
        self.ndim, self.dtype = len(self.shape), np.dtype(array.dtype)
        self._chunks: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return self.shape[0]

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_chunks": OrderedDict(), "_bytes": 0}

    def _fetch(self, first: int, last: int) -> None:
        """Decode chunks ``first..last`` (inclusive) that are not cached, in one read per run."""
        missing = [i for i in range(first, last + 1) if i not in self._chunks]
        if missing:                                   # read ahead while the chunks are new
            n_chunks = -(-self.shape[0] // self.chunk_rows)
            for i in range(last + 1, min(last + 1 + self.readahead, n_chunks)):
                if i in self._chunks:
                    break
                missing.append(i)
        while missing:
            run = [missing[0]]
            while len(run) < len(missing) and missing[len(run)] == run[-1] + 1:
                run.append(missing[len(run)])
            missing = missing[len(run):]
            block = np.asarray(self.array[run[0] * self.chunk_rows:(run[-1] + 1) * self.chunk_rows])
            for k, i in enumerate(run):
                part = block[k * self.chunk_rows:(k + 1) * self.chunk_rows]
                if len(run) > 1:        # a view would keep the whole read alive after the
                    part = part.copy()  # chunk's eviction: held bytes above the budget
                part.flags.writeable = False
                self._chunks[i] = part
                self._bytes += part.nbytes
                _PROCESS_BYTES[0] += part.nbytes
                _PROCESS_LRU[(id(self), i)] = self
        for i in range(first, last + 1):            # the window's chunks are the newest
            self._chunks.move_to_end(i)
            _PROCESS_LRU.move_to_end((id(self), i))
        window = range(first, last + 1)
        while self._bytes > self.max_bytes and len(self._chunks) > len(window) \
                and next(iter(self._chunks)) not in window:
            self._drop(next(iter(self._chunks)))
        while _PROCESS_BYTES[0] > PROCESS_BUDGET_BYTES and _PROCESS_LRU:
            (owner_id, i), owner = next(iter(_PROCESS_LRU.items()))
            if owner is self and i in window:       # only this window's chunks are left
                break
            owner._drop(i)

    def _drop(self, i: int) -> None:
        """Forget decoded chunk ``i`` (in this cache and in the process budget)."""
        old = self._chunks.pop(i)
        self._bytes -= old.nbytes
        _PROCESS_BYTES[0] -= old.nbytes
        _PROCESS_LRU.pop((id(self), i), None)

    def __getitem__(self, key) -> np.ndarray:
        rows, cols = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            out = np.asarray(self.array[rows])              # uncached: not a window read
            lead = (Ellipsis,) if np.ndim(rows) == 0 else (slice(None),)
            return out[lead + cols] if cols else out
        start, stop, _ = rows.indices(self.shape[0])
        if stop <= start:
            return np.empty((0,) + self.shape[1:], dtype=self.dtype)[(slice(None),) + cols]
        first, last = start // self.chunk_rows, (stop - 1) // self.chunk_rows
        self._fetch(first, last)
        parts = [self._chunks[i] for i in range(first, last + 1)]
        joined = parts[0] if len(parts) == 1 else np.concatenate(parts)
        offset = first * self.chunk_rows
        out = joined[start - offset:stop - offset]
        return out[(slice(None),) + cols] if cols else out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.asarray(self.array[:])
        return out if dtype is None else out.astype(dtype)
