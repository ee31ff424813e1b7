"""Rater agreement (kappa via sklearn/statsmodels) and adjudication policies."""

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from lbpnet.curation.agreement import rater_agreement
from lbpnet.errors import ConfigError
from lbpnet.recording.label_adjudication import adjudicate
from lbpnet.recording.label_store_format import LabelEntry

CLASSES = ["sitting", "standing", "walking"]


def votes(table):
    """table: {rater: [label per item]} -> entries, item i = [2i, 2i+2) s on sub-01."""
    return [LabelEntry("sub-01", 2.0 * i, 2.0 * i + 2, lab, who, "2026-12-02T00:00:00Z")
            for who, labels in table.items() for i, lab in enumerate(labels) if lab]


def test_cohen_two_raters_matches_sklearn():
    a = ["sitting", "sitting", "walking", "standing", "walking", "sitting"]
    b = ["sitting", "standing", "walking", "standing", "sitting", "sitting"]
    out = rater_agreement(votes({"a": a, "b": b}), CLASSES)
    assert out["method"] == "cohen" and out["n_items"] == 6
    assert out["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert out["per_class"]["walking"] == pytest.approx(
        cohen_kappa_score([x == "walking" for x in a], [x == "walking" for x in b]))
    assert out["observed_agreement"] == pytest.approx(4 / 6)


def test_fleiss_three_raters_perfect_and_partial():
    same = ["sitting", "walking", "standing", "walking"]
    assert rater_agreement(votes({"a": same, "b": same, "c": same}), CLASSES)["kappa"] == \
        pytest.approx(1.0)
    out = rater_agreement(votes({"a": same, "b": same, "c": ["walking"] * 4}), CLASSES)
    assert out["method"] == "fleiss" and out["kappa"] < 0.5


def test_agreement_needs_two_raters_on_shared_items():
    with pytest.raises(ConfigError, match="two raters"):
        rater_agreement(votes({"a": ["sitting"]}), CLASSES)
    with pytest.raises(ConfigError, match="no interval was labelled by every rater"):
        rater_agreement(votes({"a": ["sitting", None], "b": [None, "walking"]}), CLASSES)


def test_adjudication_policies():
    e = votes({"a": ["sitting", "walking", "sitting"], "b": ["sitting", "walking", "standing"],
               "c": ["standing", "standing", None]})
    assert [x[3] for x in adjudicate(e, "majority")] == ["sitting", "walking"]  # item 3 tied
    assert [x[3] for x in adjudicate(e, "exclude")] == []
    senior = adjudicate(e, "senior", seniors=["c"])
    assert [x[3] for x in senior] == ["standing", "standing"]  # item 3: no senior, tie: out
    assert [x[3] for x in adjudicate(e, "senior", seniors=["b"])] == \
        ["sitting", "walking", "standing"]
    with pytest.raises(ConfigError, match="unknown adjudication"):
        adjudicate(e, "vote")
    one = votes({"a": ["walking"]})
    assert all(adjudicate(one, p, seniors=["a"])[0][3] == "walking"
               for p in ("majority", "exclude", "senior"))
    assert np.isfinite(rater_agreement(e, CLASSES)["kappa"])
