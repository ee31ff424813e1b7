import numpy as np
import pytest
import pytorch_lightning as pl
import torch

from lbpnet.models import MultimodalClassifier
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.tasks import ActivityRecognition, SignalAugment, WindowDataModule
from lbpnet.windows.splits import subject_holdout


def synthetic_cohort(n_subjects=6, seconds=40.0, rate=50.0):
    """SYNTHETIC: 'still' has a flat signal, 'moving' a 2 Hz sine; per-subject offsets."""
    rng = np.random.default_rng(0)
    recs = []
    for s in range(n_subjects):
        t = np.arange(int(seconds * rate)) / rate
        moving = (t >= seconds / 2)
        x = 0.05 * rng.standard_normal((len(t), 3)) + rng.normal(0, 0.1, 3)
        x[moving] += np.sin(2 * np.pi * 2 * t[moving])[:, None]
        recs.append(Recording(
            {"imu": Stream("imu", x.astype(np.float32), rate, ["x", "y", "z"], ["ACCEL"] * 3,
                           ["g"] * 3)},
            Annotations([0.0, seconds / 2], [seconds / 2, seconds / 2], ["still", "moving"]),
            subject=f"{s:02d}", metadata={"synthetic": True}))
    return recs


def make_dm(**kw):
    args = dict(source=synthetic_cohort(), classes=["still", "moving"],
                split=lambda r: subject_holdout(r, test_subjects=["00", "01"], val_subjects=["02"]),
                length_s=2.0, stride_s=1.0, batch_size=16)
    args.update(kw)
    return WindowDataModule(**args)


def test_datamodule_split_weights_and_stats():
    dm = make_dm()
    dm.setup("fit")
    assert set(dm.datasets) == {"train", "val", "test"}
    assert dm.channels() == {"imu": 3}
    w = dm.class_weights()
    assert w.shape == (2,) and torch.isclose(w.mean(), torch.tensor(1.0))
    mean, std = dm.channel_stats()["imu"]
    assert mean.shape == (3,) and (std > 0).all()


def test_learns_a_separable_synthetic_task_and_scores_it(fit_and_test):
    pl.seed_everything(0)
    dm = make_dm()
    dm.setup("fit")
    model = MultimodalClassifier(dm.channels(), 2)
    task = ActivityRecognition(model, dm.classes, lr=3e-3, class_weights="balanced",
                               augment=SignalAugment(max_shift=0.1))
    fit_and_test(task, dm, epochs=3)
    assert task.test_results["test/acc"] > 0.9
    assert set(task.test_results["test/f1_per_class"]) == {"still", "moving"}
    assert sum(map(sum, task.test_results["test/confusion_matrix"]["counts"])) == len(dm.datasets["test"])
    # the standardiser was fitted from training windows
    assert not torch.allclose(model.standardize["imu"].std, torch.ones(1, 3, 1))


def test_augment_is_identity_in_eval_and_keeps_shapes():
    aug = SignalAugment(scale=0.2, jitter=0.1, max_shift=0.25)
    x = {"imu": torch.randn(4, 3, 50), "emg": torch.randn(4, 2, 500)}
    aug.eval()
    assert aug(x)["imu"] is x["imu"]
    aug.train()
    y = aug(x)
    assert y["emg"].shape == x["emg"].shape and not torch.equal(y["imu"], x["imu"])


def test_rotation_keeps_vector_norms_and_leaves_other_channels():
    torch.manual_seed(0)
    aug = SignalAugment(rotation=0.3, triples={"imu": [[0, 1, 2]]}, scale=0, jitter=0)
    aug.train()
    x = {"imu": torch.randn(8, 4, 20)}
    y = aug(x)["imu"]
    torch.testing.assert_close(y[:, :3].norm(dim=1), x["imu"][:, :3].norm(dim=1))
    torch.testing.assert_close(y[:, 3], x["imu"][:, 3])
    assert not torch.allclose(y[:, :3], x["imu"][:, :3])


class _Linear(torch.nn.Module):
    """A tiny stand-in model: mean over time, then a linear layer."""

    def __init__(self, channels=3, n_outputs=2):
        super().__init__()
        self.linear = torch.nn.Linear(channels, n_outputs)

    def forward(self, signals):
        return self.linear(signals["imu"].mean(-1))


def _quality_batch():
    torch.manual_seed(0)
    return {"signals": {"imu": torch.randn(6, 3, 20)}, "label": torch.tensor([0, 1, 1, 0, 1, 0]),
            "quality": torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])}


def _subset(batch, keep):
    return {"signals": {"imu": batch["signals"]["imu"][keep]}, "label": batch["label"][keep]}


def test_bad_quality_windows_add_nothing_to_the_activity_loss():
    for class_weights in (None, [0.5, 2.0]):
        task = ActivityRecognition(_Linear(), ["a", "b"], label_smoothing=0.1,
                                   class_weights=class_weights, augment=None)
        batch = _quality_batch()
        good = batch["quality"] > 0
        loss = task.training_step(batch, 0)
        # the same as the loss over the good windows only (class weights and smoothing kept)
        torch.testing.assert_close(loss, task.training_step(_subset(batch, good), 0))
        # all-good quality is the plain weighted mean cross-entropy
        ones = dict(batch, quality=torch.ones(6))
        torch.testing.assert_close(task.training_step(ones, 0),
                                   task.training_step(_subset(batch, slice(None)), 0))
        # changing a bad window's signal changes neither the loss nor the gradient
        loss.backward()
        grad = task.model.linear.weight.grad.clone()
        task.zero_grad()
        moved = dict(batch, signals={"imu": batch["signals"]["imu"].clone()})
        moved["signals"]["imu"][1] += 100.0
        moved_loss = task.training_step(moved, 0)
        moved_loss.backward()
        torch.testing.assert_close(moved_loss, loss)
        torch.testing.assert_close(task.model.linear.weight.grad, grad)
        # a batch of only bad windows trains nothing
        none = dict(batch, quality=torch.zeros(6))
        assert task.training_step(none, 0).item() == 0.0


def test_quality_of_the_wrong_shape_is_refused():
    from lbpnet.errors import WindowError
    task = ActivityRecognition(_Linear(), ["a", "b"], augment=None)
    with pytest.raises(WindowError, match=r"quality.*shape \(3,\), expected \(6,\)"):
        task.training_step(dict(_quality_batch(), quality=torch.ones(3)), 0)
