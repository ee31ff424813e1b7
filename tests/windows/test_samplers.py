"""Recording-local shuffling and its DDP split (2 ranks passed explicitly, CPU only)."""

import numpy as np
import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.windows.index import WindowIndex
from lbpnet.windows.samplers import (DistributedRecordingLocalSampler, RecordingLocalSampler,
                                     recording_local_order)


def index(n_recordings=5, windows=(97, 40, 133, 61, 7), stride_s=1.0):
    rec = np.concatenate([np.full(windows[r], r) for r in range(n_recordings)])
    start = np.concatenate([np.arange(windows[r]) * stride_s for r in range(n_recordings)])
    return WindowIndex(rec, start, np.zeros(len(rec), dtype=np.int64), 2.0, ["x"])


def test_an_epoch_is_a_permutation_read_a_few_chunks_at_a_time():
    idx = index()
    chunk_s, buffer = 10.0, 3
    order = recording_local_order(idx, np.random.default_rng(0), chunk_s, buffer)
    assert sorted(order.tolist()) == list(range(len(idx)))
    assert not np.array_equal(order, np.arange(len(idx)))
    # consecutive windows come from one buffer: any run of windows spans at most 2 buffers,
    # i.e. at most 2 * buffer distinct (recording, chunk) pairs, and recordings stay together
    key = idx.recording[order] * 10_000 + np.floor(idx.start[order] / chunk_s).astype(int)
    for first in range(0, len(order) - 30, 30):
        assert len(set(key[first:first + 30].tolist())) <= 2 * buffer
    changes = np.count_nonzero(np.diff(idx.recording[order]))   # switches of recording
    full = np.random.default_rng(0).permutation(len(idx))
    assert np.count_nonzero(np.diff(idx.recording[full])) > 4 * changes


def test_seeded_and_resumable_from_the_generator_state():
    idx = index()
    g = torch.Generator().manual_seed(7)
    sampler = RecordingLocalSampler(idx, 10.0, 2, generator=g)
    epoch1 = list(sampler)
    saved = g.get_state()
    epoch2 = list(sampler)
    assert epoch1 != epoch2 and sorted(epoch2) == list(range(len(idx)))
    resumed = torch.Generator()
    resumed.set_state(saved)
    assert list(RecordingLocalSampler(idx, 10.0, 2, generator=resumed)) == epoch2
    assert list(RecordingLocalSampler(idx, 10.0, 2, seed=7)) == epoch1


@pytest.mark.parametrize("n_windows", [(97, 40, 133, 61, 7), (10, 10, 10, 10, 10)])
def test_two_ranks_are_disjoint_equal_and_cover_all_but_one(n_windows):
    idx = index(windows=n_windows)
    for epoch in (0, 1):
        ranks = []
        for rank in (0, 1):
            s = DistributedRecordingLocalSampler(idx, num_replicas=2, rank=rank, seed=3,
                                                 chunk_s=10.0, buffer_chunks=2)
            s.set_epoch(epoch)
            ranks.append(list(s))
            assert len(ranks[-1]) == len(s)
            assert list(s) == ranks[-1]                  # deterministic within an epoch
        a, b = map(set, ranks)
        assert len(ranks[0]) == len(ranks[1]) == len(idx) // 2
        assert len(a) == len(ranks[0]) and not a & b   # no window twice
        assert len(idx) - len(a | b) <= 1               # at most world_size - 1 dropped
        if epoch == 0:
            first = ranks
    assert first != ranks                               # another epoch, another order


def test_bad_sampler_settings_are_refused():
    with pytest.raises(ConfigError):
        DistributedRecordingLocalSampler(index(), num_replicas=2, rank=2)
    with pytest.raises(ConfigError):
        recording_local_order(index(), np.random.default_rng(0), chunk_s=0.0)
