"""Shared pieces of the windowing benchmarks: the synthetic recording, memory and
page-cache probes, and the timed pass over batches (see ``windowing.py``)."""

from __future__ import annotations

import ctypes
import mmap
import os
import time
from pathlib import Path

import numpy as np

EMG_RATE, EMG_CH = 2000.0, 16
IMU_RATE, IMU_CH = 100.0, 6
LENGTH_S, STRIDE_S, BATCH = 2.0, 1.0, 256
LABELS = ("standing", "sitting", "walking", "bending")
BLOCK_S = 600.0  # annotation blocks (s); boundaries at +0.5 s so no 2 s window is a tie
BD_PYTHON = "/tmp/venv-bd/bin/python"


# --------------------------------------------------------------------------- data

def recording_path(tmp: Path, hours: float) -> Path:
    return tmp / f"synthetic_{hours:g}h.lbp"


def build_recording(tmp: Path, hours: float, seed: int = 0) -> Path:
    """Write (once) the synthetic recording of ``hours``; return its ``.lbp`` path."""
    from lbpnet.recording.annotations import Annotations
    from lbpnet.recording.store import RecordingWriter

    path = recording_path(tmp, hours)
    if (path / "recording.json").is_file():
        return path
    duration = hours * 3600.0
    n_emg, n_imu = int(round(duration * EMG_RATE)), int(round(duration * IMU_RATE))
    edges = np.concatenate([[0.0], np.arange(BLOCK_S + 0.5, duration, BLOCK_S), [duration]])
    ann = Annotations(edges[:-1], np.diff(edges),
                      [LABELS[i % len(LABELS)] for i in range(len(edges) - 1)])
    rng = np.random.default_rng(seed)
    chunk = 1 << 20
    emg_block = rng.standard_normal((chunk, EMG_CH), dtype=np.float32) * 50.0  # µV-ish
    imu_block = rng.standard_normal((chunk, IMU_CH), dtype=np.float32)
    t0 = time.perf_counter()
    with RecordingWriter(path, subject="synthetic-01", session="bench",
                         annotations=ann,
                         metadata={"synthetic": True,
                                   "generator": "benchmarks/windowing.py (repeated random "
                                                "block, not a physiological signal)"}) as w:
        for name, n, rate, ch, block, unit in (
                ("emg", n_emg, EMG_RATE, EMG_CH, emg_block, "uV"),
                ("imu", n_imu, IMU_RATE, IMU_CH, imu_block, "g")):
            out = w.create_stream(name, n, rate, [f"{name}_{i:02d}" for i in range(ch)],
                                  [name] * ch, [unit] * ch)
            for start in range(0, n, chunk):
                m = min(chunk, n - start)
                out[start:start + m] = block[:m]
    print(f"# wrote {path} ({hours:g} h, {disk_usage(path) / 1e9:.2f} GB) in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    return path


def disk_usage(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir())


def stream_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.npy"))


# --------------------------------------------------------------------------- memory

def proc_status() -> dict[str, int]:
    """``/proc/self/status`` memory fields in bytes (Linux); empty elsewhere."""
    out = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, val = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(val.split()[0]) * 1024
    except OSError:
        pass
    return out


def drop_cache(files: list[Path]) -> None:
    """Ask the kernel to evict ``files`` from the page cache (clean pages only)."""
    for f in files:
        fd = os.open(f, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def cached_fraction(files: list[Path]) -> float:
    """Fraction of the pages of ``files`` resident in the page cache (``mincore``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    resident = total = 0
    for f in files:
        size = f.stat().st_size
        if size == 0:
            continue
        with open(f, "rb") as fh:
            mm = mmap.mmap(fh.fileno(), 0, prot=mmap.PROT_READ)
        view = np.frombuffer(mm, dtype=np.uint8)
        n = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
        vec = (ctypes.c_ubyte * n)()
        if libc.mincore(ctypes.c_void_p(view.ctypes.data), ctypes.c_size_t(size), vec) != 0:
            del view
            mm.close()
            return float("nan")
        resident += int((np.frombuffer(vec, dtype=np.uint8) & 1).sum())
        total += n
        del view
        mm.close()
    return resident / max(total, 1)


# --------------------------------------------------------------------------- timing

def run_pass(batches, track_memory: bool = False) -> dict:
    """Consume an iterable of batches ``{"signals": {m: tensor}}``; time it."""
    n = nbytes = 0
    peak_anon = peak_file = 0
    t0 = time.perf_counter()
    for batch in batches:
        sig = batch["signals"] if isinstance(batch, dict) else batch
        for x in sig.values():
            nbytes += x.numel() * x.element_size()
        n += next(iter(sig.values())).shape[0]
        if track_memory:
            st = proc_status()
            peak_anon = max(peak_anon, st.get("RssAnon", 0))
            peak_file = max(peak_file, st.get("RssFile", 0))
    dt = time.perf_counter() - t0
    out = {"windows": n, "bytes": nbytes, "seconds": dt,
           "windows_per_s": n / dt, "gb_per_s": nbytes / dt / 1e9}
    if track_memory:
        out.update(peak_rss_anon=peak_anon, peak_rss_file=peak_file)
    return out


def best_of(make_batches, repeats: int) -> dict:
    runs = [run_pass(make_batches()) for _ in range(repeats)]
    best = max(runs, key=lambda r: r["windows_per_s"])
    best["all_windows_per_s"] = [round(r["windows_per_s"]) for r in runs]
    return best


def batch_orders(n: int, shuffled: bool, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n) if shuffled else np.arange(n)
    return [order[i:i + BATCH] for i in range(0, n, BATCH)]
