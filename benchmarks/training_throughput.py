"""Training throughput: the Lightning ActivityRecognition task against a plain PyTorch loop.

Same model (the experiment's, built by ``lbpnet-train``'s ``build_task``), same training
windows and batches (the data module's shuffled loader, same seed), same batch size, AdamW
with the same settings, the same cross-entropy; no validation, no checkpointing, no logger,
no clipping, no schedule, no augmentation in either. One process, ``torch.set_num_threads``
threads, runs interleaved (plain, Lightning, Lightning, plain, ...) from the same initial
weights.

Printed per run kind (medians over repeats):

- whole run: windows/s over the whole ``fit`` call (Trainer start-up included) or loop;
- per CPU-s: the same per second of this process's CPU time (less sensitive to other
  processes on a shared machine than wall-clock time);
- steady step: median time between the ends of successive training steps (data included);
- data wait: the fraction of the run spent in the loader's ``next()`` (``num_workers=0``:
  windows are cut from the recordings in the training process).

The ratio is Lightning throughput / plain throughput (goal >= 0.9).

    python benchmarks/training_throughput.py [--experiment hapt_activity] [--steps 60]
                                             [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import copy
import logging
import statistics
import time
import warnings

import torch


class TimedLoader:
    """Wraps a DataLoader; adds the seconds spent in ``next()`` to ``self.wait``."""

    def __init__(self, loader, steps: int) -> None:
        self.loader, self.steps, self.wait = loader, steps, 0.0

    def __len__(self) -> int:
        return min(len(self.loader), self.steps)

    def __iter__(self):
        it = iter(self.loader)
        for _ in range(len(self)):
            t0 = time.perf_counter()
            batch = next(it)
            self.wait += time.perf_counter() - t0
            yield batch


def plain_loop(model, loader: TimedLoader, lr: float, weight_decay: float,
               smoothing: float) -> list[float]:
    """The reference: a hand-written training loop; returns the step end times."""
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    ends = []
    for batch in loader:
        logits = model(batch["signals"])
        loss = torch.nn.functional.cross_entropy(logits, batch["label"],
                                                 label_smoothing=smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ends.append(time.perf_counter())
    return ends


def lightning_run(task, loader: TimedLoader) -> list[float]:
    """The same steps through ``pl.Trainer.fit``; returns the step end times."""
    import pytorch_lightning as pl

    ends: list[float] = []

    class StepEnds(pl.Callback):
        def on_train_batch_end(self, *args, **kwargs):
            ends.append(time.perf_counter())

    trainer = pl.Trainer(max_epochs=1, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, num_sanity_val_steps=0,
                         limit_val_batches=0, gradient_clip_val=None, callbacks=[StepEnds()])
    trainer.fit(task, train_dataloaders=loader)
    return ends


def setup(experiment: str):
    """(datamodule, task) of ``experiment`` with the standardiser fitted once, no schedule,
    no augmentation, no class weights."""
    from lbpnet.cli.compose import fitted_datamodule
    from lbpnet.cli.train import build_task

    cfg, dm = fitted_datamodule([f"experiment={experiment}", "task.scheduler=null",
                                 "task.augment=null", "task.class_weights=null",
                                 "task.fit_standardizer=false"], prefix="lbpnet-throughput-")
    task = build_task(cfg, dm)
    for m, (mean, std) in dm.channel_stats().items():
        task.model.standardize[m].fit(mean, std)
    return cfg, dm, task


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--experiment", default="hapt_activity")
    ap.add_argument("--steps", type=int, default=60, help="training steps per run")
    ap.add_argument("--repeats", type=int, default=5, help="runs of each kind (interleaved)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg, dm, task0 = setup(args.experiment)
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)      # after its import
    warnings.filterwarnings("ignore", module="pytorch_lightning")
    hp = task0.hparams
    batch = dm.batch_size
    steps = min(args.steps, len(dm.train_dataloader()))
    n_params = sum(p.numel() for p in task0.model.parameters())
    print(f"experiment={args.experiment}: {len(dm.datasets['train'])} training windows "
          f"({'SYNTHETIC' if any(r.metadata.get('synthetic') for r in dm.recordings) else 'real'}"
          f" data), model {type(task0.model).__name__} ({n_params} parameters), batch {batch}, "
          f"{steps} steps per run, {args.repeats} repeats, {args.threads} thread(s)")

    results: dict[str, list[dict]] = {"plain": [], "lightning": []}
    for rep in range(args.repeats):
        order = ("plain", "lightning") if rep % 2 == 0 else ("lightning", "plain")
        for kind in order:
            task = copy.deepcopy(task0)              # same initial weights every run
            loader = TimedLoader(dm.train_dataloader(), steps)   # same seed: same batches
            t0, c0 = time.perf_counter(), time.process_time()
            if kind == "plain":
                ends = plain_loop(task.model, loader, hp.lr, hp.weight_decay, hp.label_smoothing)
            else:
                ends = lightning_run(task, loader)
            total, cpu = time.perf_counter() - t0, time.process_time() - c0
            assert len(ends) == steps, (kind, len(ends))
            step = statistics.median(b - a for a, b in zip(ends[1:], ends[2:]))
            results[kind].append({"total": total, "cpu": cpu, "step": step,
                                  "wait": loader.wait / total})

    def med(kind, key):
        return statistics.median(r[key] for r in results[kind])

    print("\n| loop | windows/s (whole run) | windows per CPU-s | steady step (ms) | data wait |")
    print("|---|---|---|---|---|")
    for kind in ("plain", "lightning"):
        print(f"| {kind} | {steps * batch / med(kind, 'total'):.0f} | "
              f"{steps * batch / med(kind, 'cpu'):.0f} | {1e3 * med(kind, 'step'):.1f} | "
              f"{100 * med(kind, 'wait'):.1f} % |")
    ratios = {key: med("plain", key) / med("lightning", key) for key in ("total", "cpu", "step")}
    print(f"\nratio Lightning / plain throughput (goal >= 0.9): whole run {ratios['total']:.3f}, "
          f"CPU time {ratios['cpu']:.3f}, steady step {ratios['step']:.3f}")
    for key in ("total", "cpu"):
        print(f"per-repeat {key} ratios: " + ", ".join(
            f"{p[key] / q[key]:.3f}" for p, q in zip(results["plain"], results["lightning"])))


if __name__ == "__main__":
    main()
