"""Per-modality encoders at native rates → concatenation fusion → a linear head.

::

    {"imu": (B, 6, 128), "emg": (B, 16, 4000)}
       │ standardise per channel (statistics from training data, in the checkpoint)
       │ encoder per modality (own weights, own time axis)
       └─ concat pooled features → dropout → Linear → (B, n_outputs)
"""

from __future__ import annotations

from typing import Callable, Mapping

import torch
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.models.conv_encoder import ConvEncoder1d
from lbpnet.models.standardize import ChannelStandardizer


class MultimodalClassifier(nn.Module):
    """A classifier over a dict of modalities.

    Parameters
    ----------
    channels : mapping of str to int
        Number of channels per modality, e.g. ``{"imu": 6}``.
    n_outputs : int
        Number of classes (logits).
    encoder : callable, optional
        ``encoder(in_channels) -> nn.Module`` with an ``out_features`` attribute;
        defaults to :class:`ConvEncoder1d`. Hydra passes a partial.
    modality_encoders : mapping of str to callable, optional
        Encoders for particular modalities instead of ``encoder`` (e.g. a strided
        stem for 2 kHz EMG beside the default for 100 Hz IMU).
    front_ends : mapping of str to nn.Module, optional
        Fixed transforms applied after standardisation and before the encoder of
        a modality (e.g. :class:`lbpnet.preprocess.RmsEnvelope` for EMG); a
        front end with ``channels_out(c)`` may change the channel count.
    dropout : float
        Dropout before the head.
    """

    def __init__(self, channels: Mapping[str, int], n_outputs: int,
                 encoder: Callable[[int], nn.Module] | None = None,
                 dropout: float = 0.2,
                 modality_encoders: Mapping[str, Callable[[int], nn.Module]] | None = None,
                 front_ends: Mapping[str, nn.Module] | None = None) -> None:
        super().__init__()
        if not channels:
            raise ConfigError("no modalities given", field="model.channels",
                              fix="the data module must report its modalities")
        encoder = encoder or ConvEncoder1d
        self.modalities = list(channels)
        self.channels = dict(channels)
        self.standardize = nn.ModuleDict({m: ChannelStandardizer(c) for m, c in channels.items()})
        special, fronts = dict(modality_encoders or {}), dict(front_ends or {})
        for field, given in (("model.modality_encoders", special), ("model.front_ends", fronts)):
            unknown = sorted(set(given) - set(channels))
            if unknown:
                raise ConfigError(f"entries for modalities {unknown} the data does not have "
                                  f"(it has {sorted(channels)})", field=field,
                                  fix="name modalities of the data, or drop those entries")
        self.front_ends = nn.ModuleDict(fronts)
        width = {m: fronts[m].channels_out(c) if hasattr(fronts.get(m), "channels_out") else c
                 for m, c in channels.items()}
        self.encoders = nn.ModuleDict({m: special.get(m, encoder)(width[m]) for m in channels})
        n_features = sum(e.out_features for e in self.encoders.values())
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_features, n_outputs))
        self.out_features = n_features

    def features(self, signals: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """Fused embedding, shape (batch, out_features)."""
        missing = [m for m in self.modalities if m not in signals]
        if missing:
            raise ConfigError(f"batch lacks modalities {missing}; it has {sorted(signals)}",
                              field="data.modalities",
                              fix="train and predict with the same modalities")
        feats = []
        for m in self.modalities:
            x = self.standardize[m](signals[m])
            if m in self.front_ends:
                x = self.front_ends[m](x)
            feats.append(self.encoders[m](x))
        return torch.cat(feats, dim=1)

    def forward(self, signals: Mapping[str, torch.Tensor],
                return_features: bool = False):
        """Logits (batch, n_outputs); with ``return_features`` also the embedding."""
        z = self.features(signals)
        logits = self.head(z)
        return (logits, z) if return_features else logits
