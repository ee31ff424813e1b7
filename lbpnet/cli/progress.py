"""What a training run shows while it runs: a rich progress bar in a terminal, and one
log line per epoch (in the run's ``train.log`` and on the console) everywhere.

Both are Lightning callbacks, listed in ``conf/callbacks/default.yaml``.
"""

from __future__ import annotations

import logging
import math
import sys
import time

import pytorch_lightning as pl
from pytorch_lightning.callbacks import RichProgressBar

log = logging.getLogger("lbpnet.train")


class TerminalProgressBar(RichProgressBar):
    """Lightning's rich progress bar when stdout is a terminal; silent otherwise (a log
    file or a batch job gets :class:`EpochSummary`'s lines instead of bar redraws)."""

    def __init__(self, refresh_rate: int = 1, leave: bool = False) -> None:
        super().__init__(refresh_rate=refresh_rate, leave=leave)
        if not _is_terminal():
            self.disable()


def _is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):      # replaced or closed stdout
        return False


class EpochSummary(pl.Callback):
    """One line per training epoch, logged by ``lbpnet.train`` (rank zero only)::

        epoch 3/20: train/loss 0.4121  val/loss 0.5012  val/f1_macro 0.8731  (12.3 s)

    ``train/loss`` is the mean of the epoch's training-step losses; the ``val/`` numbers are
    the epoch's logged validation metrics (none for a run without a validation side).
    """

    def __init__(self) -> None:
        self._start = 0.0
        self._loss_sum = 0.0
        self._batches = 0

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Start the epoch's clock and reset the running training loss."""
        self._start, self._loss_sum, self._batches = time.perf_counter(), 0.0, 0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        """Add the batch's training loss to the epoch's running mean."""
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        if loss is not None:
            self._loss_sum += float(loss.detach()) if hasattr(loss, "detach") else float(loss)
            self._batches += 1

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Log the epoch's summary line (on the main process only)."""
        if not trainer.is_global_zero:
            return
        log.info(self.line(trainer))

    def line(self, trainer: pl.Trainer) -> str:
        """The summary line of the epoch that just ended."""
        parts = []
        if self._batches:
            parts.append(f"train/loss {self._loss_sum / self._batches:.4f}")
        for name in sorted(trainer.callback_metrics):
            if not name.startswith("val/"):
                continue
            value = trainer.callback_metrics[name]
            if getattr(value, "numel", lambda: 1)() == 1:
                value = float(value)
                parts.append(f"{name} {value:.4f}" if math.isfinite(value) else f"{name} {value}")
        total = trainer.max_epochs if trainer.max_epochs and trainer.max_epochs > 0 else "?"
        seconds = time.perf_counter() - self._start
        return f"epoch {trainer.current_epoch + 1}/{total}: {'  '.join(parts)}  ({seconds:.1f} s)"
