"""Predictive uncertainty by Monte-Carlo dropout (Gal & Ghahramani, ICML 2016).

The model runs ``passes`` times with its dropout layers sampling (every other layer —
batch norm included — stays in evaluation mode), giving a distribution of class
probabilities per window. From it: the predictive entropy (total uncertainty) and the
mutual information between prediction and weights (BALD; Houlsby et al. 2011), the part
that more labels can reduce.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

DROPOUT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)


def dropout_layers(model: nn.Module) -> list[nn.Module]:
    """The model's dropout layers with a non-zero rate (empty: MC-dropout is not possible)."""
    return [m for m in model.modules() if isinstance(m, DROPOUT_TYPES) and m.p > 0]


@contextmanager
def sampling_dropout(model: nn.Module):
    """Within the block: ``model`` in eval mode but its dropout layers sampling."""
    was = model.training
    model.eval()
    layers = dropout_layers(model)
    for m in layers:
        m.train()
    try:
        yield layers
    finally:
        model.train(was)


def entropy(probs, axis: int = -1) -> np.ndarray:
    """Shannon entropy (nats) of probability vectors along ``axis``."""
    p = np.clip(np.asarray(probs, dtype=np.float64), 1e-12, 1.0)
    return -(p * np.log(p)).sum(axis=axis)


def predictive_entropy(mc_probs) -> np.ndarray:
    """Entropy of the mean prediction, (n_windows,); ``mc_probs`` (passes, n, n_classes)."""
    return entropy(np.asarray(mc_probs).mean(axis=0))


def mutual_information(mc_probs) -> np.ndarray:
    """BALD: entropy of the mean minus the mean entropy of the passes, (n_windows,) >= 0;
    ``mc_probs`` (passes, n_windows, n_classes)."""
    mc = np.asarray(mc_probs, dtype=np.float64)
    return np.maximum(entropy(mc.mean(axis=0)) - entropy(mc).mean(axis=0), 0.0)


@torch.no_grad()
def mc_dropout_probs(model: nn.Module, signals: dict[str, torch.Tensor], passes: int,
                     multi_label: bool = False, present=None) -> torch.Tensor:
    """Class (or label) probabilities of ``passes`` dropout samples, (passes, batch, n_out).

    ``signals[m]`` is (batch, channels, time). Multi-label models give per-label
    sigmoid probabilities. Seed torch beforehand for reproducible passes.
    """
    out = []
    with sampling_dropout(model):
        for _ in range(int(passes)):
            logits = model(signals) if present is None else model(signals, present=present)
            out.append(torch.sigmoid(logits) if multi_label else torch.softmax(logits, dim=1))
    return torch.stack(out)
