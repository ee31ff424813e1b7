"""The audit log: entries chained by hash, one writer at a time, rank 0 only, user pseudonymised."""

import getpass
import json
import multiprocessing

import pytest

from lbpnet.audit.config_diff import config_diff, flatten
from lbpnet.audit.entry import GENESIS, entry_hash
from lbpnet.audit.log import append_entry, head_path, read_entries
from lbpnet.audit.verify import verify_log
from lbpnet.recording.pseudonym import pseudonym


def test_entries_link_to_the_one_before_and_record_file_hashes(tmp_path):
    log = tmp_path / "audit.jsonl"
    (tmp_path / "model.ckpt").write_bytes(b"weights")
    cfg = {"seed": 1, "model": {"depth": 2}, "paths": {"log_dir": str(tmp_path)}}
    for i in range(3):
        append_entry("lbpnet-train", cfg, outputs=[tmp_path / "model.ckpt"], log_path=log,
                     reference={"seed": 0, "model": {"depth": 2}, "old": 1})
    entries = read_entries(log)
    assert [e["seq"] for e in entries] == [0, 1, 2]
    assert entries[0]["prev"] == GENESIS
    assert [e["prev"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert all(entry_hash(e) == e["hash"] for e in entries)
    assert entries[0]["outputs"][0]["sha256"] != entries[0]["config_sha256"]
    changes = entries[0]["parameter_changes"]
    assert changes["changed"] == {"seed": [0, 1]} and changes["removed"] == {"old": 1}
    assert "paths.log_dir" in changes["added"]
    assert {"torch", "numpy"} <= set(entries[0]["environment"]["packages"])
    assert json.loads(head_path(log).read_text()) == {"entries": 3, "hash": entries[-1]["hash"]}
    assert verify_log(log).ok


def test_the_log_goes_beside_the_logs_unless_audit_log_says_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("LBPNET_AUDIT_LOG", raising=False)
    append_entry("x", {"paths": {"log_dir": str(tmp_path / "logs")}})
    assert len(read_entries(tmp_path / "logs" / "audit.jsonl")) == 1
    append_entry("x", {"paths": {"log_dir": str(tmp_path / "logs")},
                       "audit": {"log": str(tmp_path / "elsewhere.jsonl")}})
    assert len(read_entries(tmp_path / "elsewhere.jsonl")) == 1
    assert append_entry("x", {"audit": {"enabled": False, "log": str(tmp_path / "no.jsonl")}}) \
        is None and not (tmp_path / "no.jsonl").exists()


def test_the_user_is_a_keyed_pseudonym_by_default(tmp_path):
    log = tmp_path / "a.jsonl"
    e = append_entry("x", {}, log_path=log)
    assert e["user"] == "u-" + pseudonym(getpass.getuser()) != getpass.getuser()
    assert append_entry("x", {"audit": {"user": "none"}}, log_path=log)["user"] is None


def test_only_global_rank_zero_writes(tmp_path, monkeypatch):
    import sys
    monkeypatch.setenv("RANK", "1")
    for name in ("pytorch_lightning.utilities.rank_zero", "lightning_fabric.utilities.rank_zero"):
        if name in sys.modules:                  # Lightning loaded: its rank is the one used
            monkeypatch.setattr(sys.modules[name].rank_zero_only, "rank", 1)
    assert append_entry("x", {}, log_path=tmp_path / "a.jsonl") is None
    assert not (tmp_path / "a.jsonl").exists()


def _writer(args):
    log, k = args
    for i in range(6):
        append_entry(f"writer-{k}", {"i": i}, log_path=log, extra={"i": i})


def test_concurrent_writers_never_interleave_or_break_the_chain(tmp_path):
    log = tmp_path / "audit.jsonl"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_writer, [(str(log), k) for k in range(4)])
    entries = read_entries(log)
    assert len(entries) == 24 and sorted(e["seq"] for e in entries) == list(range(24))
    assert verify_log(log).ok


def test_flatten_and_diff_see_nested_and_list_changes():
    assert flatten({"a": {"b": 1, "c": [1, 2]}}) == {"a.b": 1, "a.c": [1, 2]}
    d = config_diff({"a": {"c": [1, 2]}, "hydra": {"x": 1}}, {"a": {"c": [1, 3]}})
    assert d == {"changed": {"a.c": [[1, 2], [1, 3]]}, "added": {}, "removed": {}}


def test_a_training_run_records_its_data_outputs_and_changes(two_runs):
    root, run_a, _ = two_runs
    entries = [e for e in read_entries(root / "logs" / "audit.jsonl")
               if e["command"] == "lbpnet-train"]
    first = entries[0]
    assert first["extra"]["run_dir"] == str(run_a.resolve())
    assert first["data"]["n_recordings"] == first["data"]["n_synthetic"] == 8
    assert {o["path"].rsplit("/", 1)[-1] for o in first["outputs"]} >= {
        "config.yaml", "metrics.json", "last.ckpt"}
    changes = first["parameter_changes"]
    assert changes["against"] == "default conf/train.yaml"
    assert changes["added"]["trainer.limit_train_batches"] == 1
    with pytest.raises(KeyError):
        changes["changed"]["seed"]          # the seed was left at its default


def test_a_resumed_run_is_diffed_against_its_parent_run(tmp_path):
    from lbpnet.audit.hooks import run_dir_of
    parent = tmp_path / "parent"
    (parent / "checkpoints").mkdir(parents=True)
    (parent / "config.yaml").write_text("seed: 1\nmodel:\n  depth: 2\n")
    (parent / "checkpoints" / "last.ckpt").write_bytes(b"w")
    assert run_dir_of(parent / "checkpoints" / "last.ckpt") == parent.resolve()
    e = append_entry("lbpnet-train", {"seed": 2, "model": {"depth": 2}},
                     parent={"run_dir": str(parent)}, config_name="train",
                     log_path=tmp_path / "a.jsonl")
    assert e["parameter_changes"]["against"] == f"parent run {parent.resolve()}"
    assert e["parameter_changes"]["changed"] == {"seed": [1, 2]}
