"""Every experiment config composes and runs end to end (one batch each: fast_dev_run)."""

import csv
import json
from pathlib import Path

import pytest
import yaml
from hydra.utils import instantiate

from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.train import build_datamodule, train
from lbpnet.errors import LbpnetError, LeakageError
from lbpnet.windows.splits import check_no_leakage

EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))
# simulated cohorts are generated at test time: a smaller one keeps the suite fast
SMALL = {"synthetic_strategy": ["data.n_patients=15", "data.n_sessions=1"],
         "synthetic_trajectory": ["data.n_patients=10", "data.n_sessions=4"]}


def test_experiments_are_found():
    assert {"hapt_activity", "hapt_activity12", "basic_motions", "synthetic_strategy"} \
        <= set(EXPERIMENTS)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_experiment_runs_with_fast_dev_run(compose_train, experiment):
    cfg = compose_train(f"experiment={experiment}", "trainer=debug", *SMALL.get(experiment, []))
    metrics = train(cfg)
    run = Path(cfg.paths.output_dir)
    assert (run / "config.yaml").is_file()
    written = json.loads((run / "metrics.json").read_text())
    names = cfg.data.module.get("targets") or cfg.data.module.classes
    if cfg.data.module.get("targets"):       # multi-label
        assert set(written["test/auroc"]) == set(names)
        assert written["synthetic"] is True
    else:
        assert 0.0 <= written["test/acc"] <= 1.0
        assert set(written["test/f1_per_class"]) == set(names or written["test/f1_per_class"])
    assert written == json.loads(json.dumps(metrics, default=str))
    # no subject (or session, for within-subject splits) on two sides
    assert not set(written["split"]["train"]["subjects"]) & set(written["split"]["test"]["subjects"]) \
        or written["split"]["by"] == "session"


# experiments that split within subjects by design (personalisation, split.by == "session");
# any other experiment must keep every subject on one side
WITHIN_SUBJECT: set[str] = set()


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_no_experiment_split_leaks_subjects(compose_train, experiment):
    # every conf/experiment/*.yaml (globbed: new ones are covered), and for fold sweeps
    # (split.fold) every fold
    cfg = compose_train(f"experiment={experiment}", *SMALL.get(experiment, []))
    dm = build_datamodule(cfg)
    dm.setup("fit")
    assert getattr(dm, "split", None) is not None and getattr(dm, "recordings", None), \
        f"{experiment}: the data module must expose .split and .recordings for the leakage check"
    subjects = sorted({r.subject for r in dm.recordings})
    if "fold" in cfg.split:
        n_folds = cfg.split.get("k") or len(subjects)
        splits = [instantiate(cfg.split, fold=f)(dm.recordings) for f in range(n_folds)]
        tested = [r for s in splits for r in s.test]
        assert sorted(tested) == sorted(set(tested))      # each recording tested in one fold
    else:
        splits = [dm.split]
    for split in splits:
        check_no_leakage(split, dm.recordings)
        sides = [{dm.recordings[i].subject for i in split.side(s)} for s in ("train", "val", "test")]
        if experiment in WITHIN_SUBJECT:
            assert split.by == "session"
        else:
            assert split.by == "subject", f"{experiment}: split by {split.by}, not by subject"
            assert not (sides[0] & sides[2]) and not (sides[0] & sides[1]) \
                and not (sides[1] & sides[2])


def test_train_refuses_a_leaking_split_whoever_made_it(compose_train, monkeypatch):
    # a split function that skips the splitters' own check: train() still refuses it
    import lbpnet.cli.train as train_module
    from lbpnet.windows.splits import Split

    cfg = compose_train("experiment=basic_motions", "trainer=debug")
    build = train_module.build_datamodule

    def leaking_datamodule(cfg):
        dm = build(cfg)
        dm.split_fn = lambda recs: Split(list(range(len(recs))), [], [0], "subject", "leaky")
        return dm

    monkeypatch.setattr(train_module, "build_datamodule", leaking_datamodule)
    with pytest.raises(LeakageError, match="both the train and the test side of split 'leaky'"):
        train(cfg)
    assert not (Path(cfg.paths.output_dir) / "checkpoints").exists()     # refused before fitting


def test_default_run_writes_checkpoint_metrics_and_csv_log(compose_train):
    cfg = compose_train("experiment=basic_motions", "trainer.max_epochs=2")
    train(cfg)
    run = Path(cfg.paths.output_dir)
    assert list((run / "checkpoints").glob("*.ckpt"))
    assert (run / "checkpoints" / "last.ckpt").is_file()
    assert (run / "csv" / "metrics.csv").is_file()
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["best_checkpoint"] and metrics["epochs"] == 2
    assert len(metrics["test/confusion_matrix"]["counts"]) == 4
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["data"]["module"]["classes"] == ["standing", "walking", "running", "badminton"]


def test_resume_from_last_checkpoint(compose_train):
    # a run stopped after one epoch is continued to two (a cosine schedule may be extended;
    # one-cycle fixes its length, so an interrupted one-cycle run resumes with the same max_epochs)
    first = compose_train("experiment=basic_motions", "trainer.max_epochs=1", "task.scheduler=cosine")
    train(first)
    last = Path(first.paths.output_dir) / "checkpoints" / "last.ckpt"
    cfg = compose_train("experiment=basic_motions", "trainer.max_epochs=2", "task.scheduler=cosine",
                        f"ckpt_path={last}")
    metrics = train(cfg)
    assert metrics["epochs"] == 2
    with open(Path(cfg.paths.output_dir) / "csv" / "metrics.csv") as f:
        epochs = {row["epoch"] for row in csv.DictReader(f) if row.get("epoch")}
    assert "0" not in epochs and "1" in epochs     # epoch 0 was not trained again


@pytest.mark.parametrize("logger", ["wandb", "tensorboard"])
def test_other_loggers_work_offline(compose_train, logger):
    cfg = compose_train("experiment=basic_motions", "trainer=debug", f"logger={logger}")
    train(cfg)
    assert (Path(cfg.paths.output_dir) / "metrics.json").is_file()


def test_leaking_split_is_refused_before_training(compose_train):
    cfg = compose_train("experiment=hapt_activity", "split=session", "~split.val_fraction",
                        "split.test_sessions=[exp01]")
    dm = build_datamodule(cfg)
    dm.setup("fit")          # session split: within-subject by design, sessions disjoint
    assert dm.split.by == "session"
    dm.split.by = "subject"  # judged by subject, the same split leaks subject 01
    with pytest.raises(LeakageError, match="subject '01'"):
        check_no_leakage(dm.split, dm.recordings)


def test_label_set_that_does_not_match_data_is_named(compose_train):
    cfg = compose_train("experiment=basic_motions", "data.module.classes=[standing,jogging]")
    with pytest.raises(LbpnetError, match=r"classes \['jogging'\] never occur.*badminton"):
        build_datamodule(cfg).setup("fit")
