"""Checkpoints of a real run (UEA BasicMotions, a few epochs): ``last.ckpt`` is the last
epoch, a killed run resumed from it equals an uninterrupted one, every checkpoint's sha256
is recorded, and all of them load with ``weights_only=True``."""

import csv
from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch

import lbpnet.cli.train as train_cli
from lbpnet.audit import file_sha256
from lbpnet.explain.checkpoint import read_checkpoint
from lbpnet.explain.checkpoint_files import find_checkpoint

BASE = ("experiment=basic_motions", "logger=csv")


class Killed(Exception):
    """Stands for a kill between two epochs."""


class KillAtEpoch(pl.Callback):
    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        if trainer.current_epoch == self.epoch:
            raise Killed()


def _val_losses(run: Path) -> dict[int, float]:
    out = {}
    for path in run.rglob("metrics.csv"):
        with open(path) as f:
            for row in csv.DictReader(f):
                if row.get("val/loss"):
                    out[int(row["epoch"])] = float(row["val/loss"])
    return out


def _weights(path: Path) -> dict[str, torch.Tensor]:
    return read_checkpoint(path)["state_dict"]


def test_a_killed_run_resumed_from_last_equals_an_uninterrupted_one(compose_train,
                                                                    monkeypatch):
    n_epochs, kill_at = 4, 2
    # (a composed config's paths follow the latest composition: read each one at once)
    whole = compose_train(*BASE, f"trainer.max_epochs={n_epochs}")
    runs = [Path(whole.paths.output_dir)]
    train_cli.train(whole)
    killed = compose_train(*BASE, f"trainer.max_epochs={n_epochs}")
    runs.append(Path(killed.paths.output_dir))
    make = train_cli._callbacks_and_loggers
    monkeypatch.setattr(train_cli, "_callbacks_and_loggers", lambda cfg: (
        make(cfg)[0] + [KillAtEpoch(kill_at)], make(cfg)[1]))
    with pytest.raises(Killed):
        train_cli.train(killed)
    monkeypatch.setattr(train_cli, "_callbacks_and_loggers", make)
    last = runs[1] / "checkpoints" / "last.ckpt"
    assert read_checkpoint(last)["epoch"] == kill_at - 1       # written after every epoch
    resumed = compose_train(*BASE, f"trainer.max_epochs={n_epochs}", f"ckpt_path={last}")
    runs.append(Path(resumed.paths.output_dir))
    train_cli.train(resumed)

    assert len(set(runs)) == 3
    a, c = (_weights(r / "checkpoints" / "last.ckpt") for r in (runs[0], runs[2]))
    assert set(a) == set(c)
    for key in a:                       # CPU, same seed, same draws: bit-equal
        assert torch.equal(a[key], c[key]), key
    losses = [_val_losses(r) for r in runs]
    assert sorted(losses[0]) == list(range(n_epochs))
    assert sorted(losses[2]) == list(range(kill_at, n_epochs))   # the resumed epochs only
    for epoch in range(n_epochs):
        assert losses[0][epoch] == (losses[1] if epoch < kill_at else losses[2])[epoch]


def test_last_is_the_final_epoch_and_is_what_metrics_scored(compose_train, monkeypatch):
    # best = highest validation loss: the first epoch (the loss falls), so best != last
    cfg = compose_train(*BASE, "trainer.max_epochs=3", "test_checkpoint=last",
                        "callbacks.model_checkpoint.monitor=val/loss",
                        "callbacks.model_checkpoint.mode=max")
    run = Path(cfg.paths.output_dir)
    tasks = []                          # the task module train() fits and tests
    build = train_cli.build_task
    monkeypatch.setattr(train_cli, "build_task", lambda *a: tasks.append(build(*a)) or tasks[-1])
    metrics = train_cli.train(cfg)
    best = Path(metrics["best_checkpoint"])
    assert read_checkpoint(best)["epoch"] == 0
    assert read_checkpoint(run / "checkpoints" / "last.ckpt")["epoch"] == 2   # (a) final epoch

    # every checkpoint written has its sha256 recorded, paths relative to the run
    written = sorted(p.relative_to(run).as_posix() for p in run.rglob("*.ckpt"))
    assert sorted(metrics["checkpoints"]) == written == ["checkpoints/epoch000.ckpt",
                                                         "checkpoints/last.ckpt"]
    for rel, sha in metrics["checkpoints"].items():
        assert sha == file_sha256(run / rel)

    # (b) what explain / report load for this run are the weights metrics.json scored
    # (test_checkpoint=last tests the weights in memory at the end of fitting)
    path = find_checkpoint(run, "best")
    assert path.name == "last.ckpt"
    scored = {k: v.cpu() for k, v in tasks[0].state_dict().items()}
    loaded = read_checkpoint(path)["state_dict"]
    assert set(loaded) == set(scored)
    assert all(torch.equal(loaded[k], scored[k]) for k in scored)
    early = read_checkpoint(best)["state_dict"]
    assert not all(torch.equal(early[k], scored[k]) for k in scored)
