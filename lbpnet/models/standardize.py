"""Per-channel standardisation whose statistics travel inside the checkpoint."""

from __future__ import annotations

import torch
from torch import nn


class ChannelStandardizer(nn.Module):
    """``(x - mean) / std`` per channel, statistics fitted on training data only.

    Input and output: ``(batch, channels, time)``. Until :meth:`fit` is called
    the module is the identity (mean 0, std 1).
    """

    def __init__(self, n_channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps
        self.register_buffer("mean", torch.zeros(1, n_channels, 1))
        self.register_buffer("std", torch.ones(1, n_channels, 1))

    @torch.no_grad()
    def fit(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """Set statistics from per-channel ``mean`` and ``std``, shape (channels,)."""
        self.mean.copy_(mean.reshape(1, -1, 1).to(self.mean))
        self.std.copy_(std.reshape(1, -1, 1).to(self.std).clamp_min(self.eps))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, channels, time)`` standardised per channel with the fitted mean and std
        (same shape).
        """
        return (x - self.mean) / self.std
