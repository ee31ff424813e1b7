"""The SYNTHETIC cohort of ``cohort.py``: writing it in each backend, its size, and the
disk's own sequential rates from ``dd`` (the physical limit of a cold read)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import numpy as np

EMG_RATE, EMG_CH, GAIN_UV = 2000.0, 16, 0.25       # EDF-like: 0.25 µV per count, ±8.2 mV
IMU_RATE, IMU_CH = 100.0, 6
NIRS_RATE, NIRS_CH = 10.0, 4
RR_RATE = 4.0
LABELS = ("standing", "sitting", "walking", "bending")
BLOCK_S = 600.0                                     # label blocks (s)
CHUNK = 1 << 20                                     # rows written at once


def emg_block(seed: int = 0) -> np.ndarray:
    """(CHUNK, 16) int16 counts of band-limited (20-450 Hz) noise, 30-90 µV rms: SYNTHETIC."""
    from scipy.signal import butter, sosfilt
    rng = np.random.default_rng(seed)
    sos = butter(4, [20, 450], btype="bandpass", fs=EMG_RATE, output="sos")
    x = sosfilt(sos, rng.standard_normal((EMG_CH, CHUNK)), axis=1)
    t = np.arange(CHUNK) / EMG_RATE
    amp = 60 + 30 * np.sin(2 * np.pi * 0.2 * t[None] + np.arange(EMG_CH)[:, None])
    x *= amp / x.std(axis=1, keepdims=True)
    return np.clip(np.rint(x / GAIN_UV), -32768, 32767).astype(np.int16).T.copy()


def annotations(duration: float):
    from lbpnet.recording.annotations import Annotations
    edges = np.concatenate([[0.0], np.arange(BLOCK_S + 0.5, duration, BLOCK_S), [duration]])
    return Annotations(edges[:-1], np.diff(edges),
                       [LABELS[i % len(LABELS)] for i in range(len(edges) - 1)])


def write_one(path: Path, backend: str, hours: float, index: int, block: np.ndarray) -> None:
    """Write recording ``index`` (EMG int16 counts + IMU, NIRS, RR float32) to ``path``."""
    from lbpnet.recording.store import RecordingWriter
    from lbpnet.recording.zarr_store import ZarrRecordingWriter
    duration = hours * 3600.0
    rng = np.random.default_rng(1000 + index)
    writer = RecordingWriter if backend == "npy" else ZarrRecordingWriter
    meta = {"synthetic": True, "generator": "benchmarks/cohort.py (repeated band-limited "
            "noise blocks, not a physiological signal)"}
    shift = int(rng.integers(CHUNK))
    rolled = np.roll(block, shift, axis=0)
    small = {"imu": (IMU_RATE, IMU_CH, "g"), "nirs": (NIRS_RATE, NIRS_CH, "%"),
             "rr": (RR_RATE, 1, "ms")}
    with writer(path, subject=f"synthetic-{index:03d}", session="1",
                annotations=annotations(duration), metadata=meta) as w:
        n = int(round(duration * EMG_RATE))
        out = w.create_stream("emg", n, EMG_RATE, [f"emg_{c:02d}" for c in range(EMG_CH)],
                              ["EMG"] * EMG_CH, ["uV"] * EMG_CH, dtype="int16",
                              gain=[GAIN_UV] * EMG_CH, offset=[0.0] * EMG_CH)
        for s in range(0, n, CHUNK):
            m = min(CHUNK, n - s)
            out[s:s + m] = rolled[:m]
        for name, (rate, ch, unit) in small.items():
            m = int(round(duration * rate))
            kind = {"imu": "ACCEL", "nirs": "NIRS", "rr": "RR"}[name]
            x = rng.standard_normal((m, ch)).astype(np.float32)
            if name == "rr":
                x = 800.0 + 50.0 * x
            a = w.create_stream(name, m, rate, [f"{name}_{c}" for c in range(ch)],
                                [kind] * ch, [unit] * ch)
            a[:] = x


def write_cohort(folder: Path, backend: str, n: int, hours: float) -> dict:
    """Write ``n`` recordings; return paths, seconds and bytes (apparent and on disk)."""
    folder.mkdir(parents=True, exist_ok=True)
    block = emg_block()
    suffix = ".lbp" if backend == "npy" else ".zarr"
    paths, t0 = [], time.perf_counter()
    for i in range(n):
        p = folder / f"sub-{i:03d}{suffix}"
        if not (p / ("recording.json" if backend == "npy" else "zarr.json")).exists():
            write_one(p, backend, hours, i, block)
        paths.append(str(p))
    seconds = time.perf_counter() - t0
    os.sync()
    seconds_synced = time.perf_counter() - t0
    return {"paths": paths, "seconds": seconds, "seconds_synced": seconds_synced,
            "apparent_bytes": sum(f.stat().st_size for f in stored_files(folder)),
            "disk_bytes": sum(f.stat().st_blocks * 512 for f in stored_files(folder))}


def stored_files(folder) -> list[Path]:
    """Every regular file under ``folder``."""
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def window_bytes(samples_per_window: dict) -> int:
    """Uncompressed stored bytes of one window (EMG int16, other streams float32)."""
    return sum(n * (2 if m == "emg" else 4) for m, n in samples_per_window.items())


def dd_rates(folder: Path, mib: int = 1024) -> dict:
    """Sequential write (``conv=fdatasync``) and cold read (after ``POSIX_FADV_DONTNEED``)
    of a ``mib`` MiB file with ``dd``, in bytes/s; the file is removed."""
    f = folder / "dd_probe.bin"

    def run(args):
        t0 = time.perf_counter()
        out = subprocess.run(args, capture_output=True, text=True, check=True)
        dt = time.perf_counter() - t0
        m = re.search(r"(\d+) bytes", out.stderr)
        return int(m.group(1)) / dt if m else float("nan")
    try:
        write = run(["dd", "if=/dev/zero", f"of={f}", "bs=4M", f"count={mib // 4}",
                     "conv=fdatasync"])
        fd = os.open(f, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
        read = run(["dd", f"if={f}", "of=/dev/null", "bs=4M"])
    finally:
        f.unlink(missing_ok=True)
    return {"dd_write": write, "dd_read": read}
