"""UEA BasicMotions: offline checks on tiny fake files, then the real archive files."""

from __future__ import annotations

import zipfile
from collections import Counter

import numpy as np
import pytest

from lbpnet.datasets import basic_motions
from lbpnet.datasets.basic_motions import (CLASSES, extract_from_wheel, find_basic_motions,
                                           load_basic_motions)
from lbpnet.errors import ReaderError

HEADER = ("@problemName BasicMotions\n@timeStamps false\n@missing false\n@univariate false\n"
          "@dimensions 6\n@equalLength true\n@seriesLength 4\n"
          "@classLabel true Standing Running Walking Badminton\n@data\n")


def fake_case(seed: int, label: str) -> str:
    values = np.arange(24).reshape(6, 4) + seed
    return ":".join(",".join(str(float(v)) for v in row) for row in values) + f":{label}\n"


@pytest.fixture
def fake_folder(tmp_path):
    (tmp_path / "BasicMotions_TRAIN.ts").write_text(
        HEADER + fake_case(0, "Standing") + fake_case(100, "Badminton"))
    (tmp_path / "BasicMotions_TEST.ts").write_text(HEADER + fake_case(200, "Running"))
    return tmp_path


def test_fake_folder_reads_to_recordings(fake_folder):
    recs = load_basic_motions(root=fake_folder)
    assert [r.subject for r in recs] == ["case-train-0", "case-train-1", "case-test-0"]
    assert [r.metadata["split"] for r in recs] == ["train", "train", "test"]
    first = recs[0].validate()
    imu = first.streams["imu"]
    assert imu.data.shape == (4, 6) and imu.data.dtype == np.float32
    assert imu.sampling_rate == 10.0
    assert imu.channel_names == ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
    assert imu.channel_types == ["ACCEL"] * 3 + ["GYRO"] * 3
    # time first: column 1 (acc_y) is the .ts file's second dimension
    np.testing.assert_array_equal(imu.data[:, 1], [4, 5, 6, 7])
    assert first.annotations.to_dict() == {"onset": [0.0], "duration": [0.4],
                                           "label": ["standing"]}
    assert recs[1].annotations.label.tolist() == ["badminton"]
    assert first.metadata["synthetic"] is False
    assert first.metadata["dataset"] == "UEA BasicMotions"
    assert "no subject ids" in basic_motions.__doc__


def test_root_without_files_names_folder_and_files(tmp_path):
    with pytest.raises(ReaderError, match="BasicMotions_TRAIN.ts and BasicMotions_TEST.ts") as info:
        load_basic_motions(root=tmp_path)
    assert str(tmp_path) in str(info.value)


def test_malformed_file_error_names_line(fake_folder):
    path = fake_folder / "BasicMotions_TEST.ts"
    path.write_text(path.read_text() + "1,2:3\n")
    with pytest.raises(ReaderError, match=r"BasicMotions_TEST.ts:11"):
        load_basic_motions(root=fake_folder)


def test_extract_from_fake_wheel(tmp_path, fake_folder):
    wheel = tmp_path / "aeon-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in ("BasicMotions_TRAIN.ts", "BasicMotions_TEST.ts"):
            archive.write(fake_folder / name, f"aeon/datasets/data/BasicMotions/{name}")
        archive.writestr("aeon/__init__.py", "")
    out = extract_from_wheel(wheel, tmp_path / "cache")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["BasicMotions_TEST.ts", "BasicMotions_TRAIN.ts"]
    assert len(load_basic_motions(root=out)) == 3


def test_extract_rejects_wheel_without_dataset(tmp_path):
    wheel = tmp_path / "other.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("x/__init__.py", "")
    with pytest.raises(ReaderError, match="lacks"):
        extract_from_wheel(wheel, tmp_path / "cache")
    (tmp_path / "bad.whl").write_text("not a zip")
    with pytest.raises(ReaderError, match=r"bad\.whl.*cannot read the package archive"):
        extract_from_wheel(tmp_path / "bad.whl", tmp_path / "cache")


def test_no_download_and_nothing_cached_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(basic_motions, "_find_installed", lambda: None)
    with pytest.raises(ReaderError, match="neither installed nor cached"):
        find_basic_motions(cache_dir=tmp_path / "empty", download=False)


@pytest.fixture(scope="module")
def real_recordings(tmp_path_factory):
    try:
        folder = find_basic_motions(download=False)
    except ReaderError:
        try:
            folder = find_basic_motions(cache_dir=tmp_path_factory.mktemp("bm"), download=True)
        except ReaderError as exc:
            pytest.skip(f"BasicMotions .ts files not installed, cached nor downloadable: {exc}")
    return load_basic_motions(root=folder)


def test_real_basic_motions(real_recordings):
    recs = real_recordings
    assert len(recs) == 80
    counts = Counter((r.metadata["split"], r.annotations.label[0]) for r in recs)
    assert counts == {(split, c): 10 for split in ("train", "test") for c in CLASSES}
    for r in recs:
        r.validate()
        assert r.streams["imu"].data.shape == (100, 6)
        assert r.duration == pytest.approx(10.0)
    # running moves the watch more than standing (acc std across the case)
    spread = {c: np.mean([r.streams["imu"].data[:, :3].std(axis=0).sum() for r in recs
                          if r.annotations.label[0] == c]) for c in CLASSES}
    assert spread["running"] > 3 * spread["standing"]
