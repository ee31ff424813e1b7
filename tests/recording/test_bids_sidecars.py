"""BIDS sidecars are validated: numbers are numbers, channel types are BIDS types, required
columns are there, corrupt gzip is a ReaderError, and physio columns keep their BIDS meaning."""

import gzip

import numpy as np
import pytest

from lbpnet.errors import ConfigError, ReaderError
from lbpnet.recording.bids import read_bids

P = "sub-01_task-walk"
CH = [("acc_x", "ACCEL", "g"), ("gyr_z", "GYRO", "rad/s")]


@pytest.fixture
def motion(tmp_path, files):
    root = tmp_path / "ds"
    files.motion(root / "sub-01" / "motion", P, np.ones((200, 2)), 100, CH)
    return root


@pytest.fixture
def physio(tmp_path, files):
    root = tmp_path / "ds"
    t = np.arange(500) / 100.0
    files.physio(root / "sub-01" / "physio", P, np.stack([np.sin(t), np.cos(t), 0 * t], 1),
                 100, ["cardiac", "respiratory", "trigger"], units={"cardiac": "mV"})
    return root


@pytest.mark.parametrize("meta, field", [
    ({"SamplingFrequency": True}, "SamplingFrequency"),
    ({"SamplingFrequency": "100"}, "SamplingFrequency"),
    ({"SamplingFrequency": 100, "StartTime": 1.8e19}, "StartTime"),
    ({"SamplingFrequency": 100, "StartTime": False}, "StartTime"),
])
def test_sidecar_numbers_must_be_sane_json_numbers(motion, files, meta, field):
    files.json(motion / "sub-01" / "motion" / f"{P}_motion.json", meta)
    with pytest.raises(ReaderError, match=rf"_motion\.json: field '{field}'"):
        read_bids(motion)


def test_channels_tsv_without_units_is_refused(motion, files):
    files.tsv(motion / "sub-01" / "motion" / f"{P}_channels.tsv", [r[:2] for r in CH],
              header=["name", "type"])
    with pytest.raises(ReaderError, match=r"_channels\.tsv: field 'units': has no 'units'"):
        read_bids(motion)


def test_motion_channel_type_must_be_a_bids_motion_type(motion, files):
    files.tsv(motion / "sub-01" / "motion" / f"{P}_channels.tsv",
              [("acc_x", "accelerometer", "g"), CH[1]], header=["name", "type", "units"])
    with pytest.raises(ReaderError, match=r"field 'type'.*'accelerometer'.*ACCEL, ANGACCEL"):
        read_bids(motion)


def test_corrupt_gzip_physio_is_a_reader_error(physio):
    path = physio / "sub-01" / "physio" / f"{P}_physio.tsv.gz"
    raw = bytearray(path.read_bytes())
    raw[20:40] = bytes(20)                        # deflate stream damaged: zlib.error
    path.write_bytes(bytes(raw))
    with pytest.raises(ReaderError, match=r"_physio\.tsv\.gz: cannot be read"):
        read_bids(physio)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ReaderError, match=r"_physio\.tsv\.gz: cannot be read"):
        read_bids(physio)
    path.write_bytes(gzip.compress(b"1\t2\t3\n" * 50)[:-12])   # truncated: EOFError
    with pytest.raises(ReaderError, match=r"_physio\.tsv\.gz: cannot be read"):
        read_bids(physio)


def test_bids_physio_columns_get_their_channel_types(physio):
    (rec,) = read_bids(physio)
    assert rec.streams["physio"].channel_types == ["ECG", "RESP", "TRIG"]
    (rec,) = read_bids(physio, physio_types={"cardiac": "ppg"})
    assert rec.streams["physio"].channel_types == ["PPG", "RESP", "TRIG"]
    with pytest.raises(ConfigError, match=r"data\.physio_types\.cardiac"):
        read_bids(physio, physio_types={"cardiac": "heart"})


def test_bids_cardiac_column_gets_the_ecg_checks(physio):
    from lbpnet.qc import score_recording

    (rec,) = read_bids(physio)
    quality = score_recording(rec, np.array([0.0, 2.0]), 2.0)
    assert "flat_line" in quality.streams["physio"].flags


def test_bids_config_passes_physio_types_to_the_reader():
    from hydra import compose, initialize_config_dir
    from pathlib import Path

    conf = Path(__file__).resolve().parents[2] / "conf"
    with initialize_config_dir(str(conf), version_base=None):
        cfg = compose("train", overrides=["data=bids", "data.root=/x",
                                          "data.physio_types.cardiac=PPG"])
    assert cfg.data.module.source.physio_types.cardiac == "PPG"
    assert cfg.data.module.source.physio_types.respiratory == "RESP"
