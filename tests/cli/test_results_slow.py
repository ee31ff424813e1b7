"""Slow and GPU runs of real experiments (``python -m pytest -m slow`` / ``-m gpu``)."""

import pytest
import torch

from lbpnet.cli.train import train


@pytest.mark.slow
def test_hapt_activity_clears_the_bar_on_the_uci_har_test_subjects(compose_train):
    # the default experiment, one seed: real data, subject-disjoint, ~1-2 min on 2 CPU cores
    metrics = train(compose_train("experiment=hapt_activity", "seed=0"))
    assert metrics["test/acc"] >= 0.95 and metrics["test/f1_macro"] >= 0.95
    assert set(metrics["split"]["test"]["subjects"]) == {"02", "04", "09", "10", "12", "13",
                                                         "18", "20", "24"}


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_trainer_with_mixed_precision_runs_an_experiment(compose_train):
    metrics = train(compose_train("experiment=basic_motions", "trainer=gpu",
                                  "+trainer.fast_dev_run=true"))
    assert 0.0 <= metrics["test/acc"] <= 1.0
