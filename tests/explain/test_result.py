import json

import numpy as np
import pytest

from lbpnet.errors import ReaderError
from lbpnet.explain.result import ChannelSegmentAttribution


def _example(n=3):
    rng = np.random.default_rng(0)
    return ChannelSegmentAttribution(
        matrix=rng.normal(size=(n, 4, 2)).astype(np.float32),
        channels=["emg/multifidus_left", "emg/multifidus_right", "imu/trunk_l1_acc_x",
                  "imu/trunk_l1_gyro_x"],
        modalities=["emg", "emg", "imu", "imu"], segment_edges_s=np.array([0.0, 1.0, 2.0]),
        target=np.arange(n), output_names=["a", "b", "c"], method="integrated_gradients",
        windows={"recording": np.arange(n), "start": np.linspace(0, 2, n),
                 "subject": np.array(["P1", "P2", "P3"][:n], dtype=object)},
        faithfulness={"deletion_auc": 0.25}, channel_info={"muscle": ["multifidus"] * 2 + ["", ""]},
        segment_labels=["0.0-1.0 s", "1.0-2.0 s"], provenance={"checkpoint": "x.ckpt"})


def test_save_load_round_trip(tmp_path):
    a = _example().validate()
    npz, js = a.save(tmp_path / "sub" / "test_0.5")
    assert npz.name == "test_0.5.npz" and js.name == "test_0.5.json"
    b = ChannelSegmentAttribution.load(js)
    np.testing.assert_allclose(b.matrix, a.matrix)
    np.testing.assert_array_equal(b.windows["subject"], ["P1", "P2", "P3"])
    assert b.channels == a.channels and b.faithfulness == a.faithfulness
    assert b.segment_labels == a.segment_labels and b.provenance == a.provenance
    np.testing.assert_allclose(b.per_channel(), a.matrix.sum(2), rtol=1e-6)


def test_load_refuses_a_mismatched_pair(tmp_path):
    _example(3).save(tmp_path / "a")
    _example(2).save(tmp_path / "b")
    (tmp_path / "b.npz").replace(tmp_path / "a.npz")
    with pytest.raises(ReaderError, match="checksum"):
        ChannelSegmentAttribution.load(tmp_path / "a")
    with pytest.raises(ReaderError, match="not found"):
        ChannelSegmentAttribution.load(tmp_path / "missing")
    (tmp_path / "c.json").write_text(json.dumps({"format": "other"}))
    (tmp_path / "c.npz").write_bytes(b"")
    with pytest.raises(ReaderError, match="format"):
        ChannelSegmentAttribution.load(tmp_path / "c.json")


def test_validate_names_the_bad_field():
    a = _example()
    a.channels = a.channels[:3]
    with pytest.raises(ValueError, match="channels"):
        a.validate()
