"""A data set in which some recordings lack a modality trains and predicts (masking)."""

import numpy as np
import pytest
import pytorch_lightning as pl
import torch

from lbpnet.errors import WindowError
from lbpnet.models import MultimodalClassifier
from lbpnet.recording import Stream
from lbpnet.tasks import ActivityRecognition, WindowDataModule
from lbpnet.windows.splits import subject_holdout
from test_activity import synthetic_cohort   # same folder (pytest puts it on sys.path)


def cohort_with_partial_emg():
    """SYNTHETIC: every subject has IMU; only even-numbered subjects have a 2-channel 'emg'
    stream (200 Hz) that is louder while 'moving'."""
    recs = synthetic_cohort()
    rng = np.random.default_rng(1)
    for i, rec in enumerate(recs):
        if i % 2:
            continue
        n = int(rec.duration * 200)
        t = np.arange(n) / 200
        amp = np.where(t >= rec.duration / 2, 1.0, 0.1)
        x = (amp[:, None] * rng.standard_normal((n, 2))).astype(np.float32)
        rec.streams["emg"] = Stream("emg", x, 200.0, ["es_l", "es_r"], ["EMG"] * 2, ["uV"] * 2)
    return recs


def make_dm(**kw):
    return WindowDataModule(source=cohort_with_partial_emg(), classes=["still", "moving"],
                            split=lambda r: subject_holdout(r, test_subjects=["00", "01"],
                                                            val_subjects=["02"]),
                            length_s=2.0, stride_s=1.0, batch_size=16,
                            modalities=["imu", "emg"], **kw)


def test_a_missing_modality_is_refused_unless_masked():
    with pytest.raises(WindowError, match="missing_modalities=mask"):
        make_dm().setup("fit")


def test_masked_windows_carry_zeros_and_present_false():
    dm = make_dm(missing_modalities="mask")
    dm.setup("fit")
    ds = dm.datasets["test"]                        # subject 00 has emg, 01 has not
    batch = ds.__getitems__(np.arange(len(ds)))
    present = batch["present"]["emg"]
    subjects = np.array([dm.recordings[r].subject for r in batch["recording"].tolist()])
    assert present.tolist() == (subjects == "00").tolist()
    assert (batch["signals"]["emg"][~present] == 0).all()
    assert batch["present"]["imu"].all()
    # statistics come from recordings that have the modality, not from the zeros
    mean, std = dm.channel_stats()["emg"]
    assert (std > 0.3).all()


def test_training_with_a_partly_missing_modality_and_absent_inputs_are_ignored(fit_and_test):
    pl.seed_everything(0)
    dm = make_dm(missing_modalities="mask")
    dm.setup("fit")
    model = MultimodalClassifier(dm.channels(), 2, missing_modalities="mask")
    task = ActivityRecognition(model, dm.classes, lr=3e-3)
    fit_and_test(task, dm, epochs=3)
    assert task.test_results["test/acc"] > 0.9
    batch = dm.datasets["test"].__getitems__(np.arange(len(dm.datasets["test"])))
    absent = ~batch["present"]["emg"]
    task.eval()
    with torch.no_grad():
        before = task(batch["signals"], batch["present"])
        noisy = dict(batch["signals"], emg=batch["signals"]["emg"] + 5 * torch.randn_like(
            batch["signals"]["emg"]))
        after = task(noisy, batch["present"])
    assert absent.any()
    torch.testing.assert_close(before[absent], after[absent])      # masked: no influence


def test_quality_control_scores_a_stream_where_a_recording_has_it():
    from lbpnet.qc import QualityControl
    dm = make_dm(missing_modalities="mask", quality=QualityControl())
    dm.setup("fit")
    emg_rows = {r["recording"] for r in dm.quality_table if r["stream"] == "emg"}
    has_emg = {r.key for r in dm.recordings if "emg" in r.streams}
    assert emg_rows and emg_rows <= has_emg     # scored on the recordings that have it
