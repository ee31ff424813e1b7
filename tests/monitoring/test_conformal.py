"""Split-conformal calibration on a SYNTHETIC exchangeable problem: coverage lands at nominal."""

import numpy as np
import pytest

from lbpnet.errors import ConfigError, LeakageError
from lbpnet.monitoring.conformal import ConformalCalibrator, check_held_out, coverage_and_width


def exchangeable(n, rng):
    """SYNTHETIC: (n, 3 steps, 2 outcomes) targets whose noise grows with the step ahead and
    per example, and forecasts whose intervals are too narrow (half the width they need at
    80 %) by a step-dependent factor."""
    scale = rng.uniform(0.5, 2.0, (n, 3, 2)) * np.array([1.0, 2.0, 3.0])[None, :, None]
    y = rng.normal(0.0, scale)
    shrink = np.array([0.3, 0.6, 1.2])[None, :, None]
    half = 1.2816 * scale * shrink
    return np.stack([-half, np.zeros_like(half), half], -1), y


@pytest.mark.parametrize("method", ["normalised", "cqr"])
@pytest.mark.parametrize("level", [0.8, 0.9])
def test_coverage_within_a_few_percent_of_nominal(method, level):
    rng = np.random.default_rng(0)
    qc, yc = exchangeable(1500, rng)
    qt, yt = exchangeable(6000, rng)
    raw = coverage_and_width(qt, yt)
    cal = ConformalCalibrator(level, method).fit(qc, yc).predict(qt)
    got = coverage_and_width(cal, yt)
    assert abs(got["coverage_all"] - level) < 0.03
    assert np.all(np.abs(got["coverage"] - level) < 0.05)          # every step x outcome
    assert abs(raw["coverage_all"] - level) > 0.1                   # calibration did the work
    np.testing.assert_array_equal(cal[..., 1], qt[..., 1])         # the median is kept
    assert np.isfinite(got["width_all"])


def test_missing_targets_are_ignored_and_empty_outcome_is_infinite():
    rng = np.random.default_rng(1)
    qc, yc = exchangeable(300, rng)
    yc[:, :, 1] = np.nan                                            # outcome 1 never observed
    yc[:100, 0, 0] = np.nan
    c = ConformalCalibrator(0.8).fit(qc, yc)
    assert c.n_calibration[0, 0] == 200 and c.n_calibration[0, 1] == 0
    out = c.predict(qc[:5])
    assert np.isinf(out[:, :, 1, 0]).all() and np.isinf(out[:, :, 1, 2]).all()
    assert np.isfinite(out[:, :, 0]).all()


def test_training_patients_are_refused_for_calibration():
    with pytest.raises(LeakageError, match="P002"):
        check_held_out(["P001", "P002"], ["P002", "P003"])
    rng = np.random.default_rng(2)
    q, y = exchangeable(30, rng)
    with pytest.raises(LeakageError):
        ConformalCalibrator().fit(q, y, patients=["A"] * 30, training_patients=["A"])


def test_bad_shapes_and_settings_are_refused():
    with pytest.raises(ConfigError, match="method"):
        ConformalCalibrator(method="jackknife")
    with pytest.raises(ConfigError, match="coverage"):
        ConformalCalibrator(level=80)
    with pytest.raises(ConfigError, match="lower, median, upper"):
        ConformalCalibrator().fit(np.zeros((4, 2, 1, 2)), np.zeros((4, 2, 1)))
    with pytest.raises(ConfigError, match="not fitted"):
        ConformalCalibrator().predict(np.zeros((4, 2, 1, 3)))


def discrete_problem(n, rng):
    """SYNTHETIC discrete outcome (a 1-5 scale, as multgee/arthritis): the forecast is the last
    report (an integer), the target moves by -1, 0 or +1 category, so scores tie heavily."""
    last = rng.integers(1, 6, (n, 1, 1)).astype(float)
    y = np.clip(last + rng.choice([-1, 0, 1], (n, 1, 1), p=[0.15, 0.6, 0.25]), 1, 5)
    return np.stack([last - 0.5, last, last + 0.5], -1), y


@pytest.mark.parametrize("method", ["normalised", "cqr"])
@pytest.mark.parametrize("level", [0.8, 0.9])
def test_randomised_is_exact_for_ties_and_small_calibration_sets(method, level):
    """20 calibration patients and a discrete scale: plain split conformal over-covers (its
    finite-sample rounding and the ties), the smoothed one lands on nominal (mean of 400
    calibration draws, 50 test patients each)."""
    rng = np.random.default_rng(3)
    got = {True: [], False: []}
    for rep in range(400):
        qc, yc = discrete_problem(20, rng)
        qt, yt = discrete_problem(50, rng)
        for randomised in (True, False):
            cal = ConformalCalibrator(level, method, randomised=randomised, seed=rep)
            got[randomised].append(coverage_and_width(cal.fit(qc, yc).predict(qt), yt)
                                   ["coverage_all"])
    assert abs(np.mean(got[True]) - level) < 0.01
    assert np.mean(got[False]) - level > 0.03


def test_unsmoothed_end_decides_ties_as_crepes_p_values():
    """With U = 1 the threshold includes exactly the test scores whose plain conformal
    p-value (crepes ``predict_p(smoothing=False)``) exceeds 1 - level."""
    from crepes import ConformalRegressor

    from lbpnet.monitoring.smoothed_conformal import smoothed_thresholds
    rng = np.random.default_rng(4)
    cal = rng.integers(0, 4, 25).astype(float)              # residuals with ties
    test = rng.integers(0, 5, 200).astype(float)
    p = ConformalRegressor().fit(cal).predict_p(np.zeros(200), test, smoothing=False)
    for level in (0.5, 0.8, 0.9):
        t = smoothed_thresholds(np.abs(cal), level, np.ones(200))
        np.testing.assert_array_equal(test <= t, p > 1 - level)


def test_randomised_intervals_are_reproducible_and_between_neighbouring_scores():
    rng = np.random.default_rng(5)
    qc, yc = exchangeable(40, rng)
    qt, _ = exchangeable(300, rng)
    a = ConformalCalibrator(0.8, seed=1).fit(qc, yc).predict(qt)
    np.testing.assert_array_equal(a, ConformalCalibrator(0.8, seed=1).fit(qc, yc).predict(qt))
    plain = ConformalCalibrator(0.8, randomised=False).fit(qc, yc).predict(qt)
    assert (a[..., 2] <= plain[..., 2] + 1e-6).all()         # never wider than conservative
    assert (a[..., 2] < plain[..., 2] - 1e-6).any()           # and sometimes one score narrower
