"""Losses and scores of the trajectory task: pinball loss, MAE, interval coverage, AUROC, Brier.

Shapes: ``n`` examples, ``A`` sessions ahead, ``P`` PROs (ODI, NRS), ``Q`` quantile levels.
Missing targets are NaN and are left out of every loss and score (a masked mean).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torchmetrics.functional.classification import binary_auroc


def pinball_loss(pred: torch.Tensor, target: torch.Tensor,
                 quantiles: Sequence[float]) -> torch.Tensor:
    """Mean quantile (pinball) loss over the non-NaN targets.

    ``pred`` (..., Q) quantile forecasts, ``target`` (...) observations (NaN: missing),
    ``quantiles`` the Q levels. Per level tau: ``max(tau (y - q), (tau - 1) (y - q))``.
    Zero (with a gradient path) when no target is present.
    """
    tau = torch.as_tensor(quantiles, dtype=pred.dtype, device=pred.device)
    valid = ~torch.isnan(target)
    diff = torch.nan_to_num(target)[..., None] - pred
    loss = torch.maximum(tau * diff, (tau - 1) * diff).mean(-1)
    return (loss * valid).sum() / valid.sum().clamp_min(1)


def masked_bce(logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy with logits over the non-NaN targets, shape (n,) each."""
    valid = ~torch.isnan(target)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        logit, torch.nan_to_num(target), reduction="none")
    return (loss * valid).sum() / valid.sum().clamp_min(1)


def median_index(quantiles: Sequence[float]) -> int:
    """Index of the level closest to 0.5 (the point forecast)."""
    return min(range(len(quantiles)), key=lambda i: abs(quantiles[i] - 0.5))


def interval_scores(pred: torch.Tensor, target: torch.Tensor,
                    quantiles: Sequence[float]) -> dict[str, float]:
    """MAE of the median forecast, coverage and mean width of the outermost interval.

    Parameters
    ----------
    pred : (n, Q) quantile forecasts, ordered along Q
    target : (n,) observations, NaN where missing

    Returns
    -------
    dict
        ``mae``, ``coverage`` (fraction of observations inside ``[q_lowest, q_highest]``,
        ends included), ``width`` (mean ``q_highest - q_lowest``), ``n`` (observations);
        NaN values when no observation.
    """
    valid = ~torch.isnan(target)
    if not valid.any():
        return {"mae": float("nan"), "coverage": float("nan"), "width": float("nan"), "n": 0}
    p, y = pred[valid], target[valid]
    lo, hi = p[:, 0], p[:, -1]
    return {"mae": float((p[:, median_index(quantiles)] - y).abs().mean()),
            "coverage": float(((y >= lo) & (y <= hi)).float().mean()),
            "width": float((hi - lo).mean()), "n": int(valid.sum())}


def non_response_scores(prob: torch.Tensor, target: torch.Tensor,
                        threshold: float = 0.5) -> dict[str, float]:
    """AUROC (NaN unless both classes occur), Brier score, accuracy and F1 per class of the
    flag ``prob >= threshold``; NaN targets are left out. Shapes (n,) each."""
    valid = ~torch.isnan(target)
    p, y = prob[valid].float(), target[valid].float()
    if y.numel() == 0:
        return {"auroc": float("nan"), "brier": float("nan"), "acc": float("nan"),
                "f1": [float("nan"), float("nan")], "positives": 0, "n": 0}
    both = bool((y > 0.5).any() and (y < 0.5).any())
    auroc = float(binary_auroc(p, y.long())) if both else float("nan")
    flag, truth = p >= threshold, y > 0.5
    f1 = []
    for pos_pred, pos_true in ((~flag, ~truth), (flag, truth)):      # response, non-response
        tp = (pos_pred & pos_true).sum().float()
        denom = (2 * tp + (pos_pred & ~pos_true).sum() + (~pos_pred & pos_true).sum()).float()
        f1.append(float(2 * tp / denom) if denom > 0 else float("nan"))
    return {"auroc": auroc, "brier": float(((p - y) ** 2).mean()),
            "acc": float((flag == truth).float().mean()), "f1": f1,
            "positives": int(truth.sum()), "n": int(y.numel())}
