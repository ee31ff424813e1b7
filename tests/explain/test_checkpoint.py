import pytest
import torch

from lbpnet.errors import ConfigError, ReaderError
from lbpnet.explain.checkpoint import (check_checkpoint, check_layouts, checkpoint_signature,
                                       find_checkpoint)
from lbpnet.explain.grouping import ChannelLayout


def _layout(emg=("multifidus_left", "multifidus_right"), rate=2000.0, length=2.0,
            source="data"):
    return ChannelLayout({"emg": list(emg), "imu": ["trunk_l1_acc_x"]},
                         {"emg": rate, "imu": 100.0}, length, source=source)


def test_training_and_explained_data_must_agree_and_both_sides_are_named():
    trained = _layout(source="training recordings")
    check_layouts(trained, _layout(), "run/config.yaml")
    with pytest.raises(ConfigError) as err:
        check_layouts(trained, _layout(rate=1000.0, source="new recordings"), "run/config.yaml")
    msg = str(err.value)
    assert "training recordings" in msg and "new recordings" in msg
    assert "'emg' at 2000.0 Hz vs 1000.0 Hz" in msg and "run/config.yaml" in msg
    with pytest.raises(ConfigError, match=r"'emg' channels \['multifidus_left', 'multifidus_right'"
                                          r"\] vs \['multifidus_right', 'multifidus_left'\]"):
        check_layouts(trained, _layout(emg=("multifidus_right", "multifidus_left")), "cfg")
    other = ChannelLayout({"emg": ["multifidus_left", "multifidus_right"]}, {"emg": 2000.0}, 2.0)
    with pytest.raises(ConfigError, match=r"modalities \['emg', 'imu'\] vs \['emg'\]"):
        check_layouts(trained, other, "cfg")


def test_checkpoint_signature_against_the_data():
    ckpt = {"state_dict": {"model.standardize.emg.mean": torch.zeros(1, 2, 1),
                           "model.standardize.imu.mean": torch.zeros(1, 1, 1),
                           "model.head.1.weight": torch.zeros(2, 8)},
            "hyper_parameters": {"classes": ["rest", "burst"]}}
    sig = checkpoint_signature(ckpt)
    assert sig == {"channels": {"emg": 2, "imu": 1}, "outputs": ["rest", "burst"]}
    check_checkpoint(sig, _layout(), ["rest", "burst"], "x.ckpt")
    with pytest.raises(ConfigError, match=r"x.ckpt.*predicts \['rest', 'burst'\].*\['sit'\]"):
        check_checkpoint(sig, _layout(), ["sit"], "x.ckpt")
    with pytest.raises(ConfigError, match=r"\{'emg': 2, 'imu': 1\}.*\{'emg': 3, 'imu': 1\}"):
        check_checkpoint(sig, _layout(emg=("a_left", "b_left", "c_left")), ["rest", "burst"],
                         "x.ckpt")


def test_find_checkpoint(tmp_path):
    (tmp_path / "checkpoints").mkdir()
    with pytest.raises(ReaderError, match="checkpoint not found"):
        find_checkpoint(tmp_path, "best")
    (tmp_path / "checkpoints" / "last.ckpt").write_bytes(b"")
    (tmp_path / "checkpoints" / "epoch003.ckpt").write_bytes(b"")
    assert find_checkpoint(tmp_path, "best").name == "epoch003.ckpt"
    assert find_checkpoint(tmp_path, "last").name == "last.ckpt"
    (tmp_path / "metrics.json").write_text('{"tested_checkpoint": "last"}')
    assert find_checkpoint(tmp_path, "best").name == "last.ckpt"
