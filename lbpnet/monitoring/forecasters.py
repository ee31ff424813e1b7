"""Outcome forecasters on plain arrays, one interface for every monitoring forecaster.

Layout shared by :mod:`lbpnet.monitoring` (the trajectory task's ``future`` layout):

- ``times`` ``(P, S)``: time of each session (e.g. weeks since the first), NaN if absent;
- ``values`` ``(P, S, O)``: outcome scores per patient × session × outcome, NaN if missing;
- a forecast from the first ``k`` sessions is ``(P, A, O, Q)`` with ``A = S - 1`` steps ahead
  (step ``a`` is session ``k + a``; NaN past the last session) and ``Q`` quantile levels.

Every forecaster has ``fit(times, values)`` on training patients and
``predict(times, values, k) -> (P, A, O, Q)`` for new patients, looking only at sessions
``1..k`` of ``values`` (and at the times of the later sessions, which are planned).

:class:`LastObservation` wraps :class:`lbpnet.tasks.trajectory_baselines.CarriedForward`
(LOCF, or "last + median change"), so the trajectory task and monitoring share one baseline.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from lbpnet.errors import ConfigError
from lbpnet.tasks.trajectory_baselines import CarriedForward


def check_arrays(times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``times`` (P, S) and ``values`` (P, S, O) as float arrays, shapes checked."""
    t, v = np.asarray(times, dtype=float), np.asarray(values, dtype=float)
    if v.ndim == 2:
        v = v[..., None]
    if t.ndim != 2 or v.ndim != 3 or t.shape != v.shape[:2]:
        raise ConfigError(f"times {t.shape} and values {v.shape} do not line up",
                          field="values", fix="give times (patients, sessions) and values "
                                              "(patients, sessions, outcomes)")
    return t, v


def last_reported(values: np.ndarray, k: int) -> np.ndarray:
    """(P, O): the last non-NaN value of each outcome among sessions 1..k (NaN if none)."""
    v = values[:, :k]
    ok = ~np.isnan(v)
    idx = np.where(ok, np.arange(k)[None, :, None], -1).max(1)            # (P, O)
    out = np.take_along_axis(v, np.clip(idx, 0, None)[:, None], 1)[:, 0]
    return np.where(idx >= 0, out, np.nan)


def future_targets(values: np.ndarray, k: int) -> np.ndarray:
    """(P, A, O): the observed values of sessions k+1..k+A (NaN where absent), A = S - 1."""
    P, S, O = values.shape
    out = np.full((P, max(S - 1, 1), O), np.nan)
    ahead = values[:, k:]
    out[:, : ahead.shape[1]] = ahead
    return out


def examples(values: np.ndarray, prefixes: Sequence[int]) -> dict[str, torch.Tensor]:
    """The example dict of :func:`lbpnet.tasks.trajectory_sequences.make_examples` (the keys
    ``anchor``, ``first``, ``future``, ``k``) built from arrays, one row per patient × prefix
    with an anchor."""
    rows = {"anchor": [], "first": [], "future": [], "k": []}
    for k in prefixes:
        anchor = last_reported(values, k)
        keep = ~np.isnan(anchor).any(1)
        rows["anchor"].append(anchor[keep])
        rows["first"].append(values[keep, 0])
        rows["future"].append(future_targets(values, k)[keep])
        rows["k"].append(np.full(int(keep.sum()), k))
    return {name: torch.as_tensor(np.concatenate(v), dtype=torch.float32 if name != "k"
                                  else torch.long) for name, v in rows.items()}


class LastObservation:
    """LOCF (``center="last"``) or last + median change (``center="median_change"``).

    Quantiles come from the training patients' change from the last report at each step
    ahead (see :class:`~lbpnet.tasks.trajectory_baselines.CarriedForward`).

    Parameters
    ----------
    quantiles : sequence of float
        Levels, e.g. (0.1, 0.5, 0.9).
    center : {"last", "median_change"}
    """

    def __init__(self, quantiles: Sequence[float] = (0.1, 0.5, 0.9), center: str = "last"):
        self.quantiles = [float(q) for q in quantiles]
        self.center = center
        self.name = "locf" if center == "last" else "last_median_change"
        self._by_k: dict[int, CarriedForward] = {}
        self._train: dict | None = None

    def fit(self, times: np.ndarray, values: np.ndarray) -> "LastObservation":
        """Training patients' ``times`` (P, S) and ``values`` (P, S, O)."""
        _, v = check_arrays(times, values)
        self._train = examples(v, range(1, v.shape[1]))
        self._by_k = {}
        return self

    def predict(self, times: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
        """(P, A, O, Q) from sessions 1..k; NaN for a patient with nothing reported yet and
        for steps past the last session."""
        if self._train is None:
            raise ConfigError("forecaster not fitted", field=self.name, fix="call fit() first")
        _, v = check_arrays(times, values)
        if k not in self._by_k:
            self._by_k[k] = CarriedForward(self.quantiles, self.center).fit(self._train, k)
        anchor = last_reported(v, k)
        pred = self._by_k[k].predict(torch.as_tensor(np.nan_to_num(anchor))).numpy()
        pred = np.where(np.isnan(anchor)[:, None, :, None], np.nan, pred.astype(float))
        S = v.shape[1]
        pred[:, max(S - k, 0):] = np.nan                                  # past the last session
        return pred
