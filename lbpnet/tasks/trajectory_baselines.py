"""Naive baselines for the trajectory task, fitted on the training patients only.

- :class:`CarriedForward`: the last reported ODI/NRS carried forward (LOCF) as the median
  (``center="last"``), or shifted by the training patients' median change at that step
  (``center="median_change"``, a population-drift forecast); the interval comes from the
  empirical quantiles of the training patients' change ``future - last`` at each step ahead
  (so its coverage is comparable to the model's).
- :class:`EarlyChangeLogistic`: logistic regression (scikit-learn) of non-response on the
  first-session ODI and NRS and their change up to session ``k``.

Both take the example tensors of :func:`lbpnet.tasks.trajectory_sequences.make_examples`.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lbpnet.tasks.trajectory_metrics import median_index


def _at_k(ex: dict, k: int | None) -> np.ndarray:
    keep = torch.ones_like(ex["k"], dtype=torch.bool) if k is None else ex["k"] == k
    return keep.numpy()


class CarriedForward:
    """LOCF median with empirical-residual quantiles per step ahead and PRO.

    Parameters
    ----------
    quantiles : sequence of float
        Levels (e.g. 0.1, 0.5, 0.9).
    center : {"last", "median_change"}
        ``"last"``: the point forecast (the level nearest 0.5) is the last report itself
        (plain LOCF; the interval ends are widened to include it if needed);
        ``"median_change"``: every level is the empirical quantile of the change.
    """

    def __init__(self, quantiles: Sequence[float], center: str = "last") -> None:
        if center not in ("last", "median_change"):
            raise ValueError(f"center must be 'last' or 'median_change', got {center!r}")
        self.quantiles = [float(q) for q in quantiles]
        self.center = center
        self.offsets: np.ndarray | None = None       # (A, P, Q) change from the last report

    def fit(self, train: dict, k: int | None = None) -> "CarriedForward":
        """Residual quantiles from the training examples seen up to ``k`` sessions (all
        prefixes when none has exactly ``k``)."""
        keep = _at_k(train, k)
        if not keep.any():
            keep = _at_k(train, None)
        change = (train["future"] - train["anchor"][:, None]).numpy()[keep]   # (n, A, P)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)                  # empty step: NaN
            q = np.nanquantile(change, self.quantiles, axis=0)                # (Q, A, P)
        off = np.sort(np.nan_to_num(np.moveaxis(q, 0, -1)), -1)
        if self.center == "last":
            mid = median_index(self.quantiles)
            off[..., :mid] = np.minimum(off[..., :mid], 0.0)
            off[..., mid] = 0.0
            off[..., mid + 1:] = np.maximum(off[..., mid + 1:], 0.0)
        self.offsets = off
        return self

    def predict(self, anchor: torch.Tensor) -> torch.Tensor:
        """(n, A, P, Q) forecasts from the last reports ``anchor`` (n, P); ordered in Q."""
        off = torch.as_tensor(self.offsets, dtype=anchor.dtype)
        return anchor[:, None, :, None] + off[None]


def early_change(ex: dict) -> np.ndarray:
    """(n, 4): first-session ODI and NRS, change of each from session 1 to session k."""
    return torch.cat([ex["first"], ex["anchor"] - ex["first"]], 1).numpy()


class EarlyChangeLogistic:
    """P(non-response) from :func:`early_change` by L2-regularised logistic regression."""

    def __init__(self, C: float = 1.0) -> None:
        self.model = make_pipeline(StandardScaler(), LogisticRegression(C=C))
        self.constant: float | None = None

    def fit(self, train: dict, k: int | None = None) -> "EarlyChangeLogistic":
        """Fit the logistic regression of non-response on the early change of the training
        examples (at ``k`` observed sessions when given); one class only: its frequency.
        """
        keep = _at_k(train, k)
        if not keep.any():
            keep = _at_k(train, None)
        x, y = early_change(train)[keep], train["non_response"].numpy()[keep]
        ok = ~np.isnan(y) & np.isfinite(x).all(1)
        x, y = x[ok], y[ok]
        if len(np.unique(y)) < 2:           # one class only: its frequency is the answer
            self.constant = float(y.mean()) if len(y) else 0.5
        else:
            self.model.fit(x, y.astype(int))
        return self

    def predict_proba(self, ex: dict) -> torch.Tensor:
        """P(non-response) of each example, shape (n,)."""
        x = np.nan_to_num(early_change(ex))
        if self.constant is not None:
            return torch.full((len(x),), self.constant)
        return torch.as_tensor(self.model.predict_proba(x)[:, 1], dtype=torch.float32)
