"""Subgroup attributes, per-subgroup scores and the expected calibration error."""

import numpy as np
import pytest

from lbpnet.audit.subgroups import expected_calibration_error, subgroup_metrics, subgroup_values


def test_subgroup_values_band_the_age_and_ignore_identifiers():
    meta = {"sex": "female", "age": 47.5, "site": "A", "patient_code": "MRN-1",
            "patient": {"phenotype": "guarding"}}
    assert subgroup_values(meta) == {"sex": "female", "age_band": "40-49", "site": "A",
                                     "phenotype": "guarding"}
    assert subgroup_values({"synthetic": True}) == {}


def test_a_calibrated_forecaster_has_a_small_ece_and_an_overconfident_one_a_large_one():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, (20000, 1))
    y = (rng.uniform(0, 1, (20000, 1)) < p).astype(int)      # outcomes drawn at p
    assert expected_calibration_error(p, y, multilabel=True)["ece"] < 0.02
    sharp = np.where(p > 0.5, 0.99, 0.01)
    assert expected_calibration_error(sharp, y, multilabel=True)["ece"] > 0.2
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])
    out = expected_calibration_error(probs, np.array([0, 1, 1]), multilabel=False)
    # bins: 0.7 (right), 0.8 (wrong), 0.9 (right) -> (0.3 + 0.8 + 0.1) / 3
    assert out["ece"] == pytest.approx(0.4) and out["n"] == 3


def test_scores_are_per_subgroup_value():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    y = np.array([0, 1, 1, 1])
    table = subgroup_metrics(probs, y, False, {"sex": ["f", "f", "m", None]},
                             ["s1", "s1", "s2", "s3"])
    assert table == {"sex": {"f": {"windows": 2, "subjects": 1, "accuracy": 1.0,
                                   "f1_macro": 1.0},
                             "m": {"windows": 1, "subjects": 1, "accuracy": 0.0,
                                   "f1_macro": 0.0}}}
