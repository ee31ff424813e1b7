"""Response-trajectory prediction: from a patient's sessions so far, forecast the next
sessions' ODI and pain NRS with quantiles, and the probability of non-response by a horizon.

The model (e.g. :class:`lbpnet.models.trajectory.SessionGRU`) returns quantiles of the
*change from the last reported score*, in units of ``pro_scale`` (ODI 10 points, NRS 1
point); the forecast is ``last report + pro_scale * output``. Loss: pinball loss over the
reported future sessions (missing reports and absent sessions masked) plus
``non_response_weight`` × binary cross-entropy of the non-response flag (unknown labels
masked).

Scores on the validation/test patients (seen up to ``observed_sessions``): MAE of the median
forecast, coverage and width of the outermost interval (0.1-0.9: the 80 % interval), AUROC
and Brier score of P(non-response), accuracy and F1 of the flag at 0.5 — each beside the
naive baselines of :mod:`lbpnet.tasks.trajectory_baselines` fitted on the training patients.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.tasks.base import WindowTask
from lbpnet.tasks.trajectory_baselines import CarriedForward, EarlyChangeLogistic
from lbpnet.tasks.trajectory_metrics import (interval_scores, masked_bce, non_response_scores,
                                             pinball_loss)
from lbpnet.tasks.trajectory_sequences import PROS


class TrajectoryForecast(WindowTask):
    """Quantile forecasts of ODI/NRS and a non-response probability, per patient.

    Parameters
    ----------
    model : nn.Module
        ``model(sessions, observed) -> {"quantiles": (batch, A * 2, Q),
        "non_response_logit": (batch,)}`` with ``model.quantiles`` the Q levels.
    classes : sequence of str
        Forecast target names (``odi@+1, nrs@+1, …``), in model output order.
    lr, weight_decay, scheduler, warmup_fraction
        As :class:`~lbpnet.tasks.base.WindowTask` (AdamW and its schedule).
    pro_scale : mapping
        Points per model unit for each PRO (default ODI 10, NRS 1).
    non_response_weight : float
        Weight of the non-response cross-entropy beside the pinball loss.
    """

    def __init__(self, model: nn.Module, classes: Sequence[str], lr: float = 3e-3,
                 weight_decay: float = 1e-2, scheduler: str | None = "cosine",
                 warmup_fraction: float = 0.25, pro_scale: Mapping[str, float] | None = None,
                 non_response_weight: float = 1.0) -> None:
        super().__init__(model, classes, lr, weight_decay, scheduler, warmup_fraction,
                         fit_standardizer=False, augment=None)
        self.save_hyperparameters(ignore=["model"])
        scale = dict(pro_scale or {"odi": 10.0, "nrs": 1.0})
        if set(scale) != set(PROS) or len(self.classes) % len(PROS):
            raise ConfigError(f"pro_scale {scale} / outputs {self.classes} do not match the PROs "
                              f"{PROS}", field="task.pro_scale", fix="give odi and nrs scales")
        self.register_buffer("scale", torch.tensor([float(scale[p]) for p in PROS]))
        self.quantiles = list(model.quantiles)
        self.n_ahead = len(self.classes) // len(PROS)
        self._kept: dict[str, list] = {"val": [], "test": []}

    def setup(self, stage: str) -> None:
        """Nothing to fit from the data: features arrive standardised by the data module."""

    # ------------------------------------------------------------------ forward
    def forward(self, batch: dict) -> dict[str, torch.Tensor]:
        """``{"quantiles": (batch, A, 2, Q)`` in points, ``"non_response_prob": (batch,)``,
        ``"change": (batch, A, 2, Q)`` in model units, ``"logit"``}."""
        out = self.model(batch["sessions"], batch["observed"])
        change = out["quantiles"].view(-1, self.n_ahead, len(PROS), len(self.quantiles))
        q = batch["anchor"][:, None, :, None] + change * self.scale[:, None]
        logit = out["non_response_logit"]
        return {"quantiles": q, "change": change, "logit": logit,
                "non_response_prob": torch.sigmoid(logit)}

    def _loss(self, out: dict, batch: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        target = (batch["future"] - batch["anchor"][:, None]) / self.scale
        pin = pinball_loss(out["change"], target, self.quantiles)
        bce = masked_bce(out["logit"], batch["non_response"])
        return pin + self.hparams.non_response_weight * bce, pin, bce

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        loss, pin, bce = self._loss(self(batch), batch)
        n = len(batch["k"])
        self.log_dict({"train/loss": loss, "train/pinball": pin, "train/bce": bce}, batch_size=n)
        return loss

    def _eval_step(self, batch: dict, side: str) -> None:
        out = self(batch)
        loss, pin, bce = self._loss(out, batch)
        self.log_dict({f"{side}/loss": loss, f"{side}/pinball": pin}, batch_size=len(batch["k"]))
        keep = {k: batch[k].detach().cpu() for k in ("anchor", "first", "future", "non_response",
                                                     "k", "patient")}
        keep.update(quantiles=out["quantiles"].detach().cpu(),
                    prob=out["non_response_prob"].detach().cpu())
        self._kept[side].append(keep)

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        self._eval_step(batch, "val")

    def test_step(self, batch: dict, batch_idx: int) -> None:
        self._eval_step(batch, "test")

    # ------------------------------------------------------------------ scores
    def forecast_scores(self, quantiles: torch.Tensor, future: torch.Tensor,
                        prefix: str) -> dict:
        """MAE, coverage and width per PRO of ``quantiles`` (n, A, 2, Q) against ``future``
        (n, A, 2), pooled over the steps ahead."""
        out: dict = {}
        for j, pro in enumerate(PROS):
            s = interval_scores(quantiles[:, :, j].reshape(-1, len(self.quantiles)),
                                future[:, :, j].reshape(-1), self.quantiles)
            out.update({f"{prefix}mae_{pro}": s["mae"], f"{prefix}coverage_{pro}": s["coverage"],
                        f"{prefix}width_{pro}": s["width"]})
        return out

    def flag_scores(self, prob: torch.Tensor, target: torch.Tensor, prefix: str) -> dict:
        """AUROC, Brier, accuracy and per-class F1 of P(non-response) ``prob`` (n,)."""
        nr = non_response_scores(prob, target)
        return {f"{prefix}auroc_non_response": nr["auroc"], f"{prefix}brier": nr["brier"],
                f"{prefix}acc": nr["acc"],
                f"{prefix}f1_per_class": dict(zip(self._outcome_names(), nr["f1"])),
                f"{prefix}examples": nr["n"], f"{prefix}non_responders": nr["positives"]}

    def _epoch_end(self, side: str) -> dict:
        kept, self._kept[side] = self._kept[side], []
        if not kept:
            return {}
        ex = {k: torch.cat([b[k] for b in kept]) for k in kept[0]}
        res = {**self.forecast_scores(ex["quantiles"], ex["future"], f"{side}/"),
               **self.flag_scores(ex["prob"], ex["non_response"], f"{side}/")}
        self.log_dict({k: float(v) for k, v in res.items()
                       if isinstance(v, (int, float)) and v == v}, prog_bar=side == "val")
        res[f"{side}/interval"] = [self.quantiles[0], self.quantiles[-1]]
        if side == "test":
            res.update(self._baselines(ex, side))
        return res

    def _outcome_names(self) -> list[str]:
        dm = self._datamodule()
        return list(dm.classes) if dm is not None else ["response", "non_response"]

    def _datamodule(self):
        return getattr(self.trainer, "datamodule", None) if self._trainer is not None else None

    def _baselines(self, ex: dict, side: str) -> dict:
        """The naive baselines, fitted on the training examples, scored on ``ex``."""
        dm = self._datamodule()
        if dm is None or "train" not in dm.datasets:
            return {}
        train, k = dm.datasets["train"].tensors, int(ex["k"][0])
        out = {}
        for center, name in (("last", "locf"), ("median_change", "median_change")):
            q = CarriedForward(self.quantiles, center).fit(train, k).predict(ex["anchor"])
            out.update(self.forecast_scores(q, ex["future"], f"{side}/baseline_{name}/"))
        prob = EarlyChangeLogistic().fit(train, k).predict_proba(ex)
        out.update(self.flag_scores(prob, ex["non_response"], f"{side}/baseline_logistic/"))
        return out

    def on_validation_epoch_end(self) -> None:
        self._epoch_end("val")

    def on_test_epoch_end(self) -> None:
        self.test_results = self._epoch_end("test")
