"""A residual 1-D convolutional encoder for one modality.

::

    (batch, channels, time)
      └─ stem: Conv1d(k) ─ BN ─ ReLU
      └─ blocks × len(widths): [Conv1d(k) ─ BN ─ ReLU ─ Dropout ─ Conv1d(k) ─ BN] + skip ─ ReLU
                                (stride 2 from the second block: time halves)
      └─ pooling: global average ‖ global max              → (batch, 2 * widths[-1])
      └─ optional input statistics: per-channel mean, std  → (+ 2 * channels)

The per-channel mean of the (standardised) input is kept as a feature because
for body-worn accelerometers it carries the gravity direction, i.e. posture.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class ResidualBlock1d(nn.Module):
    """Two same-padded convolutions with a (projected) skip connection."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int,
                 dropout: float) -> None:
        super().__init__()
        pad = kernel_size // 2
        self.body = nn.Sequential(
            nn.Conv1d(c_in, c_out, kernel_size, stride=stride, padding=pad, bias=False),
            nn.BatchNorm1d(c_out), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Conv1d(c_out, c_out, kernel_size, padding=pad, bias=False),
            nn.BatchNorm1d(c_out))
        self.skip = nn.Identity() if (c_in == c_out and stride == 1) else nn.Sequential(
            nn.Conv1d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm1d(c_out))
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.body(x) + self.skip(x))


class ConvEncoder1d(nn.Module):
    """Residual CNN: ``(batch, in_channels, time)`` → ``(batch, out_features)``.

    Parameters
    ----------
    in_channels : int
    widths : sequence of int
        Channels of each residual block; blocks after the first halve the time axis.
    kernel_size : int
        Odd kernel length in samples (receptive field grows by ``kernel_size - 1``
        per convolution, doubled after each stride).
    dropout : float
    input_stats : bool
        Append each input channel's mean and standard deviation over the window.
    """

    def __init__(self, in_channels: int, widths: Sequence[int] = (64, 128, 128),
                 kernel_size: int = 7, dropout: float = 0.1, input_stats: bool = True) -> None:
        super().__init__()
        widths = list(widths)
        self.stem = nn.Sequential(
            nn.Conv1d(in_channels, widths[0], kernel_size, padding=kernel_size // 2, bias=False),
            nn.BatchNorm1d(widths[0]), nn.ReLU(inplace=True))
        blocks, c = [], widths[0]
        for i, w in enumerate(widths):
            blocks.append(ResidualBlock1d(c, w, kernel_size, 1 if i == 0 else 2, dropout))
            c = w
        self.blocks = nn.Sequential(*blocks)
        self.input_stats = input_stats
        self.out_features = 2 * c + (2 * in_channels if input_stats else 0)
        self.receptive_field = self._receptive_field(kernel_size, len(widths))

    @staticmethod
    def _receptive_field(k: int, n_blocks: int) -> int:
        rf, jump = k, 1
        for i in range(n_blocks):
            stride = 1 if i == 0 else 2
            rf += (k - 1) * jump          # first conv of block
            jump *= stride
            rf += (k - 1) * jump          # second conv
        return rf

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(self.stem(x))
        feats = [h.mean(dim=-1), h.amax(dim=-1)]
        if self.input_stats:
            feats += [x.mean(dim=-1), x.std(dim=-1)]
        return torch.cat(feats, dim=1)
