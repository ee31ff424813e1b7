"""read_edf: round trips on real EDF+/BDF+ files and errors that name the file."""

from __future__ import annotations

import datetime

import numpy as np
import pyedflib
import pytest

from lbpnet.errors import ReaderError, RecordingError
from lbpnet.recording.edf import guess_channel_type, read_edf, read_edf_header
from lbpnet.recording.folders import load_edf_folder
from lbpnet.recording.pseudonym import pseudonym

T = np.arange(2000) / 200.0  # 10 s at 200 Hz
EMG_L = 100 * np.sin(2 * np.pi * 3 * T)
EMG_R = 50 * np.cos(2 * np.pi * 5 * T)
ACC = np.linspace(-1, 1, 500)  # 10 s at 50 Hz


def _two_rate(files, path, kind="edf", **kw):
    return files.edf(path, [("EMG ES L", 200, "uV", EMG_L, "AgAgCl"),
                            ("EMG ES R", 200, "uV", EMG_R, "AgAgCl"),
                            ("ACC X", 50, "g", ACC, "accelerometer")], kind,
                     annotations=[(1.0, 2.0, "walk"), (4.0, -1, "stand")], **kw)


@pytest.mark.parametrize("kind", ["edf", "bdf"])
def test_round_trip_two_rates(files, tmp_path, kind):
    path = _two_rate(files, tmp_path / f"rec.{kind}", kind, patient_code="P007")
    rec = read_edf(path)
    assert set(rec.streams) == {"emg", "imu"}
    emg, imu = rec.streams["emg"], rec.streams["imu"]
    assert emg.sampling_rate == 200 and imu.sampling_rate == 50
    assert emg.data.dtype == np.float32 and emg.data.shape == (2000, 2)
    assert imu.data.shape == (500, 1)
    assert emg.channel_names == ["EMG ES L", "EMG ES R"]
    assert emg.channel_types == ["EMG", "EMG"] and imu.channel_types == ["ACCEL"]
    assert emg.units == ["uV", "uV"] and imu.units == ["g"]
    tol = 0.05 if kind == "edf" else 1e-3
    np.testing.assert_allclose(emg.data[:, 0], EMG_L, atol=tol)
    np.testing.assert_allclose(emg.data[:, 1], EMG_R, atol=tol)
    np.testing.assert_allclose(imu.data[:, 0], ACC, atol=1e-3)
    assert emg.start_time == imu.start_time == 0.0
    np.testing.assert_allclose(rec.annotations.onset, [1.0, 4.0])
    np.testing.assert_allclose(rec.annotations.duration, [2.0, 0.0])
    assert rec.annotations.label.tolist() == ["walk", "stand"]
    assert rec.subject == pseudonym("P007") != "P007"   # the patient code, pseudonymised
    assert rec.metadata["format"] == ("EDF+" if kind == "edf" else "BDF+")


def test_modality_name_gets_rate_suffix_when_several_rates(files, tmp_path):
    rec = read_edf(_two_rate(files, tmp_path / "rec.edf"), modality="emg")
    assert set(rec.streams) == {"emg_200hz", "emg_50hz"}
    assert rec.subject == pseudonym("rec")  # no patient code -> the file stem, pseudonymised


def test_label_filter_and_overrides(files, tmp_path):
    path = _two_rate(files, tmp_path / "rec.edf")
    rec = read_edf(path, modality="emg", label_filter=r"^EMG",
                   channel_names=["erector_spinae_left", "erector_spinae_right"],
                   units={"EMG ES R": "mV"})
    assert list(rec.streams) == ["emg"]
    assert rec.streams["emg"].channel_names == ["erector_spinae_left", "erector_spinae_right"]
    assert rec.streams["emg"].units == ["uV", "mV"]
    rec = read_edf(path, label_filter={"ACC X"}, channel_types={"ACC X": "accel"})
    assert rec.streams["imu"].channel_types == ["ACCEL"]
    rec = read_edf(path, label_filter=lambda label: label.endswith("R"))
    assert rec.streams["emg"].channel_names == ["EMG ES R"]


def test_plain_edf_without_annotations_unknown_types_and_empty_unit(files, tmp_path):
    path = files.edf(tmp_path / "plain.edf", [("chan1", 100, "", np.ones(300), "")], "edf0")
    rec = read_edf(path)
    assert list(rec.streams) == ["misc"]
    assert rec.streams["misc"].channel_types == ["MISC"]
    assert rec.streams["misc"].units == ["n/a"]
    assert len(rec.annotations) == 0 and rec.subject == pseudonym("plain")
    assert read_edf_header(path)["file_type"] == "EDF"


def test_guess_channel_type():
    assert guess_channel_type("EKG") == "ECG"
    assert guess_channel_type("gyro_z") == "GYRO"
    assert guess_channel_type("x1", "EMG electrode") == "EMG"
    assert guess_channel_type("erector_spinae_left") == "MISC"


def test_missing_file(tmp_path):
    with pytest.raises(ReaderError, match=r"nothere\.edf.*file not found.*Fix"):
        read_edf(tmp_path / "nothere.edf")


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(ReaderError, match="is a folder"):
        read_edf(tmp_path)


def test_not_an_edf(tmp_path):
    path = tmp_path / "notes.edf"
    path.write_text("onset\tduration\n1\t2\n")
    with pytest.raises(ReaderError, match=r"notes\.edf.*'header'.*not an EDF/BDF file.*Fix"):
        read_edf(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.bdf"
    path.write_bytes(b"")
    with pytest.raises(ReaderError, match=r"empty\.bdf.*not an EDF/BDF"):
        read_edf(path)


@pytest.mark.parametrize("kind", ["edf", "bdf"])
@pytest.mark.parametrize("cut", [1, 100, 3000])
def test_truncated_file(files, tmp_path, kind, cut):
    path = _two_rate(files, tmp_path / f"rec.{kind}", kind)
    blob = path.read_bytes()
    path.write_bytes(blob[:-cut])
    with pytest.raises(ReaderError, match=rf"rec\.{kind}.*truncated.*Fix: .*again"):
        read_edf(path)


def test_header_cut_inside(files, tmp_path):
    path = _two_rate(files, tmp_path / "rec.edf")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ReaderError, match=r"rec\.edf.*'header'"):
        read_edf(path)


def test_corrupt_header_field(files, tmp_path):
    path = _two_rate(files, tmp_path / "rec.edf")
    blob = bytearray(path.read_bytes())
    blob[236:244] = b"abcdefgh"  # number of data records
    path.write_bytes(bytes(blob))
    with pytest.raises(ReaderError, match=r"rec\.edf.*corrupt.*Number of Datarecords.*Fix"):
        read_edf(path)
    with pytest.raises(ReaderError):
        read_edf_header(path)


def test_unknown_unit_names_channel(files, tmp_path):
    path = files.edf(tmp_path / "u.edf", [("SpO2", 10, "mmol", np.ones(20), "")])
    with pytest.raises(ReaderError, match=r"u\.edf.*'units'.*SpO2.*mmol.*Fix: pass units="):
        read_edf(path)
    rec = read_edf(path, units={"SpO2": "a.u."})
    assert rec.streams["misc"].units == ["a.u."]


def test_filter_that_keeps_nothing(files, tmp_path):
    with pytest.raises(ReaderError, match="label_filter.*no signal left"):
        read_edf(_two_rate(files, tmp_path / "rec.edf"), label_filter="^EEG")


def test_override_of_wrong_length(files, tmp_path):
    with pytest.raises(ReaderError, match="'channel_names'.*3 channels"):
        read_edf(_two_rate(files, tmp_path / "rec.edf"), channel_names=["a"])
    with pytest.raises(ReaderError, match="unknown channel"):
        read_edf(_two_rate(files, tmp_path / "rec2.edf"), units={"nope": "uV"})


def test_annotation_after_end_is_a_recording_error(files, tmp_path):
    path = files.edf(tmp_path / "late.edf", [("EMG", 100, "uV", np.zeros(200), "")],
                     annotations=[(5.0, 10.0, "lift")])
    with pytest.raises(RecordingError, match=r"late\.edf.*after the recording ends"):
        read_edf(path)


START = datetime.datetime(2003, 7, 19, 11, 22, 33)
HEADER = dict(patient_code="MRN-0048213", patient_name="Jane_Doe_Smithers",
              birthdate=datetime.date(1961, 2, 27), technician="TechnicianQuill",
              equipment="EquipSerial-77Q", admincode="ADM-55512")


def _identified(path, start=START, **header):
    """An EDF+ file whose header holds a name, birth date, codes, technician and equipment."""
    header = {**HEADER, **header}
    writer = pyedflib.EdfWriter(str(path), 1, file_type=pyedflib.FILETYPE_EDFPLUS)
    writer.setSignalHeaders([dict(label="ACC X", dimension="g", sample_frequency=50,
                                  physical_max=2, physical_min=-2, digital_max=32767,
                                  digital_min=-32768, transducer="accelerometer", prefilter="")])
    writer.setPatientCode(header["patient_code"])
    writer.setPatientName(header["patient_name"])
    writer.setBirthdate(header["birthdate"])
    writer.setTechnician(header["technician"])
    writer.setEquipment(header["equipment"])
    writer.setAdmincode(header["admincode"])
    writer.setStartdatetime(start)
    writer.writeSamples([np.sin(np.arange(500) / 7.0)])
    writer.writeAnnotation(1.0, 2.0, "walk")
    writer.close()
    return path


def _everything(rec) -> str:
    return repr((rec.subject, rec.session, rec.task, rec.run, rec.key, rec.metadata,
                 rec.annotations.label.tolist(),
                 [(s.name, s.channel_names, s.channel_types, s.units) for s in rec.streams.values()]))


def test_no_identifier_and_no_date_is_read(tmp_path):
    rec = read_edf(_identified(tmp_path / "rec.edf"))
    text = _everything(rec)
    for secret in ("MRN-0048213", "0048213", "Jane", "Smithers", "1961", "TechnicianQuill",
                   "EquipSerial", "ADM-55512", "2003", "19.07.03", "11:22:33"):
        assert secret.lower() not in text.lower(), secret
    assert "start_datetime" not in rec.metadata
    assert rec.subject == pseudonym("MRN-0048213")


def test_keep_dates_keeps_the_start_date_time(tmp_path):
    rec = read_edf(_identified(tmp_path / "rec.edf"), keep_dates=True)
    assert rec.metadata["start_datetime"] == "2003-07-19T11:22:33"


@pytest.mark.parametrize("keep_dates", [False, True])
def test_folder_keeps_offsets_from_the_subjects_first_recording(tmp_path, keep_dates):
    _identified(tmp_path / "b.edf", START + datetime.timedelta(days=14, hours=2))
    _identified(tmp_path / "a.edf", START)
    _identified(tmp_path / "c.edf", START + datetime.timedelta(days=3), patient_code="MRN-9")
    recs = {r.source.rsplit("/", 1)[-1]: r for r in load_edf_folder(tmp_path,
                                                                      keep_dates=keep_dates)}
    assert recs["a.edf"].metadata["start_offset_s"] == 0.0
    assert recs["b.edf"].metadata["start_offset_s"] == (14 * 24 + 2) * 3600.0
    assert recs["c.edf"].metadata["start_offset_s"] == 0.0    # another subject's first
    assert recs["a.edf"].subject == recs["b.edf"].subject != recs["c.edf"].subject
    assert ("start_datetime" in recs["b.edf"].metadata) == keep_dates
    assert ("2003" in _everything(recs["b.edf"])) == keep_dates
