"""The Zarr v3 backend: same Recording and windows as the .npy store, local and fsspec URLs,
atomic local writes, incomplete remote writes refused. SYNTHETIC signals throughout."""

import uuid

import numpy as np
import pytest

pytest.importorskip("zarr")

from lbpnet.errors import ConfigError, ReaderError
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.scaled import quantise
from lbpnet.recording.store import read_recording, write_recording
from lbpnet.recording.store_backends import backend_of
from lbpnet.recording.zarr_store import ZarrRecordingWriter, read_zarr, write_zarr
from lbpnet.windows import WindowDataset, make_windows


def recording(subject="01"):
    rng = np.random.default_rng(int(subject))
    t = np.arange(40_000) / 2000.0
    emg = rng.standard_normal((40_000, 4)) * 30.0 + 100.0 * np.sin(2 * np.pi * 3 * t)[:, None]
    imu = rng.standard_normal((2000, 3)).astype(np.float32)
    streams = {"emg": Stream("emg", quantise(emg, "int16"), 2000.0, [f"m{i}" for i in range(4)],
                             ["EMG"] * 4, ["uV"] * 4),
               "imu": Stream("imu", imu, 100.0, ["acc_x", "acc_y", "acc_z"], ["ACCEL"] * 3,
                             ["g"] * 3, start_time=0.25)}
    return Recording(streams, Annotations([0.0, 10.0], [10.0, 9.0], ["sit", "walk"]),
                     subject=subject, metadata={"synthetic": True})


def windows(recs):
    index = make_windows(recs, length=2.0, stride=0.7, classes=["sit", "walk"])
    return WindowDataset(recs, index).__getitems__(list(range(len(index))))


@pytest.mark.parametrize("where", ["local", "memory"])
def test_zarr_windows_equal_npy_windows_bit_for_bit(tmp_path, where):
    recs = [recording("1"), recording("2")]
    npy = [read_recording(write_recording(r, tmp_path / f"{i}.lbp")) for i, r in enumerate(recs)]
    target = (lambda i: tmp_path / f"{i}.zarr") if where == "local" else \
        (lambda i: f"memory://{uuid.uuid4().hex}/{i}.zarr")
    zarr_recs = [read_recording(write_recording(r, target(i))) for i, r in enumerate(recs)]
    a, b = windows(npy), windows(zarr_recs)
    for m in ("emg", "imu"):
        assert a["signals"][m].shape[0] > 10
        assert np.array_equal(a["signals"][m].numpy(), b["signals"][m].numpy())
    back = zarr_recs[0]
    assert back.subject == "1" and back.metadata["synthetic"] is True
    assert back.streams["imu"].start_time == 0.25 and back.streams["emg"].units == ["uV"] * 4
    assert back.annotations.label.tolist() == ["sit", "walk"]
    assert back.streams["emg"].data.raw_dtype == np.int16


def test_backend_is_chosen_by_suffix_url_or_config(tmp_path):
    assert backend_of(tmp_path / "a.zarr") == "zarr" and backend_of(tmp_path / "a.lbp") == "npy"
    assert backend_of("s3://bucket/a") == "zarr" and backend_of("x", "zarr") == "zarr"
    with pytest.raises(ConfigError):
        backend_of("s3://bucket/a.lbp", "npy")
    with pytest.raises(ConfigError):
        backend_of("a", "hdf5")
    path = write_recording(recording(), tmp_path / "plain", backend="zarr")
    assert (path / "zarr.json").is_file()
    assert read_recording(path, backend="zarr").subject == "01"


def test_a_failed_local_write_leaves_the_old_recording(tmp_path):
    path = write_zarr(recording("1"), tmp_path / "a.zarr")
    before = np.asarray(read_zarr(path).streams["emg"].data)
    with pytest.raises(RuntimeError):
        with ZarrRecordingWriter(path, subject="2") as w:
            w.create_stream("emg", 10, 2000.0, ["a"])[:] = 1.0
            raise RuntimeError("killed")
    assert [p.name for p in tmp_path.iterdir()] == ["a.zarr"]      # no temp folder left
    np.testing.assert_array_equal(np.asarray(read_zarr(path).streams["emg"].data), before)


def test_an_unfinished_remote_write_is_refused():
    url = f"memory://{uuid.uuid4().hex}/a.zarr"
    with pytest.raises(RuntimeError):
        with ZarrRecordingWriter(url, subject="1") as w:
            w.create_stream("emg", 10, 2000.0, ["a"])[:] = 1.0
            raise RuntimeError("killed")
    with pytest.raises(ReaderError, match="did not finish"):
        read_zarr(url)


def test_compression_makes_a_smooth_stream_smaller(tmp_path):
    t = np.arange(200_000) / 2000.0
    smooth = np.stack([np.sin(2 * np.pi * f * t) for f in (1, 2)], axis=1) * 1000.0
    rec = Recording({"emg": Stream("emg", quantise(smooth, "int16"), 2000.0, ["a", "b"],
                                   ["EMG"] * 2, ["uV"] * 2)}, subject="1",
                    metadata={"synthetic": True})
    z = write_zarr(rec, tmp_path / "a.zarr")
    n = write_recording(rec, tmp_path / "a.lbp")
    size = lambda p: sum(f.stat().st_size for f in p.rglob("*") if f.is_file())  # noqa: E731
    assert size(z) < 0.6 * size(n)


@pytest.mark.parametrize("where", ["local", "memory"])
def test_a_folder_of_zarr_stores_loads_from_a_path_or_url(tmp_path, where):
    from lbpnet.recording.folders import load_store_folder
    root = str(tmp_path) if where == "local" else f"memory://{uuid.uuid4().hex}/cohort"
    for s in ("1", "2"):
        write_recording(recording(s), f"{root}/sub-{s}/rec.zarr")
    recs = load_store_folder(root, backend="zarr")
    assert sorted(r.subject for r in recs) == ["1", "2"]
    assert np.array_equal(np.asarray(recs[0].streams["imu"].data),
                          np.asarray(recording(recs[0].subject).streams["imu"].data))
