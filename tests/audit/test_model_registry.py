"""The model registry on two tiny trained runs (SYNTHETIC cohort): immutable versions,
audited alias moves, the promotion gate, and ``name@alias`` resolution."""

import json
import shutil

import pytest
from omegaconf import OmegaConf

from lbpnet.audit.log import read_entries
from lbpnet.audit.model_ref import resolve_run_dir
from lbpnet.audit.promotion import PromotionRefused, compare, gate_metric, promote
from lbpnet.audit.registry import aliases, read_version, register, resolve, versions
from lbpnet.audit.verify import verify_log
from lbpnet.cli.registry import main
from lbpnet.errors import ConfigError


@pytest.fixture(scope="module")
def registered(two_runs, tmp_path_factory):
    """Both runs registered as versions 1 (run_a) and 2 (run_b) of 'strategy'."""
    root, run_a, run_b = two_runs
    reg = tmp_path_factory.mktemp("registry") / "registry"
    log = root / "logs" / "audit.jsonl"
    v1 = register(run_a, "strategy", reg, audit_log=log)
    v2 = register(run_b, "strategy", reg, audit_log=log)
    return reg, log, v1, v2


def test_a_version_records_checkpoint_config_data_and_metrics(registered, two_runs):
    reg, log, v1, v2 = registered
    assert (v1["version"], v2["version"]) == (1, 2)
    metrics = json.loads((two_runs[1] / "metrics.json").read_text())
    assert v1["metrics"]["test/f1_macro"] == metrics["test/f1_macro"]
    assert v1["split"]["test"]["subjects"] == metrics["split"]["test"]["subjects"]
    assert v1["data"]["n_synthetic"] == 8 and v1["synthetic"] is True
    train_entry = [e for e in read_entries(log) if e["command"] == "lbpnet-train"][0]
    assert v1["training_audit_entry"]["hash"] == train_entry["hash"]
    assert read_version("strategy", 1, reg) == v1
    path = reg / "strategy" / "versions" / "1" / "version.json"
    assert path.stat().st_mode & 0o777 == 0o444    # written read-only, once
    with pytest.raises(ConfigError, match="already strategy@1"):
        register(two_runs[1], "strategy", reg, audit_log=log)


def test_promotion_is_gated_on_the_same_test_subjects_and_audited(registered, capsys):
    reg, log, v1, v2 = registered
    metric = gate_metric(v1)
    better, worse = (v1, v2) if v1["metrics"][metric] >= v2["metrics"][metric] else (v2, v1)
    gap = better["metrics"][metric] - worse["metrics"][metric]
    assert gap > 0                                   # 1 vs 3 training batches differ
    assert promote("strategy", better["version"], "production", 0.0, root=reg,
                   audit_log=log)["production"] == better["version"]
    if gap > 0:
        with pytest.raises(PromotionRefused) as refused:
            promote("strategy", worse["version"], "production", gap / 2, root=reg,
                    audit_log=log)
        assert f"{worse['metrics'][metric]:.4f}" in str(refused.value)
        assert aliases("strategy", reg)["production"] == better["version"]
        status = main(["promote", "name=strategy", f"version={worse['version']}",
                       "alias=production", "tolerance=0", f"registry={reg}",
                       f"audit_log={log}"])
        assert status == 2 and "refused" in capsys.readouterr().err
    assert promote("strategy", worse["version"], "candidate", root=reg,
                   audit_log=log)["candidate"] == worse["version"]
    entries = [e for e in read_entries(log) if e["command"] == "lbpnet-registry promote"]
    moves = [e["extra"] for e in entries if e["extra"].get("moved")]
    assert [(m["alias"], m["to_version"]) for m in moves] == [
        ("production", better["version"]), ("candidate", worse["version"])]
    refusals = [e["extra"] for e in entries if e["extra"].get("refused")]
    assert len(refusals) == (2 if gap > 0 else 0)
    if refusals:
        assert refusals[0]["checks"][0]["candidate"] == worse["metrics"][metric]
    assert verify_log(log).ok


def test_other_test_subjects_cannot_be_compared():
    a = {"version": 1, "metrics": {"test/f1_macro": 0.9}, "split": {"test": {"subjects": ["x"]}}}
    b = {"version": 2, "metrics": {"test/f1_macro": 0.1}, "split": {"test": {"subjects": ["y"]}}}
    assert compare(a, b, "test/f1_macro", 0.01)["worse"] is True
    b["split"]["test"]["subjects"] = ["x"]
    assert compare(a, b, "test/f1_macro", 0.01)["worse"] is False
    assert compare(b, a, "test/f1_macro", 0.01)["difference"] == pytest.approx(-0.8)
    assert compare({**a, "metrics": {"test/loss": 0.5}}, {**b, "metrics": {"test/loss": 0.2}},
                   "test/loss", 0.1)["worse"] is True       # a loss: lower is better


def test_name_at_alias_resolves_to_a_verified_checkpoint(registered, two_runs, tmp_path):
    reg, log, v1, _ = registered
    run, ckpt, rec = resolve("strategy@1", reg)
    assert run == two_runs[1].resolve() and ckpt.is_file() and rec == v1
    cfg = resolve_run_dir(OmegaConf.create({"run_dir": "strategy@1", "checkpoint": None,
                                            "registry": str(reg)}))
    assert cfg.run_dir == str(run) and cfg.checkpoint == str(ckpt) and "strategy@1" in cfg.model
    copy = tmp_path / "copy"
    shutil.copytree(two_runs[1], copy)
    rec = register(copy, "copied", reg, checkpoint="last", audit_log=log)
    target = copy / rec["checkpoint"]["path"]
    data = bytearray(target.read_bytes())
    data[-10] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match="changed since it was registered"):
        resolve("copied@1", reg)
    with pytest.raises(ConfigError, match="no alias 'production'"):
        resolve("copied@production", reg)


def test_the_console_script_lists_and_resolves(registered, capsys):
    reg = registered[0]
    assert main(["list", "name=strategy", f"registry={reg}"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [v["version"] for v in listed] == [v["version"] for v in versions("strategy", reg)]
    assert main(["resolve", "model=strategy@2", f"registry={reg}"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "strategy@2"
    assert main(["promote", "name=strategy"]) == 2
    assert "version= is needed" in capsys.readouterr().err


@pytest.mark.slow      # a report (~20 s on 2 busy cores)
def test_lbpnet_report_takes_a_registered_model(registered, tmp_path, monkeypatch):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from lbpnet.cli.config_path import CONFIG_DIR
    from lbpnet.cli.report import report
    reg, log, _, v2 = registered
    monkeypatch.setenv("LBPNET_REGISTRY", str(reg))
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("report", overrides=["run_dir=strategy@2", f"output_dir={tmp_path / 'r'}",
                                           "max_windows_per_session=2", "n_detail=0",
                                           "explain.n_samples=2", "faithfulness=false"])
    GlobalHydra.instance().clear()
    report(cfg)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["checkpoint"]["sha256"] == v2["checkpoint"]["sha256"]
    last = read_entries(log)[-1]
    assert last["command"] == "lbpnet-report" and "strategy@2" in last["parent"]["model"]
