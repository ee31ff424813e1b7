"""Recording-local shuffling: shuffle recordings, then windows within a buffer of chunks.

A fully random order reads a window from anywhere in the cohort at every step: on a warm
page cache that is free, on cold storage (a spinning disk, object storage, a Zarr store
with large compressed chunks) every window is a seek or a request. As WebDataset shuffles
shards and then samples inside a small buffer, :class:`RecordingLocalSampler` cuts every
recording into **chunks** of ``chunk_s`` seconds of window starts, shuffles the recordings
and the chunks within each recording, and then shuffles the windows of each group of
``buffer_chunks`` consecutive chunks together::

    recordings (shuffled)   r2 .................. r0 ............ r1 ..........
    chunks (shuffled)       c3 c0 c1 c2 | c4      c1 c0 | c2      c0 c1 | ...
    buffers of 4 chunks     [ windows shuffled ]  [ windows shuffled ] ...

So at any time only ``buffer_chunks`` chunks of data are being read, while the order of
the windows is still random at the scale of a batch. A larger buffer is closer to a full
shuffle; ``buffer_chunks=1`` reads one chunk at a time.

Each epoch draws one 64-bit seed from ``generator`` (a ``torch.Generator``, e.g. the data
module's :class:`~lbpnet.tasks.rng_state.ShuffleState` generator, saved with checkpoints),
so a resumed run draws the same orders as an uninterrupted one.

:class:`DistributedRecordingLocalSampler` gives each of ``num_replicas`` DDP ranks a
contiguous share of the same epoch order (seeded by ``seed + epoch``, identical on every
rank): the shares are disjoint, all of the same length (the last ``n % num_replicas``
windows of the epoch's order are dropped, never repeated), and each rank still reads only a
few chunks at a time.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import torch
from torch.utils.data import Sampler

from lbpnet.errors import ConfigError
from lbpnet.windows.index import WindowIndex

__all__ = ["RecordingLocalSampler", "DistributedRecordingLocalSampler", "PersistentWorkerSampler",
           "recording_local_order"]


def recording_local_order(index: WindowIndex, rng: np.random.Generator, chunk_s: float = 60.0,
                          buffer_chunks: int = 8) -> np.ndarray:
    """One epoch's order of the windows of ``index`` (a permutation of ``range(len(index))``).

    Parameters
    ----------
    index : WindowIndex
        ``index.recording`` and ``index.start`` (s) give each window's place.
    rng : numpy.random.Generator
        Draws the order.
    chunk_s : float
        Length (s) of a chunk of window starts within a recording.
    buffer_chunks : int
        Chunks whose windows are shuffled together.

    Returns
    -------
    numpy.ndarray of int64, shape (n_windows,)
    """
    if not chunk_s > 0 or int(buffer_chunks) < 1:
        raise ConfigError(f"chunk_s={chunk_s} and buffer_chunks={buffer_chunks}",
                          field="data.module.sampler_chunk_s",
                          fix="give chunk_s > 0 (s) and buffer_chunks >= 1")
    recording = np.asarray(index.recording, dtype=np.int64)
    chunk = np.floor(np.asarray(index.start, dtype=np.float64) / float(chunk_s)).astype(np.int64)
    # windows sorted by (recording, chunk); each (recording, chunk) pair is one group
    order = np.lexsort((chunk, recording))
    keys = np.stack([recording[order], chunk[order]], axis=1)
    bounds = np.flatnonzero(np.any(np.diff(keys, axis=0) != 0, axis=1)) + 1
    groups = np.split(order, bounds) if len(order) else []
    group_rec = np.array([recording[g[0]] for g in groups], dtype=np.int64)
    recs = rng.permutation(np.unique(group_rec))
    chunks = []
    for r in recs:                                  # recordings shuffled, then their chunks
        mine = np.flatnonzero(group_rec == r)
        chunks.extend(mine[rng.permutation(len(mine))])
    out = []
    for first in range(0, len(chunks), int(buffer_chunks)):
        buffer = np.concatenate([groups[c] for c in chunks[first:first + int(buffer_chunks)]])
        out.append(buffer[rng.permutation(len(buffer))])
    return np.concatenate(out).astype(np.int64) if out else np.zeros(0, dtype=np.int64)


class RecordingLocalSampler(Sampler[int]):
    """Yield window positions recording by recording, shuffled within buffers of chunks.

    Parameters
    ----------
    index : WindowIndex
        The windows of the dataset (``dataset.index``).
    chunk_s : float
        Seconds of window starts per chunk.
    buffer_chunks : int
        Chunks shuffled together.
    generator : torch.Generator, optional
        Source of each epoch's seed (default: a new generator seeded with ``seed``).
    seed : int
        Seed of the default generator.
    """

    def __init__(self, index: WindowIndex, chunk_s: float = 60.0, buffer_chunks: int = 8,
                 generator: torch.Generator | None = None, seed: int = 0) -> None:
        self.index, self.chunk_s, self.buffer_chunks = index, float(chunk_s), int(buffer_chunks)
        self.generator = generator if generator is not None else \
            torch.Generator().manual_seed(int(seed))

    def __len__(self) -> int:
        return len(self.index)

    def __iter__(self) -> Iterator[int]:
        seed = int(torch.empty((), dtype=torch.int64).random_(generator=self.generator))
        rng = np.random.default_rng(seed & 0x7FFF_FFFF_FFFF_FFFF)
        yield from recording_local_order(self.index, rng, self.chunk_s,
                                         self.buffer_chunks).tolist()


class DistributedRecordingLocalSampler(Sampler[int]):
    """One DDP rank's share of a recording-local epoch order.

    Parameters
    ----------
    index : WindowIndex
        The windows of the dataset.
    num_replicas, rank : int
        World size and this process's rank (``trainer.world_size``, ``trainer.global_rank``).
    seed : int
        The same on every rank; the epoch's order is drawn from ``seed + epoch``.
    chunk_s, buffer_chunks
        As :class:`RecordingLocalSampler`.

    Every rank yields ``len(index) // num_replicas`` windows; call :meth:`set_epoch` at the
    start of each epoch (Lightning does, with ``Trainer(use_distributed_sampler=False)`` so
    that it keeps this sampler).
    """

    def __init__(self, index: WindowIndex, num_replicas: int, rank: int, seed: int = 0,
                 chunk_s: float = 60.0, buffer_chunks: int = 8) -> None:
        if int(num_replicas) < 1 or not 0 <= int(rank) < int(num_replicas):
            raise ConfigError(f"rank {rank} of {num_replicas} replicas",
                              field="trainer.devices", fix="give 0 <= rank < num_replicas")
        self.index, self.num_replicas, self.rank = index, int(num_replicas), int(rank)
        self.seed, self.chunk_s, self.buffer_chunks = int(seed), float(chunk_s), int(buffer_chunks)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Use the order of ``epoch`` on the next iteration (the same on every rank)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.index) // self.num_replicas

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng([self.seed, self.epoch])
        order = recording_local_order(self.index, rng, self.chunk_s, self.buffer_chunks)
        n = len(self)
        yield from order[self.rank * n:(self.rank + 1) * n].tolist()


class PersistentWorkerSampler(Sampler[int]):
    """Keep a shuffle sampler's epochs equal with and without persistent workers.

    A ``DataLoader`` draws one 64-bit base seed for its workers from its ``generator``
    every time it starts an iterator: every epoch without persistent workers (and with
    ``num_workers=0``), but only the first epoch with ``persistent_workers=True``. When the
    sampler draws from the same generator (the checkpointed shuffle generator), the orders
    of later epochs would then depend on whether workers persist. This wrapper makes the
    draw the loader skips (epochs after the first), so every epoch's order is the one a
    ``num_workers=0`` loader gives.

    Parameters
    ----------
    sampler : Sampler
        Draws its order from ``generator``.
    generator : torch.Generator
        The loader's (and the sampler's) generator.
    """

    def __init__(self, sampler: Sampler, generator: torch.Generator) -> None:
        self.sampler, self.generator, self._epochs = sampler, generator, 0

    def __len__(self) -> int:
        return len(self.sampler)

    def __iter__(self) -> Iterator[int]:
        if self._epochs > 0:              # the base-seed draw of a non-persistent loader
            torch.empty((), dtype=torch.int64).random_(generator=self.generator)
        self._epochs += 1
        yield from iter(self.sampler)
