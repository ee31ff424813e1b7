"""Calibrated forecast intervals: split conformal on held-out patients, per horizon and outcome.

Any forecaster that gives ``(lower, median, upper)`` per patient × step ahead × outcome can be
calibrated here. The calibration patients must be patients the forecaster never trained on
(:func:`check_held_out`); each (step ahead, outcome) pair is its own group (a Mondrian
calibration), so an interval that is right one week ahead and too narrow four weeks ahead is
widened only where it needs it.

Two scores, both from a maintained library (chosen by measurement,
``experiments/monitoring_flags/conformal_library.md``):

``"normalised"`` (default)
    crepes' Mondrian normalised conformal regressor: residual ``y - median`` divided by the
    forecaster's half-width ``(upper - lower) / 2``; the calibrated interval is
    ``median ± q · half-width`` (symmetric around the median, as wide as the forecaster says
    relative to other patients).
``"cqr"``
    conformalised quantile regression (Romano et al., NeurIPS 2019) with MAPIE's
    ``ConformalizedQuantileRegressor`` on the pre-computed quantiles, one per group: the
    interval ``[lower - q, upper + q]`` keeps the forecaster's asymmetry.

Both come in two forms. ``randomised=True`` (default): the smoothed conformal p-value
(:mod:`lbpnet.monitoring.smoothed_conformal`), whose coverage is the nominal level exactly for
any number of calibration patients and for tied scores (discrete outcomes); the interval's end
is one of two neighbouring calibration scores, drawn per forecast (seeded, reproducible).
``randomised=False``: plain split conformal (crepes / MAPIE), conservative, over-covering by up
to ``1 / (n + 1)`` and more with ties.

Shapes: ``n`` examples (patient seen up to session k), ``A`` steps ahead, ``O`` outcomes;
quantile forecasts ``(n, A, O, 3)`` ordered lower, median, upper; targets ``(n, A, O)`` with NaN
where not observed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from lbpnet.errors import ConfigError, LeakageError
from lbpnet.monitoring.smoothed_conformal import smoothed_thresholds

METHODS = ("normalised", "cqr")


def check_held_out(calibration_patients: Sequence[str], training_patients: Sequence[str]) -> None:
    """Refuse a calibration set that shares a patient with the forecaster's training set.

    Raises
    ------
    LeakageError
        Naming up to five shared patients.
    """
    shared = sorted(set(map(str, calibration_patients)) & set(map(str, training_patients)))
    if shared:
        raise LeakageError(f"{len(shared)} calibration patient(s) were also used to train the "
                           f"forecaster: {shared[:5]}", field="calibration_patients",
                           fix="calibrate on patients held out of training (a separate fold)")


def _check_quantiles(q: np.ndarray, what: str) -> np.ndarray:
    q = np.asarray(q, dtype=float)
    if q.ndim != 4 or q.shape[-1] != 3:
        raise ConfigError(f"{what} has shape {q.shape}; expected (n, steps_ahead, outcomes, 3)",
                          field=what, fix="stack lower, median, upper on the last axis")
    return q


class _Column:
    """A fitted 'estimator' that returns one column of X: how pre-computed quantiles enter
    MAPIE (its prefit CQR wants three sklearn regressors)."""

    def __init__(self, j: int) -> None:
        self.j = j
        self.n_features_in_ = 3
        self.fitted_ = True

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.asarray(X)[:, self.j]

    def get_params(self, deep=True):
        return {"j": self.j}

    def set_params(self, **p):
        self.j = p.get("j", self.j)
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True


@dataclass
class ConformalCalibrator:
    """Split-conformal calibration of quantile forecasts, one group per step ahead × outcome.

    Parameters
    ----------
    level : float
        Nominal coverage of the calibrated interval (e.g. 0.8 or 0.9).
    method : {"normalised", "cqr"}
        See the module docstring.
    randomised : bool
        Smoothed conformal (exact coverage; default) or plain split conformal (conservative).
    seed : int
        Seed of the randomised interval ends (per step ahead × outcome group).
    min_group : int
        A group with fewer calibration targets than this is pooled with the others of its
        outcome (all steps ahead); an empty outcome gets an infinite interval (honest: no
        evidence), never the uncalibrated one.

    Attributes
    ----------
    n_calibration : ndarray (A, O)
        Calibration targets per group after ``fit``.
    """

    level: float = 0.8
    method: str = "normalised"
    randomised: bool = True
    seed: int = 0
    min_group: int = 20
    n_calibration: np.ndarray | None = field(default=None, init=False)
    _fitted: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"unknown conformal method '{self.method}'",
                              field="monitoring.conformal.method", fix=f"use one of {METHODS}")
        if not 0 < self.level < 1:
            raise ConfigError(f"level {self.level} is not a coverage in (0, 1)",
                              field="monitoring.conformal.level", fix="use e.g. 0.8 or 0.9")

    # ------------------------------------------------------------------ fit
    def fit(self, quantiles: np.ndarray, target: np.ndarray,
            patients: Sequence[str] | None = None,
            training_patients: Sequence[str] | None = None) -> "ConformalCalibrator":
        """Calibrate on held-out patients' forecasts ``(n, A, O, 3)`` and targets ``(n, A, O)``.

        ``patients`` (n,) and ``training_patients``: when both are given, a shared patient is
        refused (:func:`check_held_out`).
        """
        q = _check_quantiles(quantiles, "quantiles")
        y = np.asarray(target, dtype=float)
        if y.shape != q.shape[:-1]:
            raise ConfigError(f"target shape {y.shape} does not match forecasts {q.shape[:-1]}",
                              field="target", fix="give one target per example, step, outcome")
        if patients is not None and training_patients is not None:
            check_held_out(patients, training_patients)
        _, A, O, _ = q.shape
        self.n_calibration = (~np.isnan(y)).sum(0)
        self._fitted = {}
        for o in range(O):
            for a in range(A):
                ok = ~np.isnan(y[:, a, o]) & np.isfinite(q[:, a, o]).all(-1)
                if ok.sum() < self.min_group:        # pool the outcome's steps ahead
                    ok2 = ~np.isnan(y[:, :, o]) & np.isfinite(q[:, :, o]).all(-1)
                    qq, yy = q[:, :, o][ok2], y[:, :, o][ok2]
                else:
                    qq, yy = q[:, a, o][ok], y[:, a, o][ok]
                self._fitted[a, o] = self._fit_group(qq, yy) if len(yy) else None
        return self

    def _fit_group(self, q: np.ndarray, y: np.ndarray):
        if self.randomised:                      # the scores themselves: smoothed_thresholds
            return np.sort(_scores(self.method, q, y))
        if self.method == "normalised":
            from crepes import ConformalRegressor
            return ConformalRegressor().fit(y - q[:, 1], sigmas=_half_width(q))
        from mapie.regression import ConformalizedQuantileRegressor
        m = ConformalizedQuantileRegressor([_Column(0), _Column(2), _Column(1)],
                                           confidence_level=self.level, prefit=True)
        return m.conformalize(q, y)

    # ------------------------------------------------------------------ predict
    def predict(self, quantiles: np.ndarray) -> np.ndarray:
        """Calibrated ``(n, A, O, 3)``: lower, median (unchanged), upper at ``level``.

        Non-finite forecasts stay NaN; a group without calibration data gets ±inf ends.
        """
        if self.n_calibration is None:
            raise ConfigError("the calibrator is not fitted", field="ConformalCalibrator",
                              fix="call fit() on held-out patients first")
        q = _check_quantiles(quantiles, "quantiles")
        if q.shape[1:3] != self.n_calibration.shape:
            raise ConfigError(f"forecasts have {q.shape[1:3]} steps x outcomes, calibrated "
                              f"on {self.n_calibration.shape}", field="quantiles",
                              fix="calibrate and predict with the same steps and outcomes")
        out = np.full_like(q, np.nan)
        for (a, o), model in self._fitted.items():
            g = q[:, a, o]
            ok = np.isfinite(g).all(-1)
            out[:, a, o, 1] = np.where(ok, g[:, 1], np.nan)
            if not ok.any():
                continue
            if model is None:
                out[ok, a, o, 0], out[ok, a, o, 2] = -np.inf, np.inf
                continue
            if self.randomised:
                u = np.random.default_rng([self.seed, a, o]).uniform(size=int(ok.sum()))
                t = smoothed_thresholds(model, self.level, u)
                lo, hi = _ends(self.method, g[ok], t)
            elif self.method == "normalised":
                iv = model.predict_int(g[ok, 1], sigmas=_half_width(g[ok]), confidence=self.level)
                lo, hi = iv[:, 0], iv[:, 1]
            else:
                _, iv = model.predict_interval(g[ok])
                lo, hi = iv[:, 0, 0], iv[:, 1, 0]
            # an empty set (t below every score: only with nearly all scores tied at the
            # bottom) is reported as the point forecast, conservatively
            out[ok, a, o, 0] = np.minimum(lo, g[ok, 1])
            out[ok, a, o, 2] = np.maximum(hi, g[ok, 1])
        return out


def _half_width(q: np.ndarray) -> np.ndarray:
    return np.maximum((q[:, 2] - q[:, 0]) / 2, 1e-9)


def _scores(method: str, q: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Non-conformity scores of targets ``y`` (m,) under forecasts ``q`` (m, 3): crepes'
    normalised absolute residual, or CQR's signed distance outside ``[lower, upper]``."""
    if method == "normalised":
        return np.abs(y - q[:, 1]) / _half_width(q)
    return np.maximum(q[:, 0] - y, y - q[:, 2])


def _ends(method: str, q: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval ends of forecasts ``q`` (m, 3) at score thresholds ``t`` (m,) (±inf kept)."""
    with np.errstate(invalid="ignore"):
        if method == "normalised":
            half = _half_width(q)
            return q[:, 1] - t * half, q[:, 1] + t * half
        return q[:, 0] - t, q[:, 2] + t


def coverage_and_width(quantiles: np.ndarray, target: np.ndarray) -> dict[str, np.ndarray]:
    """Empirical coverage and mean width of ``[lower, upper]`` per step ahead × outcome.

    Parameters
    ----------
    quantiles : (n, A, O, 3)
    target : (n, A, O), NaN where not observed

    Returns
    -------
    dict
        ``coverage`` (A, O), ``width`` (A, O), ``n`` (A, O) observed targets, and the pooled
        ``coverage_all``, ``width_all`` (floats) over every observed target.
    """
    q, y = np.asarray(quantiles, float), np.asarray(target, float)
    ok = ~np.isnan(y)
    inside = (y >= q[..., 0]) & (y <= q[..., 2]) & ok
    width = np.where(ok, q[..., 2] - q[..., 0], 0.0)
    n = ok.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"coverage": inside.sum(0) / n, "width": width.sum(0) / n, "n": n,
                "coverage_all": float(inside.sum() / max(ok.sum(), 1)),
                "width_all": float(width.sum() / max(ok.sum(), 1))}
