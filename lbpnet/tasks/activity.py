"""Activity recognition: a multi-class LightningModule over multimodal windows."""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn
from torchmetrics import MetricCollection
from torchmetrics.classification import (MulticlassAccuracy, MulticlassConfusionMatrix,
                                         MulticlassF1Score)

from lbpnet.tasks.base import WindowTask, quality_weights


def _metrics(n: int) -> MetricCollection:
    return MetricCollection({
        "acc": MulticlassAccuracy(n, average="micro"),
        "f1_macro": MulticlassF1Score(n, average="macro"),
        "f1_per_class": MulticlassF1Score(n, average="none"),
        "confusion_matrix": MulticlassConfusionMatrix(n),
    })


class ActivityRecognition(WindowTask):
    """Cross-entropy training of a multimodal classifier, scored with torchmetrics.

    Parameters are those of :class:`~lbpnet.tasks.base.WindowTask`, plus

    label_smoothing : float
    class_weights : "balanced", sequence of float (n_classes,), or None
        Loss weight per class; ``"balanced"`` takes inverse class frequencies of
        the training windows from the data module when fitting starts.

    Windows of a batch with ``batch["quality"]`` (batch,) are weighed by it in the
    loss (training and the logged val/test loss); the metrics score every window.
    """

    def __init__(self, model: nn.Module, classes: Sequence[str], lr: float = 1e-3,
                 weight_decay: float = 1e-2, scheduler: str | None = "onecycle",
                 warmup_fraction: float = 0.25, label_smoothing: float = 0.0,
                 class_weights=None, fit_standardizer: bool = True,
                 augment: Callable | None = None) -> None:
        super().__init__(model, classes, lr, weight_decay, scheduler, warmup_fraction,
                         fit_standardizer, augment)
        self.save_hyperparameters(ignore=["model", "augment", "class_weights"])
        self.balance = class_weights == "balanced"
        weights = None if class_weights is None or self.balance else torch.as_tensor(
            list(class_weights), dtype=torch.float32)
        self.register_buffer("class_weights", weights)
        n = len(self.classes)
        self.val_metrics = _metrics(n).clone(prefix="val/")
        self.test_metrics = _metrics(n).clone(prefix="test/")

    def on_fit_data(self, datamodule) -> None:
        """Take the class weights of the training windows when ``balance`` is set."""
        if self.balance:
            self.class_weights = datamodule.class_weights().to(self.device)

    def _loss(self, logits: torch.Tensor, label: torch.Tensor,
              quality: torch.Tensor | None = None) -> torch.Tensor:
        """Cross-entropy, shape (); ``logits`` (batch, n_classes), ``label`` (batch,).

        ``quality`` (batch,) weighs each window (0: a bad window adds nothing). The
        mean divides by the summed weights (class weight x quality), so with all
        windows good it equals torch's weighted mean cross-entropy.
        """
        if quality is None:
            return nn.functional.cross_entropy(logits, label, weight=self.class_weights,
                                               label_smoothing=self.hparams.label_smoothing)
        per_window = nn.functional.cross_entropy(
            logits, label, weight=self.class_weights,
            label_smoothing=self.hparams.label_smoothing, reduction="none")
        quality = quality.to(per_window)         # per_window already carries the class weight
        total = quality if self.class_weights is None else quality * self.class_weights[label]
        return (per_window * quality).sum() / total.sum().clamp_min(1e-8)

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        """Cross-entropy of one training batch (quality-masked windows get no loss); logged as
        ``train/loss``.
        """
        quality = quality_weights(batch, len(batch["label"]))
        loss = self._loss(self(self.training_signals(batch), batch.get("present")), batch["label"], quality)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["label"]))
        return loss

    def _eval_step(self, batch: dict, metrics: MetricCollection, prefix: str) -> None:
        logits = self(batch["signals"], batch.get("present"))
        quality = quality_weights(batch, len(batch["label"]))
        self.log(f"{prefix}/loss", self._loss(logits, batch["label"], quality),
                 batch_size=len(batch["label"]), sync_dist=True)   # DDP: mean over processes
        metrics.update(logits, batch["label"])

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        """Update the validation metrics with one batch."""
        self._eval_step(batch, self.val_metrics, "val")

    def test_step(self, batch: dict, batch_idx: int) -> None:
        """Update the test metrics with one batch."""
        self._eval_step(batch, self.test_metrics, "test")

    def _epoch_end(self, metrics: MetricCollection) -> dict:
        values = metrics.compute()
        metrics.reset()
        # torchmetrics already gathered every process; sync_dist keeps DDP's logs quiet
        self.log_dict({k: v for k, v in values.items() if v.ndim == 0}, prog_bar=True,
                      sync_dist=True)
        return values

    def on_validation_epoch_end(self) -> None:
        """Log the validation metrics of the epoch (``val/acc``, ``val/f1_macro``, …)."""
        self._epoch_end(self.val_metrics)

    def on_test_epoch_end(self) -> None:
        """Log the test metrics and keep them, with per-class F1 and the confusion matrix, in
        ``test_results``.
        """
        values = self._epoch_end(self.test_metrics)
        results = {}
        for key, v in values.items():
            if key.endswith("f1_per_class"):
                results[key] = dict(zip(self.classes, v.tolist()))
            elif key.endswith("confusion_matrix"):
                results[key] = {"classes": self.classes, "counts": v.int().tolist()}
            else:
                results[key] = float(v)
        self.test_results = results
