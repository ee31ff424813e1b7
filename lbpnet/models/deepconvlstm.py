"""DeepConvLSTM (Ordóñez & Roggen, *Sensors* 16:115, 2016) and its shallow variant
(one LSTM layer; Bock et al., *ISWC* 2021) for one modality.

::

    (batch, in_channels, time)
      └─ as an image (batch, 1, time, in_channels)
      └─ Conv2d(filters, (kernel, 1)) ─ ReLU  × conv_layers   (along time, per channel,
                                                              no padding: time shrinks)
      └─ (batch, time', filters * in_channels) ─ Dropout
      └─ LSTM(hidden) × lstm_layers (2: the original; 1: the shallow variant)
      └─ hidden state at the last time step            → (batch, hidden)

The convolutions share weights across channels and do not mix them (kernels are
``(kernel, 1)``); the LSTM mixes channels and sees the whole window. The defaults
(16 filters, 64 LSTM units) are a quarter and half of the paper's widths (64 filters, 128
units): a convolution per channel costs ``channels × filters²`` per sample, and the paper's
size trains ~10 times slower than the ResNet-1d on a CPU; pass ``filters=64, hidden=128``
for the original size.
"""

from __future__ import annotations

import torch
from torch import nn


class DeepConvLSTM(nn.Module):
    """``(batch, in_channels, time)`` → ``(batch, hidden)``.

    Parameters
    ----------
    in_channels : int
    filters : int
        Feature maps of each convolution (the paper: 64).
    kernel_size : int
        Kernel length along time in samples (the paper: 5; Bock et al.: 9).
    conv_layers : int
        Number of convolutions (the paper: 4).
    hidden : int
        LSTM units (the paper: 128).
    lstm_layers : int
        2 in the original, 1 in the shallow variant.
    dropout : float
        Dropout before the LSTM (and between LSTM layers).

    Attributes
    ----------
    out_features : int
        ``hidden``.
    receptive_field : None
        The LSTM's last state depends on the whole window.
    min_samples : int
        ``conv_layers * (kernel_size - 1) + 1``: the valid convolutions must leave
        at least one time step.
    """

    def __init__(self, in_channels: int, filters: int = 16, kernel_size: int = 5,
                 conv_layers: int = 4, hidden: int = 64, lstm_layers: int = 2,
                 dropout: float = 0.5) -> None:
        super().__init__()
        convs, c = [], 1
        for _ in range(conv_layers):
            convs += [nn.Conv2d(c, filters, (kernel_size, 1)), nn.ReLU()]
            c = filters
        self.convs = nn.Sequential(*convs)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(filters * in_channels, hidden, num_layers=lstm_layers,
                            batch_first=True, dropout=dropout if lstm_layers > 1 else 0.0)
        self.out_features = hidden
        self.receptive_field = None
        self.min_samples = conv_layers * (kernel_size - 1) + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, in_channels, time)`` → ``(batch, hidden)``: the LSTM's output at the last
        time step.
        """
        h = self.convs(x.transpose(1, 2).unsqueeze(1))          # (B, filters, T', C)
        h = h.permute(0, 2, 1, 3).flatten(2)                     # (B, T', filters * C)
        out, _ = self.lstm(self.dropout(h))
        return out[:, -1]
