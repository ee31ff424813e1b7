"""Fuzzing the EDF+/BDF+ reader: any mutated file is read or refused with an lbpnet error."""

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyedflib
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from lbpnet.errors import LbpnetError  # noqa: E402
from lbpnet.recording.edf import read_edf  # noqa: E402

FUZZ = settings(max_examples=60, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def write(path, file_type):
    writer = pyedflib.EdfWriter(str(path), 2, file_type=file_type)
    t = np.arange(200) / 100.0
    signals = [100 * np.sin(2 * np.pi * 5 * t), np.ascontiguousarray(np.cos(t)[::4])]
    writer.setSignalHeaders([
        dict(label="EMG1", dimension="uV", sample_frequency=100, physical_max=200,
             physical_min=-200, digital_max=32767, digital_min=-32768, transducer="",
             prefilter=""),
        dict(label="acc_x", dimension="g", sample_frequency=25, physical_max=2,
             physical_min=-2, digital_max=32767, digital_min=-32768, transducer="",
             prefilter="")])
    writer.writeSamples(signals)
    writer.writeAnnotation(0.5, 1.0, "walk")
    writer.close()
    return path


@pytest.fixture(scope="module")
def valid_edf():
    folder = Path(tempfile.mkdtemp(prefix="fuzz_edf_"))
    path = write(folder / "a.edf", pyedflib.FILETYPE_EDFPLUS)
    read_edf(path)
    yield path
    shutil.rmtree(folder)


def outcome(raw: bytes):
    folder = Path(tempfile.mkdtemp(prefix="fuzz_case_"))
    try:
        (folder / "a.edf").write_bytes(raw)
        read_edf(folder / "a.edf")
    except LbpnetError:
        pass
    finally:
        shutil.rmtree(folder)


HEADER_BYTES = b" 0123456789.+-eE\x00\xffEDF+CD"


@FUZZ
@given(data=st.data())
def test_mutated_header_bytes(valid_edf, data):
    raw = bytearray(valid_edf.read_bytes())
    header = 256 * 3                               # main header + 2 signal headers
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, header - 1))] = data.draw(
            st.sampled_from(HEADER_BYTES) | st.integers(0, 255))
    outcome(bytes(raw))


@FUZZ
@given(data=st.data())
def test_mutated_records_and_truncation(valid_edf, data):
    raw = bytearray(valid_edf.read_bytes())
    for _ in range(data.draw(st.integers(0, 8))):
        raw[data.draw(st.integers(256 * 3, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    outcome(bytes(raw))
