"""Which conformal library fits pre-computed (lower, median, upper) forecasts? (SYNTHETIC)

Measured on a synthetic exchangeable problem: 2 000 calibration and 20 000 test examples in
6 groups (horizon x outcome), noise whose SD varies per example (known to the
forecaster) and a forecaster whose 80 % quantile intervals are too narrow by a
group-dependent factor (so per-group calibration matters). For each library: how pre-computed
quantiles get in, whether per-group (Mondrian) calibration is built in, coverage of the
calibrated 80 % interval overall and in the worst group, mean width, and the time of
calibrate + predict. Run: ``python experiments/monitoring_flags/conformal_library.py``.
"""

from __future__ import annotations

import time

import numpy as np


def synthetic(n, rng):
    g = rng.integers(0, 6, n)
    scale = (1.0 + g) * rng.uniform(0.5, 1.5, n)      # noise SD: per group and per example
    y = rng.normal(0, scale)
    z80 = 1.2816
    shrink = np.array([0.4, 0.6, 0.8, 1.0, 1.3, 0.5])[g]   # forecaster miscalibrated per group
    lo, hi = -z80 * scale * shrink, z80 * scale * shrink
    return np.stack([lo, np.zeros(n), hi], 1), y, g


def report(name, lo, hi, y, g, seconds, how):
    cov = (y >= lo) & (y <= hi)
    worst = min(cov[g == k].mean() for k in np.unique(g))
    print(f"| {name} | {how} | {cov.mean():.3f} | {worst:.3f} | {np.mean(hi - lo):.2f} | "
          f"{seconds * 1000:.0f} |")


def main() -> None:
    rng = np.random.default_rng(0)
    qc, yc, gc = synthetic(2000, rng)
    qt, yt, gt = synthetic(20000, rng)
    print("| method | how quantiles get in / groups | coverage (nominal 0.80) | worst group |"
          " mean width | ms |")
    print("|---|---|---|---|---|---|")
    report("uncalibrated", qt[:, 0], qt[:, 2], yt, gt, 0.0, "-")

    from mapie.regression import ConformalizedQuantileRegressor
    from sklearn.base import BaseEstimator, RegressorMixin

    class Column(RegressorMixin, BaseEstimator):
        def __init__(self, j=0):
            self.j = j

        def fit(self, X, y=None):
            self.n_features_in_ = np.asarray(X).shape[1]
            return self

        def predict(self, X):
            return np.asarray(X)[:, self.j]

    t = time.perf_counter()
    lo, hi = np.empty(len(yt)), np.empty(len(yt))
    for k in np.unique(gc):               # MAPIE has no Mondrian CQR: one object per group
        est = [Column(0).fit(qc), Column(2).fit(qc), Column(1).fit(qc)]
        m = ConformalizedQuantileRegressor(est, confidence_level=0.8, prefit=True)
        m.conformalize(qc[gc == k], yc[gc == k])
        _, iv = m.predict_interval(qt[gt == k])
        lo[gt == k], hi[gt == k] = iv[:, 0, 0], iv[:, 1, 0]
    report("MAPIE 1.6 CQR", lo, hi, yt, gt, time.perf_counter() - t,
           "quantiles as X through 3 column-lookup 'estimators'; a loop over groups")

    from crepes import ConformalRegressor
    t = time.perf_counter()
    half = (qc[:, 2] - qc[:, 0]) / 2
    cr = ConformalRegressor().fit(yc - qc[:, 1], sigmas=half, bins=gc)
    iv = cr.predict_int(qt[:, 1], sigmas=(qt[:, 2] - qt[:, 0]) / 2, bins=gt, confidence=0.8)
    report("crepes 0.9 normalised Mondrian", iv[:, 0], iv[:, 1], yt, gt,
           time.perf_counter() - t, "residuals + sigmas=half-width, bins=groups (built in)")

    t = time.perf_counter()
    cr = ConformalRegressor().fit(yc - qc[:, 1], bins=gc)
    iv = cr.predict_int(qt[:, 1], bins=gt, confidence=0.8)
    report("crepes 0.9 plain Mondrian", iv[:, 0], iv[:, 1], yt, gt, time.perf_counter() - t,
           "median residuals only (ignores the quantiles), bins=groups")
    print("\nTorchCP was not measured: `pip install torchcp` (1.2.1) failed in this venv "
          "(resolver error) and it works on torch models, not on pre-computed arrays.")


if __name__ == "__main__":
    main()
