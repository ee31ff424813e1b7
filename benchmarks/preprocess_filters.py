"""Speed of the torch EMG filter chain against scipy on the CPU (and on CUDA when present).

The chain: zero-phase Butterworth band-pass 20-450 Hz (4th order), 50 Hz notch (Q 30),
full-wave rectification, 6 Hz linear envelope (4th-order zero-phase low-pass), i.e.
``conf/preprocess/emg_standard.yaml``. Reference: the same steps with
``scipy.signal.sosfiltfilt`` / ``filtfilt`` / ``numpy.abs`` in float64 on the CPU, in the same
process. The signal is **synthetic**: white noise (50 µV rms) plus a 50 Hz power-line tone,
16 channels at 2 kHz; filter cost does not depend on the values, only on their number.

Printed per configuration: best-of-``--repeats`` seconds of scipy and of torch, the ratio
``scipy_time / torch_time`` (> 1: torch is faster) and the max abs difference to scipy's
result (µV, and relative to max |x|). ``--device cuda`` times the GPU (data already on the
device, and including the copy from host memory); without CUDA it prints "no CUDA".

    python benchmarks/preprocess_filters.py [--minutes 60] [--threads 1 2] [--device cpu cuda]
                                            [--dtype float32 float64] [--repeats 3] [--group 16]
    python benchmarks/preprocess_filters.py --accuracy    # errors on REAL signals, no timing
"""

from __future__ import annotations

import argparse
import resource
import time
from functools import partial

import numpy as np
import torch
from scipy.signal import butter, filtfilt, iirnotch, sosfiltfilt

from lbpnet.preprocess import Butterworth, FilterChain, FullWaveRectify, LinearEnvelope, Notch

FS, CHANNELS = 2000.0, 16


def synthetic_emg(minutes: float, seed: int = 0) -> np.ndarray:
    """SYNTHETIC (channels, samples) float64 in µV: white noise + a 50 Hz tone."""
    n = int(round(minutes * 60 * FS))
    rng = np.random.default_rng(seed)
    line = 20.0 * np.sin(2 * np.pi * 50.0 * np.arange(n) / FS)
    return rng.standard_normal((CHANNELS, n)) * 50.0 + line


def scipy_chain(x: np.ndarray) -> np.ndarray:
    band = butter(4, [20.0, 450.0], btype="bandpass", fs=FS, output="sos")
    b, a = iirnotch(50.0, 30.0, fs=FS)
    low = butter(4, 6.0, fs=FS, output="sos")
    y = filtfilt(b, a, sosfiltfilt(band, x, axis=-1), axis=-1)
    return sosfiltfilt(low, np.abs(y), axis=-1)


def torch_chain() -> FilterChain:
    return FilterChain(FS, [partial(Butterworth, cutoff_hz=[20.0, 450.0], btype="bandpass",
                                    order=4),
                            partial(Notch, freq_hz=50.0, quality=30.0), FullWaveRectify(),
                            partial(LinearEnvelope, cutoff_hz=6.0, order=4, rectify=False)])


def accuracy_table() -> None:
    """Max abs difference to scipy (over max |x|) of each op on REAL signals, float64/float32."""
    from scipy.signal import resample_poly

    from lbpnet.datasets import load_hapt
    from lbpnet.datasets.biosignalsnotebooks import load_opensignals_sample
    from lbpnet.preprocess import ResamplePoly
    signals = {"emg_fatigue (EMG, 1 kHz)": load_opensignals_sample("emg_fatigue").streams["emg"],
               "ecg_5_min (ECG, 1 kHz)": load_opensignals_sample("ecg_5_min").streams["ecg"],
               "HAPT exp01 (IMU, 50 Hz)": load_hapt()[0].streams["imu"]}
    print("| signal | op | float64 | float32 |\n|---|---|---:|---:|")
    for name, stream in signals.items():
        x, fs = np.asarray(stream.data, np.float64).T, float(stream.sampling_rate)
        band, line, low = [min(20.0, fs / 10), min(450.0, 0.45 * fs)], min(50.0, fs / 4), \
            (6.0 if fs > 100 else 3.0)
        b, a = iirnotch(line, 30.0, fs=fs)
        resample = ResamplePoly(fs, 0.3 * fs)
        ops = [(f"band-pass {band[0]:g}-{band[1]:g} Hz (4th)", Butterworth(fs, band, "bandpass", 4),
                sosfiltfilt(butter(4, band, btype="bandpass", fs=fs, output="sos"), x)),
               (f"notch {line:g} Hz", Notch(fs, line), filtfilt(b, a, x)),
               (f"linear envelope {low:g} Hz (4th)", LinearEnvelope(fs, low),
                sosfiltfilt(butter(4, low, fs=fs, output="sos"), np.abs(x))),
               (f"resample to {0.3 * fs:g} Hz", resample,
                resample_poly(x, resample.up, resample.down, axis=-1))]
        for op_name, op, ref in ops:
            errs = [np.abs(op(torch.as_tensor(x, dtype=dt)[None])[0].double().numpy() - ref).max()
                    / np.abs(x).max() for dt in (torch.float64, torch.float32)]
            print(f"| {name} | {op_name} | {errs[0]:.1e} | {errs[1]:.1e} |")


def best_of(fn, repeats: int, sync=lambda: None) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        out = None
        sync()
        t0 = time.perf_counter()
        out = fn()
        sync()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="signal length (min)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="torch intra-op threads on the CPU (scipy uses one)")
    parser.add_argument("--device", nargs="+", default=["cpu"], choices=["cpu", "cuda"])
    parser.add_argument("--dtype", nargs="+", default=["float32", "float64"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--group", type=int, default=CHANNELS,
                        help="channels per call, for scipy and torch alike (bounds memory)")
    parser.add_argument("--accuracy", action="store_true",
                        help="print the accuracy table on real signals instead (no timing)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.accuracy:
        accuracy_table()
        return

    x = synthetic_emg(args.minutes)
    scale = float(np.abs(x).max())
    print(f"SYNTHETIC EMG: {CHANNELS} channels x {x.shape[1]} samples ({args.minutes:g} min at "
          f"{FS:g} Hz), band-pass 20-450 (4th) + notch 50 + rectify + 6 Hz envelope; "
          f"torch {torch.__version__}")
    groups = [slice(i, i + args.group) for i in range(0, CHANNELS, args.group)]

    def in_groups(fn, data):
        return [fn(data[g]) for g in groups]

    t_scipy, ref = best_of(lambda: np.concatenate(in_groups(scipy_chain, x)), args.repeats)
    print(f"scipy (CPU, float64, 1 thread): {t_scipy:.3f} s")
    chain = torch_chain()
    header = f"{'device':6} {'threads':>7} {'dtype':8} {'torch s':>8} {'ratio':>7} " \
             f"{'max|diff| uV':>13} {'rel. max|x|':>11}"
    print(header)
    print("-" * len(header))
    rows = []
    for device in args.device:
        if device == "cuda" and not torch.cuda.is_available():
            print("cuda   no CUDA: GPU not timed")
            continue
        for dtype in args.dtype:
            data = torch.as_tensor(x, dtype=getattr(torch, dtype))
            if device == "cpu":
                for threads in args.threads:
                    torch.set_num_threads(threads)
                    chain(data[None, :, :20000])                   # warm-up (kernel build)
                    t, out = best_of(lambda: torch.cat(in_groups(lambda d: chain(d[None])[0], data)),
                                     args.repeats)
                    rows.append(("cpu", threads, dtype, t, out.double().numpy()))
            else:
                gpu_chain = chain.to("cuda")
                on_device = data.to("cuda")
                gpu_chain(on_device[None, :, :20000])                # warm-up
                sync = torch.cuda.synchronize
                t, out = best_of(lambda: torch.cat(in_groups(lambda d: gpu_chain(d[None])[0],
                                                             on_device)), args.repeats, sync)
                rows.append(("cuda", "-", dtype, t, out.double().cpu().numpy()))
                t, _ = best_of(lambda: torch.cat(in_groups(
                    lambda d: gpu_chain(d[None].to("cuda"))[0].cpu(), data)), args.repeats, sync)
                rows.append(("cuda+copy", "-", dtype, t, None))
                chain = torch_chain()
            for device_name, threads, dt, t, out in rows:
                diff = np.abs(out - ref).max() if out is not None else float("nan")
                print(f"{device_name:6} {threads!s:>7} {dt:8} {t:8.3f} {t_scipy / t:7.2f} "
                      f"{diff:13.2e} {diff / scale:11.1e}")
            rows = []
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ratio = scipy_time / torch_time (> 1: torch faster); peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
