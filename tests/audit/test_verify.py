"""``lbpnet-audit verify`` names the first entry that was edited, deleted, reordered, or whose
file changed since; an intact log verifies (the bar of issue 13)."""

import json
import shutil

import pytest

from lbpnet.audit.log import append_entry, head_path
from lbpnet.cli.audit import main


@pytest.fixture
def log(tmp_path):
    """A log of four entries, entry 2 recording a (fake, small) checkpoint file."""
    path = tmp_path / "logs" / "audit.jsonl"
    ckpt = tmp_path / "run" / "last.ckpt"
    ckpt.parent.mkdir()
    ckpt.write_bytes(bytes(range(256)) * 4)
    for i in range(4):
        append_entry("lbpnet-train", {"seed": i}, log_path=path,
                     outputs=[ckpt] if i == 2 else [], extra={"i": i})
    return path, ckpt


def _copy(path, tmp_path, lines):
    """A copy of the log (and its head) whose lines are ``lines``."""
    out = tmp_path / "copy" / "audit.jsonl"
    out.parent.mkdir(exist_ok=True)
    out.write_text("".join(lines))
    shutil.copy(head_path(path), head_path(out))
    return out


def _verify(path, capsys):
    status = main(["--log", str(path), "verify"])
    return status, capsys.readouterr().out


def test_an_intact_log_verifies(log, capsys):
    status, out = _verify(log[0], capsys)
    assert status == 0 and "ok: 4 entries" in out
    assert main(["--log", str(log[0]), "log"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 4
    assert main(["--log", str(log[0]), "show", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["extra"] == {"i": 2}


def test_an_edited_entry_is_named(log, tmp_path, capsys):
    lines = log[0].read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"extra":{"i":1}', '"extra":{"i":7}')
    assert '"extra":{"i":7}' in lines[1]
    status, out = _verify(_copy(log[0], tmp_path, lines), capsys)
    assert status == 1 and "entry 1 (line 2)" in out and "edited" in out


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(log, tmp_path, capsys):
    from lbpnet.audit.entry import entry_hash
    lines = log[0].read_text().splitlines(keepends=True)
    entry = json.loads(lines[1])
    entry["extra"] = {"i": 99}
    entry["hash"] = entry_hash(entry)
    lines[1] = json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
    status, out = _verify(_copy(log[0], tmp_path, lines), capsys)
    assert status == 1 and "entry 2 (line 3)" in out and "does not link" in out


def test_a_deleted_entry_is_named(log, tmp_path, capsys):
    lines = log[0].read_text().splitlines(keepends=True)
    status, out = _verify(_copy(log[0], tmp_path, lines[:1] + lines[2:]), capsys)
    assert status == 1 and "entry 1 (line 2)" in out and "deleted" in out


def test_a_deleted_last_entry_is_found_by_the_head(log, tmp_path, capsys):
    lines = log[0].read_text().splitlines(keepends=True)
    status, out = _verify(_copy(log[0], tmp_path, lines[:-1]), capsys)
    assert status == 1 and "records 4 entries" in out and "has 3" in out


def test_reordered_entries_are_named(log, tmp_path, capsys):
    lines = log[0].read_text().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    status, out = _verify(_copy(log[0], tmp_path, lines), capsys)
    assert status == 1 and "entry 1 (line 2)" in out and "reordered" in out


def test_one_changed_checkpoint_byte_is_named(log, capsys):
    path, ckpt = log
    data = bytearray(ckpt.read_bytes())
    data[100] ^= 0x01
    ckpt.write_bytes(bytes(data))
    status, out = _verify(path, capsys)
    assert status == 1 and "entry 2 (line 3)" in out and "changed since" in out
    assert str(ckpt) in out
    assert main(["--log", str(path), "verify", "--no-files"]) == 0   # the chain is intact


def test_a_missing_log_is_a_user_error(tmp_path, capsys):
    assert main(["--log", str(tmp_path / "none.jsonl"), "log"]) == 2
    assert "no audit log" in capsys.readouterr().err
