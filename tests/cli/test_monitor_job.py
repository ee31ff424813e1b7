"""The cohort job ``monitoring`` on a tiny trajectory run of SYNTHETIC outcomes (the fixture of
tests/cli/test_monitor.py): on a 2-process LocalCluster it writes what the serial path and
lbpnet-monitor write for every patient; a failing patient is reported, leaves no file, and a
re-run does only that one."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cohort import run_cohort
from lbpnet.cli.monitor_job import MonitoringJob
from lbpnet.errors import ConfigError

distributed = pytest.importorskip("distributed", reason="dask[distributed] (extra 'cohort')")

_spec = importlib.util.spec_from_file_location(
    "_monitor_cli_fixtures", Path(__file__).parents[1] / "cli" / "test_monitor.py")
_monitor_cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_monitor_cli)
trained_run = _monitor_cli.trained_run          # the tiny SYNTHETIC run (a pytest fixture)

OPTIONS = {"as_of_session": 3}


class Unwritable:
    """A value whose text cannot be made (``str`` raises): the patient's JSON write fails."""

    def __str__(self):
        raise OSError("injected: the JSON of this patient cannot be written")


class FailingMonitoringJob(MonitoringJob):
    """MonitoringJob whose patient ``fail`` carries an :class:`Unwritable` value, so that its
    plot is written and then its monitoring.json write raises (on every attempt)."""

    def __init__(self, run_dir, options, fail):
        super().__init__(run_dir, options)
        self.fail = fail

    def items(self, root=None):
        items = super().items(root)
        item, shared = items[self.fail]
        items[self.fail] = ({**item, "non_response": {"probability": Unwritable()}}, shared)
        return items


@pytest.fixture(scope="module")
def client():
    """One LocalCluster of 2 worker processes (1 thread each) for the module."""
    import cloudpickle
    cloudpickle.register_pickle_by_value(sys.modules[__name__])   # the failing job by value
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def summaries(folder: Path, patients) -> dict:
    """Patient → (monitoring.json without its creation time, trajectory.png bytes)."""
    out = {}
    for pid in patients:
        m = json.loads((folder / pid / "monitoring.json").read_text())
        assert m.pop("created_utc")
        out[pid] = (m, (folder / pid / "trajectory.png").read_bytes())
    return out


def test_dask_equals_serial_and_lbpnet_monitor(trained_run, client, tmp_path, monkeypatch):
    run, metrics, tmp = trained_run
    patients = sorted(metrics["split"]["test"]["subjects"])
    job = MonitoringJob(str(run), OPTIONS)
    serial = run_cohort(job, None, tmp_path / "serial", address="serial")
    par = run_cohort(job, None, tmp_path / "dask", client=client)
    assert serial.ok and par.ok and par.engine.startswith("tcp://")
    assert sorted(par.done) == sorted(serial.done) == patients and len(patients) >= 4
    monkeypatch.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    _monitor_cli.run_monitor(monkeypatch, f"run_dir={run}", "as_of_session=3",
                             f"output_dir={tmp_path / 'cli'}")
    a, b, c = (summaries(tmp_path / d, patients) for d in ("dask", "serial", "cli"))
    for pid in patients:
        assert a[pid] == b[pid] == c[pid], pid
        assert a[pid][0]["as_of_session"] == 3 and a[pid][0]["forecasts"]
        assert par.done[pid]["flags"] == len(a[pid][0]["flags"])


def test_failing_patient_reported_others_complete_and_resume(trained_run, client, tmp_path):
    run, metrics, _ = trained_run
    patients = sorted(metrics["split"]["test"]["subjects"])
    bad, out = patients[1], tmp_path / "out"
    rep = run_cohort(FailingMonitoringJob(str(run), OPTIONS, bad), None, out, client=client,
                     retries=1)
    assert list(rep.failed) == [bad] and sorted(rep.done) == sorted(set(patients) - {bad})
    assert "OSError: injected" in rep.failed[bad]["error"]
    assert not (out / bad).exists() or not list((out / bad).iterdir()), "a failed item left a file"
    assert not list(out.rglob("*.tmp")), "a temporary file was left"
    for pid in rep.done:
        assert MonitoringJob().is_done(out / pid / "monitoring.json")
    saved = json.loads((out / "cohort_report.json").read_text())
    assert saved["job"] == "monitoring" and list(saved["failed"]) == [bad]
    # resume: the done patients are skipped, only the failed one runs (and now completes)
    rep2 = run_cohort(MonitoringJob(str(run), OPTIONS), None, out, client=client)
    assert sorted(rep2.skipped) == sorted(rep.done) and list(rep2.done) == [bad] and rep2.ok
    assert json.loads((out / bad / "monitoring.json").read_text())["patient"] == bad


def test_lbpnet_cohort_job_monitoring(trained_run, tmp_path):
    from lbpnet.cli.cohort import cohort, output_folder
    run, metrics, _ = trained_run
    first = sorted(metrics["split"]["test"]["subjects"])[0]
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("cohort", ["job=monitoring", f"job.run_dir={run}", "cluster.address=serial",
                                 "+job.options.as_of_session=3", f"only=[{first}]"])
    GlobalHydra.instance().clear()
    from hydra.utils import instantiate
    assert output_folder(cfg, instantiate(cfg.job, _convert_="all")) == run / "monitoring"
    cfg.out = str(tmp_path / "cohort")
    result = cohort(cfg)
    assert result["job"] == "monitoring" and list(result["done"]) == [first]
    assert (tmp_path / "cohort" / first / "trajectory.png").is_file()
    with pytest.raises(ConfigError, match="unknown monitoring options"):
        MonitoringJob(str(run), {"as_of": 3}).config()
    with pytest.raises(ConfigError, match="job.run_dir"):
        MonitoringJob().items()
