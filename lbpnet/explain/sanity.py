"""Randomisation sanity checks (Adebayo et al., "Sanity checks for saliency maps",
NeurIPS 2018).

An explanation that reflects what a model learned must change when what it learned
is destroyed. Two ways to destroy it:

- **model randomisation**: re-initialise the learned layers, either *cascading* from
  the output head down to the input (cumulative) or *independently* one layer at a
  time, and recompute the attribution on the same windows;
- **label randomisation**: train the same architecture on shuffled labels (done by
  the experiment, :mod:`experiments.explanation_faithfulness`).

Similarity is the Spearman rank correlation (``scipy.stats.spearmanr``) between the
original and the randomised (channel × segment) matrices of each window, of the
signed values and of their magnitudes. A faithful method drops towards 0.
"""

from __future__ import annotations

import copy
from typing import Iterator

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import nn

LEARNED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)


def learned_layers(model: nn.Module) -> list[str]:
    """Names of the modules with learned weights, input side first."""
    return [name for name, m in model.named_modules()
            if isinstance(m, LEARNED) and any(p.requires_grad for p in m.parameters(False))]


def reinitialise(module: nn.Module) -> None:
    """Draw a layer's weights again from its initial distribution; normalisation layers
    get random affine parameters (N(1, 0.5), N(0, 0.5)) and keep their running statistics."""
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)):
        with torch.no_grad():
            if module.weight is not None:
                module.weight.normal_(1.0, 0.5)
            if module.bias is not None:
                module.bias.normal_(0.0, 0.5)
        return
    module.reset_parameters()


def cascading(model: nn.Module, stages: int = 4, seed: int = 0
              ) -> Iterator[tuple[str, float, nn.Module]]:
    """Copies of ``model`` with more and more layers re-initialised, head first.

    Yields ``(last layer randomised, fraction of layers randomised, model)`` for
    ``stages`` evenly spaced cut points, the last one randomising every layer.
    """
    names = learned_layers(model)[::-1]
    cuts = sorted({max(1, int(round(len(names) * k / stages))) for k in range(1, stages + 1)})
    for cut in cuts:
        m = copy.deepcopy(model)
        modules = dict(m.named_modules())
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for name in names[:cut]:
                reinitialise(modules[name])
        yield names[cut - 1], cut / len(names), m.eval()


def independent(model: nn.Module, layers: list[str] | None = None, seed: int = 0
                ) -> Iterator[tuple[str, nn.Module]]:
    """Copies of ``model`` with one layer re-initialised each (``layers``: default the
    head, and the first and last learned layer of every encoder)."""
    names = learned_layers(model)
    if layers is None:
        layers = _representative(names)
    for name in layers:
        m = copy.deepcopy(model)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            reinitialise(dict(m.named_modules())[name])
        yield name, m.eval()


def _representative(names: list[str]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for n in names:
        key = ".".join(n.split(".")[:2]) if n.startswith("encoders.") else n.split(".")[0]
        groups.setdefault(key, []).append(n)
    out = []
    for members in groups.values():
        out.extend(dict.fromkeys([members[0], members[-1]]))
    return out


def rank_correlation(a: np.ndarray, b: np.ndarray, absolute: bool = False) -> dict[str, float]:
    """Spearman correlation per window between matrices ``a`` and ``b``
    (n_windows, ...) — mean and median over windows (constant windows skipped)."""
    a = np.asarray(a, dtype=float).reshape(len(a), -1)
    b = np.asarray(b, dtype=float).reshape(len(b), -1)
    if absolute:
        a, b = np.abs(a), np.abs(b)
    rho = []
    for x, y in zip(a, b):
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            continue
        rho.append(spearmanr(x, y).statistic)
    rho = np.asarray(rho, dtype=float)
    if rho.size == 0:
        return {"spearman_mean": float("nan"), "spearman_median": float("nan"), "n_windows": 0}
    return {"spearman_mean": float(np.nanmean(rho)), "spearman_median": float(np.nanmedian(rho)),
            "n_windows": int(rho.size)}
