"""One call per command, as :mod:`lbpnet.audit.hooks` for training: what ``lbpnet-curate``
(``queue``, ``import``, ``agreement``) and ``lbpnet-export`` record in the audit log.

Files are recorded with their sha256 (``lbpnet-audit verify`` checks them later). A label
store is not: its ``labels.jsonl`` and ``store.json`` grow with every import, so an entry
records the label-set version instead — itself the content hash of the set's entries,
which the store checks on every read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from lbpnet.audit.hooks import _log_beside_run
from lbpnet.audit.log import append_entry, writes


def _run_parent(run_dir: Path, checkpoint: Path | None) -> dict:
    from lbpnet.hashing import file_sha256
    return {"run_dir": str(run_dir), "checkpoint": str(checkpoint) if checkpoint else None,
            "sha256": file_sha256(checkpoint) if checkpoint and checkpoint.is_file() else None}


def _queue_run(queue_dir) -> Path | None:
    """The run folder a review queue was made from (``queue.json["run_dir"]``), if any."""
    path = Path(str(queue_dir)).expanduser() / "queue.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8")).get("run_dir")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(run) if run and (Path(run) / "config.yaml").is_file() else None


def _log_beside_store(cfg, store) -> dict:
    """``{"log_path": <store's parent folder>/audit.jsonl}`` unless ``audit.log`` or
    ``$LBPNET_AUDIT_LOG`` names the log."""
    from lbpnet.audit.log import ENV_VAR, FILE_NAME, _get
    if _get(cfg, "audit.log") or os.environ.get(ENV_VAR):
        return {}
    return {"log_path": Path(str(store)).expanduser().resolve().parent / FILE_NAME}


def audit_curate(cfg, summary: dict) -> dict | None:
    """Record one ``lbpnet-curate`` command.

    Parameters
    ----------
    cfg : DictConfig
        The command's config (``command``: queue, import or agreement).
    summary : dict
        What the command printed (:func:`lbpnet.cli.curate.curate`).

    Returns
    -------
    dict or None
        The entry (None when ``audit.enabled=false``).

    Notes
    -----
    ``queue``: inputs the run's checkpoint, ``config.yaml`` and ``metrics.json``, outputs
    every file of the queue folder, parent the run; written to the run's own log.
    ``import``: inputs the export file and the queue's ``queue.json``; the new label-set
    version in ``extra``; written to the log of the queue's run when known, else to
    ``audit.jsonl`` beside the store folder. ``agreement``: the version read and its
    agreement numbers in ``extra``, beside the store. ``audit.log`` or
    ``$LBPNET_AUDIT_LOG`` overrides every default.
    """
    if not writes(cfg):
        return None
    command = str(cfg.command)
    kw = {"config_name": "curate", "compare_with_parent": False}
    if command == "queue":
        from lbpnet.explain.checkpoint_files import find_checkpoint
        run = Path(cfg.run_dir).expanduser().resolve()
        ckpt = find_checkpoint(run, str(cfg.checkpoint))
        return append_entry(
            "lbpnet-curate queue", cfg, inputs=[ckpt, run / "config.yaml", run / "metrics.json"],
            outputs=[summary["out"]], parent=_run_parent(run, ckpt),
            extra={k: summary.get(k) for k in ("queue", "tasks", "windows_scored",
                                               "model_version")},
            **kw, **_log_beside_run(cfg, run))
    if command == "import":
        run = _queue_run(cfg.queue) if cfg.get("queue") else None
        queue_file = Path(str(cfg.queue)).expanduser() / "queue.json" if cfg.get("queue") else None
        return append_entry(
            "lbpnet-curate import", cfg, inputs=[cfg.export, queue_file],
            parent={"run_dir": str(run)} if run else None,
            extra={"label_store": str(Path(summary["store"]).resolve()),
                   "label_set_version": summary["version"], "added": summary["added"],
                   "already_in_store": summary["already_in_store"]},
            **kw, **(_log_beside_run(cfg, run) if run else _log_beside_store(cfg, cfg.store)))
    agreement = summary.get("agreement") or {}
    return append_entry(
        "lbpnet-curate agreement", cfg,
        extra={"label_store": str(Path(str(cfg.store)).expanduser().resolve()),
               "label_set_version": summary.get("version"), "entries": summary.get("entries"),
               "agreement": {k: agreement.get(k) for k in ("method", "kappa", "n_items",
                                                           "observed_agreement")},
               "adjudicated_intervals": summary.get("adjudicated_intervals")},
        **kw, **_log_beside_store(cfg, cfg.store))


def audit_export(cfg, summary: dict, out: str | os.PathLike, checkpoint: str | os.PathLike,
                 log_path: str | os.PathLike | None = None) -> dict | None:
    """Record one ``lbpnet-export fhir``: inputs the run's tested checkpoint,
    ``config.yaml``, ``metrics.json`` and the explanation the findings came from; outputs
    every file of ``out`` (bundles and ``export.json``); parent the run (and ``model``, the
    registry reference, when given by name).

    Parameters
    ----------
    cfg : DictConfig
        The export's config (``run_dir`` already resolved from ``name@alias``).
    summary : dict
        ``export.json``'s content.
    out : path
        The folder the bundles were written to.
    checkpoint : path
        The tested checkpoint file.
    log_path : path, optional
        The log the run's training entry is in (the export is recorded beside it).
    """
    if not writes(cfg):
        return None
    run = Path(summary["run_dir"])
    ckpt = Path(checkpoint)
    parent = _run_parent(run, ckpt if ckpt.is_file() else None)
    if cfg.get("model"):
        parent["model"] = str(cfg.model)
    return append_entry(
        "lbpnet-export fhir", cfg,
        inputs=[ckpt if ckpt.is_file() else None, run / "config.yaml", run / "metrics.json",
                summary.get("findings_from")],
        outputs=[out], parent=parent, config_name="export", compare_with_parent=False,
        extra={"bundles": len(summary.get("bundles") or {}), "synthetic": summary.get("synthetic"),
               "keep_dates": summary.get("keep_dates"),
               "waveform_seconds": summary.get("waveform_seconds")},
        log_path=log_path)
