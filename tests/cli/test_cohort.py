"""lbpnet-cohort: the console script on a tiny SYNTHETIC cohort (serial engine)."""

import json
import os
import subprocess
import sys

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.cohort import cohort
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cohort import SimulateJob, run_cohort
from lbpnet.errors import ConfigError

PARAMS = dict(emg_rate=1000.0, emg_channels=["multifidus_left", "multifidus_right"],
              artefact_rate=0.0, novel_rate=0.0)


def _compose(*overrides):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="cohort", overrides=list(overrides))


def test_console_script_reports_the_failed_recording(tmp_path):
    root = tmp_path / "cohort"
    assert run_cohort(SimulateJob(n_patients=2, n_sessions=1, seed=2, params=PARAMS), None,
                      root, address="serial").ok
    (root / "sub-P999_ses-1.lbp").mkdir()             # a store without its header
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "lbpnet.cli.cohort", "job=features",
                           f"data.root={root}", "cluster.address=serial", "job.epoch_s=5"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "sub-P999_ses-1 failed: ReaderError" in proc.stderr
    report = json.loads((root / "cohort" / "features" / "cohort_report.json").read_text())
    assert sorted(report["done"]) == ["sub-P001_ses-1", "sub-P002_ses-1"]
    assert list(report["failed"]) == ["sub-P999_ses-1"]
    assert sorted(p.name for p in (root / "cohort" / "features").glob("*.csv")) == [
        "sub-P001_ses-1.features.csv", "sub-P002_ses-1.features.csv"]


def test_config_builds_each_job_and_refuses_missing_folders(tmp_path):
    with pytest.raises(ConfigError, match="needs the folder"):
        cohort(_compose("job=simulate", "cluster.address=serial"))
    with pytest.raises(ConfigError, match="data.root"):
        cohort(_compose("job=qc", "cluster.address=serial"))
    from hydra.utils import instantiate
    for name, cls in (("qc", "QCJob"), ("features", "FeatureJob"), ("simulate", "SimulateJob")):
        job = instantiate(_compose(f"job={name}").job, _convert_="all")
        assert type(job).__name__ == cls and job.name == name
    qc = instantiate(_compose("job=qc", "qc.config.clip_fraction=0.5").job, _convert_="all")
    assert qc.config.clip_fraction == 0.5
