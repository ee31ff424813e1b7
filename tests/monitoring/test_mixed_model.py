"""The mixed-effects forecaster recovers planted parameters and beats LOCF on a SYNTHETIC
random-slope cohort; its BLUP uses the new patient's own sessions."""

import numpy as np

from lbpnet.monitoring.conformal import coverage_and_width
from lbpnet.monitoring.forecasters import LastObservation, future_targets
from lbpnet.monitoring.mixed_model import MixedEffectsForecaster


def cohort(P, S, rng):
    """SYNTHETIC: intercept ~ N(30, 8), slope ~ N(-2, 1.5) per session, noise SD 2."""
    t = np.tile(np.arange(S, dtype=float), (P, 1))
    y = rng.normal(30, 8, P)[:, None] + rng.normal(-2, 1.5, P)[:, None] * t \
        + rng.normal(0, 2, (P, S))
    return t, y[..., None]


def test_parameters_recovered_and_intervals_cover():
    rng = np.random.default_rng(0)
    t, y = cohort(160, 5, rng)
    m = MixedEffectsForecaster(quantiles=(0.1, 0.5, 0.9)).fit(t[:120], y[:120])
    f = m.fits[0]
    assert abs(f.beta[1] + 2) < 0.5 and abs(f.beta[0] - 30) < 3
    assert abs(np.sqrt(f.scale) - 2) < 0.5
    pred = m.predict(t[120:], y[120:], 2)
    target = future_targets(y[120:], 2)
    cov = coverage_and_width(pred, target)["coverage_all"]
    assert 0.7 < cov < 0.9                                   # nominal 0.8, 40 patients x 3
    locf = LastObservation().fit(t[:120], y[:120]).predict(t[120:], y[120:], 2)
    mae = lambda p: np.nanmean(np.abs(p[..., 1] - target))
    assert mae(pred) < mae(locf)


def test_blup_moves_with_the_patients_own_sessions():
    rng = np.random.default_rng(1)
    t, y = cohort(80, 4, rng)
    m = MixedEffectsForecaster().fit(t, y)
    new_t = np.tile(np.arange(4.0), (2, 1))
    new_y = np.full((2, 4, 1), np.nan)
    new_y[0, :2, 0] = [30, 20]                               # improving fast
    new_y[1, :2, 0] = [30, 32]                               # worsening
    pred = m.predict(new_t, new_y, 2)
    assert pred[0, 0, 0, 1] < pred[1, 0, 0, 1] - 5           # shrunk toward the population
    u, cu = m.patient_effects(new_t, np.full((2, 4, 1), np.nan), 2)
    np.testing.assert_array_equal(u, 0)                      # nothing seen: the population
    np.testing.assert_allclose(cu[0], m.fits[0].re_cov)
    assert np.isnan(pred[:, 2:]).all()                       # sessions 5, 6 do not exist
