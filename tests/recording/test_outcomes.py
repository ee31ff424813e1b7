"""Longitudinal outcome readers: BIDS-style folders and long tables give one OutcomeTable, and
every bad input is an error naming the file, the row and the column. (Hand-written SYNTHETIC
tables: the numbers are made up for the tests.)"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from lbpnet.errors import ConfigError, LbpnetError, ReaderError
from lbpnet.recording.outcomes import read_outcomes
from lbpnet.recording.outcomes_recordings import join_recordings, outcome_table_of
from lbpnet.recording.outcomes_write import write_outcomes_bids
from lbpnet.recording.recording import Recording

SIDECAR = {"odi": {"LongName": "Oswestry Disability Index", "Units": "points",
                   "HigherIsWorse": True, "MinimalImportantChange": 10},
           "nrs": {"HigherIsWorse": True, "MinimalImportantChange": 2}}
SESSIONS = {
    "01": "session_id\tacq_time\todi\tnrs\n"
          "ses-1\t2024-01-01T09:00:00\t40\t6\n"
          "ses-2\t2024-01-15T09:00:00\tn/a\t5\n"
          "ses-3\t2024-02-12T09:00:00\t22\t3\n",
    "02": "session_id\tacq_time\todi\tnrs\n"
          "ses-1\t2024-03-01T10:00:00\t30\t5\n"
          "ses-2\t2024-03-08T10:00:00\t31\t5\n",
}


def write_folder(root: Path, sessions=None, participants=None, sidecar=SIDECAR) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "participants.tsv").write_text(
        participants or "participant_id\tarm\tage\nsub-01\texercise\t41\nsub-02\tusual\tn/a\n")
    (root / "sessions.json").write_text(json.dumps(sidecar))
    for pid, text in (sessions or SESSIONS).items():
        (root / f"sub-{pid}").mkdir(exist_ok=True)
        (root / f"sub-{pid}" / f"sub-{pid}_sessions.tsv").write_text(text)
    return root


LONG = ("participant_id,session_id,weeks,instrument,value\n"
        "sub-01,ses-1,0,odi,40\nsub-01,ses-1,0,nrs,6\nsub-01,ses-2,2,odi,n/a\n"
        "sub-01,ses-2,2,nrs,5\nsub-01,ses-3,6,odi,22\nsub-01,ses-3,6,nrs,3\n"
        "02,1,0,odi,30\n02,1,0,nrs,5\n02,2,1,odi,31\n02,2,1,nrs,5\n")


def test_bids_folder_reads_scores_times_covariates_and_sidecar(tmp_path):
    t = read_outcomes(write_folder(tmp_path / "ds"))
    assert t.participants == ["01", "02"] and t.sessions == [["1", "2", "3"], ["1", "2"]]
    assert t.instruments == ["odi", "nrs"] and t.values.shape == (2, 3, 2)
    assert t.values[0, :, 0].tolist()[::2] == [40.0, 22.0] and np.isnan(t.values[0, 1, 0])
    assert np.isnan(t.values[1, 2]).all() and t.present.tolist() == [[True] * 3,
                                                                    [True, True, False]]
    assert t.time_unit == "weeks" and t.time_source == "acq_time"
    assert np.allclose(t.times[0], [0, 2, 6]) and np.allclose(t.times[1, :2], [0, 1])
    assert t.covariates["arm"].tolist() == ["exercise", "usual"]
    assert t.covariates["age"].tolist() == [41.0, None]
    assert t.info["odi"].higher_is_worse is True and t.info["odi"].minimal_important_change == 10
    assert t.info["odi"].long_name == "Oswestry Disability Index"
    assert t.rows[0].tolist() == [2, 3, 4]


def test_participant_sidecar_overrides_the_root_and_session_order_without_times(tmp_path):
    sessions = {"01": "session_id\todi\nses-a\t10\nses-b\t12\n"}
    root = write_folder(tmp_path / "ds", sessions, "participant_id\nsub-01\n",
                        {"odi": {"HigherIsWorse": True}})
    (root / "sub-01" / "sub-01_sessions.json").write_text(
        json.dumps({"odi": {"MinimalImportantChange": 8}}))
    t = read_outcomes(root)
    assert t.time_unit == "sessions" and t.times[0].tolist() == [0.0, 1.0]
    assert t.info["odi"].higher_is_worse is True and t.info["odi"].minimal_important_change == 8


def test_long_table_gives_the_same_table_as_the_folder(tmp_path):
    folder = read_outcomes(write_folder(tmp_path / "ds"))
    (tmp_path / "long").mkdir()
    path = tmp_path / "long" / "outcomes.csv"
    path.write_text(LONG)
    (tmp_path / "long" / "sessions.json").write_text(json.dumps(SIDECAR))
    (tmp_path / "long" / "participants.tsv").write_text(
        "participant_id\tarm\tage\nsub-01\texercise\t41\nsub-02\tusual\tn/a\n")
    long = read_outcomes(tmp_path / "long")
    assert long.participants == folder.participants and long.sessions == folder.sessions
    assert np.array_equal(long.values, folder.values, equal_nan=True)
    assert long.time_source == "weeks"
    assert np.allclose(long.times[0], folder.times[0]) and long.times[1, 1] == 1.0
    assert long.info["nrs"].minimal_important_change == 2
    assert long.covariates["arm"].tolist() == ["exercise", "usual"]
    assert long.rows[0].tolist() == [2, 4, 6]
    tsv = tmp_path / "other.tsv"                        # TSV, explicit file, no sidecar
    tsv.write_text(LONG.replace(",", "\t"))
    assert np.array_equal(read_outcomes(tsv).values, folder.values, equal_nan=True)


def test_written_folder_reads_back(tmp_path):
    t = read_outcomes(write_folder(tmp_path / "ds"))
    back = read_outcomes(write_outcomes_bids(t, tmp_path / "copy"))
    assert back.participants == t.participants and back.sessions == t.sessions
    assert np.array_equal(back.values, t.values, equal_nan=True)
    assert np.allclose(back.times[0], t.times[0], atol=1e-3) and back.time_source == "weeks"
    assert back.info["odi"] == t.info["odi"] and back.covariates["age"].tolist() == [41.0, None]


def _error(exc_info) -> str:
    return str(exc_info.value)


@pytest.mark.parametrize("name, sessions, where", [
    ("non-numeric score", {"01": "session_id\todi\nses-1\t40\nses-2\tforty\n"},
     ["sub-01_sessions.tsv", "row 3", "'odi'"]),
    ("duplicate session", {"01": "session_id\todi\nses-1\t40\nses-1\t30\n"},
     ["sub-01_sessions.tsv", "row 3", "'session_id'", "twice"]),
    ("malformed session id", {"01": "session_id\todi\nses-1\t40\nvisit 2\t30\n"},
     ["sub-01_sessions.tsv", "row 3", "'session_id'"]),
    ("times not increasing", {"01": "session_id\tweeks\todi\nses-1\t0\t40\nses-2\t4\t30\n"
                                    "ses-3\t3\t20\n"},
     ["sub-01_sessions.tsv", "row 4", "'weeks'", "not after"]),
    ("bad acq_time", {"01": "session_id\tacq_time\todi\nses-1\tyesterday\t40\n"},
     ["sub-01_sessions.tsv", "row 2", "'acq_time'"]),
    ("missing cell", {"01": "session_id\todi\tnrs\nses-1\t40\n"},
     ["sub-01_sessions.tsv", "row 2"]),
])
def test_bad_sessions_files_name_file_row_and_column(tmp_path, name, sessions, where):
    root = write_folder(tmp_path / "ds", sessions, "participant_id\nsub-01\n")
    with pytest.raises(ReaderError) as e:
        read_outcomes(root)
    for part in where:
        assert part in _error(e), (name, _error(e))


def test_unknown_session_folder_participant_and_sidecar_errors(tmp_path):
    root = write_folder(tmp_path / "ds")
    (root / "sub-01" / "ses-9" / "motion").mkdir(parents=True)     # sensor data, no row
    with pytest.raises(ReaderError, match=r"ses-9.*not listed") as e:
        read_outcomes(root)
    assert "sub-01_sessions.tsv" in _error(e)
    root = write_folder(tmp_path / "ds2")
    (root / "sub-03").mkdir()
    with pytest.raises(ReaderError, match="sub-03.*not in participants.tsv"):
        read_outcomes(root)
    root = write_folder(tmp_path / "ds3", participants="participant_id\nsub-01\nsub-02\nsub-04\n")
    with pytest.raises(ReaderError, match="sub-04.*no sessions file"):
        read_outcomes(root)
    root = write_folder(tmp_path / "ds4", sidecar={"odi": {"HigherIsWorse": "yes"}})
    with pytest.raises(ReaderError, match=r"HigherIsWorse") as e:
        read_outcomes(root)
    assert "sessions.json" in _error(e)
    root = write_folder(tmp_path / "ds5", {"01": "session_id\tmonth\todi\nses-1\t0\t4\n"},
                        "participant_id\nsub-01\n")
    with pytest.raises(ReaderError, match="unit of time column 'month'"):
        read_outcomes(root, time_column="month")
    (root / "sessions.json").write_text(json.dumps({"month": {"Units": "months"}}))
    assert read_outcomes(root, time_column="month").time_source == "month"


@pytest.mark.parametrize("edit, where", [
    (lambda s: s.replace("02,2,1,odi,31", "02,2,1,odi,3l"), ["row 10", "'value'"]),
    (lambda s: s.replace("02,2,1,nrs,5", "02,2,1,odi,5"), ["row 11", "twice"]),
    (lambda s: s.replace("sub-01,ses-3,6,", "sub-01,ses-3,1,"), ["row 6", "'weeks'",
                                                                   "not after"]),
    (lambda s: s.replace("sub-01,ses-2,2,nrs", "sub-01,ses-2,3,nrs"), ["row 5", "differs"]),
    (lambda s: s.replace("participant_id,", "patient,"), ["'participant_id'", "missing"]),
])
def test_bad_long_tables_name_row_and_column(tmp_path, edit, where):
    path = tmp_path / "outcomes.csv"
    path.write_text(edit(LONG))
    with pytest.raises(ReaderError) as e:
        read_outcomes(path)
    assert "outcomes.csv" in _error(e)
    for part in where:
        assert part in _error(e), _error(e)


def test_long_table_participant_missing_from_participants_tsv(tmp_path):
    (tmp_path / "outcomes.csv").write_text(LONG)
    (tmp_path / "participants.tsv").write_text("participant_id\tarm\nsub-01\tusual\n")
    with pytest.raises(ReaderError, match=r"row 8: participant sub-02 is not in"):
        read_outcomes(tmp_path / "outcomes.csv")


def test_absent_outcome_and_too_few_sessions_for_k(tmp_path):
    t = read_outcomes(write_folder(tmp_path / "ds"))
    with pytest.raises(ConfigError, match=r"outcome 'odl' is not in the data") as e:
        t.select(["odi", "odl"])
    assert "data.outcomes" in _error(e)
    assert t.select(["nrs"]).values.shape == (2, 3, 1)
    t.check_sessions(2)
    with pytest.raises(ReaderError, match=r"participant 02 has 2 session") as e:
        t.check_sessions(3)
    assert "sub-02_sessions.tsv" in _error(e) and "observed_sessions" in _error(e)


def test_join_with_sensor_recordings_by_participant_and_session(tmp_path):
    t = read_outcomes(write_folder(tmp_path / "ds"))
    recs = [Recording({}, subject="01", session="2", source="a.edf"),
            Recording({}, subject="02", session="1", source="b.edf"),
            Recording({}, subject="01", session="2", source="c.edf")]
    joined = join_recordings(t, recs)
    assert sorted(joined) == [("01", "2"), ("02", "1")]
    assert [r.source for r in joined["01", "2"]] == ["a.edf", "c.edf"]
    with pytest.raises(ReaderError, match="sub-02 ses-7 has no row") as e:
        join_recordings(t, [Recording({}, subject="02", session="7", source="x/y.edf")])
    assert "x/y.edf" in _error(e)


def test_join_with_the_bids_reader(tmp_path, files):
    """Sensor recordings read by read_bids from sub-*/ses-* join their outcome rows."""
    from lbpnet.recording.bids import read_bids
    root = write_folder(tmp_path / "ds")
    channels = [(f"trunk_acc_{a}", "ACCEL", "g") for a in "xyz"]
    data = np.random.default_rng(0).normal(size=(200, 3))
    for ses in ("1", "3"):
        files.motion(root / "sub-01" / f"ses-{ses}" / "motion",
                     f"sub-01_ses-{ses}_task-walk_tracksys-imu1", data, 100, channels)
    recs = read_bids(root)
    assert sorted((r.subject, r.session) for r in recs) == [("01", "1"), ("01", "3")]
    joined = join_recordings(read_outcomes(root), recs)
    assert sorted(joined) == [("01", "1"), ("01", "3")]
    assert joined["01", "3"][0].streams and joined["01", "3"][0].session == "3"


def test_simulated_recordings_as_an_outcome_table():
    recs = [Recording({}, subject="p1", session=str(s), metadata={
        "outcomes": {"odi": 40.0 - s, "nrs": None if s == 2 else 6.0}, "session_day": 7.0 * s,
        "synthetic": True}) for s in (3, 1, 2)]
    t = outcome_table_of(recs)
    assert t.sessions == [["1", "2", "3"]] and t.times[0].tolist() == [0.0, 1.0, 2.0]
    assert t.values[0, :, 0].tolist() == [39.0, 38.0, 37.0] and np.isnan(t.values[0, 1, 1])
    assert t.synthetic and t.info["odi"].minimal_important_change == 10.0
    assert isinstance(ReaderError("x"), LbpnetError) and re.search("odi", str(t.info["odi"]))
