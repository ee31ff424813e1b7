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


@pytest.mark.filterwarnings("ignore:.*no checkpoint hashes")
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


# --- loading refuses code, paths outside the run folder and changed files ---------------

import json  # noqa: E402
import os  # noqa: E402

from lbpnet.audit import file_sha256  # noqa: E402
from lbpnet.explain.checkpoint import read_checkpoint  # noqa: E402
from lbpnet.explain.checkpoint_files import UnverifiedCheckpointWarning  # noqa: E402


class _Payload:
    """Unpickling this object would run ``os.mkdir(marker)``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def _run(tmp_path, name="run", hashes=True, files=("epoch001.ckpt", "last.ckpt")):
    run = tmp_path / name
    (run / "checkpoints").mkdir(parents=True)
    for f in files:
        torch.save({"state_dict": {"w": torch.arange(4.0)}, "epoch": 1}, run / "checkpoints" / f)
    metrics = {"tested_checkpoint": str(run / "checkpoints" / files[0])}
    if hashes:
        metrics["checkpoints"] = {f"checkpoints/{f}": file_sha256(run / "checkpoints" / f)
                                  for f in files}
    (run / "metrics.json").write_text(json.dumps(metrics))
    return run


def test_a_checkpoint_with_a_pickled_payload_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "code_ran"
    bad = tmp_path / "bad.ckpt"
    torch.save({"state_dict": {"w": torch.zeros(2)}, "extra": _Payload(marker)}, bad)
    with pytest.raises(ReaderError, match="more than weights") as err:
        read_checkpoint(bad)
    assert not marker.exists()
    assert "bad.ckpt" in str(err.value) and "Fix:" in str(err.value)


def test_checkpoint_paths_stay_inside_the_run_folder(tmp_path):
    run = _run(tmp_path)
    outside = _run(tmp_path, "elsewhere") / "checkpoints" / "last.ckpt"
    assert find_checkpoint(run, "best") == (run / "checkpoints" / "epoch001.ckpt").resolve()
    assert find_checkpoint(run, "checkpoints/last.ckpt").name == "last.ckpt"
    for given in (str(outside), "../elsewhere/checkpoints/last.ckpt"):
        with pytest.raises(ReaderError, match="outside the run folder"):
            find_checkpoint(run, given)
    (run / "checkpoints" / "link.ckpt").symlink_to(outside)
    with pytest.raises(ReaderError, match="outside the run folder"):
        find_checkpoint(run, "checkpoints/link.ckpt")
    # an edited metrics.json naming a file elsewhere is not followed (a name the run has
    # is taken from the run's own checkpoints/: a moved run, below)
    evil = outside.with_name("evil.ckpt")
    torch.save({"state_dict": {}}, evil)
    metrics = json.loads((run / "metrics.json").read_text())
    (run / "metrics.json").write_text(json.dumps({**metrics, "tested_checkpoint": str(evil)}))
    with pytest.raises(ReaderError, match="outside the run folder") as err:
        find_checkpoint(run, "best")
    assert "metrics.json" in str(err.value) and "tested_checkpoint" in str(err.value)


def test_a_moved_run_folder_finds_its_own_tested_checkpoint(tmp_path):
    run = _run(tmp_path)
    moved = run.rename(tmp_path / "moved")     # metrics.json still names the old place
    assert find_checkpoint(moved, "best") == (moved / "checkpoints" / "epoch001.ckpt").resolve()


def test_a_changed_or_unknown_checkpoint_is_refused(tmp_path):
    run = _run(tmp_path)
    last = run / "checkpoints" / "last.ckpt"
    recorded = file_sha256(last)
    data = bytearray(last.read_bytes())
    data[-40] ^= 0xFF                           # one flipped byte
    last.write_bytes(bytes(data))
    with pytest.raises(ReaderError, match="changed since training") as err:
        find_checkpoint(run, "last")
    msg = str(err.value)
    assert recorded in msg and file_sha256(last) in msg and "last.ckpt" in msg and "Fix:" in msg
    torch.save({"state_dict": {}}, run / "checkpoints" / "planted.ckpt")
    with pytest.raises(ReaderError, match="did not write the checkpoint checkpoints/planted"):
        find_checkpoint(run, "checkpoints/planted.ckpt")


def test_a_run_without_recorded_hashes_loads_with_a_warning(tmp_path):
    run = _run(tmp_path, hashes=False)
    with pytest.warns(UnverifiedCheckpointWarning, match="no checkpoint hashes"):
        path = find_checkpoint(run, "last")
    assert read_checkpoint(path)["epoch"] == 1
