"""``init_from``: the parent checkpoint is found and verified (run folder, file, registry
name), its weights copied strictly, and every mismatch named. Runs are hand-made folders
with a small torch module's weights (no training: fast)."""

import json

import pytest
import torch
from omegaconf import OmegaConf
from torch import nn

from lbpnet.audit.registry import move_alias, register
from lbpnet.cli.init_from import (load_parent_weights, parent_config_diff, resolve_parent,
                                  with_parent)
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.hashing import file_sha256


class Tiny(nn.Module):
    """A stand-in task: ``classes`` and a two-layer model."""

    def __init__(self, classes=("a", "b"), hidden=4):
        super().__init__()
        self.classes = list(classes)
        self.body = nn.Linear(3, hidden)
        self.head = nn.Linear(hidden, len(self.classes))


def write_run(folder, task, config=None):
    """A run folder as lbpnet-train leaves it: config.yaml, checkpoint, metrics.json with
    the checkpoint's sha256 and a test side."""
    (folder / "checkpoints").mkdir(parents=True)
    ckpt = folder / "checkpoints" / "epoch000.ckpt"
    torch.save({"state_dict": task.state_dict(),
                "hyper_parameters": {"classes": task.classes}}, ckpt)
    (folder / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.create(
        config or {"seed": 1, "model": {"hidden": 4}, "paths": {"output_dir": str(folder)}})))
    (folder / "metrics.json").write_text(json.dumps({
        "tested_checkpoint": str(ckpt), "checkpoints": {"checkpoints/epoch000.ckpt":
                                                        file_sha256(ckpt)},
        "test/f1_macro": 0.5, "split": {"test": {"subjects": ["P1"]}}}))
    return ckpt


def test_weights_are_copied_from_a_run_folder_or_its_file(tmp_path):
    parent = Tiny()
    ckpt = write_run(tmp_path / "parent", parent)
    for given in (tmp_path / "parent", ckpt):
        found = resolve_parent(str(given))
        assert found["checkpoint"] == str(ckpt) and found["model"] is None
        child = Tiny()
        assert not torch.equal(child.body.weight, parent.body.weight)
        load_parent_weights(child, found["checkpoint"])
        for k, v in parent.state_dict().items():
            assert torch.equal(child.state_dict()[k], v)


def test_mismatches_are_named(tmp_path):
    ckpt = write_run(tmp_path / "parent", Tiny())
    with pytest.raises(ConfigError, match=r"body.weight: parent \(4, 3\), this model \(8, 3\)"):
        load_parent_weights(Tiny(hidden=8), ckpt)
    with pytest.raises(ConfigError, match=r"predicts \['a', 'b'\] but this run's data gives"):
        load_parent_weights(Tiny(classes=("a", "c")), ckpt)
    extra = Tiny()
    extra.more = nn.Linear(2, 2)
    with pytest.raises(ConfigError, match="more.weight: missing in the parent"):
        load_parent_weights(extra, ckpt)


def test_unverifiable_or_changed_checkpoints_are_refused(tmp_path):
    ckpt = write_run(tmp_path / "parent", Tiny())
    loose = tmp_path / "loose.ckpt"
    loose.write_bytes(ckpt.read_bytes())
    with pytest.raises(ReaderError, match="not inside a run folder"):
        resolve_parent(str(loose))
    with pytest.raises(ReaderError, match="no such run folder"):
        resolve_parent(str(tmp_path / "nowhere"))
    torch.save({"state_dict": Tiny().state_dict()}, ckpt)       # replaced after training
    with pytest.raises(ReaderError, match="changed since training"):
        resolve_parent(str(ckpt))


def test_a_registered_name_resolves_and_is_written_into_the_config(tmp_path):
    ckpt = write_run(tmp_path / "parent", Tiny())
    reg, log = tmp_path / "registry", tmp_path / "audit.jsonl"
    register(tmp_path / "parent", "tiny", reg, audit_log=log, card=False)
    move_alias("tiny", "production", 1, reg, log)
    cfg = OmegaConf.create({"init_from": "tiny@production", "ckpt_path": None,
                            "registry": str(reg), "seed": 2, "model": {"hidden": 4}})
    out = with_parent(cfg)
    assert out.init_from == str(ckpt) and out.init_from_model == "tiny@1 (tiny@production)"
    diff = parent_config_diff(out, tmp_path / "parent")
    assert diff["changed"]["seed"] == [1, 2] and "init_from" in diff["added"]
    with pytest.raises(ConfigError, match="has no alias 'candidate'"):
        with_parent(OmegaConf.create({"init_from": "tiny@candidate", "registry": str(reg)}))
    with pytest.raises(ConfigError, match="both init_from="):
        with_parent(OmegaConf.create({"init_from": str(ckpt), "ckpt_path": str(ckpt)}))
    assert with_parent(OmegaConf.create({"init_from": None})).init_from is None
