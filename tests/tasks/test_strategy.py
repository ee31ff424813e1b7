import numpy as np
import pytorch_lightning as pl
import torch

from lbpnet.models import MultimodalClassifier
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.tasks import StrategyDetection, WindowDataModule
from lbpnet.tasks.strategy import best_thresholds, f1_at, subject_bootstrap_auroc
from lbpnet.windows.splits import subject_holdout


def cohort(n_subjects=6, seconds=60.0, rate=100.0):
    """SYNTHETIC: 'strategy/tremor' adds a 12 Hz oscillation to channel 1, 'strategy/stiff'
    halves the movement amplitude; both planted in known intervals."""
    rng = np.random.default_rng(1)
    recs = []
    for s in range(n_subjects):
        t = np.arange(int(seconds * rate)) / rate
        x = np.stack([np.sin(2 * np.pi * 1.0 * t), 0.1 * rng.standard_normal(len(t))], 1)
        tremor = (t >= 10) & (t < 25)
        stiff = (t >= 30) & (t < 50)
        x[tremor, 1] += np.sin(2 * np.pi * 12 * t[tremor])
        x[stiff, 0] *= 0.3
        recs.append(Recording(
            {"imu": Stream("imu", x.astype(np.float32), rate, ["a", "b"])},
            Annotations([0, 10, 30], [seconds, 15, 20], ["task", "strategy/tremor", "strategy/stiff"]),
            subject=f"{s:02d}", metadata={"synthetic": True}))
    return recs


def test_f1_and_threshold_choice_ignore_missing_targets():
    probs = torch.tensor([[0.9, 0.2], [0.6, 0.8], [0.1, 0.7], [0.4, 0.1]])
    targets = torch.tensor([[1.0, 0.0], [1.0, float("nan")], [0.0, 1.0], [0.0, 0.0]])
    f1 = f1_at(probs, targets, torch.tensor([0.5, 0.5]))
    assert torch.allclose(f1, torch.tensor([1.0, 1.0]))
    t = best_thresholds(probs, targets)
    assert f1_at(probs, targets, t).min() == 1.0


def test_learns_planted_strategies_and_reports_per_label_scores(fit_and_test):
    pl.seed_everything(0)
    dm = WindowDataModule(cohort(), classes=["task"], targets=["strategy/tremor", "strategy/stiff"],
                          split=lambda r: subject_holdout(r, test_subjects=["00", "01"],
                                                          val_subjects=["02"]),
                          length_s=2.0, stride_s=1.0, batch_size=32)
    dm.setup("fit")
    model = MultimodalClassifier(dm.channels(), len(dm.output_names))
    task = StrategyDetection(model, dm.output_names, lr=3e-3)
    fit_and_test(task, dm, epochs=4)
    r = task.test_results
    assert set(r["test/auroc"]) == {"strategy/tremor", "strategy/stiff"}
    assert r["test/auroc_macro"] > 0.9
    assert 0.05 <= min(r["test/threshold"].values()) <= 0.95
    assert task.pos_weight.min() >= 1.0          # positives are the minority here
    # both test subjects carry both strategies; the subject-bootstrap interval holds the AUROC
    assert r["test/positive_subjects"] == {"strategy/tremor": 2, "strategy/stiff": 2}
    for label, auroc in r["test/auroc"].items():
        assert r["test/auroc_ci_low"][label] <= auroc + 1e-6 <= r["test/auroc_ci_high"][label] + 2e-6


def test_subject_bootstrap_interval_is_wide_when_one_of_two_subjects_is_ranked_backwards():
    from torchmetrics.functional.classification import binary_auroc

    rng = np.random.default_rng(0)
    n = 200                                       # windows per subject, half positive
    truth = np.tile(np.r_[np.ones(n // 2), np.zeros(n // 2)], 2)
    right = np.r_[rng.uniform(0.6, 1, n // 2), rng.uniform(0, 0.4, n // 2)]
    probs = np.r_[right, 1 - right]               # subject B: every window ranked backwards
    groups = ["A"] * n + ["B"] * n
    p, t = torch.tensor(probs)[:, None], torch.tensor(truth)[:, None]
    low, high = subject_bootstrap_auroc(p, t, groups, n_boot=200)
    point = float(binary_auroc(p[:, 0], t[:, 0].long()))
    assert low[0] <= point <= high[0]
    # 400 windows but 2 subjects: the interval spans both subjects' AUROCs (0 and 1), where a
    # window-level bootstrap would sit near 0.5 +- 0.05
    assert low[0] < 0.1 and high[0] > 0.9
    # with the subjects agreeing the interval is narrow and high
    low, high = subject_bootstrap_auroc(torch.tensor(np.r_[right, right])[:, None], t, groups)
    assert low[0] > 0.99
    # a label whose resamples never hold both classes has no interval
    low, _ = subject_bootstrap_auroc(p, torch.zeros_like(t), groups, n_boot=20)
    assert torch.isnan(low[0])


class _Linear(torch.nn.Module):
    def __init__(self, channels=2, n_outputs=2):
        super().__init__()
        self.linear = torch.nn.Linear(channels, n_outputs)

    def forward(self, signals):
        return self.linear(signals["imu"].mean(-1))


def test_quality_and_missing_targets_both_mask_the_strategy_loss():
    torch.manual_seed(0)
    nan = float("nan")
    task = StrategyDetection(_Linear(), ["strategy/tremor", "strategy/stiff"], augment=None)
    task.pos_weight = torch.tensor([2.0, 3.0])
    x = torch.randn(5, 2, 30)
    targets = torch.tensor([[1.0, 0.0], [0.0, nan], [1.0, 1.0], [nan, nan], [0.0, 1.0]])
    quality = torch.tensor([1.0, 1.0, 0.0, 1.0, 1.0])
    loss = task.training_step({"signals": {"imu": x}, "targets": targets, "quality": quality}, 0)
    # by hand: BCE over the valid targets of the good windows, mean over those entries
    logits = task({"imu": x})
    keep = (~torch.isnan(targets)) & (quality[:, None] > 0)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(
        logits[keep], targets[keep], pos_weight=task.pos_weight.expand(5, 2)[keep])
    torch.testing.assert_close(loss, bce)
    # without quality, the bad window's two targets count again
    no_q = task.training_step({"signals": {"imu": x}, "targets": targets}, 0)
    assert not torch.isclose(no_q, loss)
    keep_all = ~torch.isnan(targets)
    torch.testing.assert_close(no_q, torch.nn.functional.binary_cross_entropy_with_logits(
        logits[keep_all], targets[keep_all], pos_weight=task.pos_weight.expand(5, 2)[keep_all]))
