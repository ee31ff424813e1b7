"""Attribution per channel group — modality, muscle, side or body site — summed or ablated.

Additive gradient methods (integrated gradients, gradient SHAP, saliency) are summed
from the channel × segment matrix. Ablation methods measure something else when a
whole group is removed at once (all of ``multifidus`` left and right together) than
the sum of removing its cells one by one, so for them the group itself is ablated:
Captum's ``FeatureAblation`` with one mask id per (group[, segment]).
"""

from __future__ import annotations

import numpy as np
import torch

from lbpnet.explain.grouping import coarse_groups, group_channels, segment_of_samples
from lbpnet.explain.methods import ABLATION, attribute


def group_masks(layout, edges, channel_group: np.ndarray, n_groups: int, per_segment: bool,
                device) -> tuple[torch.Tensor, ...]:
    """Masks (1, channels_m, time_m) with id ``group * n_seg + segment`` (or ``group``);
    channels outside every group get one extra id after the last."""
    n_seg = len(edges) - 1 if per_segment else 1
    masks, offset = [], 0
    for m in layout.modalities:
        n_ch = len(layout.channel_names[m])
        g = channel_group[offset:offset + n_ch].copy()
        g[g < 0] = n_groups                                 # "no group": ablated, not reported
        seg = (segment_of_samples(edges, layout.rates_hz[m], layout.samples(m))
               if per_segment else np.zeros(layout.samples(m), dtype=int))
        ids = g[:, None] * n_seg + seg[None, :]
        masks.append(torch.as_tensor(ids, dtype=torch.long, device=device).unsqueeze(0))
        offset += n_ch
    return tuple(masks)


def explain_groups(explainer, signals: dict[str, torch.Tensor], by: str,
                   per_segment: bool = False, targets=None):
    """Attribution per channel group of one batch.

    Parameters
    ----------
    explainer : lbpnet.explain.Explainer
    signals : dict of str to tensor (batch, channels_m, time_m)
    by : {"channel", "modality", "muscle", "side", "site", "type"}
    per_segment : bool
        Also split each group by time segment.
    targets : array of int (batch,), optional

    Returns
    -------
    names : list of str
    scores : array, shape (batch, n_groups) or (batch, n_groups, n_segments)
    """
    layout, cfg = explainer.layout, explainer.config
    names, index = coarse_groups(layout, by)
    if cfg.method not in ABLATION:
        matrix, _, _ = explainer.explain_batch(signals, targets=targets)
        grouped = group_channels(matrix, index, len(names))
        return names, grouped if per_segment else grouped.sum(2)
    explainer.check_inputs(signals)
    inputs = tuple(signals[m].to(explainer.device, torch.float32) for m in layout.modalities)
    with torch.no_grad():
        probs = explainer.forward.probabilities(*inputs)
    from lbpnet.explain.attribute import resolve_target

    target = (torch.as_tensor(np.asarray(targets), dtype=torch.long, device=explainer.device)
              if targets is not None else
              resolve_target(cfg.target, explainer.output_names, probs, None,
                             explainer.multi_label))
    masks = group_masks(layout, explainer.edges, index, len(names), per_segment,
                        explainer.device)
    base = explainer.baselines(inputs)
    attr = attribute("feature_ablation", explainer.forward, inputs, target, base, masks,
                     perturbations_per_eval=cfg.perturbations_per_eval)
    n_seg = len(explainer.edges) - 1 if per_segment else 1
    out = np.zeros((len(target), len(names), n_seg), dtype=np.float32)
    for a, mask in zip(attr, masks):
        ids = mask[0]                                       # (channels_m, time_m)
        for gid in torch.unique(ids).tolist():
            g, s = divmod(gid, n_seg)
            if g < len(names):
                sel = (ids == gid)
                out[:, g, s] = a[:, sel][:, 0].detach().cpu().numpy()
    return names, out if per_segment else out[:, :, 0]
