"""Stored datasets pickle small (what a spawn worker receives) and workers reopen stores.
SYNTHETIC recordings."""

import numpy as np
import pytest

pytest.importorskip("zarr")

from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.scaled import quantise
from lbpnet.recording.store import read_recording, write_recording
from lbpnet.windows import WindowDataset, make_windows
from lbpnet.windows.workers import pickled_size, reopen_streams


def synthetic(subject: str) -> Recording:
    rng = np.random.default_rng(int(subject))
    emg = rng.standard_normal((120_000, 8)) * 40.0              # 60 s at 2 kHz
    imu = rng.standard_normal((6000, 3)).astype(np.float32)
    return Recording({"emg": Stream("emg", quantise(emg, "int16"), 2000.0,
                                    [f"m{i}" for i in range(8)], ["EMG"] * 8, ["uV"] * 8),
                      "imu": Stream("imu", imu, 100.0, ["acc_x", "acc_y", "acc_z"],
                                    ["ACCEL"] * 3, ["g"] * 3)},
                     Annotations([0.0], [60.0], ["walk"]), subject=subject,
                     metadata={"synthetic": True})


@pytest.mark.parametrize("suffix", [".lbp", ".zarr"])
def test_a_stored_dataset_pickles_small_and_reads_the_same_after(tmp_path, suffix):
    import pickle
    recs = [read_recording(write_recording(synthetic(s), tmp_path / f"{s}{suffix}"))
            for s in ("1", "2", "3")]
    ds = WindowDataset(recs, make_windows(recs, 2.0, 1.0, classes=["walk"]))
    samples = sum(r.streams[m].data.shape[0] * r.streams[m].data.shape[1] * 2
                  for r in recs for m in r.streams)
    size = pickled_size(ds)
    assert size < 20_000 < samples                 # handles and the index, no samples
    again = pickle.loads(pickle.dumps(ds))
    first = ds.__getitems__([0, 17, 150])["signals"]
    for m, x in again.__getitems__([0, 17, 150])["signals"].items():
        assert np.array_equal(x.numpy(), first[m].numpy())


def test_in_memory_recordings_are_pickled_whole_so_stores_matter(tmp_path):
    recs = [synthetic("1")]
    ds = WindowDataset(recs, make_windows(recs, 2.0, 1.0, classes=["walk"]))
    assert pickled_size(ds) > 1_000_000                # the samples themselves travel


def test_reopen_gives_each_process_its_own_handles(tmp_path):
    rec = read_recording(write_recording(synthetic("1"), tmp_path / "a.lbp"))
    before = rec.streams["emg"].data.raw
    assert reopen_streams([rec]) == 2
    assert rec.streams["emg"].data.raw is not before
    np.testing.assert_array_equal(rec.streams["emg"].data.raw, before)
