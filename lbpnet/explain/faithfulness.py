"""Does the attribution point at what the model uses? Deletion / insertion curves and
comprehensiveness / sufficiency, each beside a random ranking of the same groups.

Groups are the (channel, segment) cells of :mod:`lbpnet.explain.grouping`, ranked by
their attribution (highest, i.e. most evidence for the explained output, first).

- **deletion**: replace the top ``k`` % of cells by the baseline, read the
  probability of the explained output; area under the curve over ``k`` in [0, 1]
  (lower = more faithful).
- **insertion**: start from the baseline and put back the top ``k`` % of cells
  (higher = more faithful).
- **comprehensiveness@k** = p(x) − p(x without the top k %) (higher = better);
  **sufficiency@k** = p(x) − p(only the top k %) (lower = better)
  (DeYoung et al., ERASER, ACL 2020).

The removed cells are replaced by the baseline of :func:`lbpnet.explain.methods.make_baselines`
(default ``mean``: the training mean of each channel, so the model sees a level it saw
in training rather than zeros).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

FRACTIONS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TOP_K = (0.1, 0.2)


def mix(inputs, baselines, masks, keep: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Inputs where ``keep`` (batch, n_groups) is true, baselines elsewhere."""
    out = []
    for x, b, mask in zip(inputs, baselines, masks):
        k = keep[:, mask[0]]                     # (batch, channels_m, time_m)
        out.append(torch.where(k, x, b))
    return tuple(out)


def top_masks(scores: torch.Tensor, fraction: float) -> torch.Tensor:
    """Boolean (batch, n_groups): the ``round(fraction * n_groups)`` highest scores per row."""
    n_groups = scores.shape[1]
    k = int(round(fraction * n_groups))
    order = torch.argsort(scores, dim=1, descending=True)
    top = torch.zeros_like(scores, dtype=torch.bool)
    if k:
        top.scatter_(1, order[:, :k], True)
    return top


@torch.no_grad()
def curves(prob: Callable[..., torch.Tensor], inputs, baselines, masks, scores: torch.Tensor,
           target: torch.Tensor, fractions=FRACTIONS) -> dict[str, torch.Tensor]:
    """Deletion and insertion curves of one batch, each (batch, len(fractions)).

    ``prob(*inputs) -> (batch, n_outputs)`` probabilities; ``scores`` (batch, n_groups).
    """
    rows = torch.arange(len(target), device=target.device)
    dele, ins = [], []
    for f in fractions:
        top = top_masks(scores, f)
        dele.append(prob(*mix(inputs, baselines, masks, ~top))[rows, target])
        ins.append(prob(*mix(inputs, baselines, masks, top))[rows, target])
    return {"deletion": torch.stack(dele, 1), "insertion": torch.stack(ins, 1)}


def random_scores(shape, generator: torch.Generator, device) -> torch.Tensor:
    """A random ranking: uniform scores (batch, n_groups)."""
    return torch.rand(shape, generator=generator).to(device)


def summarise(deletion: np.ndarray, insertion: np.ndarray, fractions=FRACTIONS,
              prefix: str = "") -> dict[str, float]:
    """AUCs (trapezoid over ``fractions``) and comprehensiveness / sufficiency at
    :data:`TOP_K`, averaged over windows. ``deletion``/``insertion``: (n_windows, n_fractions)."""
    f = np.asarray(fractions, dtype=float)
    full = deletion[:, 0]                        # nothing removed: p(x)
    out = {f"{prefix}deletion_auc": float(np.trapezoid(deletion, f, axis=1).mean()),
           f"{prefix}insertion_auc": float(np.trapezoid(insertion, f, axis=1).mean())}
    for k in TOP_K:
        j = int(np.argmin(np.abs(f - k)))
        out[f"{prefix}comprehensiveness_{int(k * 100)}"] = float((full - deletion[:, j]).mean())
        out[f"{prefix}sufficiency_{int(k * 100)}"] = float((full - insertion[:, j]).mean())
    return out


class FaithfulnessAccumulator:
    """Collects the curves of successive batches (attribution and random ranking)."""

    def __init__(self, seed: int = 0, fractions=FRACTIONS) -> None:
        self.fractions = tuple(fractions)
        self.generator = torch.Generator().manual_seed(seed)
        self.parts: dict[str, list[np.ndarray]] = {}

    def add(self, prob, inputs, baselines, masks, scores, target) -> None:
        """Add a batch: deletion/insertion curves of the attribution ``scores`` and of random
        scores of the same shape, for ``target`` of each window.
        """
        rand = random_scores(scores.shape, self.generator, scores.device)
        for name, s in (("", scores), ("random_", rand)):
            for kind, c in curves(prob, inputs, baselines, masks, s, target,
                                  self.fractions).items():
                self.parts.setdefault(name + kind, []).append(c.cpu().numpy())

    def curves(self) -> dict[str, np.ndarray]:
        """Mean curves over windows, each (n_fractions,)."""
        return {k: np.concatenate(v).mean(0) for k, v in self.parts.items()}

    def result(self) -> dict[str, float]:
        """Summary scores over every window added (AUCs, comprehensiveness, sufficiency, their
        ``random_`` twins and ``n_windows``); empty if none.
        """
        if not self.parts:
            return {}
        p = {k: np.concatenate(v) for k, v in self.parts.items()}
        out = summarise(p["deletion"], p["insertion"], self.fractions)
        out.update(summarise(p["random_deletion"], p["random_insertion"], self.fractions,
                             prefix="random_"))
        out["n_windows"] = float(len(p["deletion"]))
        return out
