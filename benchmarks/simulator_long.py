"""Long-mode simulator benchmark: one patient-session with N hours of free living.

Streams a 16-channel 2 kHz EMG (plus IMU, NIRS, RR, EDA) recording to disk chunk by chunk
and prints wall time, x real time, peak RSS (ru_maxrss and RssAnon/VmHWM) and GB written.
Data are synthetic (metadata.synthetic = true). Usage::

    python benchmarks/simulator_long.py [--hours 8] [--out DIR] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from lbpnet.datasets.simulator import simulate_cohort


def _status(field: str) -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return line.split(":", 1)[1].strip()
    return "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="lbpnet-sim-long-"))
    t = time.perf_counter()
    paths = simulate_cohort(out, n_patients=1, n_sessions=1, seed=0,
                            free_living_hours=a.hours)
    wall = time.perf_counter() - t
    size = sum(f.stat().st_size for f in paths[0].rglob("*") if f.is_file())
    seconds = a.hours * 3600 + 114
    print(f"recording: {seconds / 3600:.3f} h, 16 EMG ch @ 2000 Hz + IMU/NIRS/RR/EDA")
    print(f"wall: {wall:.1f} s   x real time: {seconds / wall:.1f}")
    print(f"peak RSS (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
          f" MiB   VmHWM: {_status('VmHWM')}   RssAnon now: {_status('RssAnon')}")
    print(f"written: {size / 1e9:.2f} GB to {paths[0]}")
    if not a.keep:
        shutil.rmtree(paths[0], ignore_errors=True)


if __name__ == "__main__":
    main()
