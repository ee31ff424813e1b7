"""Registered encoders and fusion modules, selected by name from the config.

``model.encoder.<modality>=<name>`` picks an encoder per modality
(``model.encoder.default`` for the others), ``model.fusion=<name>`` the fusion;
``model.encoder_options.<name>`` and ``model.fusion_options.<name>`` hold keyword
arguments. Every encoder maps ``(batch, in_channels, time)`` → ``(batch, out_features)``
and has ``out_features``, ``receptive_field`` (samples, or None for the whole window)
and ``min_samples`` (the shortest window it accepts).
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Mapping

from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.models.conv_encoder import ConvEncoder1d
from lbpnet.models.deepconvlstm import DeepConvLSTM
from lbpnet.models.fusion import ConcatFusion, CrossModalAttentionFusion, GatedFusion
from lbpnet.models.inception_time import InceptionTime
from lbpnet.models.patch_transformer import PatchTransformer
from lbpnet.models.tcn import TemporalConvNet

#: name → ``factory(in_channels, **options) -> nn.Module``
ENCODERS: dict[str, Callable[..., nn.Module]] = {
    "cnn": ConvEncoder1d,                                   # ResNet-1d
    "inception_time": InceptionTime,
    "deepconvlstm": DeepConvLSTM,                   # 4 convs (k 5), 2 LSTM layers of 64
    "deepconvlstm_shallow": partial(DeepConvLSTM, kernel_size=9, lstm_layers=1, hidden=128),
    # ^ Bock et al. 2021: one LSTM layer of 128 units, kernels of 9
    "tcn": TemporalConvNet,
    "patch_transformer": PatchTransformer,
}

#: name → ``factory(dims, **options) -> nn.Module``
FUSIONS: dict[str, Callable[..., nn.Module]] = {
    "concat": ConcatFusion,
    "gated": GatedFusion,
    "attention": CrossModalAttentionFusion,
}


def _lookup(table: Mapping[str, Callable], name: str, field: str, kind: str) -> Callable:
    if name not in table:
        raise ConfigError(f"unknown {kind} '{name}'; known: {', '.join(sorted(table))}",
                          field=field, fix=f"pick one of the registered {kind}s "
                                           "(lbpnet.models.registry)")
    return table[name]


def encoder_factory(name: str, field: str = "model.encoder", **options) -> Callable[[int], nn.Module]:
    """``in_channels -> encoder`` for a registered name, with keyword ``options``."""
    factory = _lookup(ENCODERS, name, field, "encoder")
    return partial(factory, **options)


def build_fusion(name: str, dims: Mapping[str, int], **options) -> nn.Module:
    """The registered fusion ``name`` over embeddings of widths ``dims`` (modality → int)."""
    return _lookup(FUSIONS, name, "model.fusion", "fusion")(dims, **options)


def count_parameters(module: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)
