"""The data fingerprint reads only the sampled rows of a stream, and hashes exactly the
bytes the whole-stream conversion hashed, in the same order. Data are SYNTHETIC."""

import tracemalloc

import numpy as np
import pytest

from lbpnet.audit import fingerprint, recording_fingerprint
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.scaled import ScaledArray
from lbpnet.recording.store import read_recording, write_recording


def whole_stream_sampled_bytes(data):
    """The previous path: convert the whole stream, then sample its bytes."""
    flat = np.asarray(data).reshape(-1)
    raw = flat.view(np.uint8) if flat.flags.c_contiguous else np.ascontiguousarray(flat).view(np.uint8)
    n = raw.shape[0]
    edge, block, count = fingerprint.EDGE_BYTES, fingerprint.BLOCK_BYTES, fingerprint.N_BLOCKS
    if n <= 2 * edge + count * block:
        return [raw.tobytes()]
    out = [raw[:edge].tobytes()]
    for start in np.linspace(edge, n - edge - block, count).astype(np.int64):
        out.append(raw[start:start + block].tobytes())
    return out + [raw[n - edge:].tobytes()]


def _counts(rows, channels, seed=0):
    raw = np.random.default_rng(seed).integers(-30000, 30000, size=(rows, channels))
    return ScaledArray(raw.astype(np.int16), np.linspace(0.1, 0.9, channels), [2.0] * channels)


@pytest.mark.parametrize("make", [
    lambda: _counts(123_457, 5),                                   # counts, odd row count
    lambda: _counts(301, 3),                                       # small: hashed whole
    lambda: _counts(0, 4),                                         # empty
    lambda: np.asfortranarray(np.random.default_rng(1).normal(size=(77_777, 3))),  # strided
    lambda: np.random.default_rng(2).normal(size=200_003).astype(np.float32),      # 1-D
    lambda: np.random.default_rng(3).integers(0, 9, size=(9_999, 7, 3)).astype(np.int32),
])
def test_sampled_bytes_equal_the_whole_stream_path(make):
    data = make()
    assert list(fingerprint._sampled_bytes(data)) == whole_stream_sampled_bytes(data)


def test_fingerprint_of_a_stored_recording_is_unchanged(tmp_path, monkeypatch):
    x = _counts(150_001, 4)
    emg = Stream("emg", x, 2000.0, list("abcd"), ["EMG"] * 4, ["uV"] * 4)
    rec = Recording({"emg": emg}, Annotations([0.0], [2.0], ["sit"]), subject="01",
                    metadata={"synthetic": True})
    for path in (tmp_path / "r.lbp", tmp_path / "r.zarr"):
        write_recording(rec, path)
        stored = read_recording(path)
        new = recording_fingerprint(stored)
        monkeypatch.setattr(fingerprint, "_sampled_bytes", whole_stream_sampled_bytes)
        assert recording_fingerprint(stored) == new
        monkeypatch.undo()


def test_memory_of_a_long_stream_stays_bounded():
    x = _counts(2_000_000, 8)                          # 64 MB as float32
    whole_float = 2_000_000 * 8 * 4
    tracemalloc.start()
    try:
        blocks = list(fingerprint._sampled_bytes(x))
        _, blockwise = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        whole_stream_sampled_bytes(x)
        _, whole = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(blocks) == fingerprint.N_BLOCKS + 2
    assert whole >= whole_float                        # tracemalloc sees numpy's buffers
    assert blockwise < whole_float / 16, blockwise
