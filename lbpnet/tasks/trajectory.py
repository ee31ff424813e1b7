"""Response-trajectory prediction: from a patient's sessions so far, forecast the next
sessions' outcomes (ODI and pain NRS, or any named outcomes) with quantiles, and the
probability of non-response by a horizon.

The model (e.g. :class:`lbpnet.models.trajectory.SessionGRU`) returns quantiles of the
*change from the last reported score*, in units of ``pro_scale`` (ODI 10 points, NRS 1
point; null: the training patients' SD of each outcome, from the data module); the
forecast is ``last report + pro_scale * output``. Loss: pinball loss over the
reported future sessions (missing reports and absent sessions masked) plus
``non_response_weight`` × binary cross-entropy of the non-response flag (unknown labels
masked).

Scores on the validation/test patients (seen up to ``observed_sessions``): MAE of the median
forecast, coverage and width of the outermost interval (0.1-0.9: the 80 % interval), AUROC
and Brier score of P(non-response), accuracy and F1 of the flag at 0.5 — each beside the
baselines of :mod:`lbpnet.tasks.trajectory_forecasters` fitted on the training patients.
After testing, ``test_predictions`` holds the per-example arrays (see :meth:`predictions`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.tasks.base import WindowTask
from lbpnet.tasks.trajectory_forecasters import baseline_forecasts
from lbpnet.tasks.trajectory_metrics import (interval_scores, masked_bce, median_index,
                                             non_response_scores, pinball_loss)

KEPT = ("anchor", "first", "future", "history", "times", "non_response", "k", "patient")


def outcome_names(classes: Sequence[str]) -> list[str]:
    """Outcomes of forecast target names ``odi@+1, nrs@+1, odi@+2…``, in order."""
    names: list[str] = []
    for c in classes:
        name = str(c).rsplit("@+", 1)[0]
        if name not in names:
            names.append(name)
    return names


class TrajectoryForecast(WindowTask):
    """Quantile forecasts of named outcomes and a non-response probability, per patient.

    Parameters
    ----------
    model : nn.Module
        ``model(sessions, observed) -> {"quantiles": (batch, A * 2, Q),
        "non_response_logit": (batch,)}`` with ``model.quantiles`` the Q levels.
    classes : sequence of str
        Forecast target names (``<outcome>@+<steps ahead>``: ``odi@+1, nrs@+1, …``), in
        model output order.
    lr, weight_decay, scheduler, warmup_fraction
        As :class:`~lbpnet.tasks.base.WindowTask` (AdamW and its schedule).
    pro_scale : mapping or None
        Points per model unit for each outcome (default ODI 10, NRS 1 when the outcomes
        are ODI and NRS); None: taken from the data module's ``outcome_scale`` at set-up.
    non_response_weight : float
        Weight of the non-response cross-entropy beside the pinball loss.
    log_outcomes : sequence of str
        Outcomes forecast on the ``log1p`` scale (counts, e.g. seizures: heavy-tailed, >= 0):
        the model's quantiles are of ``log1p(y) - log1p(last report)`` in units of the
        training patients' SD of ``log1p(y)`` (or ``pro_scale`` for that outcome, then in
        log units), back-transformed with ``expm1``; quantiles survive a monotone transform,
        so they stay quantiles of ``y``. Default none.
    """

    def __init__(self, model: nn.Module, classes: Sequence[str], lr: float = 3e-3,
                 weight_decay: float = 1e-2, scheduler: str | None = "cosine",
                 warmup_fraction: float = 0.25, pro_scale: Mapping[str, float] | None = None,
                 non_response_weight: float = 1.0,
                 log_outcomes: Sequence[str] = ()) -> None:
        super().__init__(model, classes, lr, weight_decay, scheduler, warmup_fraction,
                         fit_standardizer=False, augment=None)
        self.save_hyperparameters(ignore=["model"])
        self.outcomes = outcome_names(self.classes)
        if pro_scale is None and self.outcomes == ["odi", "nrs"]:
            pro_scale = {"odi": 10.0, "nrs": 1.0}
        self._scale_from_data = pro_scale is None
        scale = dict(pro_scale or {o: 1.0 for o in self.outcomes})
        if set(scale) != set(self.outcomes) or len(self.classes) % len(self.outcomes):
            raise ConfigError(f"pro_scale {scale} / outputs {self.classes} do not match the "
                              f"outcomes {self.outcomes}", field="task.pro_scale",
                              fix=f"give a scale for each of {self.outcomes}, or null")
        self.register_buffer("scale", torch.tensor([float(scale[o]) for o in self.outcomes]))
        unknown = sorted(set(log_outcomes) - set(self.outcomes))
        if unknown:
            raise ConfigError(f"log_outcomes {unknown} are not outcomes of this task "
                              f"{self.outcomes}", field="task.log_outcomes",
                              fix=f"name outcomes among {self.outcomes}, or []")
        self.register_buffer("is_log", torch.tensor([o in set(log_outcomes)
                                                     for o in self.outcomes]), persistent=False)
        self.quantiles = list(model.quantiles)
        self.n_ahead = len(self.classes) // len(self.outcomes)
        self._kept: dict[str, list] = {"val": [], "test": []}
        self.test_predictions: dict | None = None

    def setup(self, stage: str) -> None:
        """Features arrive standardised by the data module; with ``pro_scale`` None the
        scale per outcome is the data module's ``outcome_scale`` (training patients' SD)."""
        dm = self._datamodule()
        if self._scale_from_data and dm is not None and getattr(dm, "outcome_scale", None):
            self.scale.copy_(torch.tensor([dm.outcome_scale[o] for o in self.outcomes]))
        if self.is_log.any() and dm is not None and getattr(dm, "table", None) is not None:
            self._log_scale_from(dm)

    def _log_scale_from(self, dm) -> None:
        """Refuse negative values of a log outcome; with ``pro_scale`` None, its scale is the
        training patients' SD of ``log1p`` of it."""
        rows = sorted(set(dm.datasets["train"].tensors["patient"].tolist()))
        pros = dm.table.pros[rows]
        for j, name in enumerate(self.outcomes):
            if not bool(self.is_log[j]):
                continue
            v = pros[..., j][np.isfinite(pros[..., j])]
            if (v < 0).any():
                raise ConfigError(f"outcome '{name}' has negative values (min {v.min():g}); "
                                  "log1p needs counts or scores >= 0", field="task.log_outcomes",
                                  fix=f"leave '{name}' out of task.log_outcomes")
            sd = float(np.log1p(v).std()) if v.size else 0.0
            if self._scale_from_data and sd > 1e-8:
                self.scale[j] = sd

    # ------------------------------------------------------------------ forward
    def forward(self, batch: dict) -> dict[str, torch.Tensor]:
        """``{"quantiles": (batch, A, O, Q)`` in points, ``"non_response_prob": (batch,)``,
        ``"change": (batch, A, O, Q)`` in model units, ``"logit"``}."""
        out = self.model(batch["sessions"], batch["observed"])
        change = out["quantiles"].view(-1, self.n_ahead, len(self.outcomes), len(self.quantiles))
        anchor = batch["anchor"][:, None, :, None]
        q = anchor + change * self.scale[:, None]
        if self.is_log.any():
            logged = torch.expm1(torch.log1p(anchor.clamp(min=0)) + change * self.scale[:, None])
            q = torch.where(self.is_log[:, None], logged, q)
        logit = out["non_response_logit"]
        return {"quantiles": q, "change": change, "logit": logit,
                "non_response_prob": torch.sigmoid(logit)}

    def _loss(self, out: dict, batch: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        future, anchor = batch["future"], batch["anchor"][:, None]
        target = (future - anchor) / self.scale
        if self.is_log.any():
            logged = (torch.log1p(future.clamp(min=0)) - torch.log1p(anchor.clamp(min=0)))
            target = torch.where(self.is_log, logged / self.scale, target)
        pin = pinball_loss(out["change"], target, self.quantiles)
        bce = masked_bce(out["logit"], batch["non_response"])
        return pin + self.hparams.non_response_weight * bce, pin, bce

    def training_step(self, batch: dict, batch_idx: int) -> torch.Tensor:
        """Pinball loss of the quantile forecasts plus binary cross-entropy of the non-response
        flag, for one training batch.
        """
        loss, pin, bce = self._loss(self(batch), batch)
        n = len(batch["k"])
        self.log_dict({"train/loss": loss, "train/pinball": pin, "train/bce": bce}, batch_size=n)
        return loss

    def _eval_step(self, batch: dict, side: str) -> None:
        out = self(batch)
        loss, pin, bce = self._loss(out, batch)
        self.log_dict({f"{side}/loss": loss, f"{side}/pinball": pin}, batch_size=len(batch["k"]))
        keep = {k: batch[k].detach().cpu() for k in KEPT if k in batch}
        keep.update(quantiles=out["quantiles"].detach().cpu(),
                    prob=out["non_response_prob"].detach().cpu())
        self._kept[side].append(keep)

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        """Collect the batch's forecasts for the validation scores."""
        self._eval_step(batch, "val")

    def test_step(self, batch: dict, batch_idx: int) -> None:
        """Collect the batch's forecasts for the test scores."""
        self._eval_step(batch, "test")

    # ------------------------------------------------------------------ scores
    def forecast_scores(self, quantiles: torch.Tensor, future: torch.Tensor,
                        prefix: str) -> dict:
        """MAE, coverage and width per outcome of ``quantiles`` (n, A, O, Q) against
        ``future`` (n, A, O), pooled over the steps ahead."""
        out: dict = {}
        quantiles = torch.as_tensor(quantiles, dtype=future.dtype)
        for j, pro in enumerate(self.outcomes):
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
            self.test_predictions = self.predictions(ex)
        return res

    @torch.no_grad()
    def predict_side(self, datamodule, side: str = "test") -> dict:
        """:meth:`predictions` of every example of ``datamodule.datasets[side]`` (after
        ``datamodule.setup()``), computed here in eval mode without a Trainer, e.g. for a
        checkpoint loaded into this task (``task.load_state_dict(ckpt["state_dict"])``)."""
        if side not in datamodule.datasets:
            raise ConfigError(f"the split has no {side} patients", field="split",
                              fix=f"give the split a {side} side")
        ex = dict(datamodule.datasets[side].tensors)
        was_training = self.training
        self.eval()
        out = self(ex)
        self.train(was_training)
        ex.update(quantiles=out["quantiles"].cpu(), prob=out["non_response_prob"].cpu())
        return self.predictions(ex, datamodule)

    def predictions(self, ex: dict, datamodule=None) -> dict:
        """Per-example arrays of an evaluated side (numpy), for monitoring and reports.

        Returns
        -------
        dict
            ``patient`` (n,) participant ids; ``k`` (n,); ``outcomes`` (O,) names;
            ``quantile_levels`` (Q,); ``history`` (n, S, O) observed outcomes of sessions
            1..k; ``times`` (n, S) weeks; ``future`` (n, A, O) the observed later outcomes;
            ``quantiles`` (n, A, O, Q) and ``median`` (n, A, O) forecasts in points;
            ``non_response_prob`` and ``non_response`` (n,) (NaN: unknown).
        """
        dm = datamodule if datamodule is not None else self._datamodule()
        ids = np.asarray(dm.table.patients if dm is not None and dm.table is not None
                         else [], dtype=object)
        rows = ex["patient"].numpy().astype(int)
        q = ex["quantiles"].numpy()
        return {"patient": ids[rows] if len(ids) else rows, "k": ex["k"].numpy(),
                "outcomes": list(self.outcomes), "quantile_levels": list(self.quantiles),
                "history": ex["history"].numpy() if "history" in ex else None,
                "times": ex["times"].numpy() if "times" in ex else None,
                "future": ex["future"].numpy(), "quantiles": q,
                "median": q[..., median_index(self.quantiles)],
                "non_response_prob": ex["prob"].numpy(), "non_response": ex["non_response"].numpy()}

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
        for name, pred in baseline_forecasts(train, ex, self.quantiles, k).items():
            if pred.get("quantiles") is not None:
                out.update(self.forecast_scores(torch.as_tensor(pred["quantiles"]),
                                                ex["future"], f"{side}/baseline_{name}/"))
            if pred.get("non_response_prob") is not None:
                out.update(self.flag_scores(torch.as_tensor(pred["non_response_prob"]),
                                            ex["non_response"], f"{side}/baseline_{name}/"))
        return out

    def on_validation_epoch_end(self) -> None:
        """Log the validation scores (MAE, interval coverage and width, Brier, AUROC)."""
        self._epoch_end("val")

    def on_test_epoch_end(self) -> None:
        """Compute the test scores, with the naive baselines', and keep them in
        ``test_results``.
        """
        self.test_results = self._epoch_end("test")
