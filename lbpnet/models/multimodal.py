"""Per-modality encoders at native rates → fusion → a linear head.

::

    {"imu": (B, 6, 128), "emg": (B, 16, 4000)}      present: {"emg": (B,) bool}, optional
       │ standardise per channel (statistics from training data, in the checkpoint)
       │ front end per modality, optional (e.g. an EMG RMS envelope)
       │ encoder per modality (own weights, own time axis)   → (B, features_m)
       │ fusion: concat | gated | attention, masking absent modalities
       └─ dropout → Linear → (B, n_outputs)
"""

from __future__ import annotations

from typing import Callable, Mapping

import torch
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.models.conv_encoder import ConvEncoder1d
from lbpnet.models.registry import build_fusion, count_parameters, encoder_factory
from lbpnet.models.standardize import ChannelStandardizer

EncoderSpec = Callable[[int], nn.Module] | str | None


class MultimodalClassifier(nn.Module):
    """A classifier (or multi-label scorer) over a dict of modalities.

    Parameters
    ----------
    channels : mapping of str to int
        Number of channels per modality, e.g. ``{"imu": 6}``.
    n_outputs : int
        Number of outputs (logits).
    encoder : callable, str or mapping, optional
        The encoder of every modality: ``encoder(in_channels) -> nn.Module`` with an
        ``out_features`` attribute (Hydra passes a partial), or a registered name
        (``lbpnet.models.registry.ENCODERS``), or a mapping ``{"default": name,
        modality: name or callable or None}`` choosing per modality (None: the default).
        Defaults to :class:`ConvEncoder1d`.
    dropout : float
        Dropout before the head.
    modality_encoders : mapping of str to callable or str, optional
        Encoders for particular modalities instead of ``encoder`` (e.g. a strided
        stem for 2 kHz EMG beside the default for 100 Hz IMU).
    front_ends : mapping of str to nn.Module, optional
        Fixed transforms applied after standardisation and before the encoder of
        a modality (e.g. :class:`lbpnet.preprocess.RmsEnvelope` for EMG); a
        front end with ``channels_out(c)`` may change the channel count.
    encoder_options : mapping of str to dict, optional
        Keyword arguments of registered encoders, by encoder name.
    fusion : str or callable
        A registered fusion name (``concat``, ``gated``, ``attention``) or
        ``fusion(dims) -> nn.Module``.
    fusion_options : mapping of str to dict, optional
        Keyword arguments of registered fusions, by fusion name.
    samples : mapping of str to int, optional
        Samples per window of each modality; when given, windows too short for an
        encoder are refused here (see :meth:`check_window`).
    missing_modalities : {"error", "mask"}
        What a batch lacking a modality's key gets: an error, or that modality
        masked for every sample. A per-sample ``present`` mask is always honoured.
    """

    def __init__(self, channels: Mapping[str, int], n_outputs: int,
                 encoder: EncoderSpec | Mapping[str, EncoderSpec] = None,
                 dropout: float = 0.2,
                 modality_encoders: Mapping[str, EncoderSpec] | None = None,
                 front_ends: Mapping[str, nn.Module] | None = None,
                 encoder_options: Mapping[str, Mapping] | None = None,
                 fusion: str | Callable[[dict], nn.Module] = "concat",
                 fusion_options: Mapping[str, Mapping] | None = None,
                 samples: Mapping[str, int] | None = None,
                 missing_modalities: str = "error") -> None:
        super().__init__()
        if not channels:
            raise ConfigError("no modalities given", field="model.channels",
                              fix="the data module must report its modalities")
        if missing_modalities not in ("error", "mask"):
            raise ConfigError(f"unknown missing_modalities '{missing_modalities}'",
                              field="model.missing_modalities", fix="use error or mask")
        self.modalities = list(channels)
        self.channels = dict(channels)
        self.missing_modalities = missing_modalities
        self.standardize = nn.ModuleDict({m: ChannelStandardizer(c) for m, c in channels.items()})
        chosen = self._choose_encoders(encoder, modality_encoders)
        fronts = dict(front_ends or {})
        self._refuse_unknown(fronts, "model.front_ends")
        self.front_ends = nn.ModuleDict(fronts)
        width = {m: fronts[m].channels_out(c) if hasattr(fronts.get(m), "channels_out") else c
                 for m, c in channels.items()}
        options = {k: dict(v or {}) for k, v in (encoder_options or {}).items()}
        self.encoder_names: dict[str, str] = {}
        encoders = {}
        for m in self.modalities:
            spec = chosen[m]
            if isinstance(spec, str):
                self.encoder_names[m] = spec
                spec = encoder_factory(spec, field=f"model.encoder.{m}", **options.get(spec, {}))
            encoders[m] = spec(width[m])
            self.encoder_names.setdefault(m, type(encoders[m]).__name__)
        self.encoders = nn.ModuleDict(encoders)
        dims = {m: e.out_features for m, e in self.encoders.items()}
        if isinstance(fusion, str):
            self.fusion_name = fusion
            fusion_kwargs = dict((fusion_options or {}).get(fusion) or {})
            self.fusion = build_fusion(fusion, dims, **fusion_kwargs)
        else:
            self.fusion = fusion(dims)
            self.fusion_name = type(self.fusion).__name__
        self.head = nn.Sequential(nn.Dropout(dropout),
                                  nn.Linear(self.fusion.out_features, n_outputs))
        self.out_features = self.fusion.out_features
        if samples is not None:
            self.check_window(samples)

    def _refuse_unknown(self, given: Mapping, field: str) -> None:
        unknown = sorted(set(given) - set(self.channels))
        if unknown:
            raise ConfigError(f"entries for modalities {unknown} the data does not have "
                              f"(it has {sorted(self.channels)})", field=field,
                              fix="name modalities of the data, or drop those entries")

    def _choose_encoders(self, encoder, modality_encoders) -> dict[str, EncoderSpec]:
        if isinstance(encoder, Mapping):
            per = {k: v for k, v in encoder.items() if v is not None and k != "default"}
            self._refuse_unknown(per, "model.encoder")
            default = encoder.get("default") or "cnn"
        else:
            per, default = {}, encoder or ConvEncoder1d
        special = dict(modality_encoders or {})
        self._refuse_unknown(special, "model.modality_encoders")
        return {m: special.get(m, per.get(m, default)) for m in self.modalities}

    def check_window(self, samples: Mapping[str, int]) -> None:
        """Refuse windows too short for an encoder (e.g. shorter than a TCN's receptive
        field), before training. ``samples``: modality → samples per window at its rate."""
        for m in self.modalities:
            if m not in samples:
                continue
            n = int(samples[m])
            if m in self.front_ends:
                with torch.no_grad():
                    n = self.front_ends[m](torch.zeros(1, self.channels[m], n)).shape[-1]
            need = int(getattr(self.encoders[m], "min_samples", 1))
            if n < need:
                rf = getattr(self.encoders[m], "receptive_field", None)
                raise ConfigError(
                    f"a window of '{m}' has {n} samples at the encoder's input, shorter than "
                    f"the {self.encoder_names[m]} encoder needs ({need} samples"
                    + (f"; receptive field {rf}" if rf else "") + ")",
                    field=f"model.encoder.{m}",
                    fix="use longer windows (window.length_s) or a smaller encoder "
                        "(fewer levels, smaller kernels or patches in model.encoder_options)")

    def describe(self) -> dict:
        """Encoder, parameters, receptive field and embedding width per modality."""
        out = {m: {"encoder": self.encoder_names[m],
                   "parameters": count_parameters(self.encoders[m]),
                   "receptive_field": getattr(self.encoders[m], "receptive_field", None),
                   "out_features": self.encoders[m].out_features} for m in self.modalities}
        out["fusion"] = {"name": self.fusion_name, "parameters": count_parameters(self.fusion),
                         "out_features": self.fusion.out_features}
        out["total_parameters"] = count_parameters(self)
        return out

    def features(self, signals: Mapping[str, torch.Tensor],
                 present: Mapping[str, torch.Tensor] | None = None) -> torch.Tensor:
        """Fused embedding, shape (batch, out_features).

        ``present[m]``, optional: (batch,) bool, False where a sample lacks modality m
        (its signal is ignored). A modality missing from ``signals`` is absent for all.
        """
        missing = [m for m in self.modalities if m not in signals]
        if missing and (self.missing_modalities == "error" or len(missing) == len(self.modalities)):
            raise ConfigError(f"batch lacks modalities {missing}; it has {sorted(signals)}",
                              field="data.modalities",
                              fix="train and predict with the same modalities, or set "
                                  "model.missing_modalities=mask")
        present = present or {}
        ref = signals[next(m for m in self.modalities if m in signals)]
        feats, masks = [], []
        for m in self.modalities:
            if m not in signals:
                feats.append(ref.new_zeros(ref.shape[0], self.encoders[m].out_features))
                masks.append(torch.zeros(ref.shape[0], dtype=torch.bool, device=ref.device))
                continue
            x = signals[m]
            mask = present.get(m)
            if mask is None:
                mask = torch.ones(x.shape[0], dtype=torch.bool, device=x.device)
            else:
                mask = mask.to(device=x.device, dtype=torch.bool)
                x = torch.where(mask[:, None, None], x, torch.zeros_like(x))   # NaN-safe
            x = self.standardize[m](x)
            if m in self.front_ends:
                x = self.front_ends[m](x)
            feats.append(self.encoders[m](x))
            masks.append(mask)
        return self.fusion(feats, torch.stack(masks, dim=1))

    def forward(self, signals: Mapping[str, torch.Tensor], return_features: bool = False,
                present: Mapping[str, torch.Tensor] | None = None):
        """Logits (batch, n_outputs); with ``return_features`` also the embedding."""
        z = self.features(signals, present)
        logits = self.head(z)
        return (logits, z) if return_features else logits
