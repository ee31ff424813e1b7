"""Windowing speed and memory: lbpnet's memory-mapped store against a numpy reference.

What it measures (2 s windows, 1 s stride, batches of 256, every window of the
recording):

* **numpy in RAM** (the physical reference): the same windows copied out of an
  in-memory array, ``np.stack`` of slices then a contiguous ``(B, C, T)``
  transpose, for EMG and IMU. Every other rate is also printed as a ratio to it.
* **lbpnet** ``WindowDataset.__getitems__`` over the ``.lbp`` store opened with
  ``read_recording`` (memory-mapped), in shuffled and in sequential order, and
  through a ``torch`` ``DataLoader`` (``num_workers=0``, ``collate_windows``).
* **cold-ish cache**: the same lbpnet fetch after ``posix_fadvise(DONTNEED)`` on
  the stream files, in a fresh process; the page-cache residency (``mincore``)
  before the run is printed so the reader can see how cold it was.
* **peak RSS** of the lbpnet run on two recording lengths, each in its own process:
  ``VmHWM`` (= ``ru_maxrss``, counts file-backed pages of the memory map) and the
  peak of ``RssAnon`` (anonymous memory: the honest "does memory grow" number).
* **braindecode** (``--braindecode``): ``create_fixed_length_windows`` on an mne
  ``RawArray`` (in RAM) and on a FIF file opened lazily, run with
  ``/tmp/venv-bd/bin/python`` so this script never needs braindecode.

The recording is synthetic (a repeated random block; labelled ``synthetic`` in its
metadata): 16-channel EMG float32 at 2000 Hz and a 6-channel IMU at 100 Hz, written
chunk by chunk with :class:`lbpnet.recording.store.RecordingWriter` and cached in
``--tmp``. Timings on a shared machine are noisy: each rate is the best of
``--repeats`` passes. Nothing here asserts a timing; the script prints.

Usage::

    python benchmarks/windowing.py --hours 2 --compare-hours 1 [--braindecode]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_common import (BATCH, BD_PYTHON, EMG_CH, EMG_RATE, IMU_CH, IMU_RATE, LABELS, LENGTH_S,
                          STRIDE_S, batch_orders, best_of, build_recording, cached_fraction,
                          drop_cache, proc_status, run_pass, stream_files)
from windowing_braindecode import worker_braindecode

def open_lbpnet(path: Path):
    from lbpnet.recording.store import read_recording
    from lbpnet.windows.dataset import WindowDataset
    from lbpnet.windows.index import make_windows

    rec = read_recording(path)
    index = make_windows([rec], LENGTH_S, STRIDE_S, classes=list(LABELS),
                         label_policy="majority", anchor="recording", drop_unlabelled=True)
    expected = int(np.floor((rec.duration - LENGTH_S) / STRIDE_S + 1e-9)) + 1
    if len(index) != expected:
        print(f"# warning: {len(index)} labelled windows of {expected}", flush=True)
    return rec, index, WindowDataset([rec], index, modalities=["emg", "imu"])


def lbpnet_batches(ds, shuffled: bool):
    return lambda: (ds.__getitems__(b) for b in batch_orders(len(ds), shuffled))


def numpy_batches(arrays: dict, starts_s: np.ndarray, shuffled: bool, how: str = "stack"):
    """numpy copies of the same windows, per modality.

    ``stack``: np.stack of slices, then a contiguous (B, C, T) copy (the reference).
    ``loop``: a preallocated (B, C, T) array filled with ``a[s:s+n].T`` (one copy).
    ``plain``: a preallocated (B, T, C) array filled with ``a[s:s+n]``, no transpose
    (the memcpy bound; not the layout a model wants).
    """
    import torch
    rates = {"emg": EMG_RATE, "imu": IMU_RATE}
    first = {m: np.rint(starts_s * rates[m]).astype(np.int64) for m in arrays}
    size = {m: int(round(LENGTH_S * rates[m])) for m in arrays}

    def gen():
        for b in batch_orders(len(starts_s), shuffled):
            sig = {}
            for m, a in arrays.items():
                n, starts = size[m], first[m][b].tolist()
                if how == "stack":
                    stack = np.stack([a[s:s + n] for s in starts])               # (B, T, C)
                    out = np.ascontiguousarray(stack.transpose(0, 2, 1))         # (B, C, T)
                elif how == "loop":
                    out = np.empty((len(starts), a.shape[1], n), dtype=a.dtype)
                    for i, s in enumerate(starts):
                        out[i] = a[s:s + n].T
                else:
                    out = np.empty((len(starts), n, a.shape[1]), dtype=a.dtype)
                    for i, s in enumerate(starts):
                        out[i] = a[s:s + n]
                sig[m] = torch.from_numpy(out)
            yield {"signals": sig}
    return gen


# --------------------------------------------------------------------------- workers

def worker_throughput(args) -> dict:
    """Warm cache, one process: lbpnet (store) variants and the numpy reference."""
    import torch
    from torch.utils.data import DataLoader
    from lbpnet.windows.dataset import collate_windows

    path = Path(args.path)
    torch.set_num_threads(1)
    out = {"cached_fraction_before": cached_fraction(stream_files(path))}
    rec, index, ds = open_lbpnet(path)
    out["n_windows"] = len(ds)
    r = args.repeats
    # warm the page cache once (the file was just written or read; make it certain)
    run_pass(lbpnet_batches(ds, False)())
    out["cached_fraction_warm"] = cached_fraction(stream_files(path))
    out["lbpnet_getitems_shuffled"] = best_of(lbpnet_batches(ds, True), r)
    out["lbpnet_getitems_sequential"] = best_of(lbpnet_batches(ds, False), r)
    gen = torch.Generator().manual_seed(0)
    out["lbpnet_dataloader_shuffled"] = best_of(
        lambda: DataLoader(ds, batch_size=BATCH, shuffle=True, num_workers=0,
                           collate_fn=collate_windows, generator=gen), r)
    mm = {m: rec.streams[m].data for m in ("emg", "imu")}
    out["numpy_mmap_shuffled"] = best_of(numpy_batches(mm, index.start, True), r)
    t0 = time.perf_counter()
    ram = {m: np.array(rec.streams[m].data) for m in ("emg", "imu")}   # in-memory copy
    out["load_to_ram_s"] = time.perf_counter() - t0
    out["numpy_ram_shuffled"] = best_of(numpy_batches(ram, index.start, True), r)
    out["numpy_ram_sequential"] = best_of(numpy_batches(ram, index.start, False), r)
    out["numpy_ram_loop_shuffled"] = best_of(numpy_batches(ram, index.start, True, "loop"), r)
    out["numpy_ram_plain_shuffled"] = best_of(numpy_batches(ram, index.start, True, "plain"), r)
    # one more lbpnet pass after the reference, to see the drift of a noisy machine
    out["lbpnet_getitems_shuffled_again"] = best_of(lbpnet_batches(ds, True), r)
    return out


def worker_cold(args) -> dict:
    """Fresh process: evict the stream files from the page cache, then fetch once."""
    import torch
    torch.set_num_threads(1)
    path = Path(args.path)
    files = stream_files(path)
    out = {}
    for _round in range(2):     # interleaved: a VM's host may cache what the guest evicted
        for shuffled in (True, False):
            drop_cache(files)   # nothing of the store is mapped here: the kernel can evict it
            frac = cached_fraction(files)
            rec, index, ds = open_lbpnet(path)
            res = run_pass(lbpnet_batches(ds, shuffled)())
            res["cached_fraction_before"] = frac
            key = "lbpnet_cold_" + ("shuffled" if shuffled else "sequential")
            out.setdefault(key, {"passes": []})["passes"].append(res)
            del rec, index, ds
            gc.collect()        # unmap before the next eviction
    for r in out.values():      # the table shows the first pass and the range
        r.update(r["passes"][0])
        rates = [p["gb_per_s"] for p in r["passes"]]
        r["gb_per_s_range"] = (min(rates), max(rates))
        r["cached_fraction_before"] = max(p["cached_fraction_before"] for p in r["passes"])
    return out


def worker_rss(args) -> dict:
    """Fresh process: peak memory of an lbpnet shuffled pass over every window."""
    import torch
    torch.set_num_threads(1)
    base = proc_status()
    _, _, ds = open_lbpnet(Path(args.path))
    after_open = proc_status()
    res = run_pass(lbpnet_batches(ds, True)(), track_memory=True)
    end = proc_status()
    res.update(n_windows=len(ds), rss_after_imports=base.get("VmRSS", 0),
               rss_anon_after_imports=base.get("RssAnon", 0),
               rss_anon_after_open=after_open.get("RssAnon", 0),
               vm_hwm=end.get("VmHWM", 0),
               ru_maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return res


WORKERS = {"throughput": worker_throughput, "cold": worker_cold, "rss": worker_rss,
           "braindecode": worker_braindecode}


def spawn(kind: str, path: Path, args, python: str = sys.executable) -> dict:
    cmd = [python, __file__, "--worker", kind, "--path", str(path), "--tmp", str(args.tmp),
           "--repeats", str(args.repeats), "--bd-limit", str(args.bd_limit)]
    cmd += ["--bd-mode", args.bd_mode]
    print(f"# running {kind} on {path.name} ...", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report

def table(tp: dict, cold: dict, rss: dict, bd: dict | None, args) -> str:
    ref = tp["numpy_ram_shuffled"]
    best = max((tp["numpy_ram_shuffled"], tp["numpy_ram_loop_shuffled"]),
               key=lambda r: r["gb_per_s"])
    mb = lambda b: f"{b / 2**20:.0f}"
    rows = []

    def row(name, r, rss_mb="", notes=""):
        if r is None or "windows_per_s" not in r:
            rows.append(f"| {name} | – | – | – | – | {rss_mb} | {notes} |")
            return
        ratio, ratio_best = r["gb_per_s"] / ref["gb_per_s"], r["gb_per_s"] / best["gb_per_s"]
        rows.append(f"| {name} | {r['windows_per_s']:,.0f} | {r['gb_per_s']:.2f} | "
                    f"{ratio:.2f}× | {ratio_best:.2f}× | {rss_mb} | {notes} |")

    h = args.hours
    row(f"numpy in RAM, shuffled (reference, {h:g} h)", ref, "",
        "np.stack of slices + contiguous (B,C,T); EMG+IMU")
    row("numpy in RAM, sequential", tp["numpy_ram_sequential"], "", "np.stack")
    row("numpy in RAM, shuffled, preallocated `out[b] = a[s:s+n].T`",
        tp["numpy_ram_loop_shuffled"], "", "one copy, same layout")
    row("numpy in RAM, shuffled, plain copy, no transpose", tp["numpy_ram_plain_shuffled"],
        "", "memcpy bound, (B,T,C) layout")
    row("numpy on the memory-mapped .npy, shuffled", tp["numpy_mmap_shuffled"], "",
        "same code, warm page cache")
    rs = rss.get(h, {})
    rss_note = (f"RssAnon peak {mb(rs.get('peak_rss_anon', 0))} MB, "
                f"RssFile peak {mb(rs.get('peak_rss_file', 0))} MB") if "vm_hwm" in rs else ""
    row("lbpnet store `__getitems__`, shuffled", tp["lbpnet_getitems_shuffled"],
        mb(rs["vm_hwm"]) if "vm_hwm" in rs else "",
        f"warm cache ({tp['cached_fraction_warm']:.0%} resident); " + rss_note)
    row("lbpnet store `__getitems__`, shuffled (re-run after reference)",
        tp["lbpnet_getitems_shuffled_again"], "", "machine drift check")
    row("lbpnet store `__getitems__`, sequential", tp["lbpnet_getitems_sequential"], "",
        "warm cache")
    row("lbpnet store, DataLoader(num_workers=0, collate_windows), shuffled",
        tp["lbpnet_dataloader_shuffled"], "", "warm cache")
    for k in ("shuffled", "sequential"):
        c = cold.get(f"lbpnet_cold_{k}")
        note = ("cold-ish: posix_fadvise DONTNEED, ≤"
                f"{c['cached_fraction_before']:.0%} of pages resident before; first pass shown, "
                f"{len(c['passes'])} passes ranged {c['gb_per_s_range'][0]:.2f}–"
                f"{c['gb_per_s_range'][1]:.2f} GB/s (host may cache the VM disk)" if c else
                cold.get("error", "not run"))
        row(f"lbpnet store `__getitems__`, {k}, cold-ish", c, "", note)
    for mode, label in (("ram", "RawArray (preload, float64 in RAM)"),
                        ("lazy", "FIF preload=False (float32 file)")):
        r = (bd or {}).get(mode)
        if r is None:
            continue
        name = f"braindecode {label} + DataLoader, shuffled, {args.bd_hours:g} h"
        if "error" in r:
            rows.append(f"| {name} | – | – | – | – | – | failed: {r['error']} |")
            continue
        v = f"braindecode {r['braindecode_version']}, mne {r['mne_version']}; " \
            if mode == "ram" else ""
        if mode == "ram" and r.get("torchaudio", "real") != "real":
            v += "torchaudio wheel does not load with torch 2.13 CPU: stubbed (unused by windowing); "
        row(name, r["result"], mb(r["ru_maxrss"]),
            f"{v}EMG only (one rate per Raw), {r['result']['windows']} of {r['n_windows']} "
            f"windows; ratios by GB/s; own process")
    head = ("| method | windows/s | GB/s | ratio to numpy np.stack (ref) | "
            "ratio to best numpy in RAM | peak RSS (MB) | notes |\n"
            "|---|---:|---:|---:|---:|---:|---|")
    mem = ["", "Peak memory of the lbpnet shuffled pass over every window, one process each:", "",
           "| recording | windows | VmHWM = ru_maxrss (MB) | peak RssAnon (MB) | "
           "RssAnon after imports (MB) | peak RssFile (MB) |", "|---|---:|---:|---:|---:|---:|"]
    for hours, r in sorted(rss.items()):
        if "vm_hwm" not in r:
            mem.append(f"| {hours:g} h | – | – | – | – | failed: {r.get('error')} |")
            continue
        mem.append(f"| {hours:g} h | {r['n_windows']} | {mb(r['vm_hwm'])} | "
                   f"{mb(r['peak_rss_anon'])} | {mb(r['rss_anon_after_imports'])} | "
                   f"{mb(r['peak_rss_file'])} |")
    return "\n".join([head, *rows, *mem])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hours", type=float, default=2.0, help="recording for the throughput runs")
    p.add_argument("--compare-hours", type=float, default=1.0,
                   help="second length for the peak-RSS comparison")
    p.add_argument("--tmp", default=str(Path(tempfile.gettempdir()) / "lbpnet-bench-windowing"))
    p.add_argument("--repeats", type=int, default=5, help="passes per rate; the best is kept")
    p.add_argument("--braindecode", action="store_true",
                   help=f"also time braindecode with {BD_PYTHON}")
    p.add_argument("--bd-hours", type=float, default=None,
                   help="recording for braindecode (default: --compare-hours)")
    p.add_argument("--bd-limit", type=int, default=10**9,
                   help="at most this many braindecode windows per pass")
    p.add_argument("--bd-lazy", action=argparse.BooleanOptionalAction, default=True,
                   help="also time braindecode lazily from a FIF file")
    p.add_argument("--bd-mode", choices=("ram", "lazy"), default="ram", help=argparse.SUPPRESS)
    p.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return
    args.tmp = Path(args.tmp)
    args.bd_mode = "ram"
    args.tmp.mkdir(parents=True, exist_ok=True)
    args.bd_hours = args.compare_hours if args.bd_hours is None else args.bd_hours
    main_path = build_recording(args.tmp, args.hours)
    paths = {args.hours: main_path, args.compare_hours: build_recording(args.tmp,
                                                                        args.compare_hours)}
    cold = spawn("cold", main_path, args)
    rss = {h: spawn("rss", p_, args) for h, p_ in sorted(paths.items())}
    tp = spawn("throughput", main_path, args)
    if "error" in tp:
        raise SystemExit(f"throughput worker failed: {tp['error']}")
    bd = None
    if args.braindecode:
        if not Path(BD_PYTHON).is_file():
            bd = {"error": f"{BD_PYTHON} not found (python -m venv /tmp/venv-bd && "
                           f"/tmp/venv-bd/bin/pip install torch==2.13.0 braindecode)"}
        else:
            bd_path = build_recording(args.tmp, args.bd_hours)
            args.bd_mode = "ram"
            bd = {"ram": spawn("braindecode", bd_path, args, python=BD_PYTHON)}
            if args.bd_lazy and "error" not in bd["ram"]:
                args.bd_mode = "lazy"
                bd["lazy"] = spawn("braindecode", bd_path, args, python=BD_PYTHON)
    print()
    print(f"Synthetic recording: {EMG_CH}-ch EMG float32 @ {EMG_RATE:g} Hz + {IMU_CH}-ch IMU @ "
          f"{IMU_RATE:g} Hz; {LENGTH_S:g} s windows, {STRIDE_S:g} s stride, batch {BATCH}; "
          f"{tp['n_windows']} windows per pass ({args.hours:g} h); best of {args.repeats}; "
          f"torch threads 1.")
    print()
    print(table(tp, cold, rss, bd, args))
    print()
    print("# raw results:", json.dumps({"throughput": tp, "cold": cold,
                                       "rss": {str(k): v for k, v in rss.items()}, "bd": bd}))


if __name__ == "__main__":
    main()
