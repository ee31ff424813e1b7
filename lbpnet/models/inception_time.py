"""InceptionTime (Ismail Fawaz et al., *Data Min. Knowl. Disc.* 34, 2020) for one modality.

::

    (batch, in_channels, time)
      └─ inception module × depth (residual shortcut every 3 modules):
           ┌─ Conv1d(1, bottleneck) ─┬─ Conv1d(k1) ─┐
           │                         ├─ Conv1d(k2) ─┤
           │                         └─ Conv1d(k3) ─┼─ concat (4 × filters) ─ BN ─ ReLU
           └─ MaxPool1d(3, stride 1) ─ Conv1d(1) ───┘
      └─ global average pooling over time            → (batch, 4 * filters)

Every convolution is same-padded with stride 1: the time axis keeps its length, so any
window of at least one sample runs. Kernels are odd so that same padding is symmetric.
The defaults are a compact size for 50–100 Hz windows of 1–3 s that trains in minutes on a
CPU (16 filters, bottleneck 16, kernels 19/9/5); the paper's size for UCR series is
``filters=32, bottleneck=32, kernels=(39, 19, 9)`` (its 40, 20, 10 made odd).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class InceptionModule(nn.Module):
    """Bottleneck, three parallel convolutions and a max-pool branch, concatenated."""

    def __init__(self, c_in: int, filters: int, kernels: Sequence[int], bottleneck: int) -> None:
        super().__init__()
        use_bottleneck = bottleneck > 0 and c_in > 1
        self.bottleneck = nn.Conv1d(c_in, bottleneck, 1, bias=False) if use_bottleneck \
            else nn.Identity()
        c_mid = bottleneck if use_bottleneck else c_in
        self.convs = nn.ModuleList(nn.Conv1d(c_mid, filters, k, padding=k // 2, bias=False)
                                   for k in kernels)
        self.pool = nn.Sequential(nn.MaxPool1d(3, stride=1, padding=1),
                                  nn.Conv1d(c_in, filters, 1, bias=False))
        self.out = nn.Sequential(nn.BatchNorm1d(filters * (len(kernels) + 1)), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, in_channels, time)`` → ``(batch, filters * (n_kernels + 1), time)``:
        bottleneck, parallel convolutions and the max-pool branch, concatenated.
        """
        z = self.bottleneck(x)
        return self.out(torch.cat([conv(z) for conv in self.convs] + [self.pool(x)], dim=1))


class InceptionTime(nn.Module):
    """One InceptionTime network: ``(batch, in_channels, time)`` → ``(batch, out_features)``.

    Parameters
    ----------
    in_channels : int
    filters : int
        Filters per branch; a module outputs ``4 * filters`` channels (the paper: 32).
    depth : int
        Number of inception modules (the paper: 6).
    kernels : sequence of int
        Odd kernel lengths (samples) of the three parallel convolutions (the paper: 40, 20, 10).
    bottleneck : int
        Channels of the 1 × 1 bottleneck (0: none; the paper: 32).
    residual : bool
        Shortcut (1 × 1 conv + BN) around every three modules.

    Attributes
    ----------
    out_features : int
        ``4 * filters``.
    receptive_field : int
        Input samples one output step sees: ``1 + depth * (max(kernels) - 1)``.
    min_samples : int
        Shortest window accepted (1: same padding throughout).
    """

    def __init__(self, in_channels: int, filters: int = 16, depth: int = 6,
                 kernels: Sequence[int] = (19, 9, 5), bottleneck: int = 16,
                 residual: bool = True) -> None:
        super().__init__()
        kernels = [int(k) for k in kernels]
        width = filters * (len(kernels) + 1)
        self.blocks = nn.ModuleList()
        self.shortcuts = nn.ModuleList()
        self.residual = residual
        c, c_res = in_channels, in_channels
        for i in range(depth):
            self.blocks.append(InceptionModule(c, filters, kernels, bottleneck))
            c = width
            if residual and i % 3 == 2:
                self.shortcuts.append(nn.Sequential(nn.Conv1d(c_res, width, 1, bias=False),
                                                    nn.BatchNorm1d(width)))
                c_res = width
        self.act = nn.ReLU()
        self.out_features = width
        self.receptive_field = 1 + depth * (max(kernels) - 1)
        self.min_samples = 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, in_channels, time)`` → ``(batch, out_features)``: inception modules with
        residual shortcuts every third, then global average pooling.
        """
        res, j = x, 0
        for i, module in enumerate(self.blocks):
            x = module(x)
            if self.residual and i % 3 == 2:
                x = self.act(x + self.shortcuts[j](res))
                res, j = x, j + 1
        return x.mean(dim=-1)
