"""Fusion of per-modality embeddings into one, with masks for missing modalities.

Every fusion module takes the embeddings in modality order and a presence mask::

    embeddings : list of (batch, features_m), one per modality
    present    : (batch, n_modalities) bool — False where a sample lacks that modality
                                                      → (batch, out_features)

An absent modality never contributes: its embedding is zeroed (concatenation), its gate
is excluded from the softmax (gated), its token is masked out of attention and pooling
(cross-modal attention). A sample with no modality at all gets a zero embedding.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from lbpnet.errors import ConfigError


def _zero_absent(embeddings: Sequence[torch.Tensor], present: torch.Tensor) -> list[torch.Tensor]:
    return [torch.where(present[:, i, None], e, torch.zeros_like(e))
            for i, e in enumerate(embeddings)]


class ConcatFusion(nn.Module):
    """Concatenation: ``out_features = sum(features_m)``; absent modalities are zeros.

    Parameters
    ----------
    dims : mapping of str to int
        Embedding width per modality, in modality order.
    """

    def __init__(self, dims: Mapping[str, int]) -> None:
        super().__init__()
        self.out_features = sum(dims.values())

    def forward(self, embeddings: Sequence[torch.Tensor], present: torch.Tensor) -> torch.Tensor:
        """One ``(batch, dim_m)`` embedding per modality and ``present`` bool ``(batch,
        n_modalities)`` → ``(batch, sum of dims)``; absent modalities are zeros.
        """
        return torch.cat(_zero_absent(embeddings, present), dim=1)


class GatedFusion(nn.Module):
    """Learned per-modality gates (after the gated multimodal unit, Arevalo et al. 2017).

    ::

        h_m = tanh(W_m e_m)                            (batch, dim) per modality
        g   = softmax over present modalities of  V [e_1 ‖ … ‖ e_M ‖ present]
        out = Σ_m g_m h_m                              (batch, dim)

    The gates of the last forward pass are kept in ``last_gates`` (batch, M) for inspection.

    Parameters
    ----------
    dims : mapping of str to int
    dim : int
        Width of the fused embedding.
    """

    def __init__(self, dims: Mapping[str, int], dim: int = 64) -> None:
        super().__init__()
        self.project = nn.ModuleList(nn.Linear(d, dim) for d in dims.values())
        self.gate = nn.Linear(sum(dims.values()) + len(dims), len(dims))
        self.out_features = dim
        self.last_gates: torch.Tensor | None = None

    def forward(self, embeddings: Sequence[torch.Tensor], present: torch.Tensor) -> torch.Tensor:
        """One ``(batch, dim_m)`` embedding per modality and ``present`` bool ``(batch,
        n_modalities)`` → ``(batch, dim)``: gate-weighted sum of the projected embeddings,
        absent modalities gated out.
        """
        embeddings = _zero_absent(embeddings, present)
        h = torch.stack([torch.tanh(p(e)) for p, e in zip(self.project, embeddings)], dim=1)
        logits = self.gate(torch.cat(embeddings + [present.to(h.dtype)], dim=1))
        logits = logits.masked_fill(~present, float("-inf"))
        any_present = present.any(dim=1, keepdim=True)
        gates = torch.softmax(torch.where(any_present, logits, torch.zeros_like(logits)), dim=1)
        gates = torch.where(any_present, gates, torch.zeros_like(gates))
        self.last_gates = gates.detach()
        return (gates.unsqueeze(-1) * h).sum(dim=1)


class CrossModalAttentionFusion(nn.Module):
    """Modality tokens attending to each other, then a masked mean over tokens.

    ::

        token_m = W_m e_m + type_m                     (batch, M, dim)
        tokens  = TransformerEncoder(tokens, key_padding_mask = not present)
        out     = mean over present tokens             (batch, dim)

    Parameters
    ----------
    dims : mapping of str to int
    dim, heads, layers : int
        Token width, attention heads, encoder layers.
    dropout : float
    """

    def __init__(self, dims: Mapping[str, int], dim: int = 64, heads: int = 4,
                 layers: int = 1, dropout: float = 0.1) -> None:
        super().__init__()
        if dim % heads:
            raise ConfigError(f"dim {dim} is not divisible by heads {heads}",
                              field="model.fusion_options.attention.dim",
                              fix="use e.g. dim 64 with 4 heads")
        self.project = nn.ModuleList(nn.Linear(d, dim) for d in dims.values())
        self.modality_type = nn.Parameter(torch.randn(len(dims), dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, 2 * dim, dropout, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.out_features = dim

    def forward(self, embeddings: Sequence[torch.Tensor], present: torch.Tensor) -> torch.Tensor:
        """One ``(batch, dim_m)`` embedding per modality and ``present`` bool ``(batch,
        n_modalities)`` → ``(batch, dim)``: a Transformer over modality tokens, averaged over
        the present ones.
        """
        embeddings = _zero_absent(embeddings, present)
        tokens = torch.stack([p(e) for p, e in zip(self.project, embeddings)], dim=1)
        tokens = tokens + self.modality_type
        none = ~present.any(dim=1, keepdim=True)
        padding = ~present & ~none               # a sample with nothing present masks nothing
        h = self.encoder(tokens, src_key_padding_mask=padding)
        weight = present.to(h.dtype).unsqueeze(-1)
        return (h * weight).sum(dim=1) / weight.sum(dim=1).clamp_min(1.0)
