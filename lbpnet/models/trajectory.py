"""A small recurrent model over a patient's sessions: quantile forecasts and a non-response logit.

::

    sessions (batch, sessions, features) ──► per-session MLP ──► GRU ──► state after the
    observed (batch, sessions) bool            (batch, sessions, hidden)  last observed session
                                                                          (batch, hidden)
                                                     ┌────────────────────────┴──────────┐
                                           quantile head                          non-response head
                                 (batch, n_outputs, n_quantiles)                  (batch,) logit

The GRU is causal, so the state at the last observed session depends on observed sessions
only; sessions after it may hold anything (the data module zeroes them). Quantiles are
ordered by construction: the lowest is free and each next one adds a softplus step.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from lbpnet.errors import ConfigError


class SessionGRU(nn.Module):
    """GRU over per-session feature vectors.

    Parameters
    ----------
    channels : mapping
        ``{"sessions": n_features}``: features per session (from the data module).
    n_outputs : int
        Forecast targets (e.g. ODI and NRS at 1..A sessions ahead: ``2 A``).
    quantiles : sequence of float
        Quantile levels in (0, 1), increasing (e.g. 0.1, 0.5, 0.9).
    hidden : int
        Width of the session embedding and of the GRU state.
    layers : int
        GRU layers.
    dropout : float
        Dropout on the session embedding and on the state before the heads.

    Returns (``forward``)
    ---------------------
    dict
        ``"quantiles"`` (batch, n_outputs, n_quantiles), non-decreasing along the last axis;
        ``"non_response_logit"`` (batch,).
    """

    def __init__(self, channels: Mapping[str, int], n_outputs: int,
                 quantiles: Sequence[float] = (0.1, 0.5, 0.9), hidden: int = 32,
                 layers: int = 1, dropout: float = 0.1) -> None:
        super().__init__()
        if "sessions" not in channels:
            raise ConfigError(f"SessionGRU needs channels['sessions'], got {dict(channels)}",
                              field="model", fix="use it with the trajectory data module")
        q = [float(x) for x in quantiles]
        if not q or any(not 0 < x < 1 for x in q) or sorted(set(q)) != q:
            raise ConfigError(f"quantiles {q} must be increasing levels in (0, 1)",
                              field="model.quantiles", fix="e.g. [0.1, 0.5, 0.9]")
        self.n_features, self.n_outputs, self.quantiles = int(channels["sessions"]), n_outputs, q
        self.embed = nn.Sequential(nn.Linear(self.n_features, hidden), nn.GELU(),
                                   nn.Dropout(dropout))
        self.gru = nn.GRU(hidden, hidden, num_layers=layers, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.quantile_head = nn.Linear(hidden, n_outputs * len(q))
        self.non_response_head = nn.Linear(hidden, 1)

    def state(self, sessions: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
        """GRU state after the last observed session, (batch, hidden).

        ``observed`` (batch, sessions) marks sessions 1..k (a prefix); the state is taken at
        session k = ``observed.sum(1)``.
        """
        h, _ = self.gru(self.embed(sessions))
        last = observed.long().sum(1).clamp_min(1) - 1           # (batch,) index of session k
        return h[torch.arange(h.shape[0], device=h.device), last]

    def forward(self, sessions: torch.Tensor, observed: torch.Tensor) -> dict[str, torch.Tensor]:
        """``sessions`` ``(batch, n_sessions, n_features)`` and ``observed`` bool ``(batch,
        n_sessions)`` → ``quantiles`` ``(batch, n_outputs, n_quantiles)`` (non-decreasing)
        and ``non_response_logit`` ``(batch,)``.
        """
        h = self.drop(self.state(sessions, observed))
        raw = self.quantile_head(h).view(-1, self.n_outputs, len(self.quantiles))
        steps = nn.functional.softplus(raw[..., 1:])
        ordered = torch.cat([raw[..., :1], raw[..., :1] + steps.cumsum(-1)], dim=-1)
        return {"quantiles": ordered, "non_response_logit": self.non_response_head(h)[:, 0]}
