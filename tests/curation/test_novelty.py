"""Novelty detectors on toy features and logits with known answers (synthetic numbers)."""

import numpy as np
import pytest

from lbpnet.curation.novelty import (KNNDetector, MahalanobisDetector, auroc, energy_score,
                                     fpr_at_tpr, joint_energy_score, label_uncertainty,
                                     msp_score, softmax, threshold_at_retention)
from lbpnet.errors import ConfigError


def _clusters(rng, n=200, dim=6):
    # off the origin, as embeddings after a ReLU are (kNN compares directions)
    centres = 8.0 * np.eye(dim)[:3] + 2.0
    x = np.concatenate([c + rng.normal(0, 1, (n, dim)) for c in centres])
    return x, np.repeat(np.arange(3), n)


def test_far_away_cluster_scores_higher_than_in_distribution_points():
    rng = np.random.default_rng(0)
    x, y = _clusters(rng)
    test_in, _ = _clusters(rng, n=50)
    far = rng.normal(0, 1, (50, 6)) + np.array([2.0, 2.0, 2.0, 10.0, 10.0, 2.0])
    maha = MahalanobisDetector().fit(x, y)
    knn = KNNDetector(k=5).fit(x)
    truth = np.r_[np.zeros(len(test_in), bool), np.ones(len(far), bool)]
    for det in (maha, knn):
        s = det.score(np.concatenate([test_in, far]))
        assert s.shape == (200,)
        assert auroc(s, truth) > 0.99
        assert s[truth].min() > np.median(s[~truth])


def test_mahalanobis_equals_the_closed_form_with_tied_covariance():
    rng = np.random.default_rng(1)
    x, y = _clusters(rng, n=300, dim=3)
    det = MahalanobisDetector(ridge=0.0).fit(x, y)
    means = np.stack([x[y == c].mean(0) for c in range(3)])
    centred = x - means[y]
    prec = np.linalg.inv(centred.T @ centred / len(x))
    q = rng.normal(0, 2, (5, 3))
    expect = np.min([np.einsum("nd,de,ne->n", q - m, prec, q - m) for m in means], axis=0)
    np.testing.assert_allclose(det.score(q), expect, rtol=1e-9)
    # a direction of small shared variance weighs more than Euclidean distance would
    assert det.distances(q).shape == (5, 3)


def test_knn_uses_normalised_features_so_scale_does_not_matter():
    rng = np.random.default_rng(2)
    x, _ = _clusters(rng)
    q = rng.normal(0, 1, (20, 6))
    a = KNNDetector(k=3).fit(x).score(q)
    b = KNNDetector(k=3).fit(10 * x).score(0.1 * q)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert (a >= 0).all() and (a <= 2).all()
    with pytest.raises(ConfigError, match="k must be"):
        KNNDetector(k=0)


def test_logit_scores_rank_a_confident_window_as_less_novel():
    logits = np.array([[10.0, 0.0, 0.0], [0.1, 0.0, 0.05], [-5.0, -5.0, -5.0]])
    msp, energy = msp_score(logits), energy_score(logits)
    assert msp[0] < msp[1] and energy[0] < energy[1]
    np.testing.assert_allclose(softmax(logits).sum(1), 1.0)
    # energy sees the overall logit size, MSP does not: equal logits, uniform softmax
    assert msp[2] == pytest.approx(2 / 3) and energy[2] > energy[1]
    with pytest.raises(ConfigError, match="finite"):
        msp_score(np.array([[np.nan, 1.0]]))


def test_multi_label_variants_per_label_and_joint():
    logits = np.array([[8.0, -8.0], [0.0, -8.0], [-8.0, -8.0]])
    u = label_uncertainty(logits)
    assert u.shape == (3, 2)
    assert u[1, 0] == pytest.approx(0.5) and u[0, 0] < 1e-3 and u[1, 1] < 1e-3
    j = joint_energy_score(logits)
    assert j[2] > j[1] > j[0]          # no label confidently present: the most novel


def test_threshold_keeps_the_stated_retention():
    rng = np.random.default_rng(3)
    val = rng.normal(size=1000)
    for retention in (0.5, 0.9, 0.95, 0.99):
        t = threshold_at_retention(val, retention)
        assert (val <= t).mean() >= retention
        assert (val <= t).mean() < retention + 0.01
    fresh = rng.normal(size=20000)
    assert abs((fresh <= threshold_at_retention(val, 0.95)).mean() - 0.95) < 0.02
    with pytest.raises(ConfigError, match="retention"):
        threshold_at_retention(val, 1.5)


def test_auroc_and_fpr_at_tpr_known_values():
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    y = np.array([0, 0, 0, 1, 1, 1], bool)
    assert auroc(s, y) == 1.0 and auroc(-s, y) == 0.0
    assert fpr_at_tpr(s, y) == 0.0
    y2 = np.array([0, 1, 0, 1, 0, 1], bool)
    assert auroc(s, y2) == pytest.approx(6 / 9)
    # catching 95 % of {0.2, 0.4, 0.6} needs the threshold at 0.2: inliers 0.3, 0.5 flagged
    assert fpr_at_tpr(s, y2) == pytest.approx(2 / 3)
    assert auroc(np.ones(4), np.array([0, 1, 0, 1], bool)) == 0.5
    with pytest.raises(ConfigError, match="both novel"):
        auroc(s, np.zeros(6, bool))
