"""Active-learning strategies on toy probabilities, and whole-segment selection."""

import numpy as np
import pytest

from lbpnet.curation.active_learning import contiguous_segments, select_segments
from lbpnet.curation.al_strategies import (bald_scores, entropy_scores, k_center_greedy,
                                           margin_scores)
from lbpnet.errors import ConfigError


def test_strategies_prefer_the_uncertain_window():
    probs = np.array([[0.98, 0.01, 0.01], [0.4, 0.35, 0.25], [0.5, 0.5, 0.0]])
    assert np.argmin(entropy_scores(probs)) == 0 and np.argmax(entropy_scores(probs)) == 1
    assert np.argmax(margin_scores(probs)) == 2 and margin_scores(probs)[2] == 1.0
    mc = np.stack([probs, probs[:, ::-1]])                    # (2 passes, 3, 3)
    assert bald_scores(np.stack([probs, probs])).max() < 1e-9
    assert bald_scores(mc)[0] > 0.5
    with pytest.raises(ConfigError, match="passes >= 2"):
        bald_scores(probs)


def test_k_center_picks_the_far_clusters_first():
    pts = np.array([[0, 0], [0.1, 0], [0, 0.1], [10, 0], [10.1, 0], [0, 10]], float)
    chosen = np.array([True, False, False, False, False, False])
    picks = k_center_greedy(pts, chosen, 2)
    assert sorted(picks) == [3, 5] or sorted(picks) == [4, 5]
    assert k_center_greedy(pts, np.ones(6, bool), 2) == []


def _pool(rng):
    # three recordings of 2 s windows, stride 1 s; recording "b" has a gap at 10-20 s
    rec = np.array(["a"] * 12 + ["b"] * 10 + ["c"] * 7)
    start = np.r_[np.arange(12.0), np.arange(5.0), 20 + np.arange(5.0), np.arange(7.0)]
    perm = rng.permutation(len(rec))
    return rec[perm], start[perm]


def test_segments_are_contiguous_windows_of_one_recording():
    rng = np.random.default_rng(0)
    rec, start = _pool(rng)
    seg = contiguous_segments(rec, start, stride_s=1.0, max_windows=4)
    for s in np.unique(seg):
        m = seg == s
        assert len(set(rec[m])) == 1 and m.sum() <= 4
        assert np.all(np.diff(np.sort(start[m])) == 1.0)
    # recording a: 12 windows -> 3 segments; b: two runs of 5 -> 2+2; c: 7 -> 2
    assert len(np.unique(seg)) == 3 + 4 + 2


@pytest.mark.parametrize("strategy", ["random", "entropy", "margin", "bald", "k_center"])
def test_selection_takes_whole_unlabelled_segments_within_budget(strategy):
    rng = np.random.default_rng(1)
    rec, start = _pool(rng)
    n = len(rec)
    seg = contiguous_segments(rec, start, 1.0, max_windows=4)
    probs = rng.dirichlet(np.ones(3), n)
    mc = rng.dirichlet(np.ones(3), (4, n))
    feats = rng.normal(size=(n, 5))
    labelled = np.isin(seg, seg[:1])
    new = select_segments(strategy, seg, labelled, 10, rng, probs=probs, mc_probs=mc,
                          features=feats)
    assert 0 < len(new) <= 10 and not labelled[new].any()
    for s in np.unique(seg[new]):              # every chosen segment is taken whole
        assert set(np.flatnonzero(seg == s)) <= set(new.tolist())
        assert len(set(rec[seg == s])) == 1


def test_uncertainty_selection_picks_the_most_uncertain_segment():
    seg = np.array([0, 0, 1, 1, 2, 2])
    probs = np.array([[0.99, 0.01]] * 2 + [[0.5, 0.5]] * 2 + [[0.9, 0.1]] * 2)
    rng = np.random.default_rng(0)
    new = select_segments("entropy", seg, np.zeros(6, bool), 2, rng, probs=probs)
    assert new.tolist() == [2, 3]
    with pytest.raises(ConfigError, match="needs probs"):
        select_segments("margin", seg, np.zeros(6, bool), 2, rng)
    with pytest.raises(ConfigError, match="unknown strategy"):
        select_segments("coreset", seg, np.zeros(6, bool), 2, rng)
