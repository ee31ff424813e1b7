"""One call per command: what ``lbpnet-train``, ``-explain`` and ``-report`` record in the
audit log (:func:`lbpnet.audit.log.append_entry`). Each takes what the command already
has in hand, so the entry points stay one line longer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from lbpnet.audit.log import append_entry, writes


def run_dir_of(path: str | os.PathLike) -> Path | None:
    """The training-run folder (the nearest one holding ``config.yaml``) above a checkpoint."""
    path = Path(path).expanduser().resolve()
    for folder in [path, *path.parents][:4]:
        if (folder / "config.yaml").is_file():
            return folder
    return None


def _parent_of_checkpoint(ckpt) -> dict | None:
    if not ckpt:
        return None
    from lbpnet.hashing import file_sha256
    path = Path(ckpt).expanduser().resolve()
    run = run_dir_of(path)
    out = {"checkpoint": str(path), "sha256": file_sha256(path) if path.is_file() else None}
    if run is not None:
        out["run_dir"] = str(run)
    return out


def audit_train(cfg, output_dir: str | os.PathLike, recordings: Iterable,
                metrics: dict | None = None) -> dict | None:
    """Record a finished ``lbpnet-train`` run: its config (diffed against the run it
    resumed or started from, ``ckpt_path``/``init_from``, else the default
    ``conf/train.yaml``), data fingerprint, and ``config.yaml``, ``metrics.json``, the
    checkpoints and ``qc_summary.csv`` as outputs."""
    if not writes(cfg):
        return None
    from lbpnet.audit.fingerprint import data_fingerprint
    from lbpnet.hashing import file_sha256

    out = Path(output_dir)
    parent_ckpt = cfg.get("init_from") or cfg.get("ckpt_path")
    ckpts = [out / p for p in (metrics or {}).get("checkpoints", {})] or \
        sorted((out / "checkpoints").glob("*.ckpt"))
    outputs = [p for p in [out / "config.yaml", out / "metrics.json", *ckpts,
                           out / "qc_summary.csv"] if Path(p).is_file()]
    lineage = (metrics or {}).get("lineage")
    recordings = list(recordings)
    data = data_fingerprint(recordings)    # plus the synthetic share, for the model card
    data["n_synthetic"] = sum(bool(r.metadata.get("synthetic", False)) for r in recordings)
    return append_entry(
        "lbpnet-train", cfg, outputs=outputs, parent=_parent_of_checkpoint(parent_ckpt),
        inputs=[parent_ckpt] if parent_ckpt and Path(parent_ckpt).is_file() else [],
        data=data, config_name="train",
        config_sha256=file_sha256(out / "config.yaml") if (out / "config.yaml").is_file()
        else None, extra={"run_dir": str(out.resolve()), "lineage": lineage} if lineage
        else {"run_dir": str(out.resolve())})


def _run_parent(provenance: dict) -> dict:
    return {"run_dir": provenance.get("run_dir"), "checkpoint": provenance.get("checkpoint"),
            "sha256": provenance.get("checkpoint_sha256")}


def _log_beside_run(cfg, run_dir) -> dict:
    """``{"log_path": ...}`` for a command on a training run with no ``audit.log`` of its
    own: the run's own log (``<its paths.log_dir>/audit.jsonl``), so one log holds a
    model's training, explanations and reports."""
    from lbpnet.audit.log import _get, log_path_of
    from omegaconf import OmegaConf
    if _get(cfg, "audit.log") or os.environ.get("LBPNET_AUDIT_LOG"):
        return {}
    config = Path(run_dir) / "config.yaml"
    if config.is_file():
        log_dir = OmegaConf.select(OmegaConf.load(config), "paths.log_dir", default=None)
        if log_dir:
            return {"log_path": log_path_of({"paths": {"log_dir": log_dir}})}
    return {}


def audit_explain(cfg, provenance: dict, paths: Iterable, recordings: Iterable) -> dict | None:
    """Record an ``lbpnet-explain`` run: the checkpoint and ``config.yaml`` it read, the
    attribution files it wrote, the explained data's fingerprint; config diffed against
    the default ``conf/explain.yaml``."""
    if not writes(cfg):
        return None
    from lbpnet.audit.fingerprint import data_fingerprint
    run = Path(provenance["run_dir"])
    return append_entry("lbpnet-explain", cfg, inputs=[provenance["checkpoint"],
                                                       run / "config.yaml"],
                        outputs=list(paths), parent=_run_parent(provenance),
                        data=data_fingerprint(recordings), config_name="explain",
                        compare_with_parent=False, **_log_beside_run(cfg, run))


def audit_report(cfg, manifest, folder: str | os.PathLike) -> dict | None:
    """Record an ``lbpnet-report`` run: checkpoint and ``config.yaml`` read, every file of
    the report folder written, the manifest's data fingerprint and run id; config diffed
    against the default ``conf/report.yaml``."""
    run = Path(cfg.run_dir).expanduser().resolve()
    ckpt = manifest.checkpoint or {}
    parent = {"run_dir": str(run), "checkpoint": ckpt.get("path"), "sha256": ckpt.get("sha256")}
    if cfg.get("model"):
        parent["model"] = str(cfg.model)
    return append_entry("lbpnet-report", cfg, inputs=[ckpt.get("path"), run / "config.yaml"],
                        outputs=[folder], parent=parent, data=manifest.data,
                        config_name="report", compare_with_parent=False,
                        extra={"run_id": manifest.run_id},
                        **_log_beside_run(cfg, run))
