from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import open_dict

from lbpnet.cli.config_path import CONFIG_DIR

@pytest.fixture
def compose_train(tmp_path, monkeypatch):
    """Compose ``conf/train.yaml`` with overrides, as ``lbpnet-train`` would.

    Each call gets a fresh run directory under ``tmp_path`` (``cfg.paths.output_dir``).
    """
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)

    runs = iter(range(1000))

    def _compose(*overrides: str):
        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("train", overrides=list(overrides), return_hydra_config=True)
        with open_dict(cfg):
            cfg.hydra.runtime.output_dir = str(tmp_path / f"run{next(runs)}")
            cfg.hydra.runtime.cwd = str(tmp_path)
            cfg.hydra.job.num = 0
        HydraConfig().set_config(cfg)
        Path(cfg.hydra.runtime.output_dir).mkdir(parents=True, exist_ok=True)
        return cfg

    yield _compose
    GlobalHydra.instance().clear()
