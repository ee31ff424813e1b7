"""A linear mixed-effects forecaster: random intercept and slope on time per patient.

Per outcome, ``y_ij = (b0 + u0_i) + (b1 + u1_i) t_ij + e_ij`` with ``(u0_i, u1_i) ~ N(0, D)``
and ``e_ij ~ N(0, sigma^2)``, fitted on the training patients by REML with statsmodels'
``MixedLM``. A new patient seen up to session ``k`` gets the conditional (best linear unbiased,
BLUP) estimate of their own intercept and slope from their observed sessions,
``u_hat = D Z' V^-1 (y - Z b)`` with ``V = Z D Z' + sigma^2 I``, and its covariance
``D - D Z' V^-1 Z D``. The forecast at a later time ``t`` (``z = [1, t]``) is Gaussian with mean
``z (b + u_hat)`` and variance ``z C_u z' + z C_b z' + sigma^2`` (``C_b``: the fixed effects'
covariance), so the interval holds the uncertainty of the patient's own trend, of the
population trend and of a single report. Arrays as in :mod:`lbpnet.monitoring.forecasters`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.stats import norm

from lbpnet.errors import ConfigError
from lbpnet.monitoring.forecasters import check_arrays


@dataclass
class OutcomeFit:
    """Fitted population parameters of one outcome.

    Attributes
    ----------
    beta : ndarray (2,)         fixed intercept and slope (units, units per time unit)
    beta_cov : ndarray (2, 2)   their covariance
    re_cov : ndarray (2, 2)     D, the random intercept/slope covariance
    scale : float               sigma^2, the residual (within-patient) variance
    converged : bool
    """

    beta: np.ndarray
    beta_cov: np.ndarray
    re_cov: np.ndarray
    scale: float
    converged: bool


class MixedEffectsForecaster:
    """Random intercept + slope per patient on time (statsmodels ``MixedLM``), BLUP forecasts.

    Parameters
    ----------
    quantiles : sequence of float
        Levels of the Gaussian predictive distribution, e.g. (0.1, 0.5, 0.9).
    reml : bool
        Restricted maximum likelihood (default) or maximum likelihood.
    """

    name = "mixed_model"

    def __init__(self, quantiles: Sequence[float] = (0.1, 0.5, 0.9), reml: bool = True) -> None:
        self.quantiles = [float(q) for q in quantiles]
        self.reml = bool(reml)
        self.fits: list[OutcomeFit] = []

    def fit(self, times: np.ndarray, values: np.ndarray) -> "MixedEffectsForecaster":
        """Fit one model per outcome on training patients ``times`` (P, S), ``values`` (P, S, O)."""
        from statsmodels.regression.mixed_linear_model import MixedLM
        from statsmodels.tools.sm_exceptions import ConvergenceWarning
        t, v = check_arrays(times, values)
        self.fits = []
        for o in range(v.shape[2]):
            ok = ~np.isnan(v[..., o]) & ~np.isnan(t)
            groups = np.broadcast_to(np.arange(t.shape[0])[:, None], t.shape)[ok]
            if len(np.unique(groups)) < 3:
                raise ConfigError(f"outcome {o}: {len(np.unique(groups))} training patients "
                                  "with a score; a mixed model needs at least 3",
                                  field="values", fix="train on more patients")
            X = np.column_stack([np.ones(ok.sum()), t[ok]])
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                res = MixedLM(v[..., o][ok], X, groups, exog_re=X).fit(reml=self.reml)
            converged = bool(getattr(res, "converged", True)) and not any(
                issubclass(w.category, ConvergenceWarning) for w in caught)
            D = np.asarray(res.cov_re, dtype=float)
            # a boundary fit can give a slightly indefinite D: project it onto PSD
            w, U = np.linalg.eigh((D + D.T) / 2)
            D = (U * np.clip(w, 0, None)) @ U.T
            self.fits.append(OutcomeFit(np.asarray(res.fe_params, float),
                                        np.asarray(res.cov_params())[:2, :2].astype(float),
                                        D, float(res.scale), converged))
        return self

    def patient_effects(self, times: np.ndarray, values: np.ndarray, k: int,
                        outcome: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """BLUP of each patient's (intercept, slope) deviation from sessions 1..k.

        Returns ``u_hat`` (P, 2) and its covariance (P, 2, 2); a patient with no observed
        score keeps ``u_hat = 0`` and covariance ``D``.
        """
        t, v = check_arrays(times, values)
        f = self.fits[outcome]
        P = t.shape[0]
        u, cu = np.zeros((P, 2)), np.repeat(f.re_cov[None], P, 0)
        for p in range(P):
            ok = ~np.isnan(v[p, :k, outcome]) & ~np.isnan(t[p, :k])
            if not ok.any():
                continue
            Z = np.column_stack([np.ones(ok.sum()), t[p, :k][ok]])
            V = Z @ f.re_cov @ Z.T + f.scale * np.eye(len(Z))
            G = f.re_cov @ Z.T @ np.linalg.inv(V)
            u[p] = G @ (v[p, :k, outcome][ok] - Z @ f.beta)
            cu[p] = f.re_cov - G @ Z @ f.re_cov
        return u, cu

    def predict(self, times: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
        """(P, A, O, Q) Gaussian predictive quantiles for sessions k+1..S (NaN beyond, or
        where the session's time is unknown)."""
        if not self.fits:
            raise ConfigError("forecaster not fitted", field=self.name, fix="call fit() first")
        t, v = check_arrays(times, values)
        P, S, O = v.shape
        A = max(S - 1, 1)
        z = norm.ppf(self.quantiles)
        out = np.full((P, A, O, len(self.quantiles)), np.nan)
        for o, f in enumerate(self.fits):
            u, cu = self.patient_effects(t, v, k, o)
            for a in range(1, A + 1):
                s = k + a - 1
                if s >= S:
                    break
                Z = np.column_stack([np.ones(P), t[:, s]])                       # (P, 2)
                mean = np.einsum("pi,pi->p", Z, f.beta[None] + u)
                var = (np.einsum("pi,pij,pj->p", Z, cu, Z) + np.einsum("pi,ij,pj->p", Z,
                       f.beta_cov, Z) + f.scale)
                out[:, a - 1, o] = mean[:, None] + np.sqrt(np.maximum(var, 0))[:, None] * z
        return out
