"""Movement-strategy detection: multi-label (guarding, asymmetry, reduced variability,
fatigue, absent flexion–relaxation) over multimodal windows.

The loss is binary cross-entropy per label, masked where a target is missing
(NaN) and weighed per window by ``batch["quality"]`` when the batch has one
(1 good, 0 bad: a bad window adds nothing). Scores per label: AUROC and AUPRC
(threshold-free) and F1 at a threshold chosen on the validation windows (the one
maximising validation F1), carried in the checkpoint and applied unchanged to the
test windows.

Windows of one patient are not independent: when a strategy is planted per patient (as in
the simulator) a window-level AUROC over a handful of patients mostly says whether one or
two patients were ranked right. The test scores therefore also carry, per label, the number
of distinct test subjects with a positive window and a 95 % interval from a bootstrap over
test subjects (:func:`subject_bootstrap_auroc`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch
from scipy.stats import rankdata
from torch import nn
from torchmetrics.functional.classification import (multilabel_auroc,
                                                    multilabel_average_precision)

from lbpnet.tasks.base import WindowTask, quality_weights

GRID = torch.linspace(0.05, 0.95, 19)


def f1_at(probs: torch.Tensor, targets: torch.Tensor, thresholds: torch.Tensor) -> torch.Tensor:
    """F1 per label at per-label thresholds; NaN targets are ignored. Shapes (n, L), (L,)."""
    valid = ~torch.isnan(targets)
    pred = (probs >= thresholds) & valid
    truth = (targets > 0.5) & valid
    tp = (pred & truth).sum(0).float()
    fp = (pred & ~truth).sum(0).float()
    fn = (~pred & truth & valid).sum(0).float()
    return 2 * tp / (2 * tp + fp + fn).clamp_min(1)


def best_thresholds(probs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per label, the threshold of ``GRID`` with the highest F1 on these windows, shape (L,)."""
    scores = torch.stack([f1_at(probs, targets, t.expand(probs.shape[1])) for t in GRID])
    return GRID[scores.argmax(0)]


def _auroc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Rank (Mann-Whitney) AUROC of one label, ties averaged; NaN without both classes."""
    n_pos = int(truth.sum())
    n_neg = len(truth) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[truth].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def subject_bootstrap_auroc(probs: torch.Tensor, targets: torch.Tensor, groups: Sequence,
                            n_boot: int = 1000, level: float = 0.95,
                            seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Percentile interval of each label's window-level AUROC, resampling whole groups.

    Parameters
    ----------
    probs, targets : Tensor, shape (n_windows, n_labels)
        Probabilities and 0/1 targets (NaN: missing, ignored).
    groups : sequence of length n_windows
        The subject of each window; subjects are drawn with replacement, all their
        windows with them (a cluster bootstrap), ``n_boot`` times.
    level : float
        Coverage of the interval (0.95: the 2.5 and 97.5 percentiles).

    Returns
    -------
    (low, high) : Tensor, shape (n_labels,)
        NaN for a label whose resamples never hold both classes.
    """
    p = probs.detach().cpu().double().numpy()
    t = targets.detach().cpu().double().numpy()
    names, codes = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    members = [np.flatnonzero(codes == g) for g in range(len(names))]
    rng = np.random.default_rng(seed)
    draws = [np.concatenate([members[g] for g in rng.integers(0, len(names), len(names))])
             for _ in range(n_boot)]
    low, high = [], []
    for k in range(p.shape[1]):
        values = []
        for rows in draws:
            keep = rows[~np.isnan(t[rows, k])]
            values.append(_auroc(p[keep, k], t[keep, k] > 0.5))
        values = np.asarray(values)
        values = values[~np.isnan(values)]
        q = (1 - level) / 2
        lo, hi = np.quantile(values, [q, 1 - q]) if len(values) else (np.nan, np.nan)
        low.append(lo)
        high.append(hi)
    return torch.tensor(low), torch.tensor(high)


class StrategyDetection(WindowTask):
    """Multi-label detection of movement strategies.

    Parameters are those of :class:`~lbpnet.tasks.base.WindowTask` (``classes``
    are the target names), plus

    pos_weight : "balanced" or None
        ``"balanced"``: weight positives by negatives/positives per label in
        the training windows (rare strategies are not ignored).
    """

    def __init__(self, model: nn.Module, classes: Sequence[str], lr: float = 1e-3,
                 weight_decay: float = 1e-2, scheduler: str | None = "onecycle",
                 warmup_fraction: float = 0.25, pos_weight: str | None = "balanced",
                 fit_standardizer: bool = True, augment: Callable | None = None) -> None:
        super().__init__(model, classes, lr, weight_decay, scheduler, warmup_fraction,
                         fit_standardizer, augment)
        self.save_hyperparameters(ignore=["model", "augment"])
        n = len(self.classes)
        self.register_buffer("pos_weight", torch.ones(n))
        self.register_buffer("thresholds", torch.full((n,), 0.5))
        self._probs: dict[str, list] = {"val": [], "test": []}
        self._targets: dict[str, list] = {"val": [], "test": []}
        self._recordings: dict[str, list] = {"val": [], "test": []}

    def on_fit_data(self, datamodule) -> None:
        """With ``pos_weight='balanced'``: per-label negative/positive ratio of the training
        windows (clipped to 1..100).
        """
        if self.hparams.pos_weight == "balanced":
            t = torch.as_tensor(datamodule.index("train").targets)
            pos = (t > 0.5).sum(0).float()
            neg = (t <= 0.5).sum(0).float()
            self.pos_weight = (neg / pos.clamp_min(1)).clamp(1, 100).to(self.device)

    def _loss(self, logits: torch.Tensor, targets: torch.Tensor,
              quality: torch.Tensor | None = None) -> torch.Tensor:
        """Masked BCE, shape (); ``logits`` and ``targets`` (batch, n_labels).

        A NaN target adds nothing; ``quality`` (batch,) weighs each window (0: a bad
        window adds nothing). The mean divides by the summed weights of valid targets.
        """
        valid = (~torch.isnan(targets)).float()
        if quality is not None:
            valid = valid * quality.to(valid)[:, None]
        loss = nn.functional.binary_cross_entropy_with_logits(
            logits, torch.nan_to_num(targets), pos_weight=self.pos_weight, reduction="none")
        return (loss * valid).sum() / valid.sum().clamp_min(1e-8)

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        """Binary cross-entropy over the strategy labels of one training batch (quality-masked
        windows get no loss); logged as ``train/loss``.
        """
        quality = quality_weights(batch, len(batch["targets"]))
        loss = self._loss(self(self.training_signals(batch), batch.get("present")), batch["targets"], quality)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["targets"]))
        return loss

    def _eval_step(self, batch: dict, side: str) -> None:
        logits = self(batch["signals"], batch.get("present"))
        targets = batch["targets"]
        self.log(f"{side}/loss", self._loss(logits, targets, quality_weights(batch, len(targets))),
                 batch_size=len(targets), sync_dist=True)     # DDP: mean over processes
        probs = torch.sigmoid(logits)
        self._probs[side].append(probs.detach().cpu())
        self._targets[side].append(targets.detach().cpu())
        if "recording" in batch:
            self._recordings[side].append(batch["recording"].detach().cpu())

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        """Collect the batch's probabilities and targets for the validation scores."""
        self._eval_step(batch, "val")

    def test_step(self, batch: dict, batch_idx: int) -> None:
        """Collect the batch's probabilities and targets for the test scores."""
        self._eval_step(batch, "test")

    def _epoch_end(self, side: str) -> dict:
        probs, targets = torch.cat(self._probs[side]), torch.cat(self._targets[side])
        recordings = torch.cat(self._recordings[side]) if self._recordings[side] else None
        self._probs[side], self._targets[side], self._recordings[side] = [], [], []
        if self._trainer is not None and self.trainer.world_size > 1:
            # DDP: thresholds and F1 from the windows of every process (equal counts per
            # process: the distributed sampler pads)
            probs = self.all_gather(probs.to(self.device)).flatten(0, 1).cpu()
            targets = self.all_gather(targets.to(self.device)).flatten(0, 1).cpu()
            if recordings is not None:
                recordings = self.all_gather(recordings.to(self.device)).flatten(0, 1).cpu()
        # AUROC / AUPRC per label from the windows kept above (missing targets ignored)
        n = len(self.classes)
        int_targets = torch.where(torch.isnan(targets), -1, targets.round()).long()
        auroc = multilabel_auroc(probs, int_targets, n, average="none", ignore_index=-1)
        auprc = multilabel_average_precision(probs, int_targets, n, average="none",
                                             ignore_index=-1)
        # a label without positives (or negatives) on this side has no AUROC/AUPRC: NaN, not 0
        pos = (targets > 0.5).sum(0)
        neg = (targets <= 0.5).sum(0)
        undefined = (pos == 0) | (neg == 0)
        auroc = torch.where(undefined, torch.nan, auroc)
        auprc = torch.where(undefined, torch.nan, auprc)
        if side == "val":
            self.thresholds = best_thresholds(probs, targets).to(self.thresholds)
        f1 = f1_at(probs, targets, self.thresholds.cpu())
        scalars = {f"{side}/auroc_macro": auroc.nanmean(), f"{side}/auprc_macro": auprc.nanmean(),
                   f"{side}/f1_macro": f1.mean()}
        self.log_dict({k: v.to(self.device) for k, v in scalars.items()}, prog_bar=True,
                      sync_dist=True)      # on the device: nccl reduces device tensors only
        per_label = {f"{side}/auroc": auroc, f"{side}/auprc": auprc, f"{side}/f1": f1,
                     f"{side}/threshold": self.thresholds.cpu(), f"{side}/positives": pos}
        subjects = self._subjects(recordings) if side == "test" else None
        if subjects is not None:
            truth = (targets > 0.5).numpy()
            per_label[f"{side}/positive_subjects"] = torch.tensor(
                [len(set(subjects[truth[:, k]].tolist())) for k in range(n)])
            low, high = subject_bootstrap_auroc(probs, targets, subjects)
            per_label[f"{side}/auroc_ci_low"], per_label[f"{side}/auroc_ci_high"] = low, high
        return {**{k: float(v) for k, v in scalars.items()},
                **{k: dict(zip(self.classes, [None if x != x else x for x in v.tolist()]))
                   for k, v in per_label.items()}}

    def _subjects(self, recordings: torch.Tensor | None) -> np.ndarray | None:
        """The subject of each window, from the datamodule's recordings; None if unknown."""
        dm = getattr(self._trainer, "datamodule", None) if self._trainer is not None else None
        recs = getattr(dm, "recordings", None)
        if recordings is None or recs is None:
            return None
        return np.array([recs[int(i)].subject for i in recordings])

    def on_validation_epoch_end(self) -> None:
        """Log the validation scores (per-label and macro AUROC, AUPRC, F1)."""
        self._epoch_end("val")

    def on_test_epoch_end(self) -> None:
        """Compute the test scores and keep them in ``test_results``."""
        self.test_results = self._epoch_end("test")
