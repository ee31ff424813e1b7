"""lbpnet-aggregate on a real two-fold sweep (BasicMotions, grouped k-fold), and on bad input."""

import csv
import json
import statistics

import pytest

from lbpnet.cli.aggregate import aggregate, main
from lbpnet.errors import ConfigError, ReaderError


@pytest.fixture(scope="module")
def fold_sweep(tmp_path_factory):
    """A real 2-fold sweep: lbpnet-train --multirun split=kfold split.k=2 'split.fold=range(2)'."""
    import sys

    from hydra.core.global_hydra import GlobalHydra

    from lbpnet.cli.train import main as train_main

    root = tmp_path_factory.mktemp("fold_sweep")
    sweep = root / "multirun"
    argv, cwd = sys.argv, __import__("os").getcwd()
    sys.argv = ["lbpnet-train", "--multirun", "experiment=basic_motions", "split=kfold",
                "split.k=2", "split.fold=range(2)", "trainer.max_epochs=1", "logger=none",
                f"hydra.sweep.dir={sweep}"]
    __import__("os").chdir(root)
    try:
        train_main()
    finally:
        sys.argv = argv
        __import__("os").chdir(cwd)
        GlobalHydra.instance().clear()
    return sweep


def test_aggregates_per_fold_metrics_into_mean_and_sd(fold_sweep, capsys):
    per_fold = [json.loads((fold_sweep / str(f) / "metrics.json").read_text()) for f in (0, 1)]
    # the folds test disjoint subjects
    assert not set(per_fold[0]["split"]["test"]["subjects"]) & set(per_fold[1]["split"]["test"]["subjects"])
    assert main([str(fold_sweep)]) == 0
    assert "test/acc:" in capsys.readouterr().out
    rows = {r["metric"]: r for r in csv.DictReader(open(fold_sweep / "aggregate.csv"))}
    acc = [m["test/acc"] for m in per_fold]
    assert float(rows["test/acc"]["mean"]) == pytest.approx(statistics.mean(acc))
    assert float(rows["test/acc"]["sd"]) == pytest.approx(statistics.stdev(acc))
    assert rows["test/f1_macro"]["n"] == "2"
    table = (fold_sweep / "aggregate.md").read_text()
    assert f"{statistics.mean(acc):.4f} ± {statistics.stdev(acc):.4f}" in table
    runs = list(csv.DictReader(open(fold_sweep / "runs.csv")))
    assert [r["run"] for r in runs] == ["split.fold=0", "split.fold=1"]
    assert (fold_sweep / "aggregate.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_selected_metrics_and_another_output_directory(fold_sweep, tmp_path):
    summary = aggregate(fold_sweep, tmp_path, metrics=["test/f1_macro"], with_plot=False)
    assert {s["metric"] for s in summary} >= {"test/acc", "test/f1_macro", "best_val"}
    assert (tmp_path / "aggregate.md").is_file() and not (tmp_path / "aggregate.png").exists()
    with pytest.raises(ConfigError, match=r"\['test/auroc'\] are in no run"):
        aggregate(fold_sweep, tmp_path, metrics=["test/auroc"])


def test_a_directory_without_metrics_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "0").mkdir()
    with pytest.raises(ConfigError, match="no metrics.json under this directory"):
        aggregate(tmp_path)
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path) in err and "Fix:" in err
    with pytest.raises(ConfigError, match="is not a directory"):
        aggregate(tmp_path / "missing")


def test_a_half_written_metrics_file_is_named(tmp_path):
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "metrics.json").write_text('{"test/acc": 0.9')
    with pytest.raises(ReaderError, match=r"0/metrics.json.*cannot read"):
        aggregate(tmp_path)


def test_symlinked_run_folders_are_followed(fold_sweep, tmp_path):
    # a sweep gathered from links to its runs (e.g. the folds of two multiruns)
    gathered = tmp_path / "gathered"
    gathered.mkdir()
    for fold in (0, 1):
        (gathered / f"fold{fold}").symlink_to(fold_sweep / str(fold), target_is_directory=True)
    (gathered / "loop").symlink_to(gathered, target_is_directory=True)   # a loop ends
    summary = {s["metric"]: s for s in aggregate(gathered, tmp_path / "out", with_plot=False)}
    acc = [json.loads((fold_sweep / str(f) / "metrics.json").read_text())["test/acc"]
           for f in (0, 1)]
    assert summary["test/acc"]["n"] == 2
    assert summary["test/acc"]["mean"] == pytest.approx(statistics.mean(acc))
