"""lbpnet-train experiment=synthetic_trajectory end to end on a tiny simulated cohort, and the
data module's patient split (no patient on two sides, standardisation from training only)."""

import json
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import build_datamodule, train
from lbpnet.errors import ConfigError
from lbpnet.tasks.trajectory_sequences import fit_standardizer, raw_features
from lbpnet.windows.splits import session_split

TINY = ["experiment=synthetic_trajectory", "data.n_patients=10", "data.n_sessions=4"]


@pytest.fixture
def compose(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.chdir(tmp_path)
    runs = iter(range(100))
    yield lambda *o: compose_train_config(list(o), tmp_path / f"run{next(runs)}", tmp_path)
    GlobalHydra.instance().clear()


def test_synthetic_trajectory_runs_end_to_end(compose):
    cfg = compose(*TINY, "trainer=debug")
    metrics = train(cfg)
    written = json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())
    assert written["synthetic"] is True
    # test/width_odi is calibrated on the 1-2 validation patients of this tiny cohort: too few
    # for an 80 % conformal interval, so it may honestly be infinite (lbpnet.monitoring)
    for name in ("test/mae_odi", "test/coverage_odi", "test/uncalibrated/width_odi", "test/mae_nrs",
                 "test/brier", "test/baseline_locf/mae_odi", "test/baseline_locf/coverage_odi",
                 "test/baseline_median_change/mae_nrs", "test/baseline_logistic/brier"):
        assert np.isfinite(written[name]), name
    assert 0 <= written["test/coverage_odi"] <= 1 and written["test/width_odi"] >= 0
    assert set(written["test/f1_per_class"]) == {"response", "non_response"}
    assert written["test/interval"] == [0.1, 0.9]
    split = written["split"]
    sides = [set(split[s]["subjects"]) for s in ("train", "val", "test")]
    assert split["by"] == "subject" and not (sides[0] & sides[1] or sides[0] & sides[2]
                                             or sides[1] & sides[2])
    assert written == json.loads(json.dumps(metrics, default=str))


def test_patient_split_and_training_only_standardisation(compose):
    cfg = compose(*TINY, "data.module.observed_sessions=1")
    dm = build_datamodule(cfg)
    dm.setup("fit")
    patients = {s: {dm.table.patients[int(p)] for p in ds.tensors["patient"]}
                for s, ds in dm.datasets.items()}
    assert set(patients) == {"train", "val", "test"}
    assert not (patients["train"] & patients["test"] or patients["train"] & patients["val"]
                or patients["val"] & patients["test"])
    assert dm.datasets["test"].tensors["k"].unique().tolist() == [1]
    assert sorted(dm.datasets["train"].tensors["k"].unique().tolist()) == [1, 2, 3]
    raw, _ = raw_features(dm.table, dm.measures_as)
    train = np.isin(dm.table.patients, sorted(patients["train"]))
    mean, sd = fit_standardizer(raw[train], dm.table.present[train])
    assert np.allclose(mean, dm.feature_mean) and np.allclose(sd, dm.feature_sd)
    everyone, _ = fit_standardizer(raw, dm.table.present)
    assert not np.allclose(everyone, dm.feature_mean)      # test patients did not enter it
    assert dm.channels() == {"sessions": raw.shape[-1] + 1}
    assert dm.output_names[:2] == ["odi@+1", "nrs@+1"] and len(dm.output_names) == 6


def test_within_patient_split_and_bad_horizon_are_refused(compose):
    dm = build_datamodule(compose(*TINY))
    dm.split_fn = partial(session_split, test_sessions=["4"])   # same patient on two sides
    with pytest.raises(ConfigError, match="subject split"):
        dm.setup("fit")
    late = compose(*TINY, "data.module.observed_sessions=4")
    with pytest.raises(ConfigError, match="observed_sessions"):
        build_datamodule(late).setup("fit")
    typo = compose(*TINY, "data.module.feature_groups=[pro,emg_rms]")
    with pytest.raises(ConfigError, match="emg_rms"):
        build_datamodule(typo).setup("fit")
