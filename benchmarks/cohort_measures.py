"""One measurement of ``cohort.py`` in a fresh process (``python cohort_measures.py JSON``;
prints one JSON line): a DataLoader pass, the index build, or training steps of the CNN.

Memory is ``RssAnon`` (anonymous memory, what grows if windows were copies) of this process
and, separately, of each DataLoader worker (psutil children), sampled every batch. Each
worker also records its own RssAnon in its ``worker_init_fn``, before it reopens the stores
and before its first batch (a forked worker starts with the parent's imports and objects:
its "after imports" baseline), and after reopening (``_record_worker_start``).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import time
import tracemalloc
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
import torch  # noqa: E402

from cohort_data import LABELS, stored_files  # noqa: E402

BATCH = 256


def rss_anon(pid: int | None = None) -> int:
    """RssAnon (bytes) of ``pid`` (default this process); 0 when unreadable."""
    try:
        for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def workers_anon() -> list[int]:
    return [rss_anon(c.pid) for c in psutil.Process().children(recursive=True)]


def open_cohort(paths, stride: float = 2.0):
    from lbpnet.recording.store import read_recording
    from lbpnet.windows import make_windows
    recs = [read_recording(p) for p in paths]
    return recs, make_windows(recs, 2.0, stride, classes=list(LABELS))


def drop_cache(paths) -> float:
    """``POSIX_FADV_DONTNEED`` on every stored file; return the bytes dropped."""
    total = 0
    for p in paths:
        for f in stored_files(p):
            fd = os.open(f, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                total += f.stat().st_size
            finally:
                os.close(fd)
    return total


def _record_worker_start(folder: str, worker_id: int) -> None:
    """``worker_init_fn``: RssAnon before and after reopening the stores, to ``folder``."""
    from lbpnet.windows.workers import open_in_worker
    before = rss_anon()
    open_in_worker(worker_id)
    after = rss_anon()
    Path(folder, f"worker{worker_id}.json").write_text(json.dumps(
        {"anon_after_imports": before, "anon_after_open": after}))


def worker_starts(folder: str) -> list[dict]:
    """What each worker wrote in :func:`_record_worker_start`."""
    return [json.loads(f.read_text()) for f in sorted(Path(folder).glob("worker*.json"))]


def loader(recs, index, workers: int, sampler: str, batch: int = BATCH,
           record: str | None = None):
    from lbpnet.windows import WindowDataset
    from lbpnet.windows.dataset import collate_windows
    from lbpnet.windows.samplers import RecordingLocalSampler
    from lbpnet.windows.workers import open_in_worker
    ds = WindowDataset(recs, index)
    init = functools.partial(_record_worker_start, record) if record else open_in_worker
    g = torch.Generator().manual_seed(0)
    smp = (RecordingLocalSampler(index, 60.0, 8, generator=g) if sampler == "recording_local"
           else torch.utils.data.RandomSampler(ds, generator=g))
    return torch.utils.data.DataLoader(ds, batch_size=batch, sampler=smp, num_workers=workers,
                                       collate_fn=collate_windows,
                                       worker_init_fn=init if workers else None,
                                       drop_last=False)


def _timed(dl, n_batches: int, record: str | None = None) -> dict:
    """One pass of ``n_batches`` batches: windows/s after the first batch, peak RssAnon
    (and, with ``record``, each worker's RssAnon after imports and after opening)."""
    peak_main, peak_worker = rss_anon(), 0
    t0 = time.perf_counter()
    it = iter(dl)
    next(it)
    first = time.perf_counter() - t0
    t1, n = time.perf_counter(), 0
    for b in islice(it, n_batches - 1):
        n += b["signals"]["emg"].shape[0]
        peak_main = max(peak_main, rss_anon())
        peak_worker = max([peak_worker, *workers_anon()])
    dt = time.perf_counter() - t1
    del it
    starts = worker_starts(record) if record else []
    return {"windows": n, "seconds": dt, "windows_per_s": n / dt if n else float("nan"),
            "first_batch_s": first,
            "peak_anon_main": peak_main, "peak_anon_worker": peak_worker,
            "worker_anon_after_imports": max((w["anon_after_imports"] for w in starts),
                                             default=0),
            "worker_anon_after_open": max((w["anon_after_open"] for w in starts), default=0)}


def loader_pass(a: dict) -> dict:
    """``a["windows"]`` windows through the DataLoader: a cold-ish pass (stored files
    dropped from the page cache first), then the same windows again (warm)."""
    base = rss_anon()
    t_open = time.perf_counter()
    recs, index = open_cohort(a["paths"])
    opened = time.perf_counter() - t_open
    n_batches = min(max(2, a["windows"] // BATCH), -(-len(index) // BATCH))
    dropped = drop_cache(a["paths"])
    with tempfile.TemporaryDirectory() as c, tempfile.TemporaryDirectory() as w:
        cold = _timed(loader(recs, index, a["workers"], a["sampler"], record=c), n_batches, c)
        warm = _timed(loader(recs, index, a["workers"], a["sampler"], record=w), n_batches, w)
    return {"cold": cold, "warm": warm, "open_s": opened, "index_windows": len(index),
            "dropped_bytes": dropped, "anon_after_imports": base}


def index_build(a: dict) -> dict:
    """Time and traced memory of ``make_windows`` at ``a["stride"]`` over the cohort."""
    from lbpnet.recording.store import read_recording
    from lbpnet.windows import make_windows
    recs = [read_recording(p) for p in a["paths"]]
    tracemalloc.start()
    t0 = time.perf_counter()
    index = make_windows(recs, 2.0, a["stride"], classes=list(LABELS))
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    kept = sum(v.nbytes for v in vars(index).values() if isinstance(v, np.ndarray))
    tracemalloc.stop()
    return {"windows": len(index), "seconds": dt, "peak_traced": peak, "index_bytes": kept}


def train_steps(a: dict) -> dict:
    """Plain training steps of the default CNN (``model=cnn``): share of time in ``next()``."""
    import tempfile

    from hydra.utils import instantiate

    from lbpnet.cli.compose import compose_train_config
    torch.manual_seed(0)
    recs, index = open_cohort(a["paths"])
    dl = loader(recs, index, a["workers"], "random", a["batch"])
    with tempfile.TemporaryDirectory() as tmp:
        cfg = compose_train_config(["model=cnn"], tmp)
    chans = {m: len(s.channel_names) for m, s in recs[0].streams.items()}
    model = instantiate(cfg.model, channels=chans, n_outputs=len(LABELS), _convert_="all")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    warm, steps = a["warmup"], a["steps"]
    wait = compute = 0.0
    def batches():                       # epochs back to back (a small cohort runs out)
        while True:
            yield from dl
    it = batches()
    t_start = None
    for i in range(warm + steps):
        t0 = time.perf_counter()
        if i == warm:
            t_start = t0
        batch = next(it)
        t1 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(batch["signals"]), batch["label"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        t2 = time.perf_counter()
        if i >= warm:
            wait += t1 - t0
            compute += t2 - t1
    total = time.perf_counter() - t_start
    del it
    return {"steps": steps, "batch": a["batch"], "seconds": total, "wait_s": wait,
            "compute_s": compute, "wait_share": wait / total,
            "windows_per_s": steps * a["batch"] / total}


if __name__ == "__main__":
    torch.set_num_threads(1)
    args = json.loads(sys.argv[1])
    fn = {"pass": loader_pass, "index": index_build, "train": train_steps}[args["mode"]]
    print(json.dumps(fn(args)))
