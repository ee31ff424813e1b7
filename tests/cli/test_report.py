"""``lbpnet-report`` end to end on a tiny trained run (SYNTHETIC cohort), and its refusals."""

import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from lbpnet.audit import file_sha256
from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.report import report
from lbpnet.cli.train import train
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.explain import ChannelSegmentAttribution

TINY_RUN = ["experiment=synthetic_strategy", "data.n_patients=8", "data.n_sessions=1",
            "trainer.max_epochs=1", "+trainer.limit_train_batches=2", "~callbacks.early_stopping",
            "callbacks.model_checkpoint.monitor=null", "logger=none", "trainer.accelerator=cpu",
            "trainer.enable_progress_bar=false", "qc=default"]
FAST = ["max_windows_per_session=3", "n_detail=1", "explain.n_samples=4", "explain.batch_size=16"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A tiny synthetic_strategy run: 8 simulated patients, one epoch of two batches."""
    root = tmp_path_factory.mktemp("tiny")
    old = os.getcwd()
    os.chdir(root)
    try:
        cfg = compose_train_config(TINY_RUN, root / "run", root)
        train(cfg)
    finally:
        os.chdir(old)
        GlobalHydra.instance().clear()
    return root / "run"


def test_a_qc_run_records_its_quality_counts_and_summary(run_dir):
    metrics = json.loads((run_dir / "metrics.json").read_text())
    quality = metrics["quality"]
    assert quality["qc_policy"] == "mask_loss"
    assert quality["train"]["windows"] > 0 and quality["train"]["windows_excluded"] == 0
    header = (run_dir / "qc_summary.csv").read_text().splitlines()[0]
    assert header.startswith("recording,stream,check")


def report_cfg(*overrides):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("report", overrides=list(overrides))


@pytest.fixture(scope="module")
def reported(run_dir):
    """The report of the tiny run, as ``lbpnet-report run_dir=… <FAST>`` writes it."""
    out = run_dir / "reports" / "first"
    report(report_cfg(f"run_dir={run_dir}", f"output_dir={out}", *FAST))
    return out


def test_lbpnet_report_writes_session_and_cohort_pages(run_dir, reported):
    out = reported
    summary = json.loads((out / "report.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert summary["synthetic"] is True
    assert len(summary["sessions"]) == len(metrics["split"]["test"]["subjects"])
    manifest = json.loads((out / "manifest.json").read_text())
    tested = Path(metrics["tested_checkpoint"])
    assert manifest["checkpoint"]["sha256"] == file_sha256(tested)
    assert manifest["data"]["n_recordings"] == len(summary["sessions"])
    index = (out / "index.html").read_text()
    for key, page in summary["sessions"].items():
        text = Path(page).read_text()
        assert "SYNTHETIC DATA" in text and "not a diagnosis" in text
        assert manifest["run_id"] in text and manifest["checkpoint"]["sha256"] in text
        assert manifest["data"]["sha256"] in text and manifest["config_sha256"] in text
        assert "The model rates" in text                  # at a glance, every output
        assert "deletion_auc" in text                     # faithfulness was measured
        assert "explained windows failed quality control" in text     # QC ran in training
        assert "QC score" in text
        assert re.search(r'src="data:image/png;base64,', text)
        assert Path(page).name in index
    saved = ChannelSegmentAttribution.load(out / "attribution")
    assert saved.n_windows == 3 * len(summary["sessions"])
    assert saved.channels[0].startswith("emg/")


def test_a_saved_attribution_is_reported_and_a_foreign_one_refused(run_dir, reported, tmp_path):
    first = reported
    saved = ChannelSegmentAttribution.load(first / "attribution")
    summary = report(report_cfg(f"run_dir={run_dir}", f"attribution={first / 'attribution.json'}",
                                f"output_dir={tmp_path / 'again'}", *FAST, "n_detail=0"))
    assert set(summary["sessions"]) == set(json.loads(
        (first / "report.json").read_text())["sessions"])
    assert saved.provenance["checkpoint_sha256"] == file_sha256(
        json.loads((run_dir / "metrics.json").read_text())["tested_checkpoint"])
    other_model = ChannelSegmentAttribution.load(first / "attribution")
    other_model.provenance["checkpoint_sha256"] = "0" * 64
    other_model.save(tmp_path / "other_model")
    with pytest.raises(ConfigError, match="computed with checkpoint"):
        report(report_cfg(f"run_dir={run_dir}", f"attribution={tmp_path / 'other_model.json'}",
                          f"output_dir={tmp_path / 'no'}", *FAST))
    saved.channels[0] = "emg/not_a_muscle"
    saved.save(tmp_path / "foreign")
    with pytest.raises(ConfigError) as err:
        report(report_cfg(f"run_dir={run_dir}", f"attribution={tmp_path / 'foreign.json'}",
                          f"output_dir={tmp_path / 'no'}", *FAST))
    message = str(err.value)
    assert "foreign.json" in message and str(run_dir) in message
    assert "emg/not_a_muscle" in message and "['emg/" in message


def test_a_saved_attribution_without_every_output_probability_is_completed(run_dir, reported,
                                                                         tmp_path):
    """A result saved before explain_dataset stored ``probability/<output>``: the report
    computes them with the run's model, equal to what the explanation stored."""
    first = ChannelSegmentAttribution.load(reported / "attribution")
    keys = [f"probability/{n}" for n in first.output_names]
    assert all(k in first.windows for k in keys)
    old = ChannelSegmentAttribution.load(reported / "attribution")
    for k in keys:
        del old.windows[k]
    old.save(tmp_path / "older")
    report(report_cfg(f"run_dir={run_dir}", f"attribution={tmp_path / 'older.json'}",
                      f"output_dir={tmp_path / 'out'}", *FAST, "n_detail=0"))
    again = ChannelSegmentAttribution.load(tmp_path / "out" / "attribution")
    for k in keys:
        np.testing.assert_allclose(again.windows[k], first.windows[k], atol=1e-5)


def test_a_run_dir_without_config_or_checkpoint_is_refused(run_dir, tmp_path):
    with pytest.raises(ReaderError, match="no config.yaml"):
        report(report_cfg(f"run_dir={tmp_path}", f"output_dir={tmp_path / 'out'}"))
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(run_dir / "config.yaml", bare / "config.yaml")
    with pytest.raises(ReaderError, match=r"checkpoint not found \(checkpoints in the run: none"):
        report(report_cfg(f"run_dir={bare}", f"output_dir={tmp_path / 'out'}"))


def test_a_checkpoint_that_does_not_fit_the_config_is_refused(run_dir, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    config["data"]["module"]["modalities"] = ["emg"]          # the checkpoint has emg + imu
    (other / "config.yaml").write_text(yaml.safe_dump(config))
    (other / "checkpoints").mkdir()          # checkpoints are read inside the run folder only
    shutil.copy(run_dir / "checkpoints" / "last.ckpt", other / "checkpoints" / "last.ckpt")
    with pytest.raises(ConfigError) as err:
        report(report_cfg(f"run_dir={other}", "checkpoint=last",
                          f"output_dir={tmp_path / 'out'}"))
    message = str(err.value)
    assert "last.ckpt" in message and "has {'emg': 16}" in message and "'imu'" in message


def explain_cfg(*overrides):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("explain", overrides=list(overrides))


def test_a_saved_lbpnet_explain_result_is_reused_instead_of_explained_again(
        run_dir, tmp_path, monkeypatch, caplog):
    from lbpnet.cli.explain import explain
    from lbpnet.explain.attribute import Explainer

    saved, (npz, js) = explain(explain_cfg(f"run_dir={run_dir}", "explain.n_samples=4",
                                           "explain.batch_size=16", "device=cpu",
                                           "name=for_report"))
    real = Explainer.explain_dataset
    try:
        def refuse(*args, **kwargs):
            raise AssertionError("lbpnet-report explained again")

        monkeypatch.setattr(Explainer, "explain_dataset", refuse)
        with caplog.at_level(logging.INFO, logger="lbpnet.report"):
            summary = report(report_cfg(f"run_dir={run_dir}",
                                        f"output_dir={tmp_path / 'reused'}", *FAST))
        assert f"reusing {js}" in caplog.text
        shown = ChannelSegmentAttribution.load(tmp_path / "reused" / "attribution")
        row = {(int(r), float(s)): i for i, (r, s) in
               enumerate(zip(saved.windows["recording"], saved.windows["start"]))}
        rows = [row[(int(r), float(s))] for r, s in zip(shown.windows["recording"],
                                                        shown.windows["start"])]
        assert shown.n_windows == 3 * len(summary["sessions"]) < saved.n_windows
        np.testing.assert_array_equal(shown.matrix, saved.matrix[rows])
        np.testing.assert_array_equal(shown.target, saved.target[rows])
        written = json.loads((tmp_path / "reused" / "report.json").read_text())
        assert written["faithfulness"] == pytest.approx(saved.faithfulness)
        manifest = json.loads((tmp_path / "reused" / "manifest.json").read_text())
        assert manifest["extra"]["attribution"] == str(js)

        calls = []

        def counted(self, *args, **kwargs):
            calls.append(1)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Explainer, "explain_dataset", counted)
        caplog.clear()
        changed = [o for o in FAST if not o.startswith("explain.n_samples")]
        with caplog.at_level(logging.INFO, logger="lbpnet.report"):
            report(report_cfg(f"run_dir={run_dir}", f"output_dir={tmp_path / 'fresh'}",
                              *changed, "explain.n_samples=5"))
        assert calls == [1]
        assert f"not reusing {js}: another explain config (n_samples: 4 there, 5 here)" \
            in caplog.text
    finally:
        npz.unlink()
        js.unlink()


def test_a_report_that_fails_midway_leaves_no_manifest_without_pages(run_dir, reported,
                                                                     tmp_path, monkeypatch):
    import lbpnet.reports.build as build

    calls = []

    def second_page_fails(path, html):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(path, html)

    real = build.write_page
    monkeypatch.setattr(build, "write_page", second_page_fails)
    out = tmp_path / "reports" / "2026-01-01_00-00-00"
    with pytest.raises(OSError, match="simulated"):
        report(report_cfg(f"run_dir={run_dir}", f"attribution={reported / 'attribution.json'}",
                          f"output_dir={out}", *FAST, "n_detail=0"))
    assert len(calls) == 2 and not out.exists()
    assert list(tmp_path.rglob("manifest.json")) == [] and list(tmp_path.rglob("*.html")) == []


@pytest.mark.slow
def test_the_console_script_runs_as_a_hydra_app(run_dir):
    """``lbpnet-report run_dir=…`` as a user types it: Hydra picks <run_dir>/reports/<time>/."""
    exe = shutil.which("lbpnet-report") or pytest.skip("lbpnet-report is not installed")
    env = {**os.environ, "WANDB_MODE": "offline", "OMP_NUM_THREADS": "1"}
    before = set((run_dir / "reports").glob("[!.]*")) if (run_dir / "reports").is_dir() else set()
    done = subprocess.run([exe, f"run_dir={run_dir}", *FAST], capture_output=True, text=True,
                          env=env, cwd=run_dir)
    assert done.returncode == 0, done.stderr[-3000:]
    new = set((run_dir / "reports").glob("[!.]*")) - before      # not .hydra_runs, no temp
    assert len(new) == 1 and not list((run_dir / "reports").glob(".*.tmp-*"))
    out = new.pop()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}", out.name)
    assert (out / "index.html").is_file() and (out / "manifest.json").is_file()


@pytest.mark.slow
def test_a_mistyped_run_dir_is_refused_and_leaves_nothing_behind(tmp_path):
    exe = shutil.which("lbpnet-report") or pytest.skip("lbpnet-report is not installed")
    typo = tmp_path / "runs" / "2026-11-2_typo"
    done = subprocess.run([exe, f"run_dir={typo}"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode != 0 and "no config.yaml" in done.stderr
    assert not typo.exists()
