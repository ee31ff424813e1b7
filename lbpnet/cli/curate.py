"""``lbpnet-curate``: the review loop from a trained run to a versioned label set.

``lbpnet-curate queue run_dir=...``
    Scores the windows of one side of the run (novelty detectors, QC, optional
    MC-dropout uncertainty: :func:`lbpnet.curation.window_scores.score_windows`),
    ranks and groups them into reviewer tasks (:func:`lbpnet.curation.queue.build_queue`)
    and writes ``<run_dir>/review/<queue_id>/``: ``queue.json``, ``queue.csv`` and a
    Label Studio project in ``label_studio/``.
``lbpnet-curate import export=... store=... [queue=...]``
    Reads a Label Studio JSON export or a filled ``queue.csv`` into the label store and
    prints the new label-set version.
``lbpnet-curate agreement store=... [version=...]``
    Prints rater agreement (Cohen's / Fleiss' kappa, per class) and how many intervals
    each adjudication policy keeps.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import hydra
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.errors import ConfigError

log = logging.getLogger("lbpnet.curate")
COMMANDS = ("queue", "import", "agreement")
USAGE = ("usage: lbpnet-curate queue run_dir=... [top_k=...] [budget_minutes=...]\n"
         "       lbpnet-curate import export=<file> store=<dir> [queue=<dir>]\n"
         "       lbpnet-curate agreement store=<dir> [version=...]")


def _need(cfg: DictConfig, *keys: str) -> None:
    for key in keys:
        if cfg.get(key) in (None, ""):
            raise ConfigError(f"'{cfg.command}' needs {key}=", field=key, fix=USAGE)


def run_recordings(run_dir: Path) -> dict:
    """The run's recordings as read (before preprocessing), by key."""
    from lbpnet.cli.explain import run_config
    from lbpnet.tasks.recording_source import read_source
    _, cfg = run_config(run_dir)
    return {r.key: r for r in read_source(instantiate(cfg.data.module.source))}


def make_queue(cfg: DictConfig) -> dict:
    """Score, rank, group and export; returns a summary (paths, counts)."""
    from lbpnet.curation.label_studio_export import write_label_studio_project
    from lbpnet.curation.queue import build_queue
    from lbpnet.curation.queue_files import write_queue
    from lbpnet.curation.window_scores import score_windows
    from lbpnet.hashing import file_sha256

    _need(cfg, "run_dir")
    run_dir = Path(cfg.run_dir).expanduser().resolve()
    ws = score_windows(run_dir, side=cfg.side, detectors=tuple(cfg.detectors),
                       retention=float(cfg.retention),
                       mc_dropout_passes=int(cfg.mc_dropout_passes), checkpoint=str(cfg.checkpoint))
    queue_id = cfg.queue_id or f"{cfg.side}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    settings = {k: OmegaConf.to_container(cfg, resolve=True)[k] for k in (
        "side", "checkpoint", "detectors", "retention", "mc_dropout_passes", "gap_s",
        "max_segment_s", "top_k", "budget_minutes", "seconds_per_task", "uncertainty_quantile")}
    tasks = build_queue(ws, queue_id, gap_s=float(cfg.gap_s), max_segment_s=float(cfg.max_segment_s),
                        top_k=cfg.top_k, budget_minutes=cfg.budget_minutes,
                        seconds_per_task=float(cfg.seconds_per_task),
                        uncertainty_quantile=float(cfg.uncertainty_quantile))
    model_version = file_sha256(ws.checkpoint)[:12] if ws.checkpoint else "unknown"
    out = Path(cfg.out).expanduser() if cfg.out else run_dir / "review" / queue_id
    write_queue(tasks, out, queue_id, ws.classes, model_version, str(run_dir), settings)
    project = None
    if tasks:
        project = write_label_studio_project(
            tasks, run_recordings(run_dir), ws.classes, out / "label_studio", queue_id,
            model_version, rate_hz=float(cfg.rate_hz),
            modalities=list(cfg.modalities) if cfg.modalities else None, csv_url=cfg.csv_url)
    summary = {"queue": queue_id, "out": str(out), "tasks": len(tasks),
               "windows_scored": len(ws.start_s), "model_version": model_version,
               "label_studio": str(project) if project else None}
    log.info("review queue %s: %d tasks from %d windows -> %s", queue_id, len(tasks),
             len(ws.start_s), out)
    return summary


def import_export(cfg: DictConfig) -> dict:
    """Import ``cfg.export`` into ``cfg.store``; returns version and counts."""
    from lbpnet.curation.label_store import LabelStore
    from lbpnet.curation.label_studio_import import import_labels
    from lbpnet.curation.queue_files import read_queue

    _need(cfg, "export", "store")
    queue = read_queue(cfg.queue) if cfg.queue else None
    store = LabelStore(cfg.store, classes=queue["classes"] if queue else None)
    annotators = {str(k): str(v) for k, v in (cfg.annotators or {}).items()}
    version, added, skipped = import_labels(cfg.export, store, queue=queue, annotators=annotators)
    return {"store": str(store.path), "version": version, "added": added,
            "already_in_store": skipped,
            "train_with": f"data.labels={store.path}@{version}"}


def agreement(cfg: DictConfig) -> dict:
    """Rater agreement and adjudication counts of one label-set version."""
    from lbpnet.curation.agreement import rater_agreement
    from lbpnet.curation.label_store import LabelStore
    from lbpnet.recording.label_adjudication import POLICIES, adjudicate

    _need(cfg, "store")
    store = LabelStore(cfg.store)
    version, entries = store.label_set(cfg.version)
    out = {"version": version, "entries": len(entries),
           "agreement": rater_agreement(entries, store.classes)}
    seniors = list(cfg.seniors or ())
    out["adjudicated_intervals"] = {p: len(adjudicate(entries, p, seniors))
                                    for p in POLICIES if p != "senior" or seniors}
    return out


def curate(cfg: DictConfig) -> dict:
    """Run ``cfg.command``; returns its summary (also printed as JSON)."""
    run = {"queue": make_queue, "import": import_export, "agreement": agreement}.get(cfg.command)
    if run is None:
        raise ConfigError(f"unknown command '{cfg.command}'", field="command", fix=USAGE)
    summary = run(cfg)
    from lbpnet.audit.command_hooks import audit_curate   # the audit log: one entry
    audit_curate(cfg, summary)
    return summary


@hydra.main(config_path=str(CONFIG_DIR), config_name="curate", version_base="1.3")
def _hydra_main(cfg: DictConfig) -> None:
    from lbpnet.cli.console import user_errors
    with user_errors("lbpnet-curate"):     # an lbpnet error: one message, exit status 2
        print(json.dumps(curate(cfg), indent=2, default=str))


def main() -> None:
    """Console script: the first word is the command, the rest are Hydra overrides."""
    args = sys.argv[1:]
    if not args or args[0] not in COMMANDS:
        if args and args[0] in ("-h", "--help"):
            print(USAGE)
            return
        print(USAGE, file=sys.stderr)
        raise SystemExit(2)
    sys.argv = [sys.argv[0], f"command={args[0]}", *args[1:]]
    _hydra_main()


if __name__ == "__main__":
    main()
