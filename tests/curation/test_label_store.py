"""The versioned label store: append-only, content-hash versions, hand edits refused."""

import json

import pytest

from lbpnet.curation.label_store import LabelStore, utc_now
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.recording.label_store_format import LabelEntry, read_label_set, split_spec

CLASSES = ["sitting", "standing", "walking"]


def entry(label="sitting", start=0.0, end=2.0, who="rater_a", rec="sub-01"):
    return LabelEntry(rec, start, end, label, who, utc_now(), {"queue": "q1"}, "looked odd")


def test_append_versions_and_supersede(tmp_path):
    store = LabelStore(tmp_path / "s", classes=CLASSES)
    v1 = store.append([entry(), entry("walking", 4, 6)])
    v2 = store.correct(store.entries()[0].id, "standing", "senior", reason="was standing")
    assert v1 != v2 and [v["version"] for v in store.versions()] == [v1, v2]
    assert len(store.entries()) == 3                       # nothing overwritten
    version, active = store.label_set(v1)
    assert version == v1 and sorted(e.label for e in active) == ["sitting", "walking"]
    version, active = store.label_set()                    # latest: the correction wins
    assert version == v2 and sorted(e.label for e in active) == ["standing", "walking"]
    assert read_label_set(tmp_path / "s", v1)[1] == store.label_set(v1)[1]


def test_version_is_content_hash(tmp_path):
    a, b = LabelStore(tmp_path / "a", CLASSES), LabelStore(tmp_path / "b", CLASSES)
    e = entry()
    assert a.append([e]) == b.append([e])
    assert a.append([entry("walking")]) != b.append([entry("standing")])


def test_hand_edit_refused_naming_entry(tmp_path):
    store = LabelStore(tmp_path / "s", CLASSES)
    store.append([entry(), entry("walking", 4, 6)])
    path = tmp_path / "s" / "labels.jsonl"
    lines = path.read_text().splitlines()
    edited = json.loads(lines[1])
    edited["label"] = "standing"
    path.write_text(lines[0] + "\n" + json.dumps(edited) + "\n")
    with pytest.raises(ReaderError, match=f"entry {edited['id']} on line 2.*edited by hand"):
        store.label_set()


def test_unknown_version_refused(tmp_path):
    store = LabelStore(tmp_path / "s", CLASSES)
    v = store.append([entry()])
    with pytest.raises(ConfigError, match=f"'deadbeef0000' does not exist.*{v}"):
        store.label_set("deadbeef0000")


def test_bad_entries_refused(tmp_path):
    store = LabelStore(tmp_path / "s", CLASSES)
    with pytest.raises(ConfigError, match="not one of the store's classes"):
        store.append([entry("jumping")])
    with pytest.raises(ConfigError, match="no annotator"):
        store.append([entry(who="")])
    with pytest.raises(ConfigError, match="start_s < end_s"):
        store.append([entry(start=3, end=2)])
    with pytest.raises(ConfigError, match="classes are"):
        LabelStore(tmp_path / "s", classes=["a", "b"])
    assert store.versions() == []                          # refused writes leave nothing


def test_split_spec(tmp_path):
    assert split_spec(f"{tmp_path}/s@abc123") == (tmp_path / "s", "abc123")
    assert split_spec(f"{tmp_path}/s") == (tmp_path / "s", None)


def _append_many(args):
    path, who = args
    store = LabelStore(path)
    for i in range(5):
        store.append([entry(who=who, start=10.0 * i, end=10.0 * i + 5)])


def test_concurrent_appends_lose_nothing(tmp_path):
    from multiprocessing import get_context
    LabelStore(tmp_path / "s", CLASSES)
    with get_context("fork").Pool(3) as pool:
        pool.map(_append_many, [(tmp_path / "s", f"rater_{k}") for k in range(3)])
    store = LabelStore(tmp_path / "s")
    assert len(store.entries()) == 15 and len(store.versions()) == 15
    assert len(store.label_set()[1]) == 15
