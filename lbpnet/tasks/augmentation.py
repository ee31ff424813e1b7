"""Batch augmentations for training, on ``{modality: (batch, channels, time)}`` tensors.

They run inside the training step (on whatever device the batch is on) and
only while the module is in training mode.
"""

from __future__ import annotations

import torch
from torch import nn


class SignalAugment(nn.Module):
    """Random amplitude scaling, additive jitter and circular time shift.

    Parameters
    ----------
    scale : float
        Each channel of each window is multiplied by ``1 + N(0, scale)``.
    jitter : float
        Gaussian noise with this standard deviation times the channel's std
        over the window is added.
    max_shift : float
        Fraction of the window by which it is rolled in time (uniform in
        ``[-max_shift, max_shift]``, same for all modalities of a window).
    p : float
        Probability that a window is augmented at all.
    """

    def __init__(self, scale: float = 0.1, jitter: float = 0.02, max_shift: float = 0.0,
                 p: float = 1.0) -> None:
        super().__init__()
        self.scale, self.jitter, self.max_shift, self.p = scale, jitter, max_shift, p

    def forward(self, signals: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        if not self.training:
            return signals
        first = next(iter(signals.values()))
        batch = first.shape[0]
        apply = (torch.rand(batch, 1, 1, device=first.device) < self.p).to(first.dtype)
        shift = (torch.rand(batch, device=first.device) * 2 - 1) * self.max_shift
        out = {}
        for m, x in signals.items():
            y = x
            if self.scale > 0:
                y = y * (1 + self.scale * torch.randn(batch, x.shape[1], 1, device=x.device))
            if self.jitter > 0:
                y = y + self.jitter * x.std(dim=-1, keepdim=True) * torch.randn_like(x)
            if self.max_shift > 0:
                n = x.shape[-1]
                steps = (shift * n).round().long()
                idx = (torch.arange(n, device=x.device)[None, :] - steps[:, None]) % n
                y = torch.gather(y, -1, idx[:, None, :].expand_as(y))
            out[m] = apply * y + (1 - apply) * x
        return out
