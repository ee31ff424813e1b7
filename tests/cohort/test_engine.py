"""The serial path of lbpnet.cohort: results per item, failures reported, retries, resume."""

import json
from pathlib import Path

import numpy as np
import pytest

from lbpnet.cohort import FeatureJob, QCJob, cohort_recordings, run_cohort, window_starts
from lbpnet.errors import ConfigError
from lbpnet.recording.store import read_recording


class FlakyJob:
    """Fails the first ``fails`` attempts per item (counted in files), then writes the key."""
    name = "flaky"

    def __init__(self, counter_dir, fails):
        self.counter_dir, self.fails = str(counter_dir), fails

    def items(self, root):
        return {"a": 1, "b": 2}

    def output(self, out_dir, key):
        return Path(out_dir) / f"{key}.txt"

    def is_done(self, path):
        return Path(path).is_file()

    def __call__(self, key, payload, path):
        counter = Path(self.counter_dir) / key
        n = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(n + 1))
        if n < self.fails:
            raise OSError(f"attempt {n + 1} of {key} failed")
        Path(path).write_text(key)
        return {"attempts": n + 1}


def test_qc_and_features_tables(small_cohort, tmp_path):
    rep = run_cohort(QCJob(length_s=2.0, stride_s=2.0), small_cohort, tmp_path / "qc",
                     address="serial")
    assert rep.ok and sorted(rep.done) == sorted(cohort_recordings(small_cohort))
    key = sorted(rep.done)[0]
    rec = read_recording(cohort_recordings(small_cohort)[key])
    lines = (tmp_path / "qc" / f"{key}.qc.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert header[:2] == ["start_s", "quality"] and "emg/flat_line" in header
    assert len(lines) - 1 == len(window_starts(rec, 2.0, 2.0)) == rep.done[key]["windows"]
    rows = np.array([[float(v) for v in ln.split(",")] for ln in lines[1:]])
    assert np.array_equal(rows[:, 1], (rows[:, 2:].sum(axis=1) == 0).astype(float))
    assert rep.done[key]["flagged"] == int((rows[:, 1] == 0).sum())

    rep = run_cohort(FeatureJob(epoch_s=5.0), small_cohort, tmp_path / "feat", address="serial")
    names, table = FeatureJob(epoch_s=5.0).table(rec)
    text = (tmp_path / "feat" / f"{key}.features.csv").read_text().splitlines()
    assert text[0].split(",") == names
    # the RMS column is the RMS of the stream's samples in the epoch
    col = names.index("emg_rms_uV/emg/erector_spinae_l3_left")
    x = np.asarray(rec.streams["emg"].data[:5000, 0], dtype=np.float64)
    assert float(text[1].split(",")[col]) == pytest.approx(np.sqrt(np.mean(x ** 2)), rel=1e-12)
    assert rep.done[key]["epochs"] == len(table) == len(text) - 1
    report = json.loads((tmp_path / "feat" / "cohort_report.json").read_text())
    assert report["job"] == "features" and report["engine"] == "serial"


def test_failing_recording_reported_others_complete(broken_cohort, tmp_path):
    root = broken_cohort
    rep = run_cohort(QCJob(), root, tmp_path / "qc", address="serial", retries=2)
    assert list(rep.failed) == ["sub-P009_ses-1"] and len(rep.done) == 4
    assert "ReaderError" in rep.failed["sub-P009_ses-1"]["error"]
    assert "recording.json" in rep.failed["sub-P009_ses-1"]["error"]
    assert not list((tmp_path / "qc").glob("sub-P009*")), "a failed item left a file"
    assert not list((tmp_path / "qc").glob(".*tmp")), "a temporary file was left"
    saved = json.loads((tmp_path / "qc" / "cohort_report.json").read_text())
    assert list(saved["failed"]) == ["sub-P009_ses-1"]
    # resume: done items are skipped, only the failed one runs again
    rep2 = run_cohort(QCJob(), root, tmp_path / "qc", address="serial")
    assert sorted(rep2.skipped) == sorted(rep.done) and list(rep2.failed) == ["sub-P009_ses-1"]


def test_retries(tmp_path):
    rep = run_cohort(FlakyJob(tmp_path, fails=2), None, tmp_path / "out", address="serial",
                     retries=2)
    assert rep.ok and {k: v["attempts"] for k, v in rep.done.items()} == {"a": 3, "b": 3}
    rep = run_cohort(FlakyJob(tmp_path / "out", fails=5), None, tmp_path / "out2",
                     address="serial", retries=1, overwrite=True)
    assert sorted(rep.failed) == ["a", "b"] and "attempt 2 of a failed" in rep.failed["a"]["error"]


def test_user_errors(tmp_path):
    with pytest.raises(ConfigError, match="no .lbp or .zarr recording"):
        run_cohort(QCJob(), tmp_path, tmp_path / "out", address="serial")
    with pytest.raises(ConfigError, match="does not exist"):
        cohort_recordings(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="not in the cohort"):
        run_cohort(FlakyJob(tmp_path, 0), None, tmp_path / "o", address="serial", keys=["zz"])
