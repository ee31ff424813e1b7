"""read_bids: multi-rate round trips on generated BIDS folders, and errors that name
the file, the field and the fix."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.errors import ReaderError, RecordingError
from lbpnet.recording.bids import parse_bids_name, read_bids

MOTION_CH = [("acc_x", "ACCEL", "m/s^2"), ("acc_y", "ACCEL", "m/s^2"), ("gyr_z", "GYRO", "rad/s")]
P = "sub-01_ses-1_task-lift_run-1"


def _motion(n=1000):  # 10 s at 100 Hz
    t = np.arange(n) / 100.0
    return np.stack([np.sin(t), np.cos(t), t], axis=1).round(4)


def _emg_signals(n=20000):  # 10 s at 2000 Hz
    t = np.arange(n) / 2000.0
    return [("EMG1", 2000, "uV", 100 * np.sin(2 * np.pi * 40 * t), ""),
            ("EMG2", 2000, "uV", 50 * np.cos(2 * np.pi * 60 * t), "")]


@pytest.fixture
def dataset(tmp_path, files):
    """sub-01/ses-1: 2000 Hz EMG + 100 Hz motion + 50 Hz physio (StartTime 1.5) + events."""
    root = tmp_path / "ds"
    ses = root / "sub-01" / "ses-1"
    files.motion(ses / "motion", f"{P}_tracksys-imu1", _motion(), 100, MOTION_CH)
    (ses / "emg").mkdir(parents=True)
    files.edf(ses / "emg" / f"{P}_emg.edf", _emg_signals(), annotations=[(0.5, 1, "edf-note")])
    files.tsv(ses / "emg" / f"{P}_channels.tsv",
              [("erector_spinae_left", "EMG", "µV"), ("erector_spinae_right", "EMG", "uV")],
              header=["name", "type", "units"])
    ecg = np.sin(np.arange(400) / 5.0).round(4)[:, None]
    files.physio(ses / "physio", f"{P}_recording-ecg", ecg, 50, ["ecg"], start_time=1.5,
                 units={"ecg": "mV"})
    files.events(ses / "motion", f"{P}_tracksys-imu1",
                 [(1.0, 2.0, "lift"), (4.0, "n/a", "stand")])
    files.tsv(root / "participants.tsv", [("sub-01", "42", "F")],
              header=["participant_id", "age", "sex"])
    return root


def test_parse_bids_name():
    assert parse_bids_name("sub-01_task-w_run-2_physio.tsv.gz") == (
        {"sub": "01", "task": "w", "run": "2"}, "physio", ".tsv.gz")


def test_multirate_round_trip_and_alignment(dataset):
    (rec,) = read_bids(dataset)
    assert (rec.subject, rec.session, rec.task, rec.run) == ("01", "1", "lift", "1")
    assert set(rec.streams) == {"emg", "motion", "ecg"}
    emg, motion, ecg = rec.streams["emg"], rec.streams["motion"], rec.streams["ecg"]
    assert (emg.sampling_rate, motion.sampling_rate, ecg.sampling_rate) == (2000, 100, 50)
    assert emg.data.shape == (20000, 2) and motion.data.shape == (1000, 3)
    assert ecg.data.shape == (400, 1) and ecg.data.dtype == np.float32
    assert emg.channel_names == ["erector_spinae_left", "erector_spinae_right"]
    assert emg.units == ["uV", "uV"] and emg.channel_types == ["EMG", "EMG"]
    assert motion.channel_names == ["acc_x", "acc_y", "gyr_z"]
    assert motion.channel_types == ["ACCEL", "ACCEL", "GYRO"]
    assert motion.units == ["m/s^2", "m/s^2", "rad/s"]
    assert ecg.units == ["mV"] and ecg.channel_types == ["ECG"]
    np.testing.assert_allclose(motion.data, _motion(), atol=1e-6)
    np.testing.assert_allclose(emg.data[:, 0], _emg_signals()[0][3], atol=0.01)
    # alignment: physio starts 1.5 s into the recording; EMG and motion at 0
    assert (emg.start_time, motion.start_time, ecg.start_time) == (0.0, 0.0, 1.5)
    assert rec.start_time == 1.5 and rec.end_time == pytest.approx(9.5)
    assert ecg.sample_at(2.0) == 25 and emg.sample_at(2.0) == 4000 and motion.sample_at(2.0) == 200
    # events.tsv wins over EDF+ annotations; n/a duration -> 0
    assert rec.annotations.label.tolist() == ["lift", "stand"]
    np.testing.assert_allclose(rec.annotations.duration, [2.0, 0.0])
    assert rec.metadata["participant"] == {"age": "42", "sex": "F"}
    assert rec.source.endswith(f"ses-1/{P}") and rec.key == P


def test_filters_and_several_tracking_systems(dataset, files):
    ses = dataset / "sub-01" / "ses-1" / "motion"
    files.motion(ses, f"{P}_tracksys-imu2", _motion(500), 50, MOTION_CH)
    (rec,) = read_bids(dataset, subjects=["sub-01"], tasks=["lift"])
    assert {"motion_imu1", "motion_imu2"} <= set(rec.streams)
    assert rec.streams["motion_imu2"].sampling_rate == 50
    files.motion(dataset / "sub-02" / "motion", "sub-02_task-walk", _motion(100), 100, MOTION_CH)
    recs = read_bids(dataset)
    assert [r.key for r in recs] == [P, "sub-02_task-walk"]
    assert recs[1].metadata["participant"] == {}
    assert [r.subject for r in read_bids(dataset, subjects=["02"])] == ["02"]
    with pytest.raises(ReaderError, match=r"'subjects'.*none of the subjects.*'01', '02'"):
        read_bids(dataset, subjects=["99"])
    with pytest.raises(ReaderError, match=r"no recordings found.*tasks"):
        read_bids(dataset, tasks=["sprint"])


def test_custom_label_column_and_edf_annotations_without_events(dataset, files):
    ses = dataset / "sub-01" / "ses-1"
    (ses / "motion" / f"{P}_tracksys-imu1_events.tsv").unlink()
    (rec,) = read_bids(dataset)
    assert rec.annotations.label.tolist() == ["edf-note"]
    files.events(ses / "beh", P, [(2.0, 1.0, "x", "guarding")],
                 header=("onset", "duration", "trial_type", "strategy"))
    (rec,) = read_bids(dataset, label_column="strategy")
    assert rec.annotations.label.tolist() == ["guarding"]


def test_missing_label_column(dataset):
    with pytest.raises(ReaderError) as info:
        read_bids(dataset, label_column="activity")
    message = str(info.value)
    assert "_events.tsv" in message and "'activity'" in message
    assert "trial_type" in message and "data.label_column=" in message


def test_missing_sampling_frequency(dataset, files):
    json_path = dataset / "sub-01" / "ses-1" / "motion" / f"{P}_tracksys-imu1_motion.json"
    files.json(json_path, {"TaskName": "lift"})
    with pytest.raises(ReaderError, match=r"_motion\.json: field 'SamplingFrequency'.*missing.*Fix"):
        read_bids(dataset)
    files.json(json_path, {"SamplingFrequency": "fast"})
    with pytest.raises(ReaderError, match=r"'SamplingFrequency'.*positive number"):
        read_bids(dataset)
    json_path.unlink()
    with pytest.raises(ReaderError, match=r"_motion\.json: sidecar is missing"):
        read_bids(dataset)


def test_physio_missing_sampling_frequency_and_columns(dataset, files):
    json_path = dataset / "sub-01" / "ses-1" / "physio" / f"{P}_recording-ecg_physio.json"
    files.json(json_path, {"StartTime": 1.5, "Columns": ["ecg"]})
    with pytest.raises(ReaderError, match=r"_physio\.json.*'SamplingFrequency'"):
        read_bids(dataset)
    files.json(json_path, {"SamplingFrequency": 50, "Columns": ["ecg", "resp"]})
    with pytest.raises(ReaderError, match=r"_physio\.tsv\.gz.*'columns'.*1 columns.*2 channels"):
        read_bids(dataset)


def test_channels_rows_do_not_match_columns(dataset, files):
    folder = dataset / "sub-01" / "ses-1" / "motion"
    files.tsv(folder / f"{P}_tracksys-imu1_channels.tsv", MOTION_CH[:2],
              header=["name", "type", "units"])
    with pytest.raises(ReaderError,
                       match=r"_motion\.tsv: field 'columns': line 1 has 3 columns but .*"
                             r"_channels\.tsv describes 2 channels.*Fix"):
        read_bids(dataset)


def test_emg_channels_rows_do_not_match_signals(dataset, files):
    files.tsv(dataset / "sub-01" / "ses-1" / "emg" / f"{P}_channels.tsv", [("a", "EMG", "uV")],
              header=["name", "type", "units"])
    with pytest.raises(ReaderError, match=r"_channels\.tsv: field 'name': 1 rows.*2 signals"):
        read_bids(dataset)


def test_unknown_unit_in_channels(dataset, files):
    files.tsv(dataset / "sub-01" / "ses-1" / "motion" / f"{P}_tracksys-imu1_channels.tsv",
              [(*MOTION_CH[0][:2], "furlongs"), *MOTION_CH[1:]], header=["name", "type", "units"])
    with pytest.raises(ReaderError, match=r"_channels\.tsv: field 'units'.*furlongs"):
        read_bids(dataset)


def test_non_numeric_cell(dataset):
    path = dataset / "sub-01" / "ses-1" / "motion" / f"{P}_tracksys-imu1_motion.tsv"
    lines = path.read_text().splitlines()
    lines[5] = "0.1\toops\t0.3"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReaderError, match=r"_motion\.tsv: field 'acc_y': non-numeric cell "
                                          r"'oops' in sample row 6, column 2"):
        read_bids(dataset)


def test_non_numeric_onset(dataset, files):
    files.events(dataset / "sub-01" / "ses-1" / "motion", f"{P}_tracksys-imu1",
                 [("soon", 1, "lift")])
    with pytest.raises(ReaderError, match=r"_events\.tsv: field 'onset': line 2"):
        read_bids(dataset)


def test_nan_samples_are_a_recording_error(dataset):
    path = dataset / "sub-01" / "ses-1" / "motion" / f"{P}_tracksys-imu1_motion.tsv"
    lines = path.read_text().splitlines()
    lines[10] = "n/a\t0.2\t0.3"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match=r"stream 'motion'.*NaN.*acc_x.*sample 10"):
        read_bids(dataset)


def test_empty_and_missing_folders(tmp_path, files):
    with pytest.raises(ReaderError, match=r"nope: folder not found.*Fix"):
        read_bids(tmp_path / "nope")
    with pytest.raises(ReaderError, match=r"no sub-\* folders"):
        read_bids(tmp_path)
    (tmp_path / "sub-01" / "motion").mkdir(parents=True)
    with pytest.raises(ReaderError, match=r"'datatypes'.*no recordings found"):
        read_bids(tmp_path)
    files.events(tmp_path / "sub-01" / "motion", "sub-01_task-a", [(0, 1, "x")])
    with pytest.raises(ReaderError, match=r"no recordings found"):
        read_bids(tmp_path)


def test_truncated_emg_is_named(dataset):
    path = dataset / "sub-01" / "ses-1" / "emg" / f"{P}_emg.edf"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ReaderError, match=r"_emg\.edf.*truncated"):
        read_bids(dataset)


def test_participants_without_id_column(dataset, files):
    files.tsv(dataset / "participants.tsv", [("01", "4")], header=["subject", "age"])
    with pytest.raises(ReaderError, match=r"participants\.tsv: field 'participant_id'"):
        read_bids(dataset)


def test_bad_json(dataset):
    path = dataset / "sub-01" / "ses-1" / "physio" / f"{P}_recording-ecg_physio.json"
    path.write_text("{SamplingFrequency: 50")
    with pytest.raises(ReaderError, match=r"_physio\.json: is not valid JSON"):
        read_bids(dataset)


def test_bdf_emg_with_start_time_and_negative_physio_start(tmp_path, files):
    root = tmp_path / "ds"
    emg_dir = root / "sub-07" / "emg"
    emg_dir.mkdir(parents=True)
    files.edf(emg_dir / "sub-07_task-sit_emg.bdf", _emg_signals(4000), "bdf")
    files.json(emg_dir / "sub-07_task-sit_emg.json", {"SamplingFrequency": 2000, "StartTime": 0.25})
    files.physio(root / "sub-07" / "physio", "sub-07_task-sit", np.ones((100, 2)), 50,
                 ["resp", "eda"], start_time=-0.5, units={"eda": "uS"})
    (rec,) = read_bids(root)
    assert rec.streams["emg"].start_time == 0.25 and rec.streams["emg"].channel_names == ["EMG1", "EMG2"]
    physio = rec.streams["physio"]
    assert physio.start_time == -0.5 and physio.channel_types == ["RESP", "EDA"]
    assert physio.units == ["n/a", "uS"]
    assert rec.start_time == 0.25 and rec.end_time == pytest.approx(1.5)
    assert len(rec.annotations) == 0 and rec.metadata["participant"] == {}
