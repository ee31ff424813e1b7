"""Compose the ``lbpnet-train`` configuration outside a Hydra app (scripts, notebooks, tests)."""

from __future__ import annotations

import os
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

from lbpnet.cli.config_path import CONFIG_DIR


def compose_train_config(overrides: list[str], output_dir: str | os.PathLike,
                         cwd: str | os.PathLike | None = None) -> DictConfig:
    """``conf/train.yaml`` with ``overrides``, as ``lbpnet-train`` would compose it.

    The run directory (``cfg.paths.output_dir``) is ``output_dir``; ``cwd`` stands
    for the directory lbpnet-train was started from (default: the current one).
    """
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("train", overrides=list(overrides), return_hydra_config=True)
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(output_dir)
        cfg.hydra.runtime.cwd = str(cwd or os.getcwd())
        cfg.hydra.job.num = 0
    HydraConfig().set_config(cfg)
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    return cfg


def fitted_datamodule(overrides: list[str], prefix: str = "lbpnet-"):
    """``(cfg, datamodule)`` of ``lbpnet-train`` with ``overrides``, set up for fitting:
    the same windows and split a run would use (for baselines and analyses)."""
    import tempfile

    from lbpnet.cli.train import build_datamodule

    cfg = compose_train_config(overrides, tempfile.mkdtemp(prefix=prefix))
    dm = build_datamodule(cfg)
    dm.setup("fit")
    return cfg, dm
