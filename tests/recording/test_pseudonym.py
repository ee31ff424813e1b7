"""Pseudonyms: keyed, stable across imports, different under another key; the key file."""

from __future__ import annotations

import os
import re
import stat
import threading

import numpy as np
import pytest

from lbpnet.errors import ConfigError
from lbpnet.recording.edf import read_edf
from lbpnet.recording.folders import load_edf_folder
from lbpnet.recording.pseudonym import ENV_VAR, key_path, load_key, pseudonym

CODE = "MRN-0048213"


def _edf(files, path, code=CODE):
    return files.edf(path, [("ACC X", 50, "g", np.sin(np.arange(500) / 7.0), "accelerometer")],
                     patient_code=code, annotations=[(1.0, 2.0, "walk")])


def test_same_code_same_pseudonym_in_two_files_and_two_imports(files, tmp_path):
    key = tmp_path / "key"
    a = read_edf(_edf(files, tmp_path / "a.edf"), pseudonym_key=key)
    b = read_edf(_edf(files, tmp_path / "b.edf"), pseudonym_key=key)
    again = read_edf(tmp_path / "a.edf", pseudonym_key=key)
    assert a.subject == b.subject == again.subject == pseudonym(CODE, key)
    assert re.fullmatch(r"[0-9a-f]{8}", a.subject) and a.key == f"sub-{a.subject}"
    assert CODE not in a.subject and "0048213" not in a.key
    other = read_edf(_edf(files, tmp_path / "c.edf", "MRN-0048214"), pseudonym_key=key)
    assert other.subject != a.subject


def test_another_key_gives_another_pseudonym(files, tmp_path):
    path = _edf(files, tmp_path / "a.edf")
    first = read_edf(path, pseudonym_key=tmp_path / "k1").subject
    second = read_edf(path, pseudonym_key=tmp_path / "k2").subject
    assert first != second
    assert load_key(tmp_path / "k1") != load_key(tmp_path / "k2")


def test_folder_reader_passes_the_key(files, tmp_path):
    (tmp_path / "data").mkdir()
    _edf(files, tmp_path / "data" / "a.edf")
    recs = load_edf_folder(tmp_path / "data", pseudonym_key=tmp_path / "key")
    assert [r.subject for r in recs] == [pseudonym(CODE, tmp_path / "key")]


def test_key_file_is_created_once_owner_only_and_reused(tmp_path):
    path = tmp_path / "conf" / "lbpnet" / "pseudonym.key"
    key = load_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["pseudonym.key"]  # no temp debris


def test_concurrent_first_use_agrees_on_one_key(tmp_path):
    path = tmp_path / "pseudonym.key"
    keys, barrier = [], threading.Barrier(8)

    def first_use():
        barrier.wait()
        keys.append(load_key(path))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and keys[0] == load_key(path)


def test_where_the_key_lives(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert key_path() == tmp_path / "xdg" / "lbpnet" / "pseudonym.key"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert key_path() == tmp_path / "home" / ".config" / "lbpnet" / "pseudonym.key"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.key"))
    assert key_path() == tmp_path / "env.key"
    assert key_path(tmp_path / "arg.key") == tmp_path / "arg.key"
    assert pseudonym(CODE) == pseudonym(CODE, tmp_path / "env.key")
    assert (tmp_path / "env.key").is_file() and not (tmp_path / "home").exists()


def test_codes_are_compared_without_case_or_surrounding_space(tmp_path):
    key = load_key(tmp_path / "key")
    assert pseudonym(" mrn-0048213 ", key=key) == pseudonym(CODE, key=key)
    assert pseudonym("MRN-0048231", key=key) != pseudonym(CODE, key=key)


def test_a_damaged_key_is_refused(tmp_path):
    path = tmp_path / "key"
    path.write_text("not a key\n")
    with pytest.raises(ConfigError, match=r"key.*'pseudonym_key'.*hex.*Fix:"):
        load_key(path)
    path.write_text("abcd\n")
    with pytest.raises(ConfigError, match="at least 32 digits"):
        pseudonym(CODE, path)


def test_a_key_that_cannot_be_created_is_named(tmp_path):
    (tmp_path / "taken").write_text("a file where the key's folder should be")
    with pytest.raises(ConfigError, match=r"taken/pseudonym\.key.*cannot be created.*Fix:"):
        load_key(tmp_path / "taken" / "pseudonym.key")


def test_a_key_others_can_read_warns(tmp_path):
    path = tmp_path / "key"
    load_key(path)
    os.chmod(path, 0o644)
    with pytest.warns(UserWarning, match="chmod 600"):
        load_key(path)
