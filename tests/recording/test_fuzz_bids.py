"""Fuzzing the BIDS reader: any mutated folder is read or refused with an lbpnet error."""

import gzip
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from lbpnet.errors import LbpnetError  # noqa: E402
from lbpnet.recording.bids import read_bids  # noqa: E402

FUZZ = settings(max_examples=60, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70)
                    | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=5)
P = "sub-01_task-walk"


def tsv(rows):
    return "".join("\t".join(str(v) for v in row) + "\n" for row in rows)


@pytest.fixture(scope="module")
def valid_bids():
    root = Path(tempfile.mkdtemp(prefix="fuzz_bids_")) / "ds"
    motion, physio = root / "sub-01" / "motion", root / "sub-01" / "physio"
    motion.mkdir(parents=True)
    physio.mkdir(parents=True)
    t = np.arange(100) / 50.0
    (motion / f"{P}_motion.tsv").write_text(tsv(np.stack([np.sin(t), t], 1).round(3)))
    (motion / f"{P}_motion.json").write_text(json.dumps({"SamplingFrequency": 50,
                                                         "StartTime": 0.0}))
    (motion / f"{P}_channels.tsv").write_text(
        tsv([("name", "type", "units"), ("acc_x", "ACCEL", "g"), ("gyr_z", "GYRO", "rad/s")]))
    (motion / f"{P}_events.tsv").write_text(
        tsv([("onset", "duration", "trial_type"), (0.0, 1.0, "walk"), (1.0, "n/a", "stand")]))
    (physio / f"{P}_physio.tsv.gz").write_bytes(gzip.compress(
        tsv(np.stack([np.cos(t), 0 * t], 1).round(3)).encode()))
    (physio / f"{P}_physio.json").write_text(json.dumps(
        {"SamplingFrequency": 50, "StartTime": 0.0, "Columns": ["cardiac", "trigger"],
         "cardiac": {"Units": "mV"}}))
    (root / "participants.tsv").write_text(tsv([("participant_id", "age"), ("sub-01", 40)]))
    assert len(read_bids(root)) == 1
    yield root
    shutil.rmtree(root.parent)


def copy(root):
    target = Path(tempfile.mkdtemp(prefix="fuzz_case_")) / "ds"
    shutil.copytree(root, target)
    return target


def outcome(root):
    try:
        read_bids(root)
    except LbpnetError:
        pass
    finally:
        shutil.rmtree(root.parent)


@FUZZ
@given(data=st.data(), sidecar=st.sampled_from([f"motion/{P}_motion.json",
                                                f"physio/{P}_physio.json"]))
def test_mutated_json_sidecars(valid_bids, data, sidecar):
    root = copy(valid_bids)
    path = root / "sub-01" / sidecar
    meta = json.loads(path.read_text())
    key = data.draw(st.sampled_from(sorted(meta) + ["Columns", "x"]))
    if data.draw(st.booleans()):
        meta.pop(key, None)
    else:
        meta[key] = data.draw(JSON)
    path.write_text(json.dumps(meta))
    outcome(root)


FILES = [f"motion/{P}_motion.tsv", f"motion/{P}_channels.tsv", f"motion/{P}_events.tsv",
         f"motion/{P}_motion.json", f"physio/{P}_physio.tsv.gz", f"physio/{P}_physio.json"]


@FUZZ
@given(data=st.data(), file=st.sampled_from(FILES))
def test_mutated_bytes(valid_bids, data, file):
    root = copy(valid_bids)
    path = root / "sub-01" / file
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(
            st.sampled_from(b"\t\n .-0123456789eEnaNA\xff\x00") | st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path.write_bytes(bytes(raw))
    outcome(root)


@FUZZ
@given(data=st.data())
def test_mutated_compressed_physio(valid_bids, data):
    root = copy(valid_bids)
    path = root / "sub-01" / "physio" / f"{P}_physio.tsv.gz"
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):       # inside the deflate stream
        raw[data.draw(st.integers(10, len(raw) - 9))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(raw))
    outcome(root)
