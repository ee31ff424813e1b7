"""A user's own data with only the README's ``data=...`` overrides trains with generic
defaults (no HAPT split, gravity split or HAPT rotation groups), from a fresh folder."""

import json
import re
import shlex
from pathlib import Path

import numpy as np

from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.store import write_recording

ROOT = Path(__file__).resolve().parents[2]
TINY = ["trainer.max_epochs=2", "logger=none"]       # tiny budget only; nothing else added
SUBJECTS = ["01", "02", "03", "04", "05"]            # holdout: 1 test, 1 validation, 3 train
LABELS = ["sit", "stand", "walk"]


def readme_command(start: str, root: Path) -> list[str]:
    """The README's ``lbpnet-train`` line that starts with ``start``, its arguments split as
    a shell would, the placeholder ``data.root=`` replaced by ``root``."""
    text = (ROOT / "README.md").read_text()
    lines = [ln for block in re.findall(r"```bash\n(.*?)```", text, re.S)
             for ln in block.splitlines() if ln.startswith(start)]
    assert len(lines) == 1, f"README has {len(lines)} lines starting with {start!r}"
    args = shlex.split(lines[0].split("  #")[0])[1:]          # drop the comment, lbpnet-train
    return [f"data.root={root}" if a.startswith("data.root=") else a for a in args]


def _signals(rng, n=1000):
    """20 s of a 3-axis IMU at 50 Hz (acc x/y + gyro z), labels every 4 s."""
    return rng.normal(size=(n, 3)).astype(np.float32)


def _events():
    onsets = np.arange(0.0, 20.0, 4.0)
    return onsets, [LABELS[i % 3] for i in range(len(onsets))]


def write_store(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    onsets, labels = _events()
    for s in SUBJECTS:
        imu = Stream("imu", _signals(rng), 50.0, ["acc_x", "acc_y", "gyr_z"],
                     ["acc", "acc", "gyro"], ["g", "g", "rad/s"])
        rec = Recording({"imu": imu}, Annotations(onsets, np.full(len(onsets), 4.0), labels),
                        subject=s)
        write_recording(rec, folder / f"sub-{s}.lbp")
    return folder


def write_bids(folder: Path) -> Path:
    rng = np.random.default_rng(1)
    onsets, labels = _events()
    folder.mkdir(parents=True)
    (folder / "participants.tsv").write_text(
        "participant_id\n" + "".join(f"sub-{s}\n" for s in SUBJECTS))
    for s in SUBJECTS:
        motion = folder / f"sub-{s}" / "motion"
        motion.mkdir(parents=True)
        prefix = f"sub-{s}_task-daily"
        (motion / f"{prefix}_motion.tsv").write_text(
            "\n".join("\t".join(f"{v:.5f}" for v in row) for row in _signals(rng)) + "\n")
        (motion / f"{prefix}_motion.json").write_text(json.dumps({"SamplingFrequency": 50}))
        (motion / f"{prefix}_channels.tsv").write_text(
            "name\ttype\tunits\nacc_x\tACCEL\tm/s^2\nacc_y\tACCEL\tm/s^2\ngyr_z\tGYRO\trad/s\n")
        (motion / f"{prefix}_events.tsv").write_text(
            "onset\tduration\ttrial_type\n"
            + "".join(f"{o}\t4.0\t{lab}\n" for o, lab in zip(onsets, labels)))
    return folder


def _only_run(tmp_path: Path) -> Path:
    (metrics,) = (tmp_path / "logs").rglob("metrics.json")
    return metrics.parent


def _assert_generic_run(run: Path) -> dict:
    metrics = json.loads((run / "metrics.json").read_text())
    config = (run / "config.yaml").read_text()
    # a validation side, early stopping and the best checkpoint by val/f1_macro
    assert metrics["monitor"] == "val/f1_macro" and metrics["split"]["val"]["windows"] > 0
    assert metrics["split"]["test"]["subjects"] and metrics["tested_checkpoint"] != "last"
    assert "GravitySplit" not in config and "early_stopping" in config
    assert run.parts[-3] == "train"                           # logs/train/runs/<time>
    assert "epoch 1/2:" in (run / "train.log").read_text()    # one line per epoch
    return metrics


def test_readme_store_command_trains_a_three_channel_imu(tmp_path, lbpnet_train_here):
    store = write_store(tmp_path / "lbp_folder")
    lbpnet_train_here(*readme_command("lbpnet-train data=store data.root=/path", store), *TINY)
    metrics = _assert_generic_run(_only_run(tmp_path))
    assert sorted(metrics["split"]["train"]["windows_per_class"]) == LABELS


def test_readme_bids_command_trains_with_its_classes(tmp_path, lbpnet_train_here):
    bids = write_bids(tmp_path / "bids")
    args = readme_command("lbpnet-train data=bids", bids)
    assert "data.module.classes=[sit,stand,walk]" in args
    lbpnet_train_here(*args, *TINY)
    metrics = _assert_generic_run(_only_run(tmp_path))
    assert list(metrics["split"]["train"]["windows_per_class"]) == LABELS
