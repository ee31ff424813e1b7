"""A trained run's model and data, and the model's outputs on its windows.

:func:`load_run` reads ``<run_dir>/config.yaml`` and the run's checkpoint — found and
SHA-256-verified inside the run folder by :func:`lbpnet.explain.checkpoint.find_checkpoint`,
read with ``weights_only=True`` — and rebuilds the data module and task from the config
(``hydra.utils.instantiate``, as ``lbpnet-train`` built them; this module does not import
``lbpnet.cli``). ``data_overrides`` (dot-list strings) change the data scored, e.g. more
classes than the model knows: windows of those classes then carry their name but label -1.
:func:`model_outputs` runs the model over windows: logits, embeddings and, optionally,
Monte-Carlo dropout probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from lbpnet.curation.mc_dropout import dropout_layers, mc_dropout_probs
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.explain.checkpoint import (check_checkpoint, checkpoint_signature, find_checkpoint,
                                       read_checkpoint)
from lbpnet.explain.grouping import ChannelLayout


@dataclass
class LoadedRun:
    """A run ready to score: ``task`` (eval mode, CPU), its data module (set up), the
    effective config, the checkpoint path and the model's output names."""

    task: torch.nn.Module
    datamodule: object
    config: DictConfig
    checkpoint: Path
    outputs: list[str]
    multi_label: bool


def _datamodule(cfg: DictConfig):
    from lbpnet.windows.label_source import label_source_of   # data.labels=<store>@<version>
    transforms = [instantiate(t) for t in (cfg.get("preprocess") or {}).values() if t]
    labels = label_source_of(cfg.get("data"))                  # first, as lbpnet-train does
    transforms = ([labels] if labels is not None else []) + transforms
    qc = cfg.get("qc")
    quality = {"quality": instantiate(qc, _convert_="all")} if qc else {}
    return instantiate(cfg.data.module, split=instantiate(cfg.split), transforms=transforms,
                       **quality, **cfg.window, _convert_="all")


def load_run(run_dir, checkpoint: str = "best", data_overrides=()) -> LoadedRun:
    """Rebuild a run's model (checkpoint weights) and data module.

    Parameters
    ----------
    run_dir : path
        The folder ``lbpnet-train`` wrote (``config.yaml``, ``checkpoints/``, ``metrics.json``).
    checkpoint : str
        ``best``, ``last`` or a path inside the run folder.
    data_overrides : sequence of str
        Dot-list overrides of the run's config for the data scored (``data.*``).
    """
    run_dir = Path(run_dir).expanduser().resolve()
    path = run_dir / "config.yaml"
    if not path.is_file():
        raise ReaderError("no config.yaml in the run directory", source=str(run_dir),
                          fix="give run_dir= the folder lbpnet-train wrote")
    cfg = OmegaConf.merge(OmegaConf.load(path), OmegaConf.from_dotlist(list(data_overrides)))
    ckpt_path = find_checkpoint(run_dir, str(checkpoint))
    ckpt = read_checkpoint(ckpt_path)
    sig = checkpoint_signature(ckpt)
    dm = _datamodule(cfg)
    dm.setup("fit")
    outputs = sig["outputs"] or dm.output_names
    if dm.targets is None:
        unknown = [c for c in outputs if c not in dm.classes]
        if unknown:
            raise ConfigError(f"the model predicts {unknown}, which the scored data does not "
                              f"list (classes {dm.classes})", source=str(path),
                              field="data.module.classes",
                              fix="score data whose classes include the model's")
    layout = ChannelLayout.from_dataset(dm.datasets["train"], list(dm.channels()))
    check_checkpoint(sig, layout, outputs, str(ckpt_path))
    model = instantiate(cfg.model, channels=dm.channels(), n_outputs=len(outputs),
                        _convert_="all")
    task = instantiate(cfg.task, model=model, classes=outputs, _convert_="all")
    try:
        task.load_state_dict(ckpt["state_dict"], strict=True)
    except RuntimeError as err:
        raise ConfigError("the checkpoint does not fit the model the run's config builds: "
                          + " ".join(str(err).splitlines()[:2]), source=str(ckpt_path),
                          field="checkpoint", fix="use this run's own checkpoint") from None
    task.eval()
    return LoadedRun(task, dm, cfg, ckpt_path, list(outputs), bool(dm.targets))


@torch.no_grad()
def model_outputs(model: torch.nn.Module, dataset, indices=None, batch_size: int = 256,
                  mc_dropout_passes: int = 0, multi_label: bool = False, seed: int = 0) -> dict:
    """The model over windows of a :class:`~lbpnet.windows.dataset.WindowDataset`.

    Returns
    -------
    dict
        ``logits`` (n, n_outputs), ``features`` (n, dim) — the embedding before the head
        (``model(signals, return_features=True)``) — and ``mc_probs``
        (passes, n, n_outputs) or None (no passes asked, or a model without dropout).
    """
    idx = np.arange(len(dataset)) if indices is None else np.asarray(indices, dtype=np.int64)
    model.eval()
    passes = int(mc_dropout_passes) if dropout_layers(model) else 0
    gen_state = torch.random.get_rng_state()
    torch.manual_seed(int(seed))
    logits, feats, mc = [], [], []
    try:
        for i in range(0, len(idx), int(batch_size)):
            batch = dataset.__getitems__(idx[i:i + int(batch_size)])
            kwargs = {"present": batch["present"]} if "present" in batch else {}
            z, f = model(batch["signals"], return_features=True, **kwargs)
            logits.append(z.float().numpy())
            feats.append(f.float().numpy())
            if passes:
                mc.append(mc_dropout_probs(model, batch["signals"], passes, multi_label,
                                           kwargs.get("present")).float().numpy())
    finally:
        torch.random.set_rng_state(gen_state)
    empty = np.zeros((0, 0))
    return {"logits": np.concatenate(logits) if logits else empty,
            "features": np.concatenate(feats) if feats else empty,
            "mc_probs": np.concatenate(mc, axis=1) if mc else None}
