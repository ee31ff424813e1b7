"""data.labels: a label-set version as the annotation source (override / add)."""

import numpy as np
import pytest

from lbpnet.cli.lineage import run_lineage
from lbpnet.curation.label_store import LabelStore
from lbpnet.errors import ConfigError, RecordingError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.label_store_format import LabelEntry
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream
from lbpnet.windows.index import make_windows
from lbpnet.windows.label_source import LabelSource, cut_out, label_source_of

CLASSES = ["sitting", "standing", "walking"]


def recording(subject="01"):
    """SYNTHETIC: 30 s of zeros at 10 Hz, annotated sitting 0-30 s."""
    s = Stream("imu", np.zeros((300, 1)), 10.0, ["acc_x"])
    return Recording({"imu": s}, Annotations([0.0], [30.0], ["sitting"]), subject=subject,
                     metadata={"synthetic": True})


def store_with(tmp_path, rows):
    store = LabelStore(tmp_path / "store", CLASSES)
    version = store.append([LabelEntry(rec, s, e, lab, who, "2026-12-02T00:00:00Z")
                            for rec, s, e, lab, who in rows])
    return store, version


def test_cut_out_keeps_pieces_outside():
    a = cut_out(Annotations([0.0, 20.0], [10.0, 5.0], ["a", "b"]), np.array([4.0, 21.0]),
                np.array([6.0, 30.0]))
    assert list(zip(a.onset, a.end, a.label)) == [(0, 4, "a"), (6, 10, "a"), (20, 21, "b")]


def test_override_and_add(tmp_path):
    store, version = store_with(tmp_path, [("sub-01", 10, 20, "walking", "a")])
    over = LabelSource(f"{store.path}@{version}")(recording())
    assert list(zip(over.annotations.onset, over.annotations.end,
                    over.annotations.label)) == [(0, 10, "sitting"), (10, 20, "walking"),
                                                 (20, 30, "sitting")]
    idx = make_windows([over], length=2.0, stride=2.0, classes=CLASSES)
    assert idx.class_counts().tolist() == [10, 0, 5]
    added = LabelSource(f"{store.path}@{version}", mode="add")(recording())
    assert len(added.annotations) == 2 and added.annotations.label.tolist() == \
        ["sitting", "walking"]
    other = LabelSource(f"{store.path}@{version}")(recording("02"))   # not named: unchanged
    assert other.annotations.label.tolist() == ["sitting"]


def test_adjudication_before_training(tmp_path):
    store, version = store_with(tmp_path, [("sub-01", 10, 20, "walking", "a"),
                                           ("sub-01", 10, 20, "standing", "b")])
    src = LabelSource(f"{store.path}@{version}")          # majority: a tie, left out
    assert src(recording()).annotations.label.tolist() == ["sitting"]
    senior = LabelSource(f"{store.path}@{version}", adjudication="senior", seniors=["b"])
    assert "standing" in senior(recording()).annotations.label.tolist()


def test_bad_specs_refused(tmp_path):
    store, version = store_with(tmp_path, [("sub-01", 10, 40, "walking", "a")])
    with pytest.raises(ConfigError, match="'000000000000' does not exist"):
        LabelSource(f"{store.path}@000000000000")
    with pytest.raises(ConfigError, match="labels mode"):
        LabelSource(f"{store.path}@{version}", mode="replace")
    with pytest.raises(RecordingError, match="after the recording ends"):
        LabelSource(f"{store.path}@{version}")(recording())         # 40 s > 30 s recording


def test_lineage_records_version_and_parent(tmp_path):
    store, version = store_with(tmp_path, [("sub-01", 10, 20, "walking", "a")])
    src = label_source_of({"labels": f"{store.path}@{version}", "labels_mode": "add"})
    parent = tmp_path / "parent.ckpt"
    parent.write_bytes(b"weights")
    with pytest.raises(ConfigError, match="none of which this run's data has"):
        run_lineage({"ckpt_path": None}, [src])
    src(recording())
    lin = run_lineage({"init_from": str(parent)}, [src])
    assert lin["labels"]["version"] == version and lin["labels"]["mode"] == "add"
    assert lin["labels"]["recordings"] == ["sub-01"]
    assert lin["parent_checkpoint"]["via"] == "init_from" and \
        len(lin["parent_checkpoint"]["sha256"]) == 64
    assert run_lineage({}, []) is None and label_source_of({"labels": None}) is None
