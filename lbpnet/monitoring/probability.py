"""Calibration of P(non-response) on held-out patients, reliability diagram and Brier score.

:class:`ProbabilityCalibrator` maps a forecaster's raw probabilities to calibrated ones,
fitted on patients the forecaster never trained on: Platt scaling (a logistic regression on
the logit of the raw probability, scikit-learn; its slope held at >= 0, so the ranking is never
reversed) or isotonic regression (scikit-learn,
monotone, needs more patients). :func:`reliability_table` bins predictions and compares the
mean prediction with the observed rate per bin (with a Wilson 95 % interval, so a bin of
three patients is seen to say little); :func:`reliability_figure` draws it.

Shapes: ``prob`` and ``outcome`` ``(n,)``, outcome 1 = non-response, NaN = unknown (dropped).
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import ConfigError

METHODS = ("platt", "isotonic")


def _clean(prob, outcome) -> tuple[np.ndarray, np.ndarray]:
    p, y = np.asarray(prob, float).ravel(), np.asarray(outcome, float).ravel()
    if p.shape != y.shape:
        raise ConfigError(f"{p.size} probabilities for {y.size} outcomes", field="prob",
                          fix="give one probability per outcome")
    ok = ~np.isnan(p) & ~np.isnan(y)
    return p[ok], y[ok]


def brier_score(prob, outcome) -> float:
    """Mean squared difference between probability and outcome (0 best, NaN when empty)."""
    p, y = _clean(prob, outcome)
    return float(np.mean((p - y) ** 2)) if p.size else float("nan")


class ProbabilityCalibrator:
    """Platt or isotonic recalibration of probabilities, fitted on held-out patients.

    Parameters
    ----------
    method : {"platt", "isotonic"}
    """

    def __init__(self, method: str = "platt") -> None:
        if method not in METHODS:
            raise ConfigError(f"unknown calibration method '{method}'",
                              field="monitoring.probability.method", fix=f"use {METHODS}")
        self.method = method
        self.model = None
        self.constant: float | None = None

    @staticmethod
    def _logit(p: np.ndarray) -> np.ndarray:
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))[:, None]

    def fit(self, prob, outcome) -> "ProbabilityCalibrator":
        """Raw probabilities ``(n,)`` and outcomes ``(n,)`` of calibration patients."""
        p, y = _clean(prob, outcome)
        if p.size == 0:
            raise ConfigError("no calibration patient with a known outcome", field="outcome",
                              fix="calibrate on held-out patients whose outcome is known")
        self.constant = None
        if len(np.unique(y)) < 2:
            self.constant = float(y.mean())      # one class only: its frequency is all we know
            return self
        if self.method == "platt":
            from sklearn.linear_model import LogisticRegression
            model = LogisticRegression(C=1e4).fit(self._logit(p), y.astype(int))
            if model.coef_[0, 0] <= 0:
                # the held-out patients rank the other way round (a few patients, a weak
                # score): a calibration must not flip the ranking, so the slope is held at 0
                # and every patient gets the observed rate
                self.constant = float(y.mean())
                return self
            self.model = model
        else:
            from sklearn.isotonic import IsotonicRegression
            self.model = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(p, y)
        return self

    def predict(self, prob) -> np.ndarray:
        """Calibrated probabilities, shape of ``prob`` (NaN stays NaN)."""
        p = np.asarray(prob, float)
        out = np.full(p.shape, np.nan)
        ok = ~np.isnan(p)
        if self.constant is not None:
            out[ok] = self.constant
        elif self.model is None:
            raise ConfigError("calibrator not fitted", field="ProbabilityCalibrator",
                              fix="call fit() on held-out patients first")
        elif self.method == "platt":
            out[ok] = self.model.predict_proba(self._logit(p[ok]))[:, 1]
        else:
            out[ok] = self.model.predict(p[ok])
        return out


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    f = k / n
    d = 1 + z * z / n
    c = (f + z * z / (2 * n)) / d
    h = z * np.sqrt(f * (1 - f) / n + z * z / (4 * n * n)) / d
    return float(max(c - h, 0.0)), float(min(c + h, 1.0))


def reliability_table(prob, outcome, n_bins: int = 10) -> list[dict]:
    """Equal-width bins on [0, 1]: per bin ``lower``, ``upper``, ``n``, ``mean_predicted``,
    ``observed_rate`` and its Wilson 95 % interval ``observed_low``/``observed_high``
    (NaN for empty bins)."""
    p, y = _clean(prob, outcome)
    edges = np.linspace(0, 1, n_bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        m = which == b
        n, k = int(m.sum()), int(y[m].sum())
        lo, hi = _wilson(k, n)
        rows.append({"lower": float(edges[b]), "upper": float(edges[b + 1]), "n": n,
                     "mean_predicted": float(p[m].mean()) if n else float("nan"),
                     "observed_rate": k / n if n else float("nan"),
                     "observed_low": lo, "observed_high": hi})
    return rows


def expected_calibration_error(prob, outcome, n_bins: int = 10) -> float:
    """Bin-size-weighted mean |observed rate - mean prediction| over the bins of
    :func:`reliability_table`."""
    rows = [r for r in reliability_table(prob, outcome, n_bins) if r["n"]]
    n = sum(r["n"] for r in rows)
    return float(sum(r["n"] * abs(r["observed_rate"] - r["mean_predicted"]) for r in rows)
                 / n) if n else float("nan")


def reliability_figure(prob, outcome, n_bins: int = 10, ax=None, label: str = "forecaster"):
    """A reliability diagram (matplotlib): observed rate vs mean prediction per bin with its
    95 % interval, the diagonal, and the Brier score in the legend. Returns the Figure."""
    import matplotlib
    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(4, 4))
    else:
        fig = ax.figure
    rows = [r for r in reliability_table(prob, outcome, n_bins) if r["n"]]
    x = np.array([r["mean_predicted"] for r in rows])
    yv = np.array([r["observed_rate"] for r in rows])
    err = np.array([[r["observed_rate"] - r["observed_low"] for r in rows],
                    [r["observed_high"] - r["observed_rate"] for r in rows]])
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfectly calibrated")
    ax.errorbar(x, yv, yerr=err, fmt="o-", capsize=3,
                label=f"{label} (Brier {brier_score(prob, outcome):.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted P(non-response)")
    ax.set_ylabel("observed non-response rate")
    ax.legend(loc="upper left", fontsize=8)
    return fig
