"""Captum attribution methods over a multimodal model, and the baselines they start from.

Captum wants ``forward(*inputs)``; lbpnet models take ``{modality: (batch, channels,
time_m)}``. :class:`TupleForward` bridges the two: inputs are a tuple of
per-modality tensors in model order, each with its own time axis.

Methods (``explain.method.name``), all Captum's own implementations:

=====================  ===============================  =========================
name                   Captum class                     additive (sums to f(x)-f(b))
=====================  ===============================  =========================
integrated_gradients   ``IntegratedGradients``          yes (completeness)
gradient_shap          ``GradientShap``                 in expectation
saliency               ``Saliency`` (absolute gradient) no (unsigned)
feature_ablation       ``FeatureAblation`` + masks      no (one cell at a time)
occlusion              ``Occlusion`` (1 channel × 1 seg) no (one cell at a time)
=====================  ===============================  =========================

Baselines (``explain.baseline``): ``mean`` — the training mean of each channel, held
by the model's standardiser (in-distribution level, no data needed); ``zero``;
``blur`` — the window itself smoothed by a moving average of ``blur_s`` seconds
(keeps slow content, removes detail); ``permuted`` — the same channels of another
window of the batch (a real, in-distribution signal).
"""

from __future__ import annotations

from typing import Sequence

import torch
from captum.attr import (FeatureAblation, GradientShap, IntegratedGradients, Occlusion,
                         Saliency)
from torch import nn

from lbpnet.errors import ConfigError

METHODS = ("integrated_gradients", "gradient_shap", "saliency", "feature_ablation", "occlusion")
ABLATION = ("feature_ablation", "occlusion")
BASELINES = ("mean", "zero", "blur", "permuted")


class TupleForward(nn.Module):
    """``forward(*signals) -> scores`` over a model taking ``{modality: tensor}``.

    Parameters
    ----------
    model : nn.Module
        ``model({m: (batch, channels_m, time_m)}) -> (batch, n_outputs)`` logits.
    modalities : sequence of str
        Input order of the tuple.
    output : {"logit", "probability"}
        What is explained: the raw logit or its softmax (``multi_label=False``) /
        sigmoid (``multi_label=True``) probability.
    multi_label : bool
    """

    def __init__(self, model: nn.Module, modalities: Sequence[str], output: str = "logit",
                 multi_label: bool = False) -> None:
        super().__init__()
        if output not in ("logit", "probability"):
            raise ConfigError(f"unknown output '{output}'", field="explain.output",
                              fix="use logit or probability")
        self.model = model
        self.modalities = list(modalities)
        self.output = output
        self.multi_label = multi_label

    def forward(self, *signals: torch.Tensor) -> torch.Tensor:
        """Model outputs for one tensor per modality ``(batch, channels, time)``: logits, or
        probabilities as ``output`` says, shape (batch, n_outputs).
        """
        logits = self.model(dict(zip(self.modalities, signals)))
        if self.output == "logit":
            return logits
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=1)

    def probabilities(self, *signals: torch.Tensor) -> torch.Tensor:
        """Probabilities whatever ``output`` says, shape (batch, n_outputs)."""
        logits = self.model(dict(zip(self.modalities, signals)))
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=1)


def channel_means(model: nn.Module, modalities: Sequence[str]) -> dict[str, torch.Tensor]:
    """Training mean per channel from the model's standardiser, ``{m: (channels,)}``."""
    std = getattr(model, "standardize", None)
    if std is None:
        raise ConfigError("the model has no per-channel standardiser to take training means from",
                          field="explain.baseline", fix="use baseline: zero, blur or permuted")
    return {m: std[m].mean.detach().reshape(-1) for m in modalities}


def make_baselines(name: str, inputs: tuple[torch.Tensor, ...], means=None,
                   rates_hz: Sequence[float] | None = None, blur_s: float = 0.25,
                   generator: torch.Generator | None = None) -> tuple[torch.Tensor, ...]:
    """Baselines shaped like ``inputs`` (each (batch, channels_m, time_m)).

    ``means``: per-modality channel means, list of (channels_m,) (``mean``);
    ``rates_hz``: rate of each input (``blur``).
    """
    if name == "zero":
        return tuple(torch.zeros_like(x) for x in inputs)
    if name == "mean":
        if means is None:
            raise ConfigError("baseline 'mean' needs the training channel means",
                              field="explain.baseline", fix="pass the model's means")
        return tuple(mu.to(x).reshape(1, -1, 1).expand_as(x).contiguous()
                     for x, mu in zip(inputs, means))
    if name == "blur":
        if rates_hz is None:
            raise ConfigError("baseline 'blur' needs the sampling rates",
                              field="explain.baseline", fix="pass rates_hz")
        out = []
        for x, fs in zip(inputs, rates_hz):
            k = max(1, min(int(round(blur_s * fs)), x.shape[-1]))
            w = torch.ones(x.shape[1], 1, k, dtype=x.dtype, device=x.device) / k
            pad = (k // 2, k - 1 - k // 2)
            xp = torch.nn.functional.pad(x, pad, mode="replicate")
            out.append(torch.nn.functional.conv1d(xp, w, groups=x.shape[1]))
        return tuple(out)
    if name == "permuted":
        n = inputs[0].shape[0]
        if n < 2:
            return make_baselines("mean", inputs, means, rates_hz, blur_s)
        shift = int(torch.randint(1, n, (1,), generator=generator))
        return tuple(torch.roll(x, shifts=shift, dims=0) for x in inputs)
    raise ConfigError(f"unknown baseline '{name}'", field="explain.baseline",
                      fix=f"use one of {', '.join(BASELINES)}")


def attribute(method: str, forward: nn.Module, inputs: tuple[torch.Tensor, ...],
              target: torch.Tensor, baselines: tuple[torch.Tensor, ...],
              masks: tuple[torch.Tensor, ...] | None = None,
              segment_samples: Sequence[int] | None = None, n_steps: int = 32,
              n_samples: int = 16, stdevs: float = 0.0, internal_batch_size: int | None = None,
              perturbations_per_eval: int = 8) -> tuple[torch.Tensor, ...]:
    """Per-sample attributions of ``forward``'s ``target`` output, shapes as ``inputs``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    inputs, baselines : tuple of tensors (batch, channels_m, time_m)
    target : int64 tensor (batch,)
    masks : tuple of int64 tensors (1, channels_m, time_m)
        (channel, segment) groups (``feature_ablation``).
    segment_samples : list of int
        Samples per segment of each input (``occlusion``: the sliding window).
    n_steps : int
        Integrated gradients: path steps.
    internal_batch_size : int, optional
        The most window copies that go through the model at once, for every
        method (bounds memory): integrated gradients' scaled copies, gradient
        SHAP's random points (the batch is split), ablation's perturbed copies
        (``perturbations_per_eval = internal_batch_size // batch``).
    n_samples, stdevs
        Gradient SHAP: random points per window, noise (in input units).
    perturbations_per_eval
        Ablation: perturbed copies of each window per pass when
        ``internal_batch_size`` is not given.
    """
    n = len(target)
    if internal_batch_size:
        perturbations_per_eval = max(1, int(internal_batch_size) // n)
    if method == "integrated_gradients":
        return IntegratedGradients(forward).attribute(
            inputs, baselines=baselines, target=target, n_steps=n_steps,
            internal_batch_size=internal_batch_size or n * n_steps)
    if method == "gradient_shap":
        step = max(1, int(internal_batch_size) // n_samples) if internal_batch_size else n
        parts = [GradientShap(forward).attribute(
            tuple(x[i:i + step] for x in inputs), baselines=baselines, target=target[i:i + step],
            n_samples=n_samples, stdevs=stdevs) for i in range(0, n, step)]
        return tuple(torch.cat(p, 0) for p in zip(*parts))
    if method == "saliency":
        return Saliency(forward).attribute(inputs, target=target, abs=True)
    if method == "feature_ablation":
        if masks is None:
            raise ConfigError("feature_ablation needs feature masks", field="explain.method",
                              fix="pass the (channel, segment) masks")
        return FeatureAblation(forward).attribute(
            inputs, baselines=baselines, target=target, feature_mask=masks,
            perturbations_per_eval=perturbations_per_eval)
    if method == "occlusion":
        if segment_samples is None:
            raise ConfigError("occlusion needs samples per segment", field="explain.method",
                              fix="pass segment_samples")
        shapes = tuple((1, int(s)) for s in segment_samples)
        return Occlusion(forward).attribute(
            inputs, sliding_window_shapes=shapes, strides=shapes, baselines=baselines,
            target=target, perturbations_per_eval=perturbations_per_eval)
    raise ConfigError(f"unknown attribution method '{method}'", field="explain.method.name",
                      fix=f"use one of {', '.join(METHODS)}")
