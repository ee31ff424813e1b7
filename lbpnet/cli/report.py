"""``lbpnet-report``: clinician-facing saliency reports of a trained run.

::

    lbpnet-report run_dir=logs/synthetic_strategy/runs/2026-11-25_18-00-00
    lbpnet-report run_dir=… attribution=…/attribution.json   # a saved lbpnet-explain result

Reads the run directory ``lbpnet-train`` wrote (``config.yaml``, ``checkpoints/``,
``metrics.json``), rebuilds its data and model, explains the windows of one split side
(or reads a saved explanation) and writes into ``<run_dir>/reports/<timestamp>/``:
one self-contained HTML page per session, ``index.html`` (the cohort), ``report.json``,
``manifest.json`` (provenance) and the explanation used (``attribution.npz/.json``).

A result ``lbpnet-explain`` saved in ``<run_dir>/explain/`` with the same checkpoint,
config, explain config and segments, covering the windows the report shows, is reused
instead of explaining again (:mod:`lbpnet.cli.reuse`; the log says which, or why not).
The folder is written as ``reports/.<timestamp>.tmp-<pid>/`` and renamed when complete
(:mod:`lbpnet.reports.folder`); Hydra's own log and config go to
``reports/.hydra_runs/<timestamp>/``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from lbpnet.audit import data_fingerprint, make_manifest
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.explain import load_explainer
from lbpnet.cli.reuse import find_saved, match_windows
from lbpnet.errors import ConfigError
from lbpnet.explain import ChannelSegmentAttribution
from lbpnet.reports import SessionInfo, check_same_channels, write_reports
from lbpnet.reports.folder import check_new_folder
from lbpnet.reports.model_view import window_signals

log = logging.getLogger("lbpnet.report")


def check_same_model(result: ChannelSegmentAttribution, checkpoint: Path, sha256: str,
                     source: str) -> None:
    """Refuse an attribution computed with another checkpoint than the report's."""
    theirs = result.provenance.get("checkpoint_sha256")
    if theirs and theirs != sha256:
        raise ConfigError(
            f"the attribution was computed with checkpoint {result.provenance.get('checkpoint')} "
            f"(sha256 {theirs[:12]}…) but the report loads {checkpoint} (sha256 {sha256[:12]}…)",
            source=source, field="checkpoint",
            fix="leave checkpoint= unset (the attribution's own checkpoint is then used) or "
                "re-run lbpnet-explain with this checkpoint")


def _pick_windows(ds, subjects, per_session: int) -> np.ndarray:
    keep = []
    for rec in np.unique(ds.index.recording):
        if subjects and ds.recordings[rec].subject not in subjects:
            continue
        pos = np.flatnonzero(ds.index.recording == rec)
        if per_session and len(pos) > per_session:
            pos = pos[np.linspace(0, len(pos) - 1, per_session).round().astype(int)]
        keep.append(pos)
    if not keep:
        raise ConfigError(f"no windows of subjects {list(subjects)} on this side",
                          field="subjects", fix="name subjects of the chosen split side")
    return np.concatenate(keep)


def add_quality(result: ChannelSegmentAttribution, ds, positions: np.ndarray) -> None:
    """Copy the QC score and flags of the windows (if QC ran) into ``result.windows``."""
    index = ds.index
    if index.quality is not None and "quality" not in result.windows:
        result.windows["quality"] = index.quality[positions]
    if index.quality_flags is not None and "quality_flags" not in result.windows:
        names = np.asarray(index.quality_flag_names)
        result.windows["quality_flags"] = np.array(
            ["; ".join(names[row]) for row in index.quality_flags[positions]])


@torch.no_grad()
def output_probabilities(model, ds, positions: np.ndarray, multilabel: bool, device: str,
                         batch_size: int = 64) -> np.ndarray:
    """Probability of every output for windows ``positions`` of ``ds``, (n, n_outputs)."""
    out = []
    for s in range(0, len(positions), batch_size):
        batch = ds.__getitems__(positions[s:s + batch_size])
        logits = model({m: x.to(device) for m, x in batch["signals"].items()})
        out.append((torch.sigmoid(logits) if multilabel else logits.softmax(1)).cpu().numpy())
    return np.concatenate(out)


def report(cfg: DictConfig) -> dict:
    """Build the reports (see the module docstring); return the ``report.json`` summary."""
    from lbpnet.audit.model_ref import resolve_run_dir   # run_dir=name@production: registry
    cfg = resolve_run_dir(cfg)
    saved, source = None, None
    out = check_new_folder(output_folder(cfg))      # before the work, not after it
    from lbpnet.cli.report_monitoring import is_trajectory_run, report_monitoring
    if is_trajectory_run(cfg.run_dir):              # no windows: the lbpnet-monitor pages
        return report_monitoring(cfg, out)
    checkpoint = cfg.get("checkpoint")
    if cfg.get("attribution"):
        source = str(cfg.attribution)
        saved = ChannelSegmentAttribution.load(source)
        checkpoint = checkpoint or saved.provenance.get("checkpoint")
    run = OmegaConf.merge(cfg, {"checkpoint": checkpoint or "best"})
    explainer, dm, _, provenance, task = load_explainer(run, with_task=True)
    ckpt = Path(provenance["checkpoint"])
    if saved is not None:
        check_same_model(saved, ckpt, provenance["checkpoint_sha256"], source)
    if cfg.side not in dm.datasets:
        raise ConfigError(f"the run's split has no '{cfg.side}' side (it has "
                          f"{sorted(dm.datasets)})", field="side", fix="choose one of those")
    ds = dm.datasets[cfg.side]
    model, layout = explainer.model, explainer.layout
    multilabel = bool(dm.targets)
    if saved is not None:
        result = saved
        check_same_channels(result.channels, layout.channels, source,
                            f"{cfg.run_dir} ({cfg.side} side)")
        if list(result.output_names) != list(dm.output_names):
            raise ConfigError(f"outputs {result.output_names} in the attribution but "
                              f"{dm.output_names} in the run", source=source,
                              field="output_names", fix="explain this run's model")
        positions = match_windows(result, ds, source)
    else:
        positions = _pick_windows(ds, cfg.get("subjects"), cfg.max_windows_per_session)
        result, source = find_saved(cfg, provenance, explainer, ds, positions)
        if result is None:
            log.info("explaining %d windows of the %s side with %s", len(positions), cfg.side,
                     explainer.config.method)
            result = explainer.explain_dataset(ds, positions)
            result.provenance = {**provenance,
                                 "data_overrides": json.dumps(list(cfg.get("data_overrides")
                                                                   or [])),
                                 "windows": f"{cfg.side} side, up to "
                                            f"{cfg.max_windows_per_session} per session"}
    add_quality(result, ds, positions)
    # explain_dataset stores every output's probability; a result saved before it did
    # (an older lbpnet-explain run) gets them from the model here
    if not all(f"probability/{n}" in result.windows for n in dm.output_names):
        probs = output_probabilities(model, ds, positions, multilabel, explainer.device)
        for j, name in enumerate(dm.output_names):
            result.windows[f"probability/{name}"] = probs[:, j]
    recs = sorted(set(np.asarray(result.windows["recording"]).astype(int).tolist()))
    in_side = np.bincount(np.asarray(ds.index.recording, dtype=np.int64),
                          minlength=len(dm.recordings))
    sessions = {r: SessionInfo(str(dm.recordings[r].subject), dm.recordings[r].session,
                               dm.recordings[r].key,
                               bool(dm.recordings[r].metadata.get("synthetic", False)),
                               n_windows=int(in_side[r]))
                for r in recs}
    from lbpnet.cli.report_monitoring import monitoring_sections   # lbpnet-monitor summaries
    shown = monitoring_sections(cfg.get("monitoring") or cfg.run_dir)
    for info in sessions.values():
        info.monitoring_html = shown.get(info.subject)
    manifest = make_manifest(checkpoint=ckpt, checkpoint_sha256=provenance["checkpoint_sha256"],
                             config_sha256=provenance["config_sha256"],   # of config.yaml
                             data=data_fingerprint([dm.recordings[r] for r in recs]),
                             training_run=cfg.run_dir,
                             extra={"side": cfg.side, "method": result.method,
                                    "attribution": str(source) if source else None})
    thresholds = ({n: float(t) for n, t in zip(dm.output_names, task.thresholds.tolist())}
                  if multilabel and hasattr(task, "thresholds") else {})
    row_of = dict(zip(range(result.n_windows), positions.tolist()))
    summary = write_reports(
        result, sessions, out, provenance_of(manifest, result.method), thresholds, multilabel,
        lambda rows: window_signals(ds, [row_of[r] for r in rows], model),
        n_detail=int(cfg.n_detail), extra=lambda folder: (
            manifest.write(folder / "manifest.json"), result.save(folder / "attribution")))
    log.info("cohort report: %s", summary["index"])
    from lbpnet.audit.hooks import audit_report   # the audit log: one entry
    audit_report(cfg, manifest, out)
    return summary


def output_folder(cfg: DictConfig) -> Path:
    """``output_dir``, else ``<run_dir>/reports/<the time Hydra started this job>`` (the
    name of its folder under ``reports/.hydra_runs/``), else the time now."""
    if cfg.get("output_dir"):
        return Path(cfg.output_dir)
    from hydra.core.hydra_config import HydraConfig

    if HydraConfig.initialized():
        name = Path(HydraConfig.get().runtime.output_dir).name
    else:
        name = time.strftime("%Y-%m-%d_%H-%M-%S")
    return Path(cfg.run_dir) / "reports" / name


def provenance_of(manifest, method: str) -> dict:
    """The provenance rows shown on every page."""
    commit = manifest.git_commit or "not a git checkout"
    if manifest.git_dirty:
        commit += " (with uncommitted changes)"
    return {"run_id": manifest.run_id, "training_run": manifest.training_run,
            "checkpoint_sha256": manifest.checkpoint["sha256"],
            "config_sha256": manifest.config_sha256, "data_sha256": manifest.data["sha256"],
            "lbpnet_version": manifest.lbpnet_version, "git_commit": commit, "method": method,
            "created_utc": manifest.created_utc}


def _remove_empty_output(run_dir: Path) -> None:
    """After a refused run_dir: remove the folder Hydra made for this job under it (its
    ``.hydra/`` and log only) and any folder that is then empty, so that a mistyped path
    leaves nothing behind. Nothing else is touched."""
    from hydra.core.hydra_config import HydraConfig

    out = Path(HydraConfig.get().runtime.output_dir)     # <run_dir>/reports/.hydra_runs/<time>
    if out.parent.parent.parent.resolve() != run_dir.resolve():
        return
    for f in [*(out / ".hydra").glob("*.yaml"), out / "report.log"]:
        f.unlink(missing_ok=True)
    for d in (out / ".hydra", out, out.parent, out.parent.parent, run_dir):
        try:
            d.rmdir()                       # only ever removes an empty folder
        except OSError:
            return


@hydra.main(config_path=str(CONFIG_DIR), config_name="report", version_base="1.3")
def main(cfg: DictConfig) -> None:
    """``lbpnet-report``: the Hydra entry point over ``conf/report.yaml``; an lbpnet error ends
    with one message and exit status 2.
    """
    from lbpnet.cli.console import user_errors
    with user_errors("lbpnet-report"):     # an lbpnet error: one message, exit status 2
        run_dir = Path(cfg.run_dir)
        if not (run_dir / "config.yaml").is_file():
            _remove_empty_output(run_dir)
        report(cfg)


if __name__ == "__main__":
    main()
