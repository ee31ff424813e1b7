"""Train the synthetic_strategy model on SHUFFLED labels (Adebayo et al. 2018's data
randomisation test): the windows are unchanged, the rows of target labels are permuted
across the training and validation windows, so nothing the model learns can be the
planted signal. Writes a run directory like ``lbpnet-train`` (``config.yaml``,
``checkpoints/``, ``random_labels.json``) that ``lbpnet-explain`` can load.

    python experiments/explanation_faithfulness/train_random_labels.py OUT_DIR [overrides…]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf

from lbpnet.atomic import atomic_write_json, atomic_write_text
from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import build_datamodule, build_task


def main(out_dir: str, overrides: list[str]) -> None:
    torch.set_num_threads(1)
    out = Path(out_dir).resolve()
    cfg = compose_train_config(["experiment=synthetic_strategy", "logger=none", *overrides], out)
    atomic_write_text(out / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    pl.seed_everything(cfg.seed, workers=True)
    dm = build_datamodule(cfg)
    dm.setup("fit")
    rng = np.random.default_rng(cfg.seed)
    for side in ("train", "val"):
        index = dm.datasets[side].index
        index.targets = index.targets[rng.permutation(len(index))]
    task = build_task(cfg, dm)
    callbacks = [instantiate(c) for c in cfg.callbacks.values() if c]
    trainer = instantiate(cfg.trainer, callbacks=callbacks, logger=False,
                          default_root_dir=str(out))
    trainer.fit(task, datamodule=dm)
    best = trainer.checkpoint_callback.best_model_path
    atomic_write_json(out / "random_labels.json", {
        "labels": "shuffled across train and val windows (rows of the target matrix)",
        "seed": int(cfg.seed), "best_checkpoint": best, "epochs": trainer.current_epoch,
        "best_val": float(trainer.checkpoint_callback.best_model_score or float("nan")),
        "synthetic": True})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
