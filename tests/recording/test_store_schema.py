"""recording.json and .npy checks: every malformed store gives a ReaderError naming the field."""

import json
import os

import numpy as np
import pytest

from lbpnet.errors import ReaderError
from lbpnet.recording import Recording, Stream
from lbpnet.recording.store import read_recording, write_recording


@pytest.fixture
def store(tmp_path):
    emg = Stream("emg", np.ones((100, 2), np.float32), 1000.0, ["a", "b"], ["EMG"] * 2,
                 ["uV"] * 2)
    return write_recording(Recording({"emg": emg}, subject="01"), tmp_path / "s.lbp")


def edit(store, change):
    header = json.loads((store / "recording.json").read_text())
    change(header)
    (store / "recording.json").write_text(json.dumps(header))


def test_valid_store_reads(store):
    assert read_recording(store).streams["emg"].units == ["uV", "uV"]


def test_non_utf8_header_is_refused(store):
    (store / "recording.json").write_bytes(b'{"format": "lbpnet-store\xff"}')
    with pytest.raises(ReaderError, match=r"recording\.json.*not UTF-8"):
        read_recording(store)


@pytest.mark.parametrize("change, field", [
    (lambda h: h.update(streams=-1), "streams"),
    (lambda h: h.update(streams={}), "streams"),
    (lambda h: h["streams"]["emg"].pop("units"), "streams.emg"),
    (lambda h: h["streams"]["emg"].pop("file"), "streams.emg"),
    (lambda h: h.update(metadata=True), "metadata"),
    (lambda h: h.pop("version"), "recording.json"),
    (lambda h: h.update(version=3), "version"),   # 1 and 2 are read
    (lambda h: h.update(version="1"), "version"),
    (lambda h: h["streams"]["emg"].update(file="/etc/passwd.npy"), "streams.emg.file"),
    (lambda h: h["streams"]["emg"].update(file="../other.lbp/emg.npy"), "streams.emg.file"),
    (lambda h: h["streams"]["emg"].update(file=".."), "streams.emg.file"),
    (lambda h: h["streams"]["emg"].update(units=[]), "streams.emg.units"),
    (lambda h: h["streams"]["emg"].update(units=None), "streams.emg.units"),
    (lambda h: h["streams"]["emg"].update(channel_types=""), "streams.emg.channel_types"),
    (lambda h: h["streams"]["emg"].update(channel_types=[]), "streams.emg.channel_types"),
    (lambda h: h["streams"]["emg"].update(start_time=True), "streams.emg.start_time"),
    (lambda h: h["streams"]["emg"].update(start_time=1.8e19), "streams.emg.start_time"),
    (lambda h: h["streams"]["emg"].update(sampling_rate=True), "streams.emg.sampling_rate"),
    (lambda h: h["streams"]["emg"].update(sampling_rate=0), "streams.emg.sampling_rate"),
    (lambda h: h["streams"]["emg"].update(channel_names=["a", "a"]),
     "streams.emg.channel_names"),
    (lambda h: h.update(subject=7), "subject"),
    (lambda h: h.update(annotations={"onset": [True], "duration": [1.0], "label": ["x"]}),
     "annotations.onset.0"),
    (lambda h: h.update(annotations=[]), "annotations"),
])
def test_malformed_header_names_the_field(store, change, field):
    edit(store, change)
    with pytest.raises(ReaderError) as err:
        read_recording(store)
    assert err.value.field == field
    assert err.value.source.endswith("recording.json") and err.value.fix


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused(store, literal):
    text = (store / "recording.json").read_text()
    (store / "recording.json").write_text(text.replace('"start_time": 0.0',
                                                       f'"start_time": {literal}'))
    with pytest.raises(ReaderError, match="not valid JSON.*finite|not a JSON number"):
        read_recording(store)


@pytest.mark.parametrize("dtype", [bool, np.complex64, "U3", object])
def test_disallowed_dtypes_are_refused(store, dtype):
    array = np.zeros((100, 2), dtype=dtype)
    np.save(store / "emg.npy", array, allow_pickle=True)
    with pytest.raises(ReaderError, match=r"emg\.npy.*dtype .* is not a real number"):
        read_recording(store)


def test_integer_samples_are_read(store):
    np.save(store / "emg.npy", np.arange(200, dtype=np.int16).reshape(100, 2))
    assert read_recording(store).streams["emg"].data[99, 1] == 199


@pytest.mark.parametrize("header, valid", [
    (b"{'descr': '<f4', 'fortran_order': False, 'shape': (100, 2), }", True),
    (b"{'descr': '<f4', 'fortran_order': False, 'shape': (100, \"", False),     # TokenError
    (b"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2), }", False),      # SyntaxError
    (b"{'descr': 'zz', 'fortran_order': False, 'shape': (100, 2), }", False),    # bad dtype
    (b"{'descr': '<f4', 'fortran_order': False, 'shape': (10**12, 2), }", False),
    (b"{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 2), }", False),  # truncated
])
def test_corrupt_npy_header_is_a_reader_error(store, header, valid):
    npy = store / "emg.npy"
    raw = npy.read_bytes()
    length = int.from_bytes(raw[8:10], "little")
    body = header.ljust(length - 1) + b"\n"
    npy.write_bytes(raw[:10] + body + raw[10 + length:])
    if valid:
        read_recording(store)       # a well-formed header still reads
        return
    with pytest.raises(ReaderError, match=r"emg\.npy.*cannot read stream 'emg'"):
        read_recording(store)


def test_symlink_out_of_the_store_is_refused(store, tmp_path):
    outside = tmp_path / "secret.npy"
    np.save(outside, np.zeros((100, 2), np.float32))
    os.unlink(store / "emg.npy")
    os.symlink(outside, store / "emg.npy")
    with pytest.raises(ReaderError, match="outside the store folder") as err:
        read_recording(store)
    assert err.value.field == "streams.emg.file"


def test_writer_refuses_what_the_reader_would(tmp_path):
    emg = Stream("emg", np.ones((10, 1), np.float32), 100.0, ["a"])
    rec = Recording({"emg": emg}, subject="01", metadata={"age": float("nan")})
    with pytest.raises(ValueError):
        write_recording(rec, tmp_path / "n.lbp")
    assert not (tmp_path / "n.lbp").exists() and not list(tmp_path.iterdir())
