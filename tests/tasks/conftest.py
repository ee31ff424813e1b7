"""Fixtures of the task tests."""

import pytest
import pytorch_lightning as pl


@pytest.fixture
def fit_and_test():
    """``fit_and_test(task, datamodule, epochs)``: a quiet CPU Lightning fit, then test."""
    def _run(task, dm, epochs: int) -> None:
        trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", logger=False,
                             enable_checkpointing=False, enable_progress_bar=False,
                             enable_model_summary=False)
        trainer.fit(task, datamodule=dm)
        trainer.test(task, datamodule=dm, verbose=False)
    return _run
