"""Fuzzing the native store reader: any mutated store is read or refused with an lbpnet error."""

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from lbpnet.errors import LbpnetError  # noqa: E402
from lbpnet.recording import Annotations, Recording, Stream  # noqa: E402
from lbpnet.recording.store import read_recording, write_recording  # noqa: E402

FUZZ = settings(max_examples=80, deadline=1000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70)
                    | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


@pytest.fixture(scope="module")
def valid_store():
    folder = Path(tempfile.mkdtemp(prefix="fuzz_store_"))
    emg = Stream("emg", np.linspace(0, 1, 200, dtype=np.float32).reshape(100, 2), 1000.0,
                 ["a", "b"], ["EMG"] * 2, ["uV"] * 2)
    imu = Stream("imu", np.zeros((10, 1), np.float32), 100.0, ["acc_x"], ["ACCEL"], ["g"])
    rec = Recording({"emg": emg, "imu": imu}, Annotations([0.0], [0.05], ["sit"]),
                    subject="01", metadata={"synthetic": True})
    yield write_recording(rec, folder / "s.lbp")
    shutil.rmtree(folder)


def copy(store):
    target = Path(tempfile.mkdtemp(prefix="fuzz_case_")) / "s.lbp"
    shutil.copytree(store, target)
    return target


def outcome(store):
    try:
        read_recording(store, mmap=False)
        read_recording(store)
    except LbpnetError:
        pass
    finally:
        shutil.rmtree(store.parent)


def paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from paths(v, prefix + (i,))


@FUZZ
@given(data=st.data())
def test_mutated_header_fields(valid_store, data):
    store = copy(valid_store)
    header = json.loads((store / "recording.json").read_text())
    where = data.draw(st.sampled_from(list(paths(header))[1:]))
    parent = header
    for key in where[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = data.draw(JSON)
    (store / "recording.json").write_text(json.dumps(header))
    outcome(store)


@FUZZ
@given(data=st.data(), file=st.sampled_from(["recording.json", "emg.npy", "imu.npy"]))
def test_mutated_bytes(valid_store, data, file):
    store = copy(valid_store)
    raw = bytearray((store / file).read_bytes())
    limit = min(len(raw), 160)                       # the header region of each file
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, limit - 1))
        raw[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    (store / file).write_bytes(bytes(raw))
    outcome(store)
