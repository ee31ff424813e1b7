"""Integer counts with per-channel gain/offset: round trips, old float stores, EDF/BDF counts.

All signals here are SYNTHETIC (seeded Gaussian noise)."""

import json
import pickle

import numpy as np
import pytest

from lbpnet.errors import ReaderError, RecordingError
from lbpnet.recording import Recording, Stream, read_edf
from lbpnet.recording.scaled import ScaledArray, quantise
from lbpnet.recording.store import RecordingWriter, read_recording, write_recording
from tests.recording.conftest import write_edf


def synthetic(dtype="int16", n=5000):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((n, 3)) * [50.0, 500.0, 5.0] + [0.0, 20.0, -3.0])
    emg = Stream("emg", quantise(x, dtype), 1000.0, ["a", "b", "c"], ["EMG"] * 3, ["uV"] * 3)
    return x, Recording({"emg": emg}, subject="01", metadata={"synthetic": True})


@pytest.mark.parametrize("dtype", ["int16", "int32"])
def test_counts_round_trip_within_half_an_lsb(tmp_path, dtype):
    x, rec = synthetic(dtype)
    back = read_recording(write_recording(rec, tmp_path / "a.lbp"))
    data = back.streams["emg"].data
    assert isinstance(data, ScaledArray) and data.raw_dtype == np.dtype(dtype)
    assert data.dtype == np.float32 and data[10:20].dtype == np.float32
    gain = data.gain
    # half a count (quantisation) + the float32 roundings of count * gain + offset (gain
    # and offset rounded to float32, one product, one sum: at most 4 eps of the value)
    tol = gain / 2 + (np.abs(x).max(axis=0) + np.abs(rec.streams["emg"].data.offset)) \
        * 4 * np.finfo(np.float32).eps
    err = np.abs(np.asarray(data) - x).max(axis=0)
    assert (err <= tol).all() and (err > 0).all()      # quantised, not stored as floats
    on_disk = np.load(tmp_path / "a.lbp" / "emg.npy", mmap_mode="r")
    assert on_disk.dtype == np.dtype(dtype)
    header = json.loads((tmp_path / "a.lbp" / "recording.json").read_text())
    assert header["version"] == 2 and len(header["streams"]["emg"]["gain"]) == 3


def test_windows_and_channel_selections_agree_with_the_whole():
    _, rec = synthetic()
    data = rec.streams["emg"].data
    whole = np.asarray(data)
    np.testing.assert_array_equal(data[100:140], whole[100:140])
    np.testing.assert_array_equal(data[:, [0, 2]], whole[:, [0, 2]])
    np.testing.assert_array_equal(data[7, 1], whole[7, 1])


def test_old_float_store_reads_unchanged(tmp_path):
    x = np.random.default_rng(2).standard_normal((300, 2)).astype(np.float32)
    rec = Recording({"imu": Stream("imu", x, 50.0, ["acc_x", "acc_y"], ["ACCEL"] * 2,
                                   ["g"] * 2)}, subject="01", metadata={"synthetic": True})
    path = write_recording(rec, tmp_path / "f.lbp")
    header = json.loads((path / "recording.json").read_text())
    assert header["version"] == 1 and "gain" not in header["streams"]["imu"]
    # a store as the previous lbpnet wrote it (same keys, version 1) reads the same floats
    back = read_recording(path).streams["imu"].data
    assert isinstance(back, np.memmap) and back.dtype == np.float32
    np.testing.assert_array_equal(back, x)


def test_gain_without_integers_or_of_wrong_length_is_refused(tmp_path):
    with pytest.raises(ReaderError, match="gain/offset given"):
        with RecordingWriter(tmp_path / "a.lbp") as w:
            w.create_stream("emg", 10, 1000.0, ["a"], dtype="float32", gain=[1.0], offset=[0])
    _, rec = synthetic()
    path = write_recording(rec, tmp_path / "b.lbp")
    header = json.loads((path / "recording.json").read_text())
    header["streams"]["emg"]["gain"] = [1.0, 2.0]
    (path / "recording.json").write_text(json.dumps(header))
    with pytest.raises(ReaderError) as err:
        read_recording(path)
    assert err.value.field == "streams.emg.gain"
    with pytest.raises(RecordingError):
        ScaledArray(np.zeros((3, 2), dtype=np.int16), [1.0, 0.0], [0.0, 0.0])


def test_pickled_stored_stream_is_small_and_reopens(tmp_path):
    _, rec = synthetic(n=200_000)
    back = read_recording(write_recording(rec, tmp_path / "a.lbp"))
    blob = pickle.dumps(back)
    assert len(blob) < 5_000 < back.streams["emg"].data.raw.nbytes
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.streams["emg"].data[500:600],
                                  back.streams["emg"].data[500:600])


@pytest.mark.parametrize("file_type,dtype", [("edf", np.int16), ("bdf", np.int32)])
def test_edf_and_bdf_keep_their_integers(tmp_path, file_type, dtype):
    rng = np.random.default_rng(3)
    emg = rng.standard_normal(2000) * 80.0
    path = write_edf(tmp_path / f"a.{file_type}",
                     [("EMG L", 1000, "uV", emg, "")], file_type=file_type)
    rec = read_edf(path, subject="01")
    data = rec.streams["emg"].data
    assert isinstance(data, ScaledArray) and data.raw_dtype == dtype
    import pyedflib
    with pyedflib.EdfReader(str(path)) as reader:
        physical = reader.readSignal(0, digital=False)
        digital = reader.readSignal(0, digital=True)
    np.testing.assert_array_equal(data.raw[:, 0], digital)
    np.testing.assert_allclose(np.asarray(data)[:, 0], physical, rtol=1e-6, atol=1e-9)
    stored = read_recording(write_recording(rec, tmp_path / "a.lbp"))
    np.testing.assert_array_equal(np.asarray(stored.streams["emg"].data), np.asarray(data))
    assert np.load(tmp_path / "a.lbp" / "emg.npy").dtype == dtype
