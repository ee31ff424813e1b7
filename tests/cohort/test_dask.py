"""The Dask path of lbpnet.cohort on a 2-process LocalCluster equals the serial path."""

import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="dask[distributed] (extra 'cohort')")

from lbpnet.cohort import FeatureJob, QCJob, SimulateJob, run_cohort  # noqa: E402


class FlakyJob:
    """Fails the first attempt per item (a marker file), then writes the key."""
    name = "flaky"

    def __init__(self, marker_dir):
        self.marker_dir = str(marker_dir)

    def items(self, root):
        return {"a": 1, "b": 2}

    def output(self, out_dir, key):
        return Path(out_dir) / f"{key}.txt"

    def is_done(self, path):
        return Path(path).is_file()

    def __call__(self, key, payload, path):
        marker = Path(self.marker_dir) / key
        if not marker.exists():
            marker.write_text("failed once")
            raise OSError(f"first attempt of {key}")
        Path(path).write_text(key)
        return {}


@pytest.fixture(scope="module")
def client():
    """One LocalCluster of 2 worker processes (1 thread each) for the whole module."""
    import cloudpickle
    cloudpickle.register_pickle_by_value(sys.modules[__name__])   # FlakyJob travels by value
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def files_of(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "cohort_report.json"}


def test_simulate_on_dask_equals_serial(client, simulator_params, small_cohort, tmp_path):
    keys = ["sub-P001_ses-2", "sub-P002_ses-1"]
    rep = run_cohort(SimulateJob(**simulator_params), None, tmp_path / "dask", client=client,
                     keys=keys)
    assert rep.ok and sorted(rep.done) == keys and rep.engine.startswith("tcp://")
    dask_files = files_of(tmp_path / "dask")
    serial_files = {k: v for k, v in files_of(small_cohort).items()
                    if k.split("/")[0] in {f"{k}.lbp" for k in keys}}
    assert dask_files.keys() == serial_files.keys() and len(dask_files) > 4
    assert all(dask_files[k] == serial_files[k] for k in dask_files)


def test_jobs_on_dask_equal_serial_and_report_the_broken_one(client, broken_cohort, tmp_path):
    for job in (QCJob(), FeatureJob(epoch_s=5.0)):
        serial = run_cohort(job, broken_cohort, tmp_path / f"{job.name}-serial",
                            address="serial")
        par = run_cohort(job, broken_cohort, tmp_path / f"{job.name}-dask", client=client,
                         retries=1)
        assert list(par.failed) == list(serial.failed) == ["sub-P009_ses-1"]
        assert "ReaderError" in par.failed["sub-P009_ses-1"]["error"]
        assert sorted(par.done) == sorted(serial.done) and len(par.done) == 4
        a, b = files_of(tmp_path / f"{job.name}-dask"), files_of(tmp_path / f"{job.name}-serial")
        assert a.keys() == b.keys() and len(a) == 4 and all(a[k] == b[k] for k in a)


def test_dask_retries_a_failing_item(client, tmp_path):
    rep = run_cohort(FlakyJob(tmp_path), None, tmp_path / "out", client=client, retries=1)
    assert rep.ok and sorted(rep.done) == ["a", "b"]
    rep = run_cohort(FlakyJob(tmp_path / "out"), None, tmp_path / "out2", client=client,
                     retries=0)
    assert sorted(rep.failed) == ["a", "b"] and "first attempt of a" in rep.failed["a"]["error"]
