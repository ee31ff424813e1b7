"""A patch Transformer for one modality, after PatchTST (Nie et al., *ICLR* 2023).

::

    (batch, in_channels, time)
      └─ pad the end by repeating the last sample (stride samples), cut patches of
         patch_len samples every stride samples      → (batch, n_patches, in_channels * patch_len)
      └─ Linear → d_model, + sinusoidal position of each patch
      └─ TransformerEncoder (layers × [self-attention over patches, feed-forward], pre-norm)
      └─ LayerNorm, mean over patches                 → (batch, d_model)

Unlike PatchTST, which embeds each channel on its own, a patch here holds all channels
of the modality (a few IMU or EMG channels), so the attention mixes channels too.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from lbpnet.errors import ConfigError


def sinusoidal_positions(n: int, dim: int, device=None) -> torch.Tensor:
    """Fixed sine/cosine position codes (Vaswani et al. 2017), shape (n, dim)."""
    pos = torch.arange(n, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32)
                     * (-math.log(10000.0) / dim))
    out = torch.zeros(n, dim, device=device)
    out[:, 0::2] = torch.sin(pos * freq)
    out[:, 1::2] = torch.cos(pos * freq[: dim // 2])
    return out


class PatchTransformer(nn.Module):
    """``(batch, in_channels, time)`` → ``(batch, d_model)``.

    Parameters
    ----------
    in_channels : int
    patch_len, stride : int
        Patch length and step in samples (PatchTST: 16 and 8).
    d_model, heads, layers, ff : int
        Transformer width, attention heads, encoder layers, feed-forward width.
    dropout : float

    Attributes
    ----------
    out_features : int
        ``d_model``.
    receptive_field : None
        Global self-attention: every output sees the whole window.
    min_samples : int
        ``patch_len``: a window holds at least one patch.
    """

    def __init__(self, in_channels: int, patch_len: int = 16, stride: int = 8,
                 d_model: int = 64, heads: int = 4, layers: int = 3, ff: int = 128,
                 dropout: float = 0.1) -> None:
        super().__init__()
        if d_model % heads or d_model % 2:
            raise ConfigError(f"d_model {d_model} must be even and divisible by heads {heads}",
                              field="model.encoder_options.patch_transformer.d_model",
                              fix="use e.g. d_model 64 with 4 heads")
        self.patch_len, self.stride = int(patch_len), int(stride)
        self.embed = nn.Linear(in_channels * self.patch_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, ff, dropout, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.out_features = d_model
        self.receptive_field = None
        self.min_samples = self.patch_len

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, in_channels, time)`` → ``(batch, d_model)``: patches of ``patch_len``
        samples embedded, positions added, a Transformer encoder, mean over patches.
        """
        x = F.pad(x, (0, self.stride), mode="replicate")
        patches = x.unfold(-1, self.patch_len, self.stride)      # (B, C, P, patch_len)
        patches = patches.permute(0, 2, 1, 3).flatten(2)          # (B, P, C * patch_len)
        h = self.embed(patches)
        h = h + sinusoidal_positions(h.shape[1], h.shape[2], h.device).to(h.dtype)
        h = self.encoder(self.dropout(h))
        return self.norm(h).mean(dim=1)
