"""``logger=mlflow`` against a real local MLflow tracking store: sqlite backend and file
artifacts in a temporary folder (the ``mlflow`` extra; skipped without it)."""

import pytest
from hydra.utils import instantiate

mlflow = pytest.importorskip("mlflow", reason="mlflow (the mlflow extra) is not installed")


@pytest.mark.slow      # ~35 s on 2 busy cores: mlflow's import and its sqlite migrations
def test_the_mlflow_logger_writes_params_and_metrics_to_a_sqlite_store(tmp_path, monkeypatch):
    from hydra.core.global_hydra import GlobalHydra

    from lbpnet.cli.compose import compose_train_config
    monkeypatch.chdir(tmp_path)
    cfg = compose_train_config(["logger=mlflow", "experiment=synthetic_strategy"],
                               tmp_path / "run", tmp_path)
    GlobalHydra.instance().clear()
    logger = instantiate(cfg.logger.mlflow)
    assert cfg.logger.mlflow.tracking_uri == f"sqlite:///{cfg.paths.output_dir}/mlflow.db"
    logger.log_hyperparams({"model": "cnn", "lr": 0.001})
    for step, loss in enumerate([0.9, 0.7, 0.4]):
        logger.log_metrics({"train/loss": loss}, step=step)
    logger.finalize("success")
    client = mlflow.tracking.MlflowClient(tracking_uri=cfg.logger.mlflow.tracking_uri)
    exp = client.get_experiment_by_name(f"lbpnet-{cfg.task_name}")
    (run,) = client.search_runs([exp.experiment_id])
    assert run.data.params == {"model": "cnn", "lr": "0.001"}
    history = client.get_metric_history(run.info.run_id, "train/loss")
    assert [m.value for m in history] == [0.9, 0.7, 0.4]
    assert run.info.status == "FINISHED"
    assert exp.artifact_location.endswith("mlruns")
