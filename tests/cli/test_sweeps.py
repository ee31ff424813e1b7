"""Sweeps and scale-out with existing engines: the Optuna sweeper, the joblib and submitit
launchers, Lightning DDP. Each runs ``lbpnet-train`` in a subprocess, as a user would."""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
import torch
import yaml
from hydra.types import RunMode
from hydra.utils import instantiate
from omegaconf import OmegaConf

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.config_path import CONFIG_DIR

TINY = ["experiment=basic_motions", "trainer.max_epochs=2", "logger=none"]


def lbpnet_train(tmp_path, *overrides, timeout=300):
    """Run ``lbpnet-train`` with ``overrides`` in ``tmp_path``; return its output."""
    env = dict(os.environ, WANDB_MODE="offline", OMP_NUM_THREADS="1", HYDRA_FULL_ERROR="1")
    exe = Path(sys.executable).with_name("lbpnet-train")
    done = subprocess.run([str(exe), *overrides], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def test_two_trial_optuna_sweep_optimises_the_best_validation_score(tmp_path, lbpnet_train_here):
    sweep = tmp_path / "sweep"
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"     # a study kept on disk (resumable)
    lbpnet_train_here(*TINY, "hparams_search=activity_optuna",
                      "hydra.sweeper.n_trials=2", f"hydra.sweep.dir={sweep}",
                      f"hydra.sweeper.storage='{storage}'", "hydra.sweeper.study_name=tiny")
    trials = sorted(sweep.glob("*/metrics.json"))
    assert len(trials) == 2
    scores = [json.loads(t.read_text()) for t in trials]
    assert all(s["monitor"] == "val/f1_macro" for s in scores)
    lrs = {yaml.safe_load((t.parent / "config.yaml").read_text())["task"]["lr"] for t in trials}
    assert len(lrs) == 2                      # the sampler proposed two learning rates
    result = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    # the sweeper saw each trial's best validation score (never a test score)
    assert result["best_value"] == pytest.approx(max(s["best_val"] for s in scores))
    assert set(result["best_params"]) >= {"task.lr", "task.weight_decay"}
    study = optuna.load_study(study_name="tiny", storage=storage)
    assert sorted(t.value for t in study.trials) == sorted(s["best_val"] for s in scores)


@pytest.mark.slow
def test_joblib_multirun_runs_two_jobs_in_parallel_processes(tmp_path):
    sweep = tmp_path / "sweep"
    out = lbpnet_train(tmp_path, "--multirun", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                       "experiment=basic_motions", "trainer=debug", "logger=none", "seed=0,1",
                       f"hydra.sweep.dir={sweep}")
    assert "Joblib.Parallel(n_jobs=2" in out
    seeds = sorted(yaml.safe_load((d / "config.yaml").read_text())["seed"]
                   for d in sweep.iterdir() if (d / "metrics.json").is_file())
    assert seeds == [0, 1]


@pytest.mark.slow
def test_ddp_on_cpu_with_two_processes_shares_the_batches(tmp_path):
    run = tmp_path / "run"
    lbpnet_train(tmp_path, *TINY, "trainer=ddp", "trainer.accelerator=cpu", "trainer.devices=2",
                 "trainer.precision=32-true", f"hydra.run.dir={run}")
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["world_size"] == 2 and metrics["best_checkpoint"]
    assert (run / "train_ddp_process_1.log").is_file()       # the second process ran
    # each process trained on half the windows: half the optimizer steps of one process
    n, batch = metrics["split"]["train"]["windows"], 16
    per_process = math.ceil(n / 2)
    steps = per_process // batch if per_process > batch else math.ceil(per_process / batch)
    ckpt = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    assert ckpt["global_step"] == 2 * steps < 2 * (n // batch)


@pytest.mark.slow
def test_ddp_strategy_scores_agree_across_processes(tmp_path):
    # thresholds and F1 come from the windows of both processes (all_gather), so both
    # processes report the same test scores
    run = tmp_path / "run"
    lbpnet_train(tmp_path, "experiment=synthetic_strategy", "data.n_patients=15",
                 "data.n_sessions=1", "trainer.max_epochs=2", "logger=none", "trainer=ddp",
                 "trainer.accelerator=cpu", "trainer.devices=2", "trainer.precision=32-true",
                 f"hydra.run.dir={run}")

    def scores(log):
        line = next(x for x in log.read_text().splitlines() if "test metrics:" in x)
        return dict(re.findall(r"'(test/[^']+)': ([-0-9.e]+)", line))

    rank0, rank1 = scores(run / "train.log"), scores(run / "train_ddp_process_1.log")
    assert "test/f1_macro" in rank0 and rank0 == rank1
    assert json.loads((run / "metrics.json").read_text())["world_size"] == 2


def test_trainer_configs_compose_with_mixed_precision_clipping_and_accumulation(tmp_path):
    cfg = compose_train_config(["experiment=basic_motions", "trainer=gpu"], tmp_path)
    assert cfg.trainer.precision == "bf16-mixed" and cfg.trainer.accelerator == "gpu"
    assert cfg.trainer.gradient_clip_val == 1.0 and cfg.trainer.accumulate_grad_batches == 1
    cfg = compose_train_config(["experiment=basic_motions", "trainer=ddp", "trainer.num_nodes=2",
                                "trainer.devices=4"], tmp_path)
    assert cfg.trainer.strategy._target_.endswith("DDPStrategy")
    assert (cfg.trainer.devices, cfg.trainer.num_nodes) == (4, 2)


@pytest.mark.parametrize("experiment", ["basic_motions", "synthetic_strategy"])
def test_mixed_precision_runs_the_tasks(tmp_path, experiment):
    # bf16 autocast on the CPU stands in for trainer=gpu's mixed precision
    from lbpnet.cli.train import train
    small = ["data.n_patients=15", "data.n_sessions=1"] if experiment == "synthetic_strategy" else []
    cfg = compose_train_config([f"experiment={experiment}", "trainer=debug", "logger=none",
                                "trainer.precision=bf16-mixed", *small], tmp_path)
    metrics = train(cfg)
    key = "test/acc" if experiment == "basic_motions" else "test/auroc_macro"
    assert 0.0 <= metrics[key] <= 1.0 or metrics[key] != metrics[key]     # NaN: no positives
    assert metrics["precision"] == "bf16-mixed"          # the run really trained in bf16


def test_accumulation_and_clipping_reach_the_trainer(tmp_path):
    from lbpnet.cli.train import train
    cfg = compose_train_config([*TINY, "trainer.max_epochs=1", "trainer.accumulate_grad_batches=2",
                                "trainer.gradient_clip_val=0.5", "task.scheduler=null"], tmp_path)
    metrics = train(cfg)
    ckpt = torch.load(metrics["best_checkpoint"], map_location="cpu", weights_only=False)
    # two batches per epoch, accumulated into one optimizer step
    n = metrics["split"]["train"]["windows"]
    assert n // 16 == 2 and ckpt["global_step"] == 1


def test_slurm_launcher_composes_from_the_trainer(tmp_path):
    cfg = compose_train_config(["experiment=hapt_loso", "hydra/launcher=submitit_slurm",
                                "trainer=ddp", "trainer.devices=4", "trainer.num_nodes=2",
                                "hydra.launcher.partition=gpu"], tmp_path)
    launcher = instantiate(cfg.hydra.launcher)          # the plugin accepts every key
    assert type(launcher).__name__ == "SlurmLauncher"
    assert launcher.params["tasks_per_node"] == 4 and launcher.params["gpus_per_node"] == 4
    assert launcher.params["nodes"] == 2 and launcher.params["partition"] == "gpu"
    cfg = compose_train_config(["hydra/launcher=submitit_slurm"], tmp_path)
    assert cfg.hydra.launcher.nodes == 1                # trainers without num_nodes: one node


SEARCHES = sorted(p.stem for p in (CONFIG_DIR / "hparams_search").glob("*.yaml"))


def test_each_task_has_a_search():
    assert {"activity_optuna", "strategy_optuna", "trajectory_optuna"} <= set(SEARCHES)


@pytest.mark.parametrize("search", SEARCHES)
def test_every_search_optimises_a_validation_metric(tmp_path, search):
    experiment = {"activity_optuna": "basic_motions", "strategy_optuna": "synthetic_strategy",
                  "trajectory_optuna": "synthetic_trajectory"}
    cfg = compose_train_config([f"experiment={experiment[search]}", f"hparams_search={search}"],
                               tmp_path)
    assert cfg.optimized_metric.startswith("val/")
    assert cfg.callbacks.model_checkpoint.monitor == cfg.optimized_metric
    assert cfg.hydra.sweeper._target_.endswith("OptunaSweeper") and cfg.hydra.mode == RunMode.MULTIRUN
    assert cfg.hydra.sweeper.direction == ("maximize" if cfg.callbacks.model_checkpoint.mode
                                           == "max" else "minimize")
    # every searched parameter exists in the experiment's config (no typo, no renamed key)
    missing = [k for k in cfg.hydra.sweeper.params if OmegaConf.select(cfg, k, default="?") == "?"]
    assert not missing


def test_a_sweep_on_validation_without_a_validation_side_stops_before_training(tmp_path):
    from lbpnet.cli.train import train
    from lbpnet.errors import ConfigError
    # hapt_activity is a final fit (split.val_fraction=0): nothing to select on
    cfg = compose_train_config(["experiment=hapt_activity", "hparams_search=activity_optuna"],
                               tmp_path)
    with pytest.raises(ConfigError, match="optimises 'val/f1_macro' but the split has no "
                                          "validation side.*hapt_activity_dev"):
        train(cfg)
    assert not (tmp_path / "checkpoints").exists()


def test_no_experiment_makes_a_sweep_select_on_test_data():
    import yaml

    from lbpnet.cli.config_path import CONFIG_DIR
    for path in sorted((CONFIG_DIR / "experiment").glob("*.yaml")):
        metric = (yaml.safe_load(path.read_text()) or {}).get("optimized_metric")
        assert metric is None or not str(metric).startswith("test/"), path.name


def _readme_line(start):
    import shlex
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (line,) = [ln for b in re.findall(r"```bash\n(.*?)```", text, re.S) for ln in b.splitlines()
               if ln.startswith(start)]
    return shlex.split(line.split("  #")[0])[1:]


def test_a_multirun_without_a_sweep_dir_writes_under_logs(tmp_path, lbpnet_train_here):
    # the reproduction: no hydra.sweep.dir, from a fresh folder
    lbpnet_train_here("--multirun", "experiment=basic_motions", "seed=0,1",
                      "trainer.max_epochs=1", "logger=none")
    runs = sorted(tmp_path.glob("logs/basic_motions/multiruns/*/*/metrics.json"))
    assert [p.parent.name for p in runs] == ["0", "1"]


@pytest.mark.slow
def test_the_readme_optuna_command_runs_as_written(tmp_path):
    args = _readme_line("lbpnet-train experiment=hapt_activity_dev hparams_search=activity_optuna")
    lbpnet_train(tmp_path, *args, "hydra.sweeper.n_trials=2", "trainer.max_epochs=1", "logger=none",
                      "+trainer.limit_train_batches=2")
    (result,) = tmp_path.glob("logs/hapt_activity_dev/multiruns/*/optimization_results.yaml")
    assert "best_value" in yaml.safe_load(result.read_text())


TINY_BUDGET = ["trainer.max_epochs=1", "logger=none", "+trainer.limit_train_batches=2",
               "+trainer.limit_test_batches=2"]


@pytest.mark.slow
def test_the_readme_joblib_command_runs_as_written(tmp_path):
    args = _readme_line("lbpnet-train --multirun hydra/launcher=joblib")
    lbpnet_train(tmp_path, *args, *TINY_BUDGET)
    runs = sorted(tmp_path.glob("logs/hapt_activity/multiruns/*/*/metrics.json"))
    assert [p.parent.name for p in runs] == ["0", "1"]


@pytest.mark.slow
def test_the_readme_loso_command_runs_as_written_on_two_folds(tmp_path):
    # as written but for the fold range (30 folds: range(2) here), then lbpnet-aggregate
    args = [a.replace("range(30)", "range(2)")
            for a in _readme_line("lbpnet-train --multirun experiment=hapt_loso")]
    lbpnet_train(tmp_path, *args, *TINY_BUDGET)
    (sweep,) = tmp_path.glob("logs/hapt_loso/multiruns/*")
    assert sorted(p.parent.name for p in sweep.glob("*/metrics.json")) == ["0", "1"]
    exe = Path(sys.executable).with_name("lbpnet-aggregate")
    done = subprocess.run([str(exe), str(sweep)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
