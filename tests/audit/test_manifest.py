"""Run manifests: what they record, and that they are written whole."""

import json
import re
import shutil
import subprocess

import pytest

from lbpnet import __version__
from lbpnet.audit import data_fingerprint, file_sha256, git_state, make_manifest
from lbpnet.audit.manifest import PACKAGE_DIR


def test_manifest_records_model_config_data_and_code(tmp_path):
    ckpt = tmp_path / "last.ckpt"
    ckpt.write_bytes(b"\x00weights")
    manifest = make_manifest(checkpoint=ckpt, config={"seed": 1}, data={"sha256": "d" * 64},
                             training_run=tmp_path, extra={"side": "test"})
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", manifest.run_id)
    assert manifest.checkpoint == {"path": str(ckpt), "sha256": file_sha256(ckpt)}
    assert manifest.lbpnet_version == __version__
    assert manifest.data["sha256"] == "d" * 64 and manifest.extra == {"side": "test"}
    path = manifest.write(tmp_path / "out" / "manifest.json")
    written = json.loads(path.read_text())
    assert written["config_sha256"] == manifest.config_sha256
    assert written["run_id"] == manifest.run_id
    assert [p.name for p in path.parent.iterdir()] == ["manifest.json"]   # no temp file left


def test_a_changed_checkpoint_changes_the_manifest(tmp_path):
    ckpt = tmp_path / "last.ckpt"
    ckpt.write_bytes(b"a")
    first = make_manifest(checkpoint=ckpt).checkpoint["sha256"]
    ckpt.write_bytes(b"b")
    assert make_manifest(checkpoint=ckpt).checkpoint["sha256"] != first


def test_precomputed_hashes_are_recorded_as_given_and_match_hashing_the_files(tmp_path):
    ckpt, config = tmp_path / "last.ckpt", tmp_path / "config.yaml"
    ckpt.write_bytes(b"\x00weights")
    config.write_text("seed: 1\n", encoding="utf-8")
    hashed = make_manifest(checkpoint=ckpt, config=config.read_text(encoding="utf-8"))
    given = make_manifest(checkpoint=ckpt, checkpoint_sha256=file_sha256(ckpt),
                          config_sha256=file_sha256(config))
    assert given.checkpoint == hashed.checkpoint
    assert given.config_sha256 == hashed.config_sha256
    ckpt.write_bytes(b"changed")                      # not read again when the hash is given
    assert make_manifest(checkpoint=ckpt, checkpoint_sha256="c" * 64).checkpoint["sha256"] \
        == "c" * 64


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_is_the_checkout_head():
    head = subprocess.run(["git", "-C", str(PACKAGE_DIR), "rev-parse", "HEAD"],
                          capture_output=True, text=True)
    commit, dirty = git_state()
    if head.returncode != 0:
        assert commit is None and dirty is None
    else:
        assert commit == head.stdout.strip() and isinstance(dirty, bool)


def test_outside_a_checkout_there_is_no_commit(tmp_path):
    assert git_state(tmp_path) == (None, None)


def test_data_fingerprint_goes_into_the_manifest():
    manifest = make_manifest(data=data_fingerprint([]))
    assert manifest.data["n_recordings"] == 0 and manifest.checkpoint is None
