import os

import numpy as np
import pytest

from lbpnet.errors import ReaderError
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.store import RecordingWriter, read_recording, write_recording


def small_recording():
    rng = np.random.default_rng(0)
    emg = Stream("emg", rng.standard_normal((2000, 4)).astype(np.float32), 1000.0,
                 [f"ch{i}" for i in range(4)], ["EMG"] * 4, ["uV"] * 4)
    imu = Stream("imu", rng.standard_normal((100, 6)).astype(np.float32), 50.0,
                 ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"],
                 ["ACCEL"] * 3 + ["GYRO"] * 3, ["g"] * 3 + ["rad/s"] * 3, start_time=0.0)
    return Recording({"emg": emg, "imu": imu}, Annotations([0.0, 1.0], [1.0, 1.0], ["sit", "stand"]),
                     subject="01", session="1", task="lab", metadata={"synthetic": True})


def test_round_trip_is_memory_mapped_and_equal(tmp_path):
    rec = small_recording()
    path = write_recording(rec, tmp_path / "a.lbp")
    back = read_recording(path)
    assert isinstance(back.streams["emg"].data, np.memmap)
    for m in rec.streams:
        np.testing.assert_array_equal(back.streams[m].data, rec.streams[m].data)
        assert back.streams[m].sampling_rate == rec.streams[m].sampling_rate
        assert back.streams[m].units == rec.streams[m].units
    assert back.annotations.label.tolist() == ["sit", "stand"]
    assert back.subject == "01" and back.metadata["synthetic"] is True


def test_failed_write_leaves_old_recording_intact(tmp_path):
    path = write_recording(small_recording(), tmp_path / "a.lbp")
    before = read_recording(path).streams["emg"].data.copy()
    with pytest.raises(RuntimeError):
        with RecordingWriter(path, subject="02") as w:
            arr = w.create_stream("emg", 10, 1000.0, ["a"])
            arr[:] = 1
            raise RuntimeError("simulated crash")
    np.testing.assert_array_equal(read_recording(path).streams["emg"].data, before)
    assert [p.name for p in tmp_path.iterdir()] == ["a.lbp"]   # no temp folder left behind


def test_writer_streams_chunks_in_bounded_memory(tmp_path):
    with RecordingWriter(tmp_path / "long.lbp", subject="03") as w:
        arr = w.create_stream("emg", 100_000, 2000.0, ["a", "b"], ["EMG"] * 2, ["uV"] * 2)
        for start in range(0, 100_000, 25_000):
            arr[start:start + 25_000] = start
    back = read_recording(tmp_path / "long.lbp")
    assert back.streams["emg"].data[99_999, 1] == 75_000


def test_not_a_store_is_a_clear_error(tmp_path):
    with pytest.raises(ReaderError, match=r"not an lbpnet store"):
        read_recording(tmp_path)


def test_truncated_stream_file_is_a_clear_error(tmp_path):
    path = write_recording(small_recording(), tmp_path / "a.lbp")
    npy = path / "emg.npy"
    with open(npy, "r+b") as f:
        f.truncate(os.path.getsize(npy) // 2)
    with pytest.raises(ReaderError, match=r"emg\.npy.*cannot read stream 'emg'"):
        read_recording(path)
