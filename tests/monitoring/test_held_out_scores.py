"""Calibrated trajectory scores of metrics.json: every forecaster calibrated on validation
patients and scored on test patients only (SYNTHETIC outcome folder, random numbers; an
untrained GRU is enough: calibration does not care how good the forecaster is)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import build_datamodule, build_task
from lbpnet.errors import LeakageError
from lbpnet.monitoring import ConformalCalibrator
from lbpnet.monitoring.held_out_scores import calibrated_test_scores

SIDECAR = {"pain": {"HigherIsWorse": True, "MinimalImportantChange": 2}}


def folder(root: Path, n: int = 60, sessions: int = 4, seed: int = 0) -> Path:
    """SYNTHETIC: pain falls for half of the patients."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True)
    (root / "dataset_description.json").write_text(json.dumps(
        {"Name": "synthetic", "lbpnet": {"synthetic": True}}))
    (root / "sessions.json").write_text(json.dumps(SIDECAR))
    lines = ["participant_id"]
    for i in range(n):
        pid = f"{i:02d}"
        lines.append(f"sub-{pid}")
        rows = ["session_id\tweeks\tpain"] + [
            f"ses-{s + 1}\t{s}\t{6 - (i % 2) * s + rng.normal(0, 0.7):.2f}"
            for s in range(sessions)]
        (root / f"sub-{pid}").mkdir()
        (root / f"sub-{pid}" / f"sub-{pid}_sessions.tsv").write_text("\n".join(rows) + "\n")
    (root / "participants.tsv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def task_and_data(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scores")
    cfg = compose_train_config(["experiment=pro_trajectory", f"data.root={folder(tmp / 'o')}",
                                "model.quantiles=[0.05,0.1,0.5,0.9,0.95]",
                                "split.val_fraction=0.4"], tmp / "run", tmp)
    GlobalHydra.instance().clear()
    torch.manual_seed(0)
    dm = build_datamodule(cfg)
    dm.setup("fit")
    return build_task(cfg, dm), dm


def test_keys_of_every_forecaster_calibrated_and_not(task_and_data):
    task, dm = task_and_data
    m = calibrated_test_scores(task, dm)
    for prefix in ("test/", "test/baseline_locf/", "test/baseline_median_change/",
                   "test/baseline_mixed_model/"):
        for p in (prefix, prefix + "uncalibrated/"):
            for key in ("mae_pain", "coverage_pain", "width_pain", "coverage90_pain",
                        "width90_pain"):
                assert np.isfinite(m[p + key]), p + key
    for p in ("test/", "test/uncalibrated/", "test/baseline_logistic/"):
        assert 0 <= m[p + "brier"] <= 1 and np.isfinite(m[p + "auroc_non_response"])
    cal = m["test/calibration"]
    assert cal["calibrated"] and cal["shared_patients"] == 0
    assert cal["calibration_patients"] == len(dm.side_patients()["val"])
    assert cal["test_patients"] == len(dm.side_patients()["test"])
    # calibration keeps the median: same MAE; an untrained GRU's raw 80 % interval is far off
    assert m["test/mae_pain"] == pytest.approx(m["test/uncalibrated/mae_pain"], rel=1e-5)


def test_coverage_is_computed_on_test_patients_only(task_and_data):
    task, dm = task_and_data
    m = calibrated_test_scores(task, dm)
    val, test = task.predict_side(dm, "val"), task.predict_side(dm, "test")
    assert not set(val["patient"]) & set(test["patient"])
    q = test["quantiles"][..., [1, 2, 3]]                   # 0.1, 0.5, 0.9
    y = test["future"]
    ok = ~np.isnan(y)
    raw = ((y >= q[..., 0]) & (y <= q[..., 2]))[ok].mean()
    assert m["test/uncalibrated/coverage_pain"] == pytest.approx(raw)
    cal = ConformalCalibrator(0.8).fit(val["quantiles"][..., [1, 2, 3]], val["future"])
    cq = cal.predict(q)
    assert m["test/coverage_pain"] == pytest.approx(((y >= cq[..., 0]) & (y <= cq[..., 2]))[ok]
                                                    .mean())
    assert m["test/width_pain"] == pytest.approx((cq[..., 2] - cq[..., 0])[ok].mean())


def test_a_calibration_patient_who_trained_the_model_is_refused(task_and_data, monkeypatch):
    task, dm = task_and_data
    train_ids = dm.datasets["train"].tensors["patient"]
    val = dict(dm.datasets["val"].tensors)
    val["patient"] = val["patient"].clone()
    val["patient"][0] = train_ids[0]                          # a training patient in val
    monkeypatch.setattr(dm.datasets["val"], "tensors", val)
    with pytest.raises(LeakageError, match="calibration patient"):
        calibrated_test_scores(task, dm)
