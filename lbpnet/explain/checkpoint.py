"""Load a trained model for explanation, refusing a checkpoint that does not fit the data.

Three things must agree before an attribution means anything:

- the **checkpoint** (``.ckpt``): its modalities and channel counts (the shapes of the
  model's per-channel standardiser) and its output names (``hyper_parameters.classes``);
- the **training layout**: channel names, sampling rates and window length of the
  data the run was trained on (from the run's ``config.yaml``);
- the **data being explained**: the same, from the data module built now.

A mismatch raises :class:`~lbpnet.errors.ConfigError` naming both sides.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import torch

from lbpnet.errors import ConfigError, ReaderError
from lbpnet.explain.checkpoint_files import find_checkpoint  # noqa: F401 - re-exported
from lbpnet.explain.grouping import ChannelLayout

PREFIX = "model.standardize."
# types beyond tensors and plain containers that lbpnet's checkpoints need: none (checked by
# loading the checkpoints of real activity runs with weights_only=True, test_checkpoint.py)
SAFE_GLOBALS: list = []


def read_checkpoint(path: str | os.PathLike) -> dict:
    """The checkpoint dict (CPU tensors); :class:`ReaderError` when unreadable.

    Read with ``torch.load(weights_only=True)``: tensors, numbers, strings and plain
    containers only (all a Lightning checkpoint of lbpnet holds, :data:`SAFE_GLOBALS`
    allowed besides), never a pickled object whose loading would run code.
    """
    path = Path(path)
    if not path.is_file():
        raise ReaderError("checkpoint not found", source=str(path),
                          fix="give checkpoint=best, last or the path of a .ckpt file")
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise ReaderError("the checkpoint holds more than weights (objects whose loading would "
                          f"run code: {str(err).splitlines()[0][:200]}); it is not loaded",
                          source=str(path),
                          fix="point to a checkpoint lbpnet-train wrote (it holds weights "
                              "only)") from err
    except Exception as err:           # noqa: BLE001 - any unpickling failure is a bad file
        raise ReaderError(f"cannot read the checkpoint ({type(err).__name__}: {err})",
                          source=str(path), fix="point to a checkpoint lbpnet-train wrote") from err
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise ReaderError("no state_dict in the checkpoint", source=str(path),
                          field="state_dict", fix="point to a checkpoint lbpnet-train wrote")
    return ckpt


def checkpoint_signature(ckpt: dict) -> dict:
    """``{"channels": {modality: n_channels}, "outputs": [names] or None}`` of a checkpoint."""
    counts = {}
    for key, value in ckpt["state_dict"].items():
        if key.startswith(PREFIX) and key.endswith(".mean"):
            counts[key[len(PREFIX):-len(".mean")]] = int(value.numel())
    outputs = (ckpt.get("hyper_parameters") or {}).get("classes")
    return {"channels": counts, "outputs": list(outputs) if outputs is not None else None}


def check_checkpoint(sig: dict, layout: ChannelLayout, output_names: list[str],
                     ckpt_path: str) -> None:
    """Refuse data whose modalities, channel counts or outputs differ from the checkpoint."""
    data_counts = {m: len(c) for m, c in layout.channel_names.items()}
    if sig["channels"] and sig["channels"] != data_counts:
        raise ConfigError(
            f"the checkpoint has channels per modality {sig['channels']} but the data "
            f"({layout.source}) has {data_counts}", source=ckpt_path,
            field="data.modalities / channels",
            fix="explain with the data and modalities the model was trained on, or the "
                "checkpoint of a run trained on this data")
    if sig["outputs"] is not None and list(sig["outputs"]) != list(output_names):
        raise ConfigError(f"the checkpoint predicts {sig['outputs']} but the data's outputs are "
                          f"{list(output_names)}", source=ckpt_path,
                          field="data.classes / data.module.targets",
                          fix="use the classes (targets) the model was trained with")


def check_layouts(trained: ChannelLayout, data: ChannelLayout, run_config: str) -> None:
    """Refuse data whose channel names, rates or window length differ from training."""
    problems = []
    if trained.modalities != data.modalities:
        problems.append(f"modalities {trained.modalities} vs {data.modalities}")
    for m in trained.modalities:
        if m not in data.channel_names:
            continue
        if trained.channel_names[m] != data.channel_names[m]:
            problems.append(f"'{m}' channels {trained.channel_names[m]} vs "
                            f"{data.channel_names[m]}")
        if abs(float(trained.rates_hz[m]) - float(data.rates_hz[m])) > 1e-6:
            problems.append(f"'{m}' at {trained.rates_hz[m]} Hz vs {data.rates_hz[m]} Hz")
    if abs(trained.length_s - data.length_s) > 1e-9:
        problems.append(f"windows of {trained.length_s} s vs {data.length_s} s")
    if problems:
        raise ConfigError(
            "the model was trained on other data than it is asked to explain — training "
            f"({trained.source}) vs explained ({data.source}): " + "; ".join(problems),
            source=run_config, field="data / window",
            fix="explain with the training data's channels, rates and window length "
                "(drop the data overrides), or train a model on this data")
