"""Training throughput on one device: the default CNN and the patch Transformer, bf16
autocast, with and without ``torch.compile``.

For each experiment (``hapt_activity_cnn``: the CNN; ``hapt_activity``: the patch
Transformer; REAL UCI HAPT windows) and each mode, a plain AdamW loop (the
``training_throughput.py`` reference loop: no schedule, no augmentation) runs ``--warmup``
steps (compilation included), then ``--steps`` timed steps. Printed per run: windows/s over
the timed steps, the share of that time spent in the loader's ``next()`` and the host-to-
device copy (data wait), GPU utilisation (``torch.cuda.utilization``, NVML, sampled every
50 ms; "-" on CPU) and the compile/warm-up time. One JSON line per run goes to ``--json``.

    python benchmarks/gpu_training.py [--device cuda] [--steps 100] [--warmup 20] \
        [--workers 2] [--experiments hapt_activity_cnn hapt_activity] [--json FILE]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))


def setup(experiment: str, workers: int):
    """(datamodule, task) with the standardiser fitted once (no schedule/augment/weights)."""
    from lbpnet.cli.compose import fitted_datamodule
    from lbpnet.cli.train import build_task
    cfg, dm = fitted_datamodule([f"experiment={experiment}", "task.scheduler=null",
                                 "task.augment=null", "task.class_weights=null",
                                 "task.fit_standardizer=false",
                                 f"data.module.num_workers={workers}"],
                                prefix="lbpnet-gpu-training-")
    task = build_task(cfg, dm)
    for m, (mean, std) in dm.channel_stats().items():
        task.model.standardize[m].fit(mean, std)
    return dm, task


class Utilisation(threading.Thread):
    """Samples ``torch.cuda.utilization()`` (%) every 50 ms until stopped."""

    def __init__(self, device: str) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.ok = device.startswith("cuda")
        self.halt = threading.Event()

    def run(self) -> None:
        while self.ok and not self.halt.is_set():
            try:
                self.samples.append(float(torch.cuda.utilization()))
            except Exception:  # noqa: BLE001 - NVML missing: report "-"
                self.ok = False
            time.sleep(0.05)


def to_device(batch, device):
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch.to(device, non_blocking=True) if torch.is_tensor(batch) else batch


def run(dm, task, device: str, compiled: bool, steps: int, warmup: int) -> dict:
    model = copy.deepcopy(task.model).to(device).train()
    hp = task.hparams
    opt = torch.optim.AdamW(model.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
    fwd = torch.compile(model) if compiled else model
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)

    def batches():
        while True:
            yield from dm.train_dataloader()
    it = batches()
    wait = 0.0
    util = Utilisation(device)
    t_warm = time.perf_counter()
    for i in range(warmup + steps):
        if i == warmup:
            sync()
            t0, wait = time.perf_counter(), 0.0
            if util.ok:
                util.start()
        tw = time.perf_counter()
        batch = to_device(next(it), device)
        wait += time.perf_counter() - tw
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16):
            logits = fwd(batch["signals"])
            loss = torch.nn.functional.cross_entropy(logits.float(), batch["label"],
                                                     label_smoothing=hp.label_smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i == warmup - 1:
            sync()
            warm_s = time.perf_counter() - t_warm
    sync()
    total = time.perf_counter() - t0
    util.halt.set()
    return {"windows_per_s": steps * dm.batch_size / total, "wait_share": wait / total,
            "gpu_util": statistics.mean(util.samples) if util.samples else None,
            "warmup_s": warm_s, "seconds": total, "loss": float(loss.detach())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--experiments", nargs="+", default=["hapt_activity_cnn", "hapt_activity"])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--modes", nargs="+", default=["eager", "compile"])
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    torch.manual_seed(0)
    name = torch.cuda.get_device_name() if a.device.startswith("cuda") else "CPU"
    print(f"device {a.device} ({name}), torch {torch.__version__}, bf16 autocast, "
          f"{a.warmup} warm-up + {a.steps} timed steps, {a.workers} loader workers")
    print("| model | mode | windows/s | data wait | GPU util | warm-up incl. compile (s) |")
    print("|---|---|---:|---:|---:|---:|")
    rows = []
    for exp in a.experiments:
        dm, task = setup(exp, a.workers)
        for mode in a.modes:
            try:
                r = run(dm, task, a.device, mode == "compile", a.steps, a.warmup)
            except Exception as exc:  # noqa: BLE001 - e.g. no C++ compiler for inductor
                r = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"}
            r.update(experiment=exp, model=type(task.model).__name__, mode=mode,
                     batch=dm.batch_size, device=a.device)
            rows.append(r)
            if "error" in r:
                print(f"| {exp} | {mode} | failed: {r['error']} | | | |", flush=True)
                continue
            util = "-" if r["gpu_util"] is None else f"{r['gpu_util']:.0f} %"
            print(f"| {exp} ({r['model']}) | {mode} | {r['windows_per_s']:,.0f} | "
                  f"{100 * r['wait_share']:.1f} % | {util} | {r['warmup_s']:.1f} |", flush=True)
    if a.json:
        Path(a.json).write_text("\n".join(json.dumps(r) for r in rows) + "\n")


if __name__ == "__main__":
    main()
