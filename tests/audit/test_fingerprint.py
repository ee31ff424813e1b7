"""Fingerprints: stable for the same input, different when what they describe changes."""

import hashlib

import numpy as np
import pytest

from lbpnet.audit import config_hash, data_fingerprint, file_sha256, recording_fingerprint
from lbpnet.errors import ReaderError
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.store import read_recording, write_recording


def make_recording(n=5000, subject="01", channels=("es_l", "es_r")):
    rng = np.random.default_rng(1)
    emg = Stream("emg", rng.normal(size=(n, len(channels))).astype(np.float32), 1000.0,
                 list(channels), ["EMG"] * len(channels), ["uV"] * len(channels))
    imu = Stream("imu", rng.normal(size=(n // 10, 3)).astype(np.float32), 100.0,
                 ["x", "y", "z"], ["ACCEL"] * 3, ["g"] * 3)
    return Recording({"emg": emg, "imu": imu}, Annotations([0.0], [2.0], ["sit"]),
                     subject=subject, session="1", metadata={"synthetic": True})


def test_file_hash_is_sha256_of_the_bytes_and_follows_changes(tmp_path):
    f = tmp_path / "model.ckpt"
    f.write_bytes(b"weights v1" * 1000)
    first = file_sha256(f)
    assert first == hashlib.sha256(b"weights v1" * 1000).hexdigest()
    assert file_sha256(f) == first
    f.write_bytes(b"weights v2" * 1000)
    assert file_sha256(f) != first


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ReaderError, match="nothing.ckpt"):
        file_sha256(tmp_path / "nothing.ckpt")


def test_config_hash_ignores_key_order_not_values():
    a = {"model": {"widths": [32, 64], "dropout": 0.2}, "seed": 42}
    b = {"seed": 42, "model": {"dropout": 0.2, "widths": [32, 64]}}
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash({**a, "seed": 43})
    assert config_hash("seed: 42\n") != config_hash("seed: 43\n")


def test_recording_fingerprint_is_stable_and_sees_samples_names_and_labels():
    rec = make_recording()
    first = recording_fingerprint(rec)
    assert recording_fingerprint(make_recording()) == first
    changed = make_recording()
    changed.streams["emg"].data[0, 0] += 1.0            # first bytes are always read
    assert recording_fingerprint(changed) != first
    changed = make_recording()
    changed.streams["imu"].data[-1, 2] += 1.0           # and the last bytes
    assert recording_fingerprint(changed) != first
    assert recording_fingerprint(make_recording(channels=("es_l", "mf_r"))) != first
    relabelled = make_recording()
    relabelled.annotations = Annotations([0.0], [2.0], ["stand"])
    assert recording_fingerprint(relabelled) != first


def test_long_stream_is_sampled_not_read_in_full():
    # a fixed number of bytes is read per stream: a change inside the first 64 KiB changes
    # the print, a change between two sampled blocks does not (the documented trade-off)
    from lbpnet.audit import fingerprint as fp

    rec = make_recording(n=2000 * 64, channels=tuple(f"c{i}" for i in range(16)))
    first = recording_fingerprint(rec)
    data = rec.streams["emg"].data
    n_bytes = data.nbytes
    starts = np.linspace(fp.EDGE_BYTES, n_bytes - fp.EDGE_BYTES - fp.BLOCK_BYTES,
                         fp.N_BLOCKS).astype(np.int64)
    gap = (starts[0] + fp.BLOCK_BYTES + starts[1]) // 2          # between blocks 0 and 1
    assert starts[0] + fp.BLOCK_BYTES < gap < starts[1]
    data.reshape(-1)[gap // data.itemsize] += 1.0
    assert recording_fingerprint(rec) == first
    data[10, 3] += 1.0
    assert recording_fingerprint(rec) != first


def test_store_recording_has_the_same_print_as_in_memory(tmp_path):
    rec = make_recording()
    write_recording(rec, tmp_path / "r.lbp")
    back = read_recording(tmp_path / "r.lbp", mmap=True)
    assert recording_fingerprint(back) == recording_fingerprint(rec)


def test_data_fingerprint_lists_every_recording():
    recs = [make_recording(subject="01"), make_recording(subject="02")]
    fp = data_fingerprint(recs)
    assert fp["n_recordings"] == 2 and set(fp["recordings"]) == {r.key for r in recs}
    assert data_fingerprint(recs)["sha256"] == fp["sha256"]
    assert data_fingerprint(recs[:1])["sha256"] != fp["sha256"]
