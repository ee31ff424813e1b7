"""``lbpnet-export fhir`` on a tiny SYNTHETIC strategy run (with an explanation and a
hand-made monitoring summary) and on a real data set (UEA BasicMotions): every bundle
written parses back strictly as FHIR R4 (fhirclient, 4.0.1) and with fhir.resources."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.explain import explain
from lbpnet.cli.export import export_fhir, main
from lbpnet.cli.train import train
from lbpnet.errors import ReaderError

STRATEGY = ["experiment=synthetic_strategy", "data.n_patients=8", "data.n_sessions=1",
            "trainer.max_epochs=1", "+trainer.limit_train_batches=2", "~callbacks.early_stopping",
            "callbacks.model_checkpoint.monitor=null", "logger=none", "trainer.accelerator=cpu",
            "trainer.enable_progress_bar=false"]
BASIC_MOTIONS = ["experiment=basic_motions", "trainer.max_epochs=1", "logger=none",
                 "trainer.accelerator=cpu", "trainer.enable_progress_bar=false"]


def _compose(name, *overrides):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(name, overrides=list(overrides))


def parse_r4(path):
    """Both strict parses of one written bundle; the fhir.resources Bundle."""
    from fhir.resources.R4B.bundle import Bundle
    from fhirclient.models.bundle import Bundle as R4Bundle

    text = path.read_text()
    R4Bundle(json.loads(text), strict=True)
    return Bundle.model_validate_json(text)


def kinds(bundle):
    return [type(e.resource).__name__ for e in bundle.entry]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A tiny synthetic_strategy run (explained) and a one-epoch BasicMotions run."""
    root = tmp_path_factory.mktemp("export")
    old = os.getcwd()
    os.chdir(root)
    try:
        train(compose_train_config(STRATEGY, root / "strategy", root))
        explain(_compose("explain", f"run_dir={root / 'strategy'}", "max_windows=12",
                         "segments.n_segments=2", "faithfulness=false", "explain.n_samples=4"))
        GlobalHydra.instance().clear()
        train(compose_train_config(BASIC_MOTIONS, root / "basic_motions", root))
    finally:
        os.chdir(old)
        GlobalHydra.instance().clear()
    metrics = json.loads((root / "strategy" / "metrics.json").read_text())
    tested = metrics["split"]["test"]["subjects"]
    monitoring = root / "strategy" / "monitoring" / "default" / "monitoring.json"
    monitoring.parent.mkdir(parents=True)
    monitoring.write_text(json.dumps({   # hand-made: the shape lbpnet-monitor is read in
        "flags": [{"subject": tested[0], "rule_id": "non_response_early", "rule_version": "1",
                   "severity": "high", "message": "ODI improvement below the MIC by session 3",
                   "evidence": {"d_odi": -2.0, "mic": 10}}],
        "forecasts": [{"subject": tested[0], "outcome": "odi", "value": 30.0, "lower": 22.0,
                       "upper": 38.0, "level": 0.8}]}))
    sha = metrics["checkpoints"][sorted(metrics["checkpoints"])[0]]
    audit = root / "hand_audit.jsonl"     # one entry that wrote the tested checkpoint
    ckpt = next(k for k in metrics["checkpoints"] if metrics["tested_checkpoint"].endswith(k))
    audit.write_text(json.dumps({"seq": 0, "command": "lbpnet-train", "hash": "9" * 64,
                                 "outputs": [{"path": str(root / "strategy" / ckpt),
                                              "sha256": metrics["checkpoints"][ckpt]}]}) + "\n")
    assert sha
    return root


@pytest.fixture(scope="module")
def simulated(runs):
    cfg = _compose("export", f"run_dir={runs / 'strategy'}", "waveform_seconds=0.1",
                   f"audit_log={runs / 'hand_audit.jsonl'}", "model_version=strategy-cnn@1")
    return export_fhir(cfg), runs / "strategy" / "fhir"


def test_every_simulated_bundle_parses_as_fhir_r4(runs, simulated):
    summary, out = simulated
    metrics = json.loads((runs / "strategy" / "metrics.json").read_text())
    subjects = sorted({s for side in ("train", "val", "test")
                       for s in metrics["split"].get(side, {}).get("subjects", [])})
    assert sorted(summary["bundles"]) == subjects
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"bundle-{s}.json" for s in subjects] + ["export.json"])     # no temporary file left
    tested = metrics["split"]["test"]["subjects"]
    for subject in subjects:
        bundle = parse_r4(out / f"bundle-{subject}.json")
        types = kinds(bundle)
        assert types.count("Patient") == 1 and types.count("Provenance") == 1
        assert bundle.meta.tag[0].code == "synthetic"
        codes = [e.resource.code.coding[0].code for e in bundle.entry
                 if type(e.resource).__name__ == "Observation"]
        assert {"97909-6", "72514-3", "8867-4", "emg-rms", "waveform-excerpt"} <= set(codes)
        findings = [c for c in codes if c.startswith("finding/strategy/")]
        assert bool(findings) == (subject in tested)   # only explained (test-side) sessions
    flagged = parse_r4(out / f"bundle-{tested[0]}.json")
    flag, = [e.resource for e in flagged.entry if type(e.resource).__name__ == "Flag"]
    assert flag.code.coding[0].code == "non_response_early"
    prov, = [e.resource for e in flagged.entry if type(e.resource).__name__ == "Provenance"]
    targets = {t.reference for t in prov.target}
    assert f"urn:uuid:{flag.id}" in targets
    entity = {e.what.identifier.system.rsplit("/", 1)[1]: e.what.identifier.value
              for e in prov.entity}
    assert entity["audit-entry"] == "9" * 64 and entity["model-registry"] == "strategy-cnn@1"
    tested_ckpt = next(k for k in metrics["checkpoints"] if metrics["tested_checkpoint"].endswith(k))
    assert entity["checkpoint-sha256"] == metrics["checkpoints"][tested_ckpt]


def test_every_real_basic_motions_bundle_parses_as_fhir_r4(runs, tmp_path):
    metrics = json.loads((runs / "basic_motions" / "metrics.json").read_text())
    tested = sorted(metrics["split"]["test"]["subjects"])[:12]      # 12 of the 40 test cases
    cfg = _compose("export", f"run_dir={runs / 'basic_motions'}", f"out={tmp_path}",
                   "side=test", "waveform_seconds=1", f"subjects=[{','.join(tested)}]")
    summary = export_fhir(cfg)
    assert sorted(summary["bundles"]) == tested
    assert summary["synthetic"] is False
    for entry in summary["bundles"].values():
        bundle = parse_r4(tmp_path / entry["file"])
        assert bundle.meta is None                       # real data: no synthetic tag
        imu = [e.resource for e in bundle.entry if type(e.resource).__name__ == "Device"
               and e.resource.type.coding[0].code == "imu"]
        rate = imu[0].property[0].valueQuantity[0]
        assert float(rate.value) == 10.0 and rate.code == "Hz"
        wf = [e.resource for e in bundle.entry if type(e.resource).__name__ == "Observation"
              and e.resource.code.coding[0].code == "waveform-excerpt"]
        assert len(wf) == 1 and len(wf[0].component) == 6
        assert wf[0].component[0].valueSampledData.origin.code is None   # units undocumented


def test_a_run_without_metrics_json_is_refused_by_name(runs, tmp_path):
    broken = tmp_path / "run"
    shutil.copytree(runs / "basic_motions", broken)
    (broken / "metrics.json").unlink()
    with pytest.raises(ReaderError, match="no metrics.json"):
        export_fhir(_compose("export", f"run_dir={broken}"))
    assert not (broken / "fhir").exists()


def test_a_malformed_monitoring_summary_is_refused_by_file(runs, tmp_path):
    broken = tmp_path / "run"
    shutil.copytree(runs / "basic_motions", broken)
    bad = broken / "monitoring" / "x" / "monitoring.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"flags": [{"subject": "case-test-0"}]}')
    with pytest.raises(ReaderError) as err:
        export_fhir(_compose("export", f"run_dir={broken}", "side=test"))
    assert str(bad) in str(err.value) and "rule_id" in str(err.value)
    with pytest.raises(ReaderError, match="no explanation there"):
        export_fhir(_compose("export", f"run_dir={broken}", "monitoring_summaries=false",
                             f"report={tmp_path / 'nowhere'}"))


def test_the_console_script_says_what_is_wrong(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["lbpnet-export", "fhir", f"run_dir={tmp_path}"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2 and "no metrics.json" in capsys.readouterr().err
    GlobalHydra.instance().clear()
    monkeypatch.setattr(sys, "argv", ["lbpnet-export", "csv"])
    with pytest.raises(SystemExit):
        main()
    assert "usage: lbpnet-export {fhir}" in capsys.readouterr().err


def test_a_registered_model_is_exported_by_name_with_its_registry_version(runs, tmp_path):
    from lbpnet.audit.registry import register

    registry = tmp_path / "registry"
    register(runs / "strategy", "strategy-cnn", registry, audit_log=tmp_path / "audit.jsonl",
             card=False)
    for run_dir in ("strategy-cnn@1", runs / "strategy"):     # by name, or by folder
        out = tmp_path / str(hash(str(run_dir)))
        summary = export_fhir(_compose("export", f"run_dir={run_dir}", f"registry={registry}",
                                       f"out={out}", "measures=false", "subjects=[P001]"))
        assert summary["run_dir"] == str((runs / "strategy").resolve())
        bundle = parse_r4(out / summary["bundles"]["P001"]["file"])
        prov, = [e.resource for e in bundle.entry if type(e.resource).__name__ == "Provenance"]
        entity = {e.what.identifier.system.rsplit("/", 1)[1]: e.what.identifier.value
                  for e in prov.entity}
        assert entity["model-registry"] == "strategy-cnn@1"
    bare = export_fhir(_compose("export", f"run_dir={runs / 'strategy'}",
                                f"registry={tmp_path / 'empty'}", f"out={tmp_path / 'bare'}",
                                "measures=false", "subjects=[P001]"))
    text = (tmp_path / "bare" / bare["bundles"]["P001"]["file"]).read_text()
    assert "model-registry" not in text                   # no registry: no version claimed
