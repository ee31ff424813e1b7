"""A residual 1-D convolutional encoder (ResNet-1d) for one modality.

::

    (batch, channels, time)
      └─ stem: Conv1d(stem_kernel) ─ BN ─ ReLU
      └─ block i (width w_i, kernel k_i; stride 2 from the second block: time halves):
           [Conv1d(k_i, stride) ─ BN ─ ReLU ─ Dropout ─ Conv1d(k_i) ─ BN] + skip ─ ReLU
      └─ pooling: global average ("avg") or average ‖ max ("avgmax")
      └─ optional input statistics: per-channel mean, std of the window (+ 2 * channels)
                                                     → (batch, out_features)
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from lbpnet.errors import ConfigError


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
        """``(batch, in_channels, time)`` → ``(batch, out_channels, time / stride)``: two
        convolutions plus the skip path.
        """
        return self.act(self.body(x) + self.skip(x))


class ConvEncoder1d(nn.Module):
    """Residual CNN: ``(batch, in_channels, time)`` → ``(batch, out_features)``.

    Parameters
    ----------
    in_channels : int
    widths : sequence of int
        Channels of each residual block; blocks after the first halve the time axis.
    kernel_size : int or sequence of int
        Odd kernel length (samples), one for all blocks or one per block.
    stem_kernel : int, optional
        Kernel of the stem convolution (default: the first block's kernel).
    stem_stride : int
        Stride of the stem: > 1 shortens long, fast inputs (2 kHz EMG) at once.
    dropout : float
        Dropout inside each block.
    pooling : {"avg", "avgmax"}
        Global pooling over time.
    input_stats : bool
        Append each input channel's mean and standard deviation over the window.

    Attributes
    ----------
    receptive_field : int
        Input samples that one output time step sees (before global pooling).
    out_features : int
    min_samples : int
        Shortest window accepted (1: convolutions are same-padded).
    """

    def __init__(self, in_channels: int, widths: Sequence[int] = (32, 64, 64),
                 kernel_size: int | Sequence[int] = (7, 5, 5), stem_kernel: int | None = None,
                 stem_stride: int = 1,
                 dropout: float = 0.0, pooling: str = "avg", input_stats: bool = False) -> None:
        super().__init__()
        widths = list(widths)
        kernels = [kernel_size] * len(widths) if isinstance(kernel_size, int) else list(kernel_size)
        if len(kernels) != len(widths):
            raise ConfigError(f"{len(kernels)} kernel sizes for {len(widths)} blocks",
                              field="model.encoder.kernel_size",
                              fix="give one kernel size, or one per width")
        if pooling not in ("avg", "avgmax"):
            raise ConfigError(f"unknown pooling '{pooling}'", field="model.encoder.pooling",
                              fix="use avg or avgmax")
        stem_kernel = stem_kernel or kernels[0]
        self.stem = nn.Sequential(
            nn.Conv1d(in_channels, widths[0], stem_kernel, stride=stem_stride,
                      padding=stem_kernel // 2, bias=False),
            nn.BatchNorm1d(widths[0]), nn.ReLU(inplace=True))
        blocks, c = [], widths[0]
        for i, (w, k) in enumerate(zip(widths, kernels)):
            blocks.append(ResidualBlock1d(c, w, k, 1 if i == 0 else 2, dropout))
            c = w
        self.blocks = nn.Sequential(*blocks)
        self.pooling, self.input_stats = pooling, input_stats
        self.out_features = c * (2 if pooling == "avgmax" else 1) + \
            (2 * in_channels if input_stats else 0)
        self.receptive_field = self._receptive_field(stem_kernel, stem_stride, kernels)
        self.min_samples = 1

    @staticmethod
    def _receptive_field(stem_kernel: int, stem_stride: int, kernels: list[int]) -> int:
        rf, jump = stem_kernel, stem_stride
        for i, k in enumerate(kernels):
            rf += (k - 1) * jump              # first conv of the block (may stride)
            jump *= 1 if i == 0 else 2
            rf += (k - 1) * jump              # second conv
        return rf

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, in_channels, time)`` → ``(batch, out_features)``: residual blocks, then
        global pooling (and input statistics when asked).
        """
        h = self.blocks(self.stem(x))
        feats = [h.mean(dim=-1)]
        if self.pooling == "avgmax":
            feats.append(h.amax(dim=-1))
        if self.input_stats:
            feats += [x.mean(dim=-1), x.std(dim=-1)]
        return torch.cat(feats, dim=1)
