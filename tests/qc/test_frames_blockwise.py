"""QC windows of a stored (non-ndarray) stream are read block by block: the same windows and
scores as the whole-stream path, with bounded memory. Signals are SYNTHETIC."""

import tracemalloc

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lbpnet.qc import QCConfig, score_recording
from lbpnet.qc.frames import block_runs, iter_windows
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.chunk_cache import ChunkCache
from lbpnet.recording.scaled import ScaledArray
from qc_signals import EMG_FS, emg_like  # same folder


def _counts(rows, channels, seed=0):
    """SYNTHETIC int16 counts behind a ScaledArray (0.25 uV per count)."""
    raw = np.random.default_rng(seed).integers(-4000, 4000, size=(rows, channels)).astype(np.int16)
    return ScaledArray(raw, [0.25] * channels, [1.5] * channels)


def _stream(data, fs=EMG_FS):
    c = data.shape[1]
    return Stream("emg", data, fs, [f"ch{i}" for i in range(c)], ["EMG"] * c, ["uV"] * c)


def _all(stream, starts, cols, chunk):
    return list(iter_windows(stream, starts, 2.0, cols, chunk))


def test_blockwise_windows_equal_the_whole_stream_path():
    scaled = _counts(61_237, 5)                       # not a multiple of any block
    whole = np.asarray(scaled)                        # an ndarray: the whole-stream view
    rng = np.random.default_rng(3)
    cases = [np.arange(0.0, 28.0, 0.7),               # overlapping, in order
             rng.uniform(0.0, 29.0, 37),              # unsorted
             np.array([0.0, 29.5, 3.0, 14.2, 28.9, 0.1])]   # far apart, clamped at the end
    for starts in cases:
        for cols, chunk in (([0, 1, 2, 3, 4], 120_000), ([1, 3], 50_000), ([4], 8_000_000)):
            got, ref = _all(_stream(scaled), starts, cols, chunk), _all(_stream(whole), starts, cols, chunk)
            assert len(got) == len(ref)
            for (r1, w1, f1), (r2, w2, f2) in zip(got, ref):
                assert r1 == r2 and w1.dtype == w2.dtype == np.float32
                assert np.array_equal(w1, w2) and np.array_equal(f1, f2)


def test_non_finite_samples_of_a_chunked_array_match_too():
    x = np.random.default_rng(4).normal(size=(9_001, 3)).astype(np.float32)
    x[100:140, 1] = np.nan
    x[8_990:, 2] = np.inf
    starts = np.array([0.0, 0.04, 2.0, 2.49])
    got = _all(_stream(ChunkCache(x, 512), fs=1000.0), starts, [0, 1, 2], 4_000)
    ref = _all(_stream(x, fs=1000.0), starts, [0, 1, 2], 4_000)
    assert len(got) == len(ref) == 4
    for (_, w1, f1), (_, w2, f2) in zip(got, ref):
        assert np.array_equal(w1, w2) and np.array_equal(f1, f2)
    assert not all(f.all() for _, _, f in got)


def test_block_runs_respect_the_span_and_keep_the_order():
    first = np.array([0, 10, 5, 400, 390, 20, 21])
    runs = block_runs(first, n=8, span=40)
    assert runs == [(0, 3), (3, 5), (5, 7)]
    for i, j in runs:
        assert first[i:j].max() - first[i:j].min() + 8 <= 40
    assert block_runs(first, n=8, span=10_000) == [(0, 7)] and block_runs(first[:0], 8, 40) == []


def test_qc_scores_of_integer_counts_equal_the_whole_stream_scores():
    x, _ = emg_like(31.3, channels=3)                 # SYNTHETIC EMG-like, 62 600 samples
    counts = np.clip(np.rint(x / 0.25), -32768, 32767).astype(np.int16)
    scaled = ScaledArray(counts, [0.25] * 3, [0.0] * 3)

    def rec(data):
        return Recording({"emg": _stream(data)}, Annotations(), subject="qc",
                         metadata={"synthetic": True})
    starts = np.arange(0.0, 29.0, 0.5)
    cfg = QCConfig(chunk_samples=150_000)             # several chunks and blocks
    a = score_recording(rec(scaled), starts, 2.0, cfg).streams["emg"]
    b = score_recording(rec(np.asarray(scaled)), starts, 2.0, cfg).streams["emg"]
    assert a.flags.keys() == b.flags.keys() and a.skipped == b.skipped
    for check in a.flags:
        assert np.array_equal(a.flags[check], b.flags[check])
        assert np.array_equal(a.scores[check], b.scores[check])


def test_memory_of_a_long_stored_stream_stays_bounded():
    scaled = _counts(2_000_000, 8)                    # 16.7 min at 2 kHz: 64 MB as float32
    whole_float = 2_000_000 * 8 * 4
    starts = np.linspace(0.0, 995.0, 60)
    tracemalloc.start()
    try:
        for _ in iter_windows(_stream(scaled), starts, 2.0, list(range(8)), 256_000):
            pass
        _, blockwise = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sliding_window_view(scaled, 4000, axis=0)     # what the whole-stream path converted
        _, whole = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert whole >= whole_float                       # tracemalloc sees numpy's buffers
    assert blockwise < whole_float / 16, blockwise
