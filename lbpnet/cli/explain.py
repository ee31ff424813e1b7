"""``lbpnet-explain``: attribute a trained run's predictions to channels × time segments.

::

    lbpnet-explain run_dir=logs/synthetic_strategy/runs/<time> [side=test]
                   [explain=feature_ablation] [explain.target=strategy/guarding]
                   [recording=sub-P003_ses-1] [max_windows=200] [faithfulness=true]
                   [segments.n_segments=4] [device=cuda] "data_overrides=['data.root=/x']"

Reads the run's ``config.yaml`` and checkpoint, rebuilds its data module
(:func:`lbpnet.cli.train.build_datamodule`) and model (:func:`build_task`), checks
that checkpoint, training data and explained data agree (channel names, rates,
window length, outputs), explains the windows of one split side or one
recording, and writes ``<run_dir>/explain/<name>.npz`` + ``.json``
(:class:`lbpnet.explain.ChannelSegmentAttribution`).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import hydra
import numpy as np
import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from lbpnet import __version__
from lbpnet.audit import file_sha256
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.explain.attribute import Explainer
from lbpnet.explain.checkpoint import (check_checkpoint, check_layouts, checkpoint_signature,
                                       find_checkpoint, read_checkpoint)
from lbpnet.explain.grouping import ChannelLayout, segment_edges
from lbpnet.windows.splits import SIDES

log = logging.getLogger("lbpnet.explain")
DATA_KEYS = ("data", "window", "preprocess")


def run_config(run_dir: Path, overrides=()) -> tuple[DictConfig, DictConfig]:
    """``(trained, effective)``: the run's config and the one with ``overrides`` applied."""
    path = run_dir / "config.yaml"
    if not path.is_file():
        raise ReaderError("no config.yaml in the run directory", source=str(run_dir),
                          fix="give run_dir= the folder lbpnet-train wrote (it holds config.yaml "
                              "and checkpoints/)")
    trained = OmegaConf.load(path)
    effective = OmegaConf.merge(trained, OmegaConf.from_dotlist(list(overrides or [])))
    return trained, effective


def layout_of_config(cfg: DictConfig, source: str) -> ChannelLayout:
    """Channels, rates and window length of a config's recordings (no windowing)."""
    recs = instantiate(cfg.data.module.source)()
    for t in (cfg.get("preprocess") or {}).values():
        if t:
            recs = [instantiate(t)(r) for r in recs]
    mods = cfg.data.module.get("modalities") or [
        m for m in recs[0].streams if all(m in r.streams for r in recs)]
    rec = recs[0]
    return ChannelLayout({m: list(rec.streams[m].channel_names) for m in mods},
                         {m: float(rec.streams[m].sampling_rate) for m in mods},
                         float(cfg.window.length_s), source=source)


def select_windows(dm, side: str | None, recording, max_windows: int | None, seed: int):
    """``(dataset, indices, description)`` of a split side or of one recording."""
    if recording is not None:
        keys = [r.key for r in dm.recordings]
        pos = int(recording) if str(recording).isdigit() else (
            keys.index(str(recording)) if str(recording) in keys else None)
        if pos is None or not 0 <= pos < len(keys):
            raise ConfigError(f"no recording '{recording}'", field="recording",
                              fix=f"give an index 0..{len(keys) - 1} or a key such as {keys[:3]}")
        for s, ds in dm.datasets.items():
            idx = np.flatnonzero(ds.index.recording == pos)
            if idx.size:
                return ds, idx, f"recording {keys[pos]} ({s} side)"
        raise ConfigError(f"recording '{keys[pos]}' has no labelled windows", field="recording",
                          fix="choose a recording with labelled windows")
    if side not in dm.datasets:
        raise ConfigError(f"the split has no '{side}' side (it has {sorted(dm.datasets)})",
                          field="side", fix=f"use one of {', '.join(SIDES)}")
    ds = dm.datasets[side]
    idx = np.arange(len(ds))
    if max_windows and len(idx) > max_windows:
        idx = np.sort(np.random.default_rng(seed).choice(idx, max_windows, replace=False))
    return ds, idx, f"{side} side"


def load_explainer(cfg: DictConfig, with_task: bool = False):
    """Everything needed to explain: ``(explainer, datamodule, run config, provenance)``,
    and the task module with the checkpoint's weights as a fifth item when ``with_task``
    (``lbpnet-report`` reads its thresholds). ``provenance`` names the checkpoint and
    holds its SHA-256 and that of the run's ``config.yaml``.

    A checkpoint of another architecture, channel set or output set than the config
    builds for the data is refused, naming both sides."""
    run_dir = Path(cfg.run_dir).expanduser().resolve()
    trained, effective = run_config(run_dir, cfg.get("data_overrides"))
    ckpt_path = find_checkpoint(run_dir, str(cfg.checkpoint))
    ckpt = read_checkpoint(ckpt_path)
    from lbpnet.cli.train import build_datamodule, build_task

    dm = build_datamodule(effective)
    dm.setup("fit")
    layout = ChannelLayout.from_dataset(dm.datasets["train"], list(dm.channels()))
    check_checkpoint(checkpoint_signature(ckpt), layout, dm.output_names, str(ckpt_path))
    # find_checkpoint keeps the checkpoint inside run_dir: the run's config.yaml is its own
    if any(OmegaConf.select(trained, k) != OmegaConf.select(effective, k) for k in DATA_KEYS):
        check_layouts(layout_of_config(trained, "training data of the run"), layout,
                      str(run_dir / "config.yaml"))
    task = build_task(effective, dm)
    try:
        task.load_state_dict(ckpt["state_dict"], strict=True)
    except RuntimeError as err:
        first = str(err).splitlines()[0:3]
        raise ConfigError(
            f"the checkpoint does not fit the model the config builds for this data "
            f"(channels {dm.channels()}, outputs {dm.output_names}): "
            f"{' '.join(first)}", source=str(ckpt_path), field="checkpoint",
            fix="use the checkpoint of this run directory with its own config.yaml") from None
    seg = cfg.segments
    edges = segment_edges(layout.length_s, seg.get("n_segments"), seg.get("segment_s"))
    device = cfg.device if cfg.device != "auto" else ("cuda" if torch.cuda.is_available()
                                                      else "cpu")
    explain_cfg = instantiate(cfg.explain, faithfulness=bool(cfg.faithfulness), _convert_="all")
    explainer = Explainer(task.model, layout, edges, dm.output_names, explain_cfg,
                          multi_label=bool(dm.targets), device=device)
    provenance = {"run_dir": str(run_dir), "checkpoint": str(ckpt_path),
                  "checkpoint_sha256": file_sha256(ckpt_path),
                  "config_sha256": file_sha256(run_dir / "config.yaml"),
                  "lbpnet_version": __version__, "device": str(device),
                  "synthetic": str(any(r.metadata.get("synthetic", False)
                                       for r in dm.recordings)).lower(),
                  "explain_config": json.dumps(OmegaConf.to_container(cfg.explain,
                                                                      resolve=True))}
    if with_task:
        return explainer, dm, effective, provenance, task
    return explainer, dm, effective, provenance


def explain(cfg: DictConfig):
    """Explain and save; returns the :class:`ChannelSegmentAttribution` and its paths."""
    torch.set_num_threads(int(cfg.get("threads") or torch.get_num_threads()))
    explainer, dm, run_cfg, provenance = load_explainer(cfg)
    ds, idx, what = select_windows(dm, cfg.side, cfg.get("recording"), cfg.get("max_windows"),
                                   int(cfg.seed))
    log.info("explaining %d windows of the %s with %s", len(idx), what, explainer.config.method)
    result = explainer.explain_dataset(ds, idx)
    if cfg.get("ground_truth"):
        from lbpnet.explain.ground_truth import ground_truth_masks, localisation

        labels = [result.output_names[t] for t in result.target]
        truth = ground_truth_masks(ds, idx, result.channels, result.segment_edges_s, labels)
        result.faithfulness.update({f"ground_truth_{k}": float(v) for k, v in
                                    localisation(result.matrix, truth).items()})
    # data_overrides: lbpnet-report reuses this result only for the same data (lbpnet.cli.reuse)
    result.provenance = {**provenance, "windows": what,
                         "data_overrides": json.dumps(list(cfg.get("data_overrides") or []))}
    name = cfg.get("name") or re.sub(r"[^A-Za-z0-9_.-]+", "_", "_".join(
        [str(cfg.get("recording") or cfg.side), explainer.config.method,
         str(explainer.config.target)]))
    paths = result.save(Path(provenance["run_dir"]) / "explain" / name)
    log.info("wrote %s", paths[1])
    from lbpnet.audit.hooks import audit_explain   # the audit log: one entry
    audit_explain(cfg, provenance, paths, dm.recordings)
    return result, paths


@hydra.main(config_path=str(CONFIG_DIR), config_name="explain", version_base="1.3")
def main(cfg: DictConfig) -> None:
    """``lbpnet-explain``: the Hydra entry point over ``conf/explain.yaml``; an lbpnet error
    ends with one message and exit status 2.
    """
    from lbpnet.cli.console import user_errors
    with user_errors("lbpnet-explain"):    # an lbpnet error: one message, exit status 2
        explain(cfg)


if __name__ == "__main__":
    main()
