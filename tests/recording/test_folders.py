import numpy as np
import pytest

from lbpnet.errors import ReaderError
from lbpnet.recording import Annotations, Recording, Stream, load_edf_folder, load_store_folder
from lbpnet.recording.pseudonym import pseudonym
from lbpnet.recording.store import write_recording


def test_store_folder_reads_every_recording_and_filters_subjects(tmp_path):
    for s in ("01", "02"):
        rec = Recording({"imu": Stream("imu", np.zeros((100, 1), np.float32), 50.0, ["x"])},
                        Annotations([0], [1], ["sit"]), subject=s)
        write_recording(rec, tmp_path / "nested" / f"sub-{s}.lbp")
    assert sorted(r.subject for r in load_store_folder(tmp_path)) == ["01", "02"]
    assert [r.subject for r in load_store_folder(tmp_path, subjects=["02"])] == ["02"]


def test_edf_folder_uses_annotations_as_labels(tmp_path, files):
    t = np.arange(200) / 100.0
    files.edf(tmp_path / "a.edf", [("EMG es_l", 100, "uV", np.sin(t), "EMG electrode")],
              annotations=[(0.0, 1.0, "sit"), (1.0, 1.0, "stand")], patient_code="S7")
    (rec,) = load_edf_folder(tmp_path)
    assert rec.annotations.label.tolist() == ["sit", "stand"]
    assert rec.subject == pseudonym("S7")   # the patient code, pseudonymised


def test_missing_and_empty_folders_are_named(tmp_path):
    with pytest.raises(ReaderError, match=r"data\.root.*folder does not exist"):
        load_store_folder(tmp_path / "nope")
    with pytest.raises(ReaderError, match=r"no EDF/BDF files matching"):
        load_edf_folder(tmp_path)
