"""Speed of every registered architecture, measured one after another in this one process.

    python experiments/architecture_benchmark/measure.py OUT.json [ARCH ...]

For each task (HAPT: ``experiment=hapt_activity seed=0``; SYNTHETIC strategy detection:
``experiment=synthetic_strategy``) the windows and split are built once, then for each
architecture (``model=<name>``) the model and loss come from ``lbpnet-train``'s own
``build_task`` and are timed on real training batches (batch size of the experiment):

- ``train_s_per_epoch``: median time of one optimisation step (forward, loss, backward,
  AdamW) over ``STEPS`` steps after ``WARMUP``, times the steps of one epoch — model
  compute only, batches are loaded before the clock starts;
- ``inference_windows_per_s``: windows of the test side per second in eval mode, no grad,
  batches of 256, best of ``REPEATS`` passes over up to ``INFER_WINDOWS`` windows;
- ``parameters`` and each modality's ``receptive_field`` (samples; None: the whole window).

One thread (``torch.set_num_threads(1)``), CPU. On a shared machine the absolute numbers
move with the load; the ratios between architectures measured here are the point.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import torch

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.compose import compose_train_config, fitted_datamodule
from lbpnet.cli.train import build_task
from lbpnet.models.registry import ENCODERS

TASKS = {"hapt": ["experiment=hapt_activity", "seed=0"],
         "synthetic": ["experiment=synthetic_strategy"]}
WARMUP, STEPS, REPEATS, INFER_WINDOWS = 2, 10, 2, 512


def _target(batch: dict) -> torch.Tensor:
    return batch["targets"] if "targets" in batch else batch["label"]


def _batches(loader, n: int) -> list[dict]:
    out = []
    for batch in loader:
        out.append(batch)
        if len(out) >= n:
            break
    return out


def measure_one(overrides: list[str], arch: str, dm, train_batches, test_batches,
                steps_per_epoch: int) -> dict:
    import tempfile
    cfg = compose_train_config(overrides + [f"model={arch}"], tempfile.mkdtemp(prefix="lbpnet-"))
    torch.manual_seed(0)
    task = build_task(cfg, dm)
    model = task.model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    times = []
    for i, batch in enumerate(train_batches[: WARMUP + STEPS]):
        t0 = time.perf_counter()
        loss = task._loss(model(task.training_signals(batch)), _target(batch), None)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= WARMUP:
            times.append(time.perf_counter() - t0)
    model.eval()
    n = sum(len(_target(b)) for b in test_batches)
    best = float("inf")
    with torch.no_grad():
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            for batch in test_batches:
                model(batch["signals"])
            best = min(best, time.perf_counter() - t0)
    described = model.describe()
    return {"parameters": described["total_parameters"],
            "receptive_field": {m: described[m]["receptive_field"] for m in model.modalities},
            "encoder_parameters": {m: described[m]["parameters"] for m in model.modalities},
            "step_s": statistics.median(times),
            "steps_per_epoch": steps_per_epoch,
            "train_s_per_epoch": statistics.median(times) * steps_per_epoch,
            "inference_windows_per_s": n / best, "inference_windows": n}


def main(out: str, archs: list[str]) -> dict:
    torch.set_num_threads(1)
    results = {"threads": 1, "device": "cpu", "warmup_steps": WARMUP, "timed_steps": STEPS}
    for task, overrides in TASKS.items():
        cfg, dm = fitted_datamodule(overrides)
        train_batches = _batches(dm.train_dataloader(), WARMUP + STEPS)
        steps_per_epoch = len(dm.train_dataloader())
        dm.batch_size = 256
        test_batches = _batches(dm.test_dataloader(), INFER_WINDOWS // 256)
        results[task] = {}
        for arch in archs:
            results[task][arch] = measure_one(overrides, arch, dm, train_batches, test_batches,
                                              steps_per_epoch)
            print(task, arch, results[task][arch], flush=True)
            atomic_write_json(Path(out), results)
    return results


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or list(ENCODERS))
