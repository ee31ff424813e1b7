import numpy as np
import torch

from lbpnet.explain.attribute import Explainer, ExplainConfig
from lbpnet.explain.faithfulness import mix, summarise, top_masks
from lbpnet.explain.grouping import ChannelLayout, segment_edges


def test_top_masks_and_mix():
    scores = torch.tensor([[0.1, 0.9, 0.5, 0.2]])
    assert top_masks(scores, 0.5).tolist() == [[False, True, True, False]]
    x, b = (torch.ones(1, 2, 4),), (torch.zeros(1, 2, 4),)
    masks = (torch.tensor([[[0, 0, 1, 1], [2, 2, 3, 3]]]),)
    out = mix(x, b, masks, torch.tensor([[True, False, False, True]]))
    assert out[0].tolist() == [[[1, 1, 0, 0], [0, 0, 1, 1]]]


def test_summary_of_known_curves():
    f = (0.0, 0.1, 0.2, 1.0)
    dele = np.array([[1.0, 0.5, 0.0, 0.0]])
    ins = np.array([[0.0, 1.0, 1.0, 1.0]])
    s = summarise(dele, ins, f)
    assert np.isclose(s["deletion_auc"], 0.1) and np.isclose(s["insertion_auc"], 0.95)
    assert s["comprehensiveness_10"] == 0.5 and s["sufficiency_20"] == 0.0


def test_attribution_beats_a_random_ranking_on_the_planted_toy(toy):
    ds, model = toy
    ex = Explainer(model, ChannelLayout.from_dataset(ds), segment_edges(2.0, 4),
                   ["rest", "burst"], ExplainConfig(method="integrated_gradients", n_steps=16,
                                                    target="label", faithfulness=True))
    burst = np.flatnonzero(ds.index.label == 1)[:24]
    f = ex.explain_dataset(ds, burst).faithfulness
    assert f["deletion_auc"] < f["random_deletion_auc"] - 0.2
    assert f["insertion_auc"] > f["random_insertion_auc"]
    assert f["comprehensiveness_10"] > f["random_comprehensiveness_10"] + 0.2
    assert f["sufficiency_20"] < f["random_sufficiency_20"]
    curves = ex.last_curves
    assert curves["deletion"].shape == curves["random_insertion"].shape == (12,)
