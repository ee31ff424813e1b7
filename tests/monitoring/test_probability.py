"""Platt / isotonic calibration fixes SYNTHETIC over-confident probabilities; reliability."""

import numpy as np
import pytest

from lbpnet.errors import ConfigError
from lbpnet.monitoring.probability import (ProbabilityCalibrator, brier_score,
                                           expected_calibration_error, reliability_figure,
                                           reliability_table)


def overconfident(n, rng):
    """SYNTHETIC: true P = sigmoid(z), reported P = sigmoid(3 z) (too sure)."""
    z = rng.normal(0, 1, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    return 1 / (1 + np.exp(-3 * z)), y


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibration_lowers_ece_and_brier(method):
    rng = np.random.default_rng(0)
    pc, yc = overconfident(3000, rng)
    pt, yt = overconfident(3000, rng)
    cal = ProbabilityCalibrator(method).fit(pc, yc).predict(pt)
    assert expected_calibration_error(cal, yt) < 0.04 < expected_calibration_error(pt, yt)
    assert brier_score(cal, yt) < brier_score(pt, yt)


def test_reliability_table_counts_and_figure():
    p = np.array([0.05, 0.15, 0.15, 0.95, np.nan])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    rows = reliability_table(p, y, n_bins=10)
    assert [r["n"] for r in rows] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 1]
    assert rows[1]["observed_rate"] == 0.5 and rows[1]["observed_low"] < 0.5 < rows[1]["observed_high"]
    assert brier_score(p, y) == pytest.approx((0.05**2 + 0.85**2 + 0.15**2 + 0.05**2) / 4)
    fig = reliability_figure(p, y)
    assert "Brier" in fig.axes[0].get_legend().get_texts()[1].get_text()


def test_one_class_and_bad_input():
    c = ProbabilityCalibrator().fit([0.2, 0.7], [1.0, 1.0])
    np.testing.assert_array_equal(c.predict([0.1, 0.9]), [1.0, 1.0])
    with pytest.raises(ConfigError, match="method"):
        ProbabilityCalibrator("beta")
    with pytest.raises(ConfigError, match="known outcome"):
        ProbabilityCalibrator().fit([0.5], [np.nan])


def test_platt_never_reverses_the_ranking():
    """SYNTHETIC: calibration patients whose outcome falls with the score (a few patients,
    a weak score); Platt must not flip the order: the slope is held at 0 (the observed rate),
    while a rightly ordered set keeps its order."""
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.8])
    reversed_y = np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.0])
    out = ProbabilityCalibrator("platt").fit(p, reversed_y).predict([0.1, 0.9])
    np.testing.assert_allclose(out, [0.5, 0.5])
    right = ProbabilityCalibrator("platt").fit(p, 1 - reversed_y).predict([0.1, 0.9])
    assert right[1] > right[0]
