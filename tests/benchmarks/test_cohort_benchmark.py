"""benchmarks/cohort.py end to end on a tiny SYNTHETIC cohort (slow: several processes)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_cohort_benchmark_tiny(tmp_path):
    out = tmp_path / "cohort.md"
    cohort = tmp_path / "cohort"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "cohort.py"), "--recordings", "2",
         "--hours", "0.1", "--windows", "512", "--workers", "0", "1", "--steps", "2",
         "--tmp", str(cohort), "--out", str(out)],
        capture_output=True, text=True, timeout=900, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text()
    assert "SYNTHETIC cohort: 2 recordings" in text and "Load average" in text
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["disk"]["dd_read"] > 0 and data["disk"]["dd_write"] > 0
    assert data["writes"]["zarr"]["disk_bytes"] < data["writes"]["npy"]["disk_bytes"]
    assert set(data["passes"]) == {f"{b}/{s}/{w}" for b in ("npy", "zarr")
                                   for s in ("random", "recording_local") for w in (0, 1)}
    assert all(p["cold"]["windows"] > 0 and p["warm"]["windows_per_s"] > 0
               for p in data["passes"].values())
    assert 0 <= data["train"]["npy/1"]["wait_share"] < 1
    assert data["index"]["windows"] > 0
    assert not list(cohort.iterdir()), "the benchmark left its cohort behind"
