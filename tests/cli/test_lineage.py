"""A run's lineage names the test-side recordings a curated label set relabelled (the
promotion gate's "same frozen test set"). SYNTHETIC recordings of zeros."""

import numpy as np

from lbpnet.cli.lineage import run_lineage
from lbpnet.curation.label_store import LabelStore
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.label_store_format import LabelEntry
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream
from lbpnet.windows.label_source import label_source_of


def recording(subject):
    s = Stream("imu", np.zeros((300, 1)), 10.0, ["acc_x"])
    return Recording({"imu": s}, Annotations([0.0], [30.0], ["sitting"]), subject=subject,
                     metadata={"synthetic": True})


def test_relabelled_test_recordings_are_named(tmp_path):
    store = LabelStore(tmp_path / "store", ["sitting", "walking"])
    version = store.append([LabelEntry(f"sub-{s}", 10, 20, "walking", "a",
                                       "2026-12-02T00:00:00Z") for s in ("01", "02")])
    src = label_source_of({"labels": f"{store.path}@{version}"})
    recs = [src(recording(s)) for s in ("01", "02", "03")]
    lin = run_lineage({}, [src], test_recordings=[recs[1].key, recs[2].key])
    assert lin["labels"]["recordings"] == ["sub-01", "sub-02"]
    assert lin["labels"]["test_recordings"] == ["sub-02"]
    assert run_lineage({}, [src])["labels"]["test_recordings"] == []
