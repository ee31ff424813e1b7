"""Explain many windows: batches through a Captum method, grouped to channels × segments.

Memory stays bounded however many windows: a batch of ``batch_size`` windows is
read, attributed (Captum's ``internal_batch_size`` / ``perturbations_per_eval``
bound the copies inside a batch), reduced to its (channels, segments) matrix on
the device, and only that matrix is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.explain.faithfulness import FaithfulnessAccumulator
from lbpnet.explain.grouping import (ChannelLayout, feature_masks, group_mean, group_sum,
                                     segment_of_samples)
from lbpnet.explain.methods import (ABLATION, METHODS, TupleForward, attribute, channel_means,
                                    make_baselines)
from lbpnet.explain.result import ChannelSegmentAttribution


@dataclass
class ExplainConfig:
    """What to explain and how (``conf/explain/*.yaml``).

    Parameters
    ----------
    method : str
        One of :data:`lbpnet.explain.methods.METHODS`.
    baseline : str
        ``mean`` (training channel means), ``zero``, ``blur`` or ``permuted``.
    target : str or int
        ``predicted`` (the most probable output), ``label`` (the true class of
        each window, single-label tasks), an output name, or an output index.
    output : {"logit", "probability"}
        What the attribution explains.
    batch_size : int
        Windows per batch.
    n_steps, internal_batch_size, n_samples, stdevs, perturbations_per_eval, blur_s
        Method settings (see :func:`lbpnet.explain.methods.attribute`).
    faithfulness : bool
        Also measure deletion / insertion / comprehensiveness / sufficiency.
    removal_baseline : str, optional
        What replaces removed cells in those checks (default: ``baseline``), drawn
        independently of the attribution's own baseline. Give the same value to
        every method compared (``permuted`` is in-distribution for any front end;
        ``mean`` is a flat line, far from real EMG).
    seed : int
    """

    method: str = "integrated_gradients"
    baseline: str = "mean"
    target: str | int = "predicted"
    output: str = "logit"
    batch_size: int = 64
    n_steps: int = 32
    internal_batch_size: int | None = None
    n_samples: int = 16
    stdevs: float = 0.0
    perturbations_per_eval: int = 8
    blur_s: float = 0.25
    faithfulness: bool = False
    removal_baseline: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"unknown attribution method '{self.method}'",
                              field="explain.method", fix=f"use one of {', '.join(METHODS)}")


def resolve_target(spec, output_names: list[str], probs: torch.Tensor,
                   labels: torch.Tensor | None, multi_label: bool) -> torch.Tensor:
    """The output index to explain for each window, int64 (batch,)."""
    n = probs.shape[0]
    if spec == "predicted":
        return probs.argmax(1)
    if spec == "label":
        if multi_label or labels is None:
            raise ConfigError("target 'label' needs a single-label task",
                              field="explain.target",
                              fix="name the output to explain, e.g. target: strategy/guarding")
        if (labels < 0).any():
            raise ConfigError("some windows are unlabelled (-1)", field="explain.target",
                              fix="use target: predicted")
        return labels.long()
    if isinstance(spec, (int, np.integer)) or (isinstance(spec, str) and spec.isdigit()):
        k = int(spec)
        if not 0 <= k < len(output_names):
            raise ConfigError(f"output index {k} outside 0..{len(output_names) - 1}",
                              field="explain.target", fix=f"choose among {output_names}")
        return torch.full((n,), k, dtype=torch.long, device=probs.device)
    if spec in output_names:
        return torch.full((n,), output_names.index(spec), dtype=torch.long, device=probs.device)
    raise ConfigError(f"target '{spec}' is not an output of the model; outputs: {output_names}",
                      field="explain.target", fix="use predicted, label, or an output name")


class Explainer:
    """Attribute a model's outputs on windows to (channel, segment) cells.

    Parameters
    ----------
    model : nn.Module
        ``model({modality: (batch, channels, time)}) -> (batch, n_outputs)`` logits.
    layout : ChannelLayout
        Channels and rates of the inputs, in model order.
    edges : array, shape (n_segments + 1,)
        Segment edges (s), from :func:`lbpnet.explain.grouping.segment_edges`.
    output_names : list of str
    config : ExplainConfig
    multi_label : bool
        Sigmoid outputs (strategy detection) instead of softmax classes.
    device : str or torch.device
    """

    def __init__(self, model: nn.Module, layout: ChannelLayout, edges: np.ndarray,
                 output_names: list[str], config: ExplainConfig | None = None,
                 multi_label: bool = False, device: str | torch.device = "cpu") -> None:
        self.config = config or ExplainConfig()
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.layout, self.edges = layout, np.asarray(edges, dtype=float)
        self.output_names = list(output_names)
        self.multi_label = multi_label
        self.forward = TupleForward(self.model, layout.modalities, self.config.output,
                                    multi_label)
        self.masks = feature_masks(layout, self.edges, self.device)
        self.n_segments = len(self.edges) - 1
        self.n_groups = layout.n_channels * self.n_segments
        self.means = None
        if self.config.baseline == "mean":
            means = channel_means(self.model, layout.modalities)
            self.means = [means[m] for m in layout.modalities]
        self.segment_samples = self._segment_samples()
        self.generator = torch.Generator().manual_seed(self.config.seed)
        self.removal_generator = torch.Generator().manual_seed(self.config.seed + 7919)
        self.last_curves: dict[str, np.ndarray] = {}

    def _segment_samples(self) -> list[int] | None:
        sizes = []
        for m in self.layout.modalities:
            seg = segment_of_samples(self.edges, self.layout.rates_hz[m], self.layout.samples(m))
            counts = np.bincount(seg, minlength=self.n_segments)
            if len(set(counts.tolist())) != 1:
                if self.config.method == "occlusion":
                    raise ConfigError(
                        f"occlusion needs equal segments; at {self.layout.rates_hz[m]} Hz they "
                        f"hold {counts.tolist()} samples", field="explain.segments",
                        fix="use segments that divide the window, or method feature_ablation")
                return None
            sizes.append(int(counts[0]))
        return sizes

    def baselines(self, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        """Reference inputs for the attribution, one per modality with the shape of ``inputs``
        ``(batch, channels, time)``, as ``config.baseline`` says.
        """
        rates = [self.layout.rates_hz[m] for m in self.layout.modalities]
        return make_baselines(self.config.baseline, inputs, self.means, rates,
                              self.config.blur_s, self.generator)

    def check_inputs(self, signals: dict[str, torch.Tensor]) -> None:
        """Refuse a batch whose modalities, channel counts or lengths differ from the layout."""
        for m in self.layout.modalities:
            want = (len(self.layout.channel_names[m]), self.layout.samples(m))
            if m not in signals:
                raise ConfigError(f"the data has no modality '{m}' (it has {sorted(signals)}); "
                                  f"the model was built for {self.layout.modalities}",
                                  field="data.modalities",
                                  fix="explain with the modalities the model was trained on")
            got = tuple(signals[m].shape[1:])
            if got != want:
                raise ConfigError(f"'{m}' windows are (channels, samples) {got} but the model "
                                  f"expects {want} ({self.layout.rates_hz[m]} Hz × "
                                  f"{self.layout.length_s} s)", field=f"data.{m}",
                                  fix="use the rates, channels and window length of training")

    def explain_batch(self, signals: dict[str, torch.Tensor], labels=None,
                      faith: FaithfulnessAccumulator | None = None, targets=None):
        """Matrix (batch, n_channels, n_segments), targets, probabilities of one batch.

        ``targets`` (batch,) output indices override ``config.target``."""
        self.check_inputs(signals)
        cfg = self.config
        inputs = tuple(signals[m].to(self.device, torch.float32) for m in self.layout.modalities)
        with torch.no_grad():
            probs = self.forward.probabilities(*inputs)
        lab = labels.to(self.device) if labels is not None else None
        if targets is not None:
            target = torch.as_tensor(np.asarray(targets), dtype=torch.long, device=self.device)
        else:
            target = resolve_target(cfg.target, self.output_names, probs, lab, self.multi_label)
        base = self.baselines(inputs)
        attr = attribute(cfg.method, self.forward, inputs, target, base, self.masks,
                         self.segment_samples, cfg.n_steps, cfg.n_samples, cfg.stdevs,
                         cfg.internal_batch_size, cfg.perturbations_per_eval)
        attr = tuple(a.detach() for a in attr)
        reduce = group_mean if cfg.method in ABLATION else group_sum
        scores = reduce(attr, self.masks, self.n_groups)
        if faith is not None:
            # an independent draw: a method whose own baseline is the removal baseline must
            # not be scored with the very replacement it was computed against
            rates = [self.layout.rates_hz[m] for m in self.layout.modalities]
            means = self.means or [channel_means(self.model, self.layout.modalities)[m]
                                   for m in self.layout.modalities]
            removal = make_baselines(cfg.removal_baseline or cfg.baseline, inputs, means, rates,
                                     cfg.blur_s, self.removal_generator)
            faith.add(self.forward.probabilities, inputs, removal, self.masks, scores.float(),
                      target)
        matrix = scores.reshape(len(target), self.layout.n_channels, self.n_segments)
        return matrix.float().cpu().numpy(), target.cpu().numpy(), probs.cpu().numpy()

    def explain_dataset(self, dataset, indices=None, targets=None) -> ChannelSegmentAttribution:
        """Explain the windows ``indices`` (default all) of a
        :class:`~lbpnet.windows.dataset.WindowDataset`, batch by batch; ``targets``
        (n_windows,) output indices override ``config.target`` per window.

        ``result.windows`` holds ``probability`` (of the explained output) and
        ``probability/<output name>`` for every output, each (n_windows,)."""
        idx = np.arange(len(dataset)) if indices is None else np.asarray(indices)
        if targets is not None and len(targets) != len(idx):
            raise ConfigError(f"{len(targets)} targets for {len(idx)} windows",
                              field="targets", fix="give one output index per window")
        faith = FaithfulnessAccumulator(self.config.seed) if self.config.faithfulness else None
        mats, done, probs, labels = [], [], [], []
        for s in range(0, len(idx), self.config.batch_size):
            batch = dataset.__getitems__(idx[s:s + self.config.batch_size])
            tgt = None if targets is None else targets[s:s + self.config.batch_size]
            m, t, p = self.explain_batch(batch["signals"], batch.get("label"), faith, tgt)
            mats.append(m)
            done.append(t)
            probs.append(p)
            labels.append(batch["label"].numpy())
        if not mats:
            raise ConfigError("no windows to explain", field="explain.windows",
                              fix="choose a split side or recording that has windows")
        target, prob = np.concatenate(done), np.concatenate(probs)
        index = dataset.index
        recs = index.recording[idx]
        windows = {"recording": recs, "start": index.start[idx],
                   "subject": np.array([dataset.recordings[r].subject for r in recs]),
                   "session": np.array([str(dataset.recordings[r].session) for r in recs]),
                   "label": np.concatenate(labels),
                   "probability": prob[np.arange(len(target)), target],
                   "prediction": prob.argmax(1)}
        for j, name in enumerate(self.output_names):       # every output, for the reports
            windows[f"probability/{name}"] = prob[:, j]
        if index.quality is not None:
            windows["quality"] = index.quality[idx]
        if self.multi_label:
            windows["prediction"] = (windows["probability"] >= 0.5).astype(np.int64)
            if index.targets is not None:
                windows["target_true"] = index.targets[idx, :][np.arange(len(target)), target]
        result = ChannelSegmentAttribution(
            matrix=np.concatenate(mats), channels=self.layout.channels,
            modalities=self.layout.channel_modalities, segment_edges_s=self.edges,
            target=target, output_names=self.output_names, method=self.config.method,
            windows=windows, faithfulness=faith.result() if faith else {},
            channel_info=self.layout.channel_info(),
            segment_labels=[f"{a:.2f}-{b:.2f} s" for a, b in zip(self.edges[:-1],
                                                                  self.edges[1:])])
        self.last_curves = faith.curves() if faith else {}
        return result.validate()
