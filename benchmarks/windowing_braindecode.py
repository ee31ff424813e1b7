"""The braindecode side of ``windowing.py``: runs under ``/tmp/venv-bd/bin/python``
(``--worker braindecode``), never imported where braindecode is missing."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

from bench_common import BATCH, EMG_CH, EMG_RATE, LENGTH_S, STRIDE_S, best_of, run_pass


def _stub_torchaudio_if_broken() -> str:
    """braindecode imports torchaudio at import time (for its models only). When the
    installed torchaudio cannot load (a wheel built for another torch), put a stub in
    ``sys.modules`` whose every attribute raises when used; windowing never touches it."""
    try:
        import torchaudio  # noqa: F401
        return "real"
    except Exception as err:  # noqa: BLE001 - any load failure
        import types

        class _Unavailable:
            def __init__(self, *a, **k):
                raise RuntimeError("torchaudio stub (benchmark): the real one failed to load")

        for name in ("torchaudio", "torchaudio.functional", "torchaudio.transforms"):
            for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
                sys.modules.pop(key, None)
            mod = types.ModuleType(name)
            mod.__getattr__ = lambda attr: _Unavailable
            sys.modules[name] = mod
        sys.modules["torchaudio"].functional = sys.modules["torchaudio.functional"]
        sys.modules["torchaudio"].transforms = sys.modules["torchaudio.transforms"]
        return f"stubbed ({type(err).__name__}: {str(err)[:80]})"


def worker_braindecode(args) -> dict:
    """Runs under /tmp/venv-bd: braindecode windows over the same EMG (no lbpnet import)."""
    torchaudio_state = _stub_torchaudio_if_broken()
    import logging
    import warnings
    import mne
    import pandas as pd
    import torch
    import braindecode
    from braindecode.datasets import BaseConcatDataset, RawDataset
    from braindecode.preprocessing import create_fixed_length_windows
    from torch.utils.data import DataLoader

    warnings.filterwarnings("ignore")
    mne.set_log_level("ERROR")
    logging.getLogger("braindecode").setLevel(logging.ERROR)
    torch.set_num_threads(1)
    path = Path(args.path)
    out = {"braindecode_version": braindecode.__version__, "mne_version": mne.__version__,
           "torchaudio": torchaudio_state}
    emg = np.load(path / "emg.npy", mmap_mode="r")
    info = mne.create_info([f"emg_{i:02d}" for i in range(EMG_CH)], EMG_RATE, ch_types="emg")
    win, step = int(LENGTH_S * EMG_RATE), int(STRIDE_S * EMG_RATE)

    def windows(raw):
        ds = BaseConcatDataset([RawDataset(raw, pd.Series({"subject": "synthetic-01"}),
                                            target_name=None)])
        t0 = time.perf_counter()
        wds = create_fixed_length_windows(ds, start_offset_samples=0, stop_offset_samples=None,
                                          window_size_samples=win, window_stride_samples=step,
                                          drop_last_window=True, preload=False)
        return wds, time.perf_counter() - t0

    def loader_pass(wds, limit):
        """Best of ``--repeats`` shuffled passes (at most ``limit`` windows), after a warm-up."""
        gen = torch.Generator().manual_seed(0)
        dl = DataLoader(wds, batch_size=BATCH, shuffle=True, num_workers=0, generator=gen)

        def batches(limit=limit):
            for i, (x, *_rest) in enumerate(dl):
                if i * BATCH >= limit:
                    break
                yield {"signals": {"emg": x}}
        run_pass(batches(BATCH))
        return best_of(batches, args.repeats)

    fif = Path(args.tmp) / f"{path.stem}_emg_raw.fif"
    if args.bd_mode == "ram":
        t0 = time.perf_counter()
        raw = mne.io.RawArray(np.ascontiguousarray(emg.T), info)       # float64 in RAM
        out["rawarray_build_s"] = time.perf_counter() - t0
        wds, out["windows_build_s"] = windows(raw)
        out["n_windows"] = len(wds)
        out["result"] = loader_pass(wds, args.bd_limit)
        out["result"]["x_dtype"] = str(wds[0][0].dtype)
        if not fif.is_file():   # for the lazy run, in its own process
            t0 = time.perf_counter()
            raw.save(fif, fmt="single", overwrite=True, split_size="2GB")
            out["fif_write_s"] = time.perf_counter() - t0
    else:
        lazy = mne.io.read_raw_fif(fif, preload=False)
        wds, out["windows_build_s"] = windows(lazy)
        out["n_windows"] = len(wds)
        out["result"] = loader_pass(wds, args.bd_limit)
    out["ru_maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out
