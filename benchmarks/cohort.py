"""Cohort scale: a SYNTHETIC cohort of hour-long recordings in both store backends.

``--recordings`` (40) recordings x ``--hours`` (1) h, each 16-ch EMG at 2 kHz as int16 counts
(0.25 µV per count; 0.23 GB/h) + IMU 6 ch at 100 Hz, NIRS 4 ch at 10 Hz, RR at 4 Hz (float32),
written in the memory-mapped ``.npy`` store and in Zarr v3 (Blosc/zstd). Measured, in one run:

- the disk's sequential write and cold read rate with ``dd`` (1 GiB; the physical limit);
- write throughput (uncompressed GB/s, ratio to ``dd`` write) and bytes on disk per backend;
- windows/s through ``DataLoader`` (2 s windows, 2 s stride, batch 256, random and
  recording-local samplers) at 0, 1, 2 workers, cold-ish (``posix_fadvise(DONTNEED)`` on
  every stored file, fresh process) then warm (the same windows again); cold-ish rates as
  read MB/s of the stored bytes against ``dd``'s read rate; every rate as a ratio to ``.npy``,
  warm, 0 workers;
- peak RssAnon of the loading process and of each worker at 1/4, 1/2 and all recordings,
  and each worker's RssAnon right after its imports (in ``worker_init_fn``), with the
  issue's goals checked per row (flat in the recordings; <= 500 MB above imports);
- index build time and memory per million windows (``make_windows`` at a 0.1 s stride);
- the share of each training step spent waiting for data, default CNN (``model=cnn``).

Each measurement runs in a fresh process (``cohort_measures.py``). Timings depend on the
machine and its load: ``uptime`` is recorded at start and end. Written files are deleted at
the end unless ``--keep``.

    python benchmarks/cohort.py [--quick] [--recordings 40] [--hours 1] [--tmp DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cohort_data import (EMG_CH, EMG_RATE, IMU_CH, IMU_RATE, NIRS_CH, NIRS_RATE,  # noqa: E402
                         RR_RATE, dd_rates, write_cohort)

HERE = Path(__file__).resolve().parent
WINDOW_RAW = {"emg": 4000 * EMG_CH * 2, "imu": 200 * IMU_CH * 4, "nirs": 20 * NIRS_CH * 4,
              "rr": 8 * 4}                     # stored (uncompressed) bytes of one 2 s window


def child(args: dict, timeout: float = 1800) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, str(HERE / "cohort_measures.py"), json.dumps(args)],
                         capture_output=True, text=True, env=env, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{args['mode']} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])



FLAT = 1.10                 # worker peak max/min over recording counts that counts as flat
GROWTH_GOAL = 500e6         # bytes a worker may grow above its imports (issue 14)


def memory_row(r: dict) -> dict:
    """Worker peak, its RssAnon after imports and the difference, of the pass (cold-ish or
    warm) whose worker peak is higher."""
    p = max((r["cold"], r["warm"]), key=lambda x: x["peak_anon_worker"])
    return {"peak": p["peak_anon_worker"], "imports": p["worker_anon_after_imports"],
            "growth": p["peak_anon_worker"] - p["worker_anon_after_imports"]}


def mb(x: float) -> str:
    return f"{x / 1e6:,.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recordings", type=int, default=40)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--windows", type=int, default=12800, help="windows per loader pass")
    ap.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=int, default=20, help="timed training steps")
    ap.add_argument("--quick", action="store_true", help="8 recordings x 6 min, short passes")
    ap.add_argument("--tmp", default=None, help="folder in which a temporary cohort folder is made (and deleted after)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--out", default=None, help="also write the tables (markdown) here")
    a = ap.parse_args()
    if a.quick:
        a.recordings, a.hours, a.windows, a.steps = 8, 0.1, 1024, 6
    base = Path(a.tmp or tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="lbpnet-bench-cohort-", dir=base))  # only this is deleted
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    load0 = Path("/proc/loadavg").read_text().split()[:3]
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        disk = dd_rates(tmp)
        writes = {b: write_cohort(tmp / b, b, a.recordings, a.hours) for b in ("npy", "zarr")}
        raw = writes["npy"]["apparent_bytes"]
        sizes = sorted({max(1, a.recordings // 4), max(1, a.recordings // 2), a.recordings})
        passes = {}
        for b in ("npy", "zarr"):
            for sampler in ("random", "recording_local"):
                for w in a.workers:
                    passes[b, sampler, w] = child({"mode": "pass", "paths": writes[b]["paths"],
                                                   "workers": w, "sampler": sampler,
                                                   "windows": a.windows})
        memory = {(b, n): child({"mode": "pass", "paths": writes[b]["paths"][:n], "workers": 2,
                                 "sampler": "random", "windows": a.windows})
                  for b in ("npy", "zarr") for n in sizes}
        index = child({"mode": "index", "paths": writes["npy"]["paths"], "stride": 0.1})
        train = {(b, w): child({"mode": "train", "paths": writes[b]["paths"], "workers": w,
                                "batch": 64, "steps": a.steps, "warmup": 5})
                 for b in ("npy", "zarr") for w in a.workers
                 if b == "npy" or w == max(a.workers)}
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    load1 = Path("/proc/loadavg").read_text().split()[:3]

    import numpy
    import torch
    say(f"Run {started}: `python benchmarks/cohort.py {' '.join(sys.argv[1:])}`. Machine: "
        f"{os.cpu_count()} CPU cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, "
        f"{platform.platform()}; Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"torch {torch.__version__}. Load average (1/5/15 min) at start {' / '.join(load0)}, "
        f"at end {' / '.join(load1)}.")
    say(f"SYNTHETIC cohort: {a.recordings} recordings x {a.hours:g} h; EMG 16 ch int16 at "
        f"2 kHz, IMU 6 ch, NIRS 4 ch, RR (float32); {raw / 1e9:.2f} GB uncompressed. "
        f"Disk (dd, 1 GiB): sequential write {mb(disk['dd_write'])} MB/s, cold read "
        f"{mb(disk['dd_read'])} MB/s.")
    say()
    say("| backend | write (s) | write MB/s (uncompressed) | ratio to dd write | on disk (GB) | "
        "disk / uncompressed |")
    say("|---|---:|---:|---:|---:|---:|")
    for b, wr in writes.items():
        rate = raw / wr["seconds_synced"]
        say(f"| {b} | {wr['seconds_synced']:.1f} | {mb(rate)} | {rate / disk['dd_write']:.2f}x "
            f"| {wr['disk_bytes'] / 1e9:.2f} | {wr['disk_bytes'] / raw:.2f} |")
    ref = passes["npy", "random", min(a.workers)]["warm"]["windows_per_s"]
    win_raw = sum(WINDOW_RAW.values())
    say()
    say(f"DataLoader passes ({a.windows} windows of the {passes['npy', 'random', 0]['index_windows']}"
        f", batch 256; ref = npy, random, warm, {min(a.workers)} workers). Read MB/s = windows/s x "
        f"stored bytes per window ({win_raw / 1e3:.0f} kB uncompressed; Zarr x its disk ratio).")
    say()
    say("| backend | sampler | workers | cold-ish windows/s | cold-ish read MB/s | ratio to dd "
        "read | warm windows/s | warm ratio to ref | first batch (s) |")
    say("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for (b, sampler, w), r in passes.items():
        ratio = writes[b]["disk_bytes"] / raw if b == "zarr" else 1.0
        cold_mb = r["cold"]["windows_per_s"] * win_raw * ratio
        say(f"| {b} | {sampler} | {w} | {r['cold']['windows_per_s']:,.0f} | {mb(cold_mb)} | "
            f"{cold_mb / disk['dd_read']:.2f}x | {r['warm']['windows_per_s']:,.0f} | "
            f"{r['warm']['windows_per_s'] / ref:.2f}x | {r['cold']['first_batch_s']:.2f} |")
    say()
    say("Peak anonymous memory (RssAnon, MB), 2 workers, random sampler. Worker after imports: "
        "its RssAnon in `worker_init_fn`, before it reopens the stores and reads a batch (a "
        "forked worker starts with the parent's imports and objects); of the pass (cold-ish or "
        "warm) with the higher worker peak. Goals (issue 14): worker peak flat in the number of "
        f"recordings (max/min over {'/'.join(map(str, sizes))} recordings <= {FLAT:.2f}) and "
        f"peak - imports <= {GROWTH_GOAL / 1e6:.0f} MB.")
    say()
    say("| backend | recordings | main after imports | main peak | worker after imports | "
        "worker peak (each) | worker peak - imports | goal check |")
    say("|---|---:|---:|---:|---:|---:|---:|---|")
    for (b, n), r in memory.items():
        mem = memory_row(r)
        peaks = [memory_row(memory[b, m])["peak"] for m in sizes]
        flat = max(peaks) / min(peaks)
        ok_flat, ok_growth = flat <= FLAT, mem["growth"] <= GROWTH_GOAL
        say(f"| {b} | {n} | {mb(r['anon_after_imports'])} | "
            f"{mb(max(r['cold']['peak_anon_main'], r['warm']['peak_anon_main']))} | "
            f"{mb(mem['imports'])} | {mb(mem['peak'])} | {mb(mem['growth'])} | "
            f"flat {flat:.2f} ({'met' if ok_flat else 'NOT met'}); growth "
            f"{mb(mem['growth'])} MB ({'met' if ok_growth else 'NOT met'}) |")
    per_m = 1e6 / index["windows"]
    say()
    say(f"Index (`make_windows`, 2 s windows, 0.1 s stride, npy cohort): {index['windows']:,} "
        f"windows in {index['seconds']:.2f} s = {index['seconds'] * per_m:.2f} s per million; "
        f"traced peak {mb(index['peak_traced'] * per_m)} MB and kept arrays "
        f"{mb(index['index_bytes'] * per_m)} MB per million windows.")
    say()
    say(f"Training the default CNN (`model=cnn`, plain AdamW loop, batch 64, {a.steps} steps "
        "after 5 warm-up, random sampler):")
    say()
    say("| backend | workers | windows/s | data wait share | step compute (ms) |")
    say("|---|---:|---:|---:|---:|")
    for (b, w), r in train.items():
        say(f"| {b} | {w} | {r['windows_per_s']:,.0f} | {100 * r['wait_share']:.1f} % | "
            f"{1e3 * r['compute_s'] / r['steps']:.0f} |")
    if a.out:
        from lbpnet.atomic import atomic_write_text
        atomic_write_text(a.out, "\n".join(lines) + "\n")
        with open(Path(a.out).with_suffix(".json"), "w") as f:
            json.dump({"disk": disk, "writes": {b: {k: v for k, v in w.items() if k != "paths"}
                                                for b, w in writes.items()},
                       "passes": {"/".join(map(str, k)): v for k, v in passes.items()},
                       "memory": {"/".join(map(str, k)): v for k, v in memory.items()},
                       "index": index, "train": {"/".join(map(str, k)): v
                                                 for k, v in train.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
