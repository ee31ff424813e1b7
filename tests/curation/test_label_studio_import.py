"""Labels back into the store from a Label Studio JSON export and from the filled CSV."""

import csv
import json

import pytest

from lbpnet.curation.label_store import LabelStore
from lbpnet.curation.label_studio_import import import_labels, read_label_studio_export
from lbpnet.errors import ConfigError, ReaderError

CLASSES = ["sitting", "standing"]
QUEUE = {"queue": "q1", "classes": CLASSES, "model_version": "ckpt123",
         "tasks": [{"task_id": "t1", "start_s": 10.0, "end_s": 20.0},
                   {"task_id": "t2", "start_s": 40.0, "end_s": 50.0}]}


def region(rid, start, end, label, reason=None):
    out = [{"id": rid, "from_name": "label", "to_name": "ts", "type": "timeserieslabels",
            "value": {"start": start, "end": end, "instant": False,
                      "timeserieslabels": [label]}}]
    if reason:
        out.append({"id": rid, "from_name": "reason", "to_name": "ts", "type": "textarea",
                    "value": {"text": [reason]}})
    return out


def export(tmp_path, results, task_id="t1", who={"id": 3, "email": "rater@x.org"}):
    ann = {"id": 1, "result": results, "created_at": "2026-12-02T06:40:00.123456Z",
           "updated_at": "2026-12-02T06:41:00.5Z", "was_cancelled": False}
    if who is not None:
        ann["completed_by"] = who
    tasks = [{"id": 7, "data": {"task_id": task_id, "recording": "sub-01", "queue": "q1",
                                "model_version": "ckpt123", "csv": "x"},
              "annotations": [ann]}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks))
    return path


def test_export_round_trip_into_store(tmp_path):
    path = export(tmp_path, region("a", 11.0, 13.5, "standing", "stood up slowly")
                  + region("b", 13.5, 19.0, "sitting"))
    store = LabelStore(tmp_path / "store", CLASSES)
    version, added, skipped = import_labels(path, store, queue=QUEUE)
    assert (added, skipped) == (2, 0)
    _, entries = store.label_set(version)
    e = entries[0]
    assert (e.recording, e.start_s, e.end_s, e.label, e.annotator) == \
        ("sub-01", 11.0, 13.5, "standing", "rater@x.org")
    assert e.reason == "stood up slowly" and e.time == "2026-12-02T06:41:00Z"
    assert e.source == {"queue": "q1", "model_version": "ckpt123", "tool": "label-studio",
                        "task": "t1"}
    assert import_labels(path, store, queue=QUEUE)[1:] == (0, 2)     # twice: nothing added
    assert len(store.versions()) == 1


def test_annotator_map_and_int_ids(tmp_path):
    path = export(tmp_path, region("a", 11, 12, "sitting"), who=5)
    entries = read_label_studio_export(path, QUEUE, annotators={"5": "rater_b"})
    assert entries[0].annotator == "rater_b"


@pytest.mark.parametrize("results, task_id, who, match", [
    (region("a", 11, 12, "jumping"), "t1", {"email": "r"}, "another project"),
    (region("a", 11, 15, "sitting") + region("b", 14, 16, "standing"), "t1", {"email": "r"},
     "overlapping intervals"),
    (region("a", 5, 12, "sitting"), "t1", {"email": "r"}, "outside the task's segment"),
    (region("a", 12, 11, "sitting"), "t1", {"email": "r"}, "not start < end"),
    (region("a", 11, 12, "sitting"), "t1", None, "no annotator"),
    (region("a", 11, 12, "sitting"), "t9", {"email": "r"}, "not in the queue"),
])
def test_bad_exports_refused(tmp_path, results, task_id, who, match):
    path = export(tmp_path, results, task_id, who)
    store = LabelStore(tmp_path / "store", CLASSES)
    with pytest.raises(ConfigError, match=match):
        import_labels(path, store, queue=QUEUE)
    assert store.versions() == [] and store.entries() == []


def test_export_of_another_tool_project_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps([{"id": 1, "data": {"image": "x.png"}, "annotations": []}]))
    with pytest.raises(ConfigError, match="another project"):
        read_label_studio_export(path, QUEUE)


def test_import_into_hand_edited_store_refused(tmp_path):
    store = LabelStore(tmp_path / "store", CLASSES)
    import_labels(export(tmp_path, region("a", 11, 12, "sitting")), store, queue=QUEUE)
    labels = tmp_path / "store" / "labels.jsonl"
    labels.write_text(labels.read_text().replace('"end_s": 12.0', '"end_s": 12.5'))
    with pytest.raises(ReaderError, match="line 1.*edited by hand"):
        import_labels(export(tmp_path, region("b", 41, 42, "sitting"), "t2"), store, queue=QUEUE)


def test_filled_csv_import(tmp_path):
    path = tmp_path / "queue.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task_id", "recording", "start_s", "end_s", "label", "annotator", "reason"])
        w.writerow(["t1", "sub-01", "10", "20", "standing", "rater_c", "clear"])
        w.writerow(["t2", "sub-01", "40", "50", "", "", ""])          # not reviewed: skipped
    store = LabelStore(tmp_path / "store", CLASSES)
    version, added, _ = import_labels(path, store, queue=QUEUE)
    (e,) = store.label_set(version)[1]
    assert added == 1 and (e.start_s, e.end_s, e.label, e.annotator, e.source["tool"]) == \
        (10.0, 20.0, "standing", "rater_c", "csv")
    with open(path, "a", newline="") as f:
        csv.writer(f).writerow(["t2", "sub-01", "40", "50", "sitting", "", ""])
    with pytest.raises(ConfigError, match="row 4 has a label but no annotator"):
        import_labels(path, store, queue=QUEUE)
