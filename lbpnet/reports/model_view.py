"""Signals of explained windows as recorded and as the model sees them."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from lbpnet.reports.signals import WindowSignals


def describe_front_end(front_end: nn.Module, rate_hz: float) -> str:
    """A front end in words, e.g. ``"log RMS envelope (100 ms)"``."""
    window = getattr(front_end, "window", None)
    if type(front_end).__name__ == "RmsEnvelope" and window is not None:
        log = "log " if getattr(front_end, "log", False) else ""
        return f"{log}RMS envelope ({1000 * window / rate_hz:.0f} ms)"
    return type(front_end).__name__


@torch.no_grad()
def window_signals(dataset, indices: Sequence[int], model: nn.Module | None = None
                   ) -> WindowSignals:
    """Raw and processed signals of windows ``indices`` of a WindowDataset.

    Processed = the model's per-channel standardisation (``model.standardize[m]``) and
    front end (``model.front_ends[m]``) where it has them; a front end that adds channels
    (an envelope of the derivative) keeps its first ``channels`` rows, one per raw channel.

    Parameters
    ----------
    dataset : lbpnet.windows.dataset.WindowDataset
    indices : list of int
        Positions in ``dataset``.
    model : nn.Module, optional
        E.g. :class:`lbpnet.models.multimodal.MultimodalClassifier`; without it only
        raw signals are returned.
    """
    batch = dataset.__getitems__(np.asarray(indices, dtype=np.int64))
    rec = dataset.recordings[0]
    raw, rates, units, proc, proc_rate, label = {}, {}, {}, {}, {}, {}
    for m, x in batch["signals"].items():
        stream = rec.streams[m]
        raw[m], rates[m], units[m] = x.numpy(), float(stream.sampling_rate), list(stream.units)
        if model is None:
            continue
        device = next(model.parameters()).device
        y = x.to(device)
        words = []
        standardize = getattr(model, "standardize", None)
        if standardize is not None and m in standardize:
            y = standardize[m](y)
            words.append("standardised")
        fronts = getattr(model, "front_ends", None)
        if fronts is not None and m in fronts:
            y = fronts[m](y)
            words.append(describe_front_end(fronts[m], rates[m]))
        proc[m] = y[:, : x.shape[1]].float().cpu().numpy()
        proc_rate[m] = rates[m] * proc[m].shape[-1] / x.shape[-1]
        label[m] = ", ".join(words) + " (as the model sees it)" if words else "as recorded"
    return WindowSignals(raw, rates, units, proc, proc_rate, label)
