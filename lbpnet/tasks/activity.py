"""Activity recognition: a multi-class LightningModule over multimodal windows."""

from __future__ import annotations

from typing import Callable, Sequence

import pytorch_lightning as pl
import torch
from torch import nn
from torchmetrics import MetricCollection
from torchmetrics.classification import (MulticlassAccuracy, MulticlassConfusionMatrix,
                                         MulticlassF1Score)

from lbpnet.errors import ConfigError


def _metrics(n: int) -> MetricCollection:
    return MetricCollection({
        "acc": MulticlassAccuracy(n, average="micro"),
        "f1_macro": MulticlassF1Score(n, average="macro"),
        "f1_per_class": MulticlassF1Score(n, average="none"),
        "confusion_matrix": MulticlassConfusionMatrix(n),
    })


class ActivityRecognition(pl.LightningModule):
    """Cross-entropy training of a multimodal classifier, scored with torchmetrics.

    Parameters
    ----------
    model : nn.Module
        Maps ``{modality: (batch, channels, time)}`` to logits ``(batch, n_classes)``.
    classes : sequence of str
        Class names in index order (for per-class metrics).
    lr, weight_decay : float
        AdamW settings.
    scheduler : {"onecycle", "cosine", None}
        Learning-rate schedule over the whole run (per step).
    warmup_fraction : float
        ``onecycle`` only: fraction of the steps spent raising the rate.
    label_smoothing : float
    class_weights : "balanced", sequence of float (n_classes,), or None
        Loss weight per class; ``"balanced"`` takes inverse class frequencies of
        the training windows from the data module when fitting starts.
    fit_standardizer : bool
        When fitting starts, set the model's per-channel standardisation from
        the training windows (``WindowDataModule.channel_stats()``). A resumed
        run restores the statistics from its checkpoint instead.
    augment : nn.Module, optional
        Applied to the signals of training batches only.
    """

    def __init__(self, model: nn.Module, classes: Sequence[str], lr: float = 1e-3,
                 weight_decay: float = 1e-2, scheduler: str | None = "onecycle",
                 warmup_fraction: float = 0.25,
                 label_smoothing: float = 0.0, class_weights=None,
                 fit_standardizer: bool = True, augment: Callable | None = None) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["model", "augment", "class_weights"])
        self.model = model
        self.classes = list(classes)
        self.augment = augment
        self.balance = class_weights == "balanced"
        weights = None if class_weights is None or self.balance else torch.as_tensor(
            list(class_weights), dtype=torch.float32)
        self.register_buffer("class_weights", weights)
        n = len(self.classes)
        self.val_metrics = _metrics(n).clone(prefix="val/")
        self.test_metrics = _metrics(n).clone(prefix="test/")
        self.test_results: dict = {}

    def setup(self, stage: str) -> None:
        dm = getattr(self.trainer, "datamodule", None) if self._trainer is not None else None
        if stage != "fit" or dm is None:
            return
        if self.balance:
            self.class_weights = dm.class_weights().to(self.device)
        if self.hparams.fit_standardizer:
            for m, (mean, std) in dm.channel_stats().items():
                self.model.standardize[m].fit(mean, std)

    def forward(self, signals: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model(signals)

    def _loss(self, logits: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(logits, label, weight=self.class_weights,
                                           label_smoothing=self.hparams.label_smoothing)

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        signals = batch["signals"]
        if self.augment is not None:
            signals = self.augment(signals)
        logits = self(signals)
        loss = self._loss(logits, batch["label"])
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch["label"]))
        return loss

    def _eval_step(self, batch: dict, metrics: MetricCollection, prefix: str) -> None:
        logits = self(batch["signals"])
        self.log(f"{prefix}/loss", self._loss(logits, batch["label"]),
                 batch_size=len(batch["label"]))
        metrics.update(logits, batch["label"])

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        self._eval_step(batch, self.val_metrics, "val")

    def test_step(self, batch: dict, batch_idx: int) -> None:
        self._eval_step(batch, self.test_metrics, "test")

    def _epoch_end(self, metrics: MetricCollection) -> dict:
        values = metrics.compute()
        metrics.reset()
        scalars = {k: v for k, v in values.items() if v.ndim == 0}
        self.log_dict(scalars, prog_bar=True)
        return values

    def on_validation_epoch_end(self) -> None:
        self._epoch_end(self.val_metrics)

    def on_test_epoch_end(self) -> None:
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

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr,
                                weight_decay=self.hparams.weight_decay)
        name = self.hparams.scheduler
        if not name:
            return opt
        total = max(int(self.trainer.estimated_stepping_batches), 1)
        if name == "onecycle":
            # at least two warm-up steps: torch's one-cycle divides by (warm-up steps - 1)
            warmup = min(max(self.hparams.warmup_fraction, 2.5 / total), 0.5)
            if total < 5:
                return opt           # too few steps for a schedule (smoke tests)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.hparams.lr,
                                                        total_steps=total, pct_start=warmup)
        elif name == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
        else:
            raise ConfigError(f"unknown scheduler '{name}'", field="task.scheduler",
                              fix="use onecycle, cosine or null")
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
