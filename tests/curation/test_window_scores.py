"""score_windows on a tiny trained run (real UEA BasicMotions, one epoch), and its refusals."""

import os
import shutil

import numpy as np
import pytest
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import train
from lbpnet.curation.window_scores import (WindowScores, _detector_scores, score_windows,
                                           session_summary)
from lbpnet.errors import ConfigError, ReaderError

TINY = ["experiment=basic_motions", "trainer.max_epochs=1", "logger=none",
        "trainer.enable_progress_bar=false", "trainer.accelerator=cpu"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_bm")
    old = os.getcwd()
    os.chdir(root)
    try:
        train(compose_train_config(TINY, root / "run", root))
    finally:
        os.chdir(old)
        GlobalHydra.instance().clear()
    return root / "run"


def test_every_field_has_the_documented_shape(run_dir):
    ws = score_windows(run_dir, "test", mc_dropout_passes=4)
    assert isinstance(ws, WindowScores)
    n, c = len(ws), len(ws.classes)
    assert n == 40 and ws.classes == ["standing", "walking", "running", "badminton"]
    assert len(ws.recording) == n and ws.start_s.shape == ws.end_s.shape == (n,)
    np.testing.assert_allclose(ws.end_s - ws.start_s, 10.0)
    assert ws.label.dtype.kind == "i" and set(ws.label.tolist()) <= set(range(c))
    assert ws.probs.shape == (n, c)
    np.testing.assert_allclose(ws.probs.sum(1), 1.0, rtol=1e-6)
    assert set(ws.scores) == set(ws.thresholds) == set(ws.is_novel) == {
        "msp", "energy", "mahalanobis", "knn"}
    for k, s in ws.scores.items():
        assert s.shape == (n,) and np.isfinite(s).all()
        np.testing.assert_array_equal(ws.is_novel[k], (s > ws.thresholds[k]) & ~ws.qc_failed)
    assert ws.qc_failed.shape == (n,) and not ws.qc_failed.any()       # the run has no QC
    assert ws.uncertainty.shape == (n,) and (ws.uncertainty >= 0).all()
    assert ws.threshold_source == "val" and ws.retention == 0.95


def test_thresholds_keep_the_retention_on_the_validation_windows(run_dir):
    for retention in (0.8, 0.95):
        ws = score_windows(run_dir, "val", detectors=("msp", "knn"), retention=retention)
        for k in ("msp", "knn"):
            assert (ws.scores[k] <= ws.thresholds[k]).mean() >= retention
        assert ws.uncertainty is None


def test_session_summary_counts_add_up(run_dir):
    ws = score_windows(run_dir, "test", detectors=("energy",))
    rows = session_summary(ws)
    assert sum(r["windows"] for r in rows) == len(ws)
    assert sum(r["novel"]["energy"] for r in rows) == int(ws.is_novel["energy"].sum())
    assert {r["recording"] for r in rows} == set(ws.recording)


def test_refusals(run_dir, tmp_path):
    with pytest.raises(ConfigError, match="unknown novelty detectors"):
        score_windows(run_dir, detectors=("odin",))
    with pytest.raises(ConfigError, match="no 'holdout' side"):
        score_windows(run_dir, side="holdout")
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    ckpt = next(p for p in (copy / "checkpoints").glob("*.ckpt") if p.name != "last.ckpt")
    ckpt.write_bytes(ckpt.read_bytes() + b"\0")
    with pytest.raises(ReaderError, match="changed since training"):
        score_windows(copy)


def test_multi_label_scores_per_label_and_joint():
    rng = np.random.default_rng(0)
    fit = {"features": rng.normal(size=(50, 4)), "logits": rng.normal(size=(50, 2))}
    side = {"features": rng.normal(size=(7, 4)), "logits": np.array([[9.0, -9.0]] * 6
                                                                    + [[0.0, 0.0]]),
            "outputs": ["strategy/guarding", "strategy/asymmetry"]}
    fit["outputs"] = side["outputs"]
    s = _detector_scores(["msp", "energy", "mahalanobis"], {"side": side}, fit,
                         np.full(50, -1), True, 0)["side"]
    assert set(s) == {"msp", "energy", "mahalanobis", "label_uncertainty/strategy/guarding",
                      "label_uncertainty/strategy/asymmetry"}
    assert s["msp"][6] == pytest.approx(0.5) and s["msp"][:6].max() < 1e-3
    assert s["label_uncertainty/strategy/guarding"].shape == (7,)
