"""lbpnet-monitor end to end on a tiny trajectory run of a SYNTHETIC outcome folder (random
numbers, labelled synthetic): per-patient monitoring.json (baseline, changes with SDC,
calibrated forecasts, flags with evidence and the checkpoint's sha256), the trajectory plot,
the audit entry, the FHIR reader, and the refusals."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import train

SIDECAR = {"odi": {"LongName": "Oswestry Disability Index", "Units": "points",
                   "HigherIsWorse": True, "MinimalImportantChange": 10},
           "nrs": {"LongName": "pain NRS", "Units": "points", "HigherIsWorse": True,
                   "MinimalImportantChange": 2}}


def synthetic_odi_folder(root: Path, n: int = 40, sessions: int = 5, seed: int = 0) -> Path:
    """SYNTHETIC: responders' ODI and NRS fall; a third of the others worsen."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True)
    (root / "dataset_description.json").write_text(json.dumps(
        {"Name": "synthetic monitor test outcomes", "lbpnet": {"synthetic": True}}))
    (root / "sessions.json").write_text(json.dumps(SIDECAR))
    lines = ["participant_id\tarm"]
    for i in range(n):
        pid = f"P{i:02d}"
        kind = i % 3                          # 0 responder, 1 flat, 2 worsening
        lines.append(f"sub-{pid}\t{'exercise' if kind == 0 else 'usual'}")
        slope = {0: -6.0, 1: 0.0, 2: 5.0}[kind]
        rows = ["session_id\tweeks\todi\tnrs"]
        for s in range(sessions):
            odi = 45 + slope * s + rng.normal(0, 2)
            nrs = 6 + slope / 5 * s + rng.normal(0, 0.4)
            rows.append(f"ses-{s + 1}\t{2 * s}\t{odi:.1f}\t{nrs:.2f}")
        (root / f"sub-{pid}").mkdir()
        (root / f"sub-{pid}" / f"sub-{pid}_sessions.tsv").write_text("\n".join(rows) + "\n")
    (root / "participants.tsv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("monitor")
    root = synthetic_odi_folder(tmp / "outcomes")
    mp = pytest.MonkeyPatch()
    mp.setenv("WANDB_MODE", "offline")
    mp.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    mp.chdir(tmp)
    cfg = compose_train_config(
        ["experiment=pro_trajectory", f"data.root={root}", "data.outcomes=[odi,nrs]",
         "trainer.max_epochs=3", "trainer.enable_progress_bar=false", "logger=none",
         "split.val_fraction=0.3"], tmp / "run", tmp)
    metrics = train(cfg)
    GlobalHydra.instance().clear()
    yield Path(cfg.paths.output_dir), metrics, tmp
    mp.undo()


def run_monitor(monkeypatch, *overrides):
    from lbpnet.cli.monitor import main
    monkeypatch.setattr(sys, "argv", ["lbpnet-monitor", *overrides])
    try:
        main()
    finally:
        GlobalHydra.instance().clear()


def test_monitor_writes_summaries_plots_and_audit(trained_run, monkeypatch):
    run, metrics, tmp = trained_run
    monkeypatch.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    run_monitor(monkeypatch, f"run_dir={run}", "as_of_session=3")
    index = json.loads((run / "monitoring" / "index.json").read_text())
    test_patients = metrics["split"]["test"]["subjects"]
    # lbpnet-train's metrics.json: calibrated and uncalibrated keys of every forecaster
    for p in ("test/", "test/uncalibrated/", "test/baseline_mixed_model/",
              "test/baseline_locf/uncalibrated/", "test/baseline_median_change/"):
        assert np.isfinite(metrics[p + "coverage_odi"]) and np.isfinite(metrics[p + "width_nrs"])
    assert metrics["test/calibration"]["shared_patients"] == 0
    assert sorted(index["patients"]) == sorted(test_patients) and index["synthetic"] is True
    tested = Path(metrics["tested_checkpoint"])
    sha = metrics["checkpoints"][tested.relative_to(run).as_posix()]
    assert index["model_version"] == f"sha256:{sha}"
    # calibrated on the validation patients (held out of training), never the monitored ones
    assert index["calibration"]["calibration_patients"] == len(metrics["split"]["val"]["subjects"])
    assert not set(metrics["split"]["val"]["subjects"]) & set(test_patients)
    from lbpnet.reports.fhir_monitoring import read_monitoring
    seen_flag = 0
    for pid in test_patients:
        folder = run / "monitoring" / pid
        m = json.loads((folder / "monitoring.json").read_text())
        assert (folder / "trajectory.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert m["as_of_session"] == 3 and m["horizon_session"] == 5
        assert [s["seen"] for s in m["sessions"]] == [True] * 3 + [False] * 2
        odi = np.array([s["values"]["odi"] for s in m["sessions"]])
        assert m["baseline"]["values"]["odi"] == pytest.approx(odi[0])
        spec = {o["name"]: o for o in m["outcomes"]}["odi"]
        assert spec["sdc95"] == pytest.approx(1.96 * np.sqrt(2) * spec["sem"], rel=1e-3)
        assert spec["mic"] == 10 and "test-retest" in spec["sem_source"]
        ch = {c["session"]: c for c in m["changes"] if c["measure"] == "odi"}
        assert sorted(ch) == [1, 2, 3]
        assert ch[3]["change"] == pytest.approx(odi[2] - odi[0])
        # forecasts from session 3 of sessions 4 and 5, calibrated, with the model version
        fc = [f for f in m["forecasts"] if f["outcome"] == "odi"]
        assert sorted(f["horizon_session"] for f in fc) == [4, 5]
        for f in m["forecasts"] + m["forecast_history"]:
            assert f["calibrated"] is True and f["level"] == 0.8
            assert f["model_version"] == index["model_version"]
            assert f["lower"] <= f["median"] <= f["upper"]
        assert {f["made_at_session"] for f in m["forecast_history"]} == {1, 2}
        # the worsening rule, checked against the data directly
        worse = lambda s: odi[s - 1] - odi[0] > spec["sdc95"]          # noqa: E731
        nrs = np.array([s["values"]["nrs"] for s in m["sessions"]])
        nspec = {o["name"]: o for o in m["outcomes"]}["nrs"]
        nworse = lambda s: nrs[s - 1] - nrs[0] > nspec["sdc95"]         # noqa: E731
        expect = {s for s in (2, 3) if (worse(s) and worse(s - 1) and s - 1 >= 2)
                  or (nworse(s) and nworse(s - 1) and s - 1 >= 2)}
        got = {f["session"] for f in m["flags"] if f["rule_id"] == "outcome_worsening_two_sessions"}
        assert got == expect
        for f in m["flags"]:
            assert f["rule_version"] and f["uncertainty"] and f["action"] == "for clinician review"
            if f["rule_id"] == "forecast_cannot_reach_mic":
                assert f["model_version"] == index["model_version"]
                assert f["evidence"]["interval"][0] > f["evidence"]["baseline"] - 10
        seen_flag += len(m["flags"])
        assert 0 <= m["non_response"]["probability"] <= 1 and m["non_response"]["calibrated"]
        fhir = read_monitoring(folder / "monitoring.json")     # the FHIR exporter reads it
        assert len(fhir["flags"]) == len(m["flags"])
        assert len(fhir["forecasts"]) == len(m["forecasts"])
    assert seen_flag > 0                       # the worsening third of the cohort is flagged
    from lbpnet.audit import read_entries, verify_log
    entries = [e for e in read_entries(tmp / "audit.jsonl") if e["command"] == "lbpnet-monitor"]
    assert entries and entries[-1]["parent"]["sha256"] == sha
    assert verify_log(tmp / "audit.jsonl").ok


def test_monitor_refuses_training_patients_and_other_runs(trained_run, monkeypatch, capsys):
    run, metrics, tmp = trained_run
    monkeypatch.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    train_pid = metrics["split"]["train"]["subjects"][0]
    with pytest.raises(SystemExit) as err:
        run_monitor(monkeypatch, f"run_dir={run}", f"patients=[{train_pid}]")
    assert err.value.code == 2 and "in-sample" in capsys.readouterr().err
    with pytest.raises(SystemExit) as err:
        run_monitor(monkeypatch, f"run_dir={run}", "as_of_session=5")
    assert err.value.code == 2 and "as_of_session" in capsys.readouterr().err


def test_lbpnet_report_on_a_trajectory_run_shows_its_monitoring(trained_run, monkeypatch):
    run, metrics, tmp = trained_run
    monkeypatch.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    if not (run / "monitoring" / "index.json").is_file():
        run_monitor(monkeypatch, f"run_dir={run}")
    from lbpnet.cli.report import main
    monkeypatch.setattr(sys, "argv", ["lbpnet-report", f"run_dir={run}",
                                      f"output_dir={tmp / 'report'}"])
    try:
        main()
    finally:
        GlobalHydra.instance().clear()
    report = json.loads((tmp / "report" / "report.json").read_text())
    assert sorted(report["patients"]) == sorted(metrics["split"]["test"]["subjects"])
    page = Path(report["patients"][metrics["split"]["test"]["subjects"][0]]).read_text()
    assert 'id="monitoring"' in page and "data:image/png;base64," in page
    assert json.loads((run / "monitoring" / "index.json").read_text())["model_version"][7:] \
        in page                                # the checkpoint sha256 in the provenance
    from lbpnet.audit import read_entries
    assert read_entries(tmp / "audit.jsonl")[-1]["command"] == "lbpnet-report"


@pytest.mark.slow
def test_monitor_a_simulated_cohort_run_with_sensor_measures(tmp_path, monkeypatch):
    """SYNTHETIC simulator sessions (10 patients x 4): sensor measures' change beside SDC95."""
    monkeypatch.setenv("LBPNET_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.chdir(tmp_path)
    cfg = compose_train_config(["experiment=synthetic_trajectory", "data.n_patients=10",
                                "data.n_sessions=4", "trainer.max_epochs=1", "logger=none",
                                "trainer.enable_progress_bar=false", "split.val_fraction=0.3"],
                               tmp_path / "run", tmp_path)
    metrics = train(cfg)
    GlobalHydra.instance().clear()
    run_monitor(monkeypatch, f"run_dir={tmp_path / 'run'}")
    for pid in metrics["split"]["test"]["subjects"]:
        m = json.loads((tmp_path / "run" / "monitoring" / pid / "monitoring.json").read_text())
        assert m["synthetic"] is True and m["sensor_changes"]
        measures = {c["measure"] for c in m["sensor_changes"]}
        assert any(x.startswith("emg_median_freq/") for x in measures)
        for c in m["sensor_changes"]:
            assert c["beyond_sdc"] == (abs(c["change"]) > c["sdc95"]) and c["session"] <= 2


def test_a_new_data_root_keeps_the_runs_split_and_monitors_new_patients(trained_run,
                                                                        monkeypatch, capsys):
    import shutil
    run, metrics, tmp = trained_run
    monkeypatch.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    new = tmp / "outcomes_new"
    if not new.exists():
        shutil.copytree(tmp / "outcomes", new)
        (new / "sub-P77").mkdir()
        (new / "sub-P77" / "sub-P77_sessions.tsv").write_text(
            "session_id\tweeks\todi\tnrs\nses-1\t0\t50\t7\nses-2\t2\t60\t8\nses-3\t4\t66\t9\n")
        with open(new / "participants.tsv", "a") as f:
            f.write("sub-P77\tusual\n")
    run_monitor(monkeypatch, f"run_dir={run}", f"data_root={new}", f"output_dir={tmp / 'new'}",
                "as_of_session=3")
    index = json.loads((tmp / "new" / "index.json").read_text())
    assert sorted(index["patients"]) == sorted(metrics["split"]["test"]["subjects"] + ["P77"])
    m = json.loads((tmp / "new" / "P77" / "monitoring.json").read_text())
    assert [s["session"] for s in m["sessions"]] == [1, 2, 3]      # the sessions it has
    assert {f["rule_id"] for f in m["flags"]} >= {"outcome_worsening_two_sessions"}
    # a data root without the run's validation patients cannot calibrate: refused
    bare = tmp / "outcomes_bare"
    if not bare.exists():
        shutil.copytree(new, bare)
        keep = [line for line in (bare / "participants.tsv").read_text().splitlines()
                if line.split("\t")[0][4:] not in metrics["split"]["val"]["subjects"]]
        (bare / "participants.tsv").write_text("\n".join(keep) + "\n")
        for pid in metrics["split"]["val"]["subjects"]:
            shutil.rmtree(bare / f"sub-{pid}")
    with pytest.raises(SystemExit) as err:
        run_monitor(monkeypatch, f"run_dir={run}", f"data_root={bare}",
                    f"output_dir={tmp / 'bare'}")
    assert err.value.code == 2 and "validation patients" in capsys.readouterr().err


def test_the_mixed_model_as_the_monitored_forecaster(trained_run, monkeypatch):
    run, metrics, tmp = trained_run
    monkeypatch.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    run_monitor(monkeypatch, f"run_dir={run}", "forecaster=mixed_model",
                f"output_dir={tmp / 'mixed'}")
    index = json.loads((tmp / "mixed" / "index.json").read_text())
    assert index["forecaster"] == "mixed_model"
    assert index["model_version"].startswith("mixed_model@") and "sha256" in index["model_version"]
    for pid in index["patients"]:
        m = json.loads((tmp / "mixed" / pid / "monitoring.json").read_text())
        assert m["model"]["forecaster"] == "mixed_model" and m["non_response"] is None
        assert m["forecasts"] and all(f["calibrated"] and f["forecaster"] == "mixed_model"
                                      and f["model_version"] == index["model_version"]
                                      for f in m["forecasts"])
