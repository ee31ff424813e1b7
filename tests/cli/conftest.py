import sys

import pytest
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config


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
        return compose_train_config(list(overrides), tmp_path / f"run{next(runs)}", tmp_path)

    yield _compose
    GlobalHydra.instance().clear()


@pytest.fixture
def lbpnet_train_here(tmp_path, monkeypatch):
    """Run ``lbpnet-train`` with command-line overrides in this process, from ``tmp_path``
    (as its console script would: multiruns, sweepers and launchers included)."""
    from lbpnet.cli.train import main

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.chdir(tmp_path)

    def _run(*overrides: str) -> None:
        monkeypatch.setattr(sys, "argv", ["lbpnet-train", *overrides])
        try:
            main()
        finally:
            GlobalHydra.instance().clear()

    return _run
