"""The decoded-chunk cache cuts the same windows as the array itself, within its budget."""

import numpy as np

from lbpnet.recording.chunk_cache import ChunkCache


def test_windows_equal_the_array_and_the_cache_stays_within_budget():
    rng = np.random.default_rng(0)
    array = rng.integers(-999, 999, size=(10_000, 3)).astype(np.int16)
    cache = ChunkCache(array, chunk_rows=512, max_bytes=4 * 512 * 3 * 2)
    for start in rng.integers(0, 10_000 - 700, size=300):
        start = int(start)
        assert np.array_equal(cache[start:start + 700], array[start:start + 700])
        assert np.array_equal(cache[start:start + 700, [0, 2]], array[start:start + 700][:, [0, 2]])
        assert cache._bytes <= max(cache.max_bytes, 3 * 512 * 3 * 2)
    assert np.array_equal(cache[5], array[5]) and np.array_equal(cache[5, 1], array[5, 1])
    assert np.array_equal(np.asarray(cache), array) and cache[0:0].shape == (0, 3)


def test_all_caches_of_a_process_share_one_budget(monkeypatch):
    import lbpnet.recording.chunk_cache as chunk_cache

    chunk_bytes = 512 * 3 * 2
    monkeypatch.setattr(chunk_cache, "PROCESS_BUDGET_BYTES", 6 * chunk_bytes)
    rng = np.random.default_rng(1)
    arrays = [rng.integers(-999, 999, size=(8_192, 3)).astype(np.int16) for _ in range(12)]
    caches = [ChunkCache(a, chunk_rows=512, max_bytes=1 << 30, readahead=2) for a in arrays]
    for _ in range(3):                                  # walk through every "recording"
        for array, cache in zip(arrays, caches):
            for start in range(0, 8_192 - 700, 700):
                assert np.array_equal(cache[start:start + 700], array[start:start + 700])
                # every cache of the process counts (earlier tests' too): not 12 x their own
                assert chunk_cache.process_cached_bytes() <= 6 * chunk_bytes
    assert 0 < sum(c._bytes for c in caches) <= chunk_cache.process_cached_bytes()


def test_cached_chunks_hold_no_more_memory_than_counted():
    """A read of several chunks at once (read-ahead) is split into chunks that own their
    bytes: a view would keep the whole read alive after its other chunks are evicted."""

    class FreshReads:                                   # as a Zarr array: a new buffer per read
        def __init__(self, a):
            self.a, self.shape, self.dtype = a, a.shape, a.dtype

        def __getitem__(self, key):
            return np.array(self.a[key])

    array = np.random.default_rng(2).integers(-999, 999, size=(20_000, 4)).astype(np.int16)
    cache = ChunkCache(FreshReads(array), chunk_rows=500, max_bytes=3 * 500 * 4 * 2, readahead=6)
    for start in (0, 7_000, 3_100, 15_000, 7_400):
        assert np.array_equal(cache[start:start + 700], array[start:start + 700])
        held = {}
        for part in cache._chunks.values():
            owner = part if part.base is None else part.base
            held[id(owner)] = owner.nbytes
        assert sum(held.values()) == cache._bytes <= 3 * 500 * 4 * 2
