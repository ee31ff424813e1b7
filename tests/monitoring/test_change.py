"""Within-person change: SEM, SDC95, RCI, baseline and verdicts on hand-computed numbers."""

import numpy as np
import pytest

from lbpnet.errors import ConfigError, FeatureError
from lbpnet.monitoring.change import (MeasureSpec, baseline, reliable_change_index, sdc95,
                                      sem_from_icc, sem_test_retest, sem_within_session,
                                      within_person_change)


def test_sem_and_sdc_formulas():
    first = np.array([10.0, 20.0, 30.0, 40.0])
    second = first + np.array([1.0, -1.0, 2.0, -2.0])
    assert sem_test_retest(first, second) == pytest.approx(np.std([1, -1, 2, -2], ddof=1) / np.sqrt(2))
    assert sdc95(2.0) == pytest.approx(1.96 * np.sqrt(2) * 2.0, rel=1e-3)
    assert sem_from_icc(10.0, 0.91) == pytest.approx(3.0)
    reps = np.array([[1.0, 3.0], [5.0, 7.0], [2.0, np.nan]])
    assert sem_within_session(reps) == pytest.approx(np.sqrt(2.0))
    assert reliable_change_index(np.array([4.0]), 2.0)[0] == pytest.approx(4 / (np.sqrt(2) * 2))
    with pytest.raises(FeatureError, match="at least 3"):
        sem_test_retest([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ConfigError, match="ICC"):
        sem_from_icc(1.0, 1.5)


def test_baseline_mean_of_first_present_sessions():
    v = np.array([[[np.nan], [10.0], [20.0], [30.0]]])
    assert baseline(v, 1)[0, 0] == 10.0
    assert baseline(v, 2)[0, 0] == 15.0


def test_change_verdicts_with_direction_and_mic():
    # SEM 2 -> SDC95 5.54; ODI higher is worse (MIC 10); FR ratio lower is worse
    odi = MeasureSpec("odi", 2.0, "hand-made", higher_is_worse=True, mic=10.0)
    frr = MeasureSpec("flexion_relaxation_ratio", 0.1, "hand-made", higher_is_worse=False)
    v = np.array([[[40.0, 2.0], [46.0, 1.9], [29.0, 1.6]]])      # P=1, S=3, M=2
    rep = within_person_change(v, [odi, frr])
    np.testing.assert_allclose(rep.change[0, :, 0], [0, 6, -11])
    assert rep.worsening[0, 1, 0] and not rep.worsening[0, 2, 0]
    assert rep.improving[0, 2, 0] and rep.important[0, 2, 0] and not rep.important[0, 1, 0]
    assert not rep.worsening[0, 1, 1] and rep.worsening[0, 2, 1]   # 0.4 fall > SDC 0.277
    rec = rep.as_records(["P1"], 2)
    assert rec[0]["sdc95"] == pytest.approx(sdc95(2.0)) and rec[0]["reaches_mic"]
    assert rec[1]["worse_beyond_sdc"] and rec[1]["mic"] is None


def test_bad_specs_refused():
    with pytest.raises(ConfigError, match="SEM"):
        within_person_change(np.zeros((1, 2, 1)), [MeasureSpec("odi", 0.0, "none")])
    with pytest.raises(ConfigError, match="measures"):
        within_person_change(np.zeros((1, 2, 2)), [MeasureSpec("odi", 1.0, "x")])
