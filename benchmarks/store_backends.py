"""Store backends: bytes on disk and window read speed, memory-mapped ``.npy`` vs Zarr v3.

One SYNTHETIC recording (``--minutes``; 16-channel EMG at 2 kHz and a 6-channel IMU at
100 Hz) is written in four forms: ``.npy`` float32 (the previous store), ``.npy`` int16
counts, Zarr float32 and Zarr int16 (Blosc/zstd level 3, byte shuffle, 8192-row chunks).
The EMG is Gaussian noise band-limited by a 4th-order 20-450 Hz band-pass, amplitude
modulated (30-90 µV rms, 0.2 Hz), quantised with an EDF-like gain of 0.25 µV per count
(±8.2 mV range): the low bits are noise, so compression ratios on real EMG may differ.

For each form it prints the write time, bytes on disk, and windows/s of
``WindowDataset.__getitems__`` (2 s windows, 1 s stride, batches of 256) in shuffled and
in recording-local order (:mod:`lbpnet.windows.samplers`, 60 s chunks, 8 per buffer), best
of ``--repeats`` passes on a warm page cache, with the ratio to ``.npy`` float32. The page
cache is never dropped (the machine is shared); cold reads are not measured here.

Usage::

    python benchmarks/store_backends.py --minutes 20 --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.scaled import ScaledArray
from lbpnet.recording.store import read_recording, write_recording
from lbpnet.windows import WindowDataset, make_windows
from lbpnet.windows.samplers import recording_local_order

GAIN_UV = 0.25


def synthetic(minutes: float, seed: int = 0) -> Recording:
    """The SYNTHETIC recording described in the module docstring (counts in RAM)."""
    from scipy.signal import butter, sosfilt
    rng = np.random.default_rng(seed)
    n = int(minutes * 60 * 2000)
    sos = butter(4, [20, 450], btype="bandpass", fs=2000, output="sos")
    t = np.arange(n) / 2000.0
    counts = np.empty((n, 16), dtype=np.int16)
    for c in range(16):
        x = sosfilt(sos, rng.standard_normal(n))
        x *= (60 + 30 * np.sin(2 * np.pi * 0.2 * t + c)) / x.std()
        counts[:, c] = np.clip(np.rint(x / GAIN_UV), -32768, 32767)
    emg = Stream("emg", ScaledArray(counts, np.full(16, GAIN_UV), np.zeros(16)), 2000.0,
                 [f"emg_{c:02d}" for c in range(16)], ["EMG"] * 16, ["uV"] * 16)
    imu = Stream("imu", rng.standard_normal((n // 20, 6)).astype(np.float32), 100.0,
                 [f"imu_{c}" for c in range(6)], ["ACCEL"] * 3 + ["GYRO"] * 3,
                 ["g"] * 3 + ["rad/s"] * 3)
    return Recording({"emg": emg, "imu": imu}, Annotations([0.0], [minutes * 60.0], ["walk"]),
                     subject="synthetic-01", metadata={"synthetic": True})


def as_float(rec: Recording) -> Recording:
    emg = rec.streams["emg"]
    return Recording({**rec.streams, "emg": Stream("emg", np.asarray(emg.data), 2000.0,
                                                   emg.channel_names, emg.channel_types,
                                                   emg.units)},
                     rec.annotations, subject=rec.subject, metadata=rec.metadata)


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def windows_per_s(rec: Recording, order: np.ndarray, repeats: int, batch: int = 256) -> float:
    index = make_windows([rec], 2.0, 1.0, classes=["walk"])
    ds = WindowDataset([rec], index)
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for first in range(0, len(order), batch):
            ds.__getitems__(order[first:first + batch])
        best = min(best, time.perf_counter() - t0)
    return len(order) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    tmp = Path(tempfile.mkdtemp(dir=args.tmp))
    counts = synthetic(args.minutes)
    forms = {"npy float32": (as_float(counts), "a.lbp"), "npy int16": (counts, "b.lbp"),
             "zarr float32": (as_float(counts), "c.zarr"), "zarr int16": (counts, "d.zarr")}
    n_windows = len(make_windows([counts], 2.0, 1.0, classes=["walk"]))
    shuffled = np.random.default_rng(1).permutation(n_windows)
    index = make_windows([counts], 2.0, 1.0, classes=["walk"])
    local = recording_local_order(index, np.random.default_rng(1), 60.0, 8)
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, "
          f"{args.minutes:g} min synthetic (16 ch EMG 2 kHz + 6 ch IMU 100 Hz), "
          f"{n_windows} windows, torch {torch.__version__}, best of {args.repeats}")
    rows = []
    for name, (rec, file) in forms.items():
        t0 = time.perf_counter()
        path = write_recording(rec, tmp / file)
        write_s = time.perf_counter() - t0
        back = read_recording(path)
        rows.append((name, write_s, disk_bytes(path), windows_per_s(back, shuffled, args.repeats),
                     windows_per_s(back, local, args.repeats)))
    ref = rows[0]
    print("| store | write s | MB on disk | vs npy float32 | shuffled windows/s | ratio | "
          "recording-local windows/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, write_s, size, shuf, loc in rows:
        print(f"| {name} | {write_s:.2f} | {size / 1e6:.1f} | {size / ref[2]:.2f} | "
              f"{shuf:.0f} | {shuf / ref[3]:.2f} | {loc:.0f} | {loc / ref[4]:.2f} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
