"""A temporal convolutional network (Bai, Kolter & Koltun, arXiv:1803.01271, 2018) for one
modality: dilated residual blocks, causal or centred.

::

    (batch, in_channels, time)
      └─ level i = 0 … levels-1 (dilation 2**i):
           [Conv1d(k, dilation) ─ BN ─ ReLU ─ Dropout] × 2  + skip (1 × 1 conv if widths differ)
           causal: padded on the left only (an output never sees later samples);
           centred: padded on both sides
      └─ pooling: global average ("avg") or the last time step ("last", causal only)
                                                         → (batch, channels)

The receptive field ``1 + 2 (k - 1) (2**levels - 1)`` must fit in the window: levels whose
dilated kernels reach beyond it see only padding, so a window shorter than the receptive
field is refused before training (``min_samples``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from lbpnet.errors import ConfigError


class TemporalBlock(nn.Module):
    """Two dilated convolutions with a residual connection; the length is kept."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int,
                 causal: bool, dropout: float) -> None:
        super().__init__()
        total = (kernel_size - 1) * dilation
        self.pad = (total, 0) if causal else (total // 2, total - total // 2)
        layers = []
        for c in (c_in, c_out):
            layers.append(nn.ModuleDict({
                "conv": nn.Conv1d(c, c_out, kernel_size, dilation=dilation, bias=False),
                "norm": nn.BatchNorm1d(c_out)}))
        self.layers = nn.ModuleList(layers)
        self.dropout = nn.Dropout(dropout)
        self.skip = nn.Identity() if c_in == c_out else nn.Conv1d(c_in, c_out, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, in_channels, time)`` → ``(batch, out_channels, time)``: dilated
        convolutions (causal or centred) plus the residual path.
        """
        h = x
        for layer in self.layers:
            h = self.dropout(F.relu(layer["norm"](layer["conv"](F.pad(h, self.pad)))))
        return F.relu(h + self.skip(x))


class TemporalConvNet(nn.Module):
    """``(batch, in_channels, time)`` → ``(batch, channels)``.

    Parameters
    ----------
    in_channels : int
    channels : int
        Width of every level.
    levels : int
        Residual blocks; block ``i`` has dilation ``2**i``.
    kernel_size : int
        Kernel length in samples.
    causal : bool
        Left padding only (streaming); else centred.
    dropout : float
    pooling : {"avg", "last"}
        Global average over time, or the last step (meaningful when causal).

    Attributes
    ----------
    out_features : int
    receptive_field : int
        ``1 + 2 (kernel_size - 1) (2**levels - 1)`` samples.
    min_samples : int
        The receptive field: shorter windows are refused.
    """

    def __init__(self, in_channels: int, channels: int = 32, levels: int = 4,
                 kernel_size: int = 5, causal: bool = False, dropout: float = 0.1,
                 pooling: str = "avg") -> None:
        super().__init__()
        if pooling not in ("avg", "last"):
            raise ConfigError(f"unknown pooling '{pooling}'",
                              field="model.encoder_options.tcn.pooling", fix="use avg or last")
        blocks, c = [], in_channels
        for i in range(levels):
            blocks.append(TemporalBlock(c, channels, kernel_size, 2 ** i, causal, dropout))
            c = channels
        self.blocks = nn.Sequential(*blocks)
        self.pooling = pooling
        self.out_features = channels
        self.receptive_field = 1 + 2 * (kernel_size - 1) * (2 ** levels - 1)
        self.min_samples = self.receptive_field

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, in_channels, time)`` → ``(batch, out_features)``: the last time step
        (``pooling='last'``) or the mean over time.
        """
        h = self.blocks(x)
        return h[..., -1] if self.pooling == "last" else h.mean(dim=-1)
