"""What every window task shares: AdamW with a schedule, augmentation, standardiser fitting,
and the per-window quality weights of the loss."""

from __future__ import annotations

from typing import Callable, Sequence

import pytorch_lightning as pl
import torch
from torch import nn

from lbpnet.errors import ConfigError, WindowError


def quality_weights(batch: dict, n: int) -> torch.Tensor | None:
    """Per-window loss weights from ``batch["quality"]``, or None when the batch has none.

    Parameters
    ----------
    batch : dict
        A window batch; ``batch["quality"]`` (optional) is float, shape (batch,),
        1 for a good window and 0 for a bad one (fractions weigh in between), as
        the quality-control step writes it.
    n : int
        Number of windows in the batch.

    Returns
    -------
    torch.Tensor or None
        Float32 weights, shape (batch,). Values are not checked here (that would
        synchronise the GPU on every step); QC guarantees them in [0, 1].
    """
    quality = batch.get("quality")
    if quality is None:
        return None
    quality = torch.as_tensor(quality)
    if quality.shape != (n,):
        raise WindowError(f"batch['quality'] has shape {tuple(quality.shape)}, expected ({n},): "
                          "one score per window", field="quality",
                          fix="give one quality score (1 good, 0 bad) per window")
    return quality.float()


class WindowTask(pl.LightningModule):
    """Base of the LightningModules that learn from ``{modality: (batch, channels, time)}``.

    Parameters
    ----------
    model : nn.Module
        ``model(signals) -> (batch, n_outputs)``; has ``standardize[modality]``.
    classes : sequence of str
        Output names (classes, or multi-label targets) in output order.
    lr, weight_decay : float
        AdamW settings.
    scheduler : {"onecycle", "cosine", None}
        Learning-rate schedule over the whole run (per step).
    warmup_fraction : float
        ``onecycle`` only: fraction of the steps spent raising the rate.
    fit_standardizer : bool
        When fitting starts, set the model's per-channel standardisation from
        the training windows (``WindowDataModule.channel_stats()``). A resumed
        run restores the statistics from its checkpoint instead.
    augment : callable, optional
        Applied to the signals of training batches only.
    """

    def __init__(self, model: nn.Module, classes: Sequence[str], lr: float = 1e-3,
                 weight_decay: float = 1e-2, scheduler: str | None = "onecycle",
                 warmup_fraction: float = 0.25, fit_standardizer: bool = True,
                 augment: Callable | None = None) -> None:
        super().__init__()
        self.model = model
        self.classes = list(classes)
        self.augment = augment
        self.test_results: dict = {}

    def forward(self, signals: dict[str, torch.Tensor],
                present: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """Model outputs; ``present[m]`` (batch,) bool marks windows whose recording has
        modality m (``WindowDataset(missing_modalities="mask")``), passed to the model."""
        if present is None:
            return self.model(signals)
        return self.model(signals, present=present)

    def training_signals(self, batch: dict) -> dict[str, torch.Tensor]:
        """The batch's signals, augmented when the task has an augmentation."""
        signals = batch["signals"]
        return self.augment(signals) if self.augment is not None else signals

    def on_fit_data(self, datamodule) -> None:
        """Hook for subclasses: statistics of the training data (e.g. class weights)."""

    def setup(self, stage: str) -> None:
        """Before fitting: the subclass's training statistics (:meth:`on_fit_data`) and, when
        asked, the channel standardiser fitted on the training windows.
        """
        dm = getattr(self.trainer, "datamodule", None) if self._trainer is not None else None
        if stage != "fit" or dm is None:
            return
        self.on_fit_data(dm)
        if self.hparams.fit_standardizer:
            for m, (mean, std) in dm.channel_stats().items():
                self.model.standardize[m].fit(mean, std)

    def configure_optimizers(self):
        """AdamW with ``lr`` and ``weight_decay``, and the configured scheduler (``onecycle`` or
        ``cosine``) stepped every batch.
        """
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr,
                                weight_decay=self.hparams.weight_decay)
        name = self.hparams.scheduler
        if not name:
            return opt
        total = max(int(self.trainer.estimated_stepping_batches), 1)
        if name == "onecycle":
            if total < 5:
                return opt           # too few steps for a schedule (smoke tests)
            # at least two warm-up steps: torch's one-cycle divides by (warm-up steps - 1)
            warmup = min(max(self.hparams.warmup_fraction, 2.5 / total), 0.5)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.hparams.lr,
                                                        total_steps=total, pct_start=warmup)
        elif name == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
        else:
            raise ConfigError(f"unknown scheduler '{name}'", field="task.scheduler",
                              fix="use onecycle, cosine or null")
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
