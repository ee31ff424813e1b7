"""Two tiny trained runs (SYNTHETIC cohort, same split, different training budgets) whose
audit log is ``<root>/logs/audit.jsonl``; shared by the registry and model-card tests."""

import os
from pathlib import Path

import pytest
from hydra.core.global_hydra import GlobalHydra

TINY = ["experiment=synthetic_strategy", "data.n_patients=8", "data.n_sessions=1",
        "trainer.max_epochs=1", "~callbacks.early_stopping",
        "callbacks.model_checkpoint.monitor=null", "logger=none", "trainer.accelerator=cpu",
        "trainer.enable_progress_bar=false"]


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory):
    """``(root, run_a, run_b)``: run_a trained on 1 batch, run_b on 3, same test subjects."""
    from lbpnet.cli.compose import compose_train_config
    from lbpnet.cli.train import train

    root = tmp_path_factory.mktemp("audited")
    old = os.getcwd()
    os.chdir(root)
    try:
        for name, batches in (("run_a", 1), ("run_b", 3)):
            train(compose_train_config([*TINY, f"+trainer.limit_train_batches={batches}"],
                                       root / name, root))
            GlobalHydra.instance().clear()
    finally:
        os.chdir(old)
        GlobalHydra.instance().clear()
    return Path(root), root / "run_a", root / "run_b"
