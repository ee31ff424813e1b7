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
