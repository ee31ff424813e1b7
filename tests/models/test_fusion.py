"""Fusion modules: widths, and an absent modality never changes the output."""

import pytest
import torch

from lbpnet.models.fusion import ConcatFusion, CrossModalAttentionFusion, GatedFusion

DIMS = {"emg": 8, "imu": 5, "nirs": 3}


def _embeddings(batch=4):
    return [torch.randn(batch, d) for d in DIMS.values()]


@pytest.mark.parametrize("cls", [ConcatFusion, GatedFusion, CrossModalAttentionFusion])
def test_absent_modality_does_not_change_the_output(cls):
    torch.manual_seed(0)
    fusion = cls(DIMS).eval()
    emb = _embeddings()
    present = torch.tensor([[True, False, True]] * 4)
    other = list(emb)
    other[1] = torch.randn(4, DIMS["imu"]) * 100                 # whatever the absent one holds
    with torch.no_grad():
        a, b = fusion(emb, present), fusion(other, present)
        assert a.shape == (4, fusion.out_features)
        assert torch.allclose(a, b)
        # a present modality does change it
        assert not torch.allclose(a, fusion(emb, torch.ones_like(present)))
        # a sample with nothing present gets zeros, not NaN
        nothing = fusion(emb, torch.zeros_like(present))
        assert torch.isfinite(nothing).all() and torch.count_nonzero(nothing) == 0


def test_concat_width_and_zeroing():
    emb = _embeddings()
    out = ConcatFusion(DIMS)(emb, torch.tensor([[True, False, True]] * 4))
    assert out.shape == (4, 16)
    assert torch.equal(out[:, :8], emb[0]) and torch.count_nonzero(out[:, 8:13]) == 0


def test_gates_are_a_distribution_over_present_modalities():
    fusion = GatedFusion(DIMS, dim=6)
    present = torch.tensor([[True, True, True], [True, False, False], [False, True, True],
                            [False, False, False]])
    out = fusion(_embeddings(), present)
    g = fusion.last_gates
    assert out.shape == (4, 6)
    assert torch.allclose(g[:3].sum(dim=1), torch.ones(3))
    assert torch.all(g[~present] == 0)
    assert torch.allclose(g[1], torch.tensor([1.0, 0.0, 0.0]))
