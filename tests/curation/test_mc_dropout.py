"""MC-dropout: only dropout samples, batch norm stays frozen; entropy and BALD on toys."""

import numpy as np
import torch
from torch import nn

from lbpnet.curation.mc_dropout import (dropout_layers, mc_dropout_probs, mutual_information,
                                        predictive_entropy, sampling_dropout)


def test_passes_differ_through_dropout_only_and_modes_are_restored():
    net = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.Dropout(0.5), nn.Linear(16, 3))

    class Wrap(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, signals, present=None):
            return self.net(signals["x"])

    model = Wrap()
    model.eval()
    x = {"x": torch.randn(8, 4)}
    torch.manual_seed(0)
    p = mc_dropout_probs(model, x, passes=6)
    assert p.shape == (6, 8, 3)
    assert not torch.allclose(p[0], p[1])
    torch.testing.assert_close(p.sum(-1), torch.ones(6, 8))
    assert not model.training and not net[2].training
    with sampling_dropout(model) as layers:
        assert layers == [net[2]] and net[2].training and not net[1].training
    assert dropout_layers(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.0))) == []


def test_bald_is_zero_when_passes_agree_and_positive_when_they_disagree():
    agree = np.tile(np.array([[0.5, 0.5]]), (10, 1, 1))             # (passes, n=1, 2)
    disagree = np.array([[[1.0, 0.0]], [[0.0, 1.0]]] * 5)
    assert mutual_information(agree)[0] < 1e-9
    assert predictive_entropy(agree)[0] == np.log(2)
    assert abs(mutual_information(disagree)[0] - np.log(2)) < 1e-6
