"""``lbpnet-report`` reuses what ``lbpnet-explain`` saved instead of explaining again.

A result in ``<run_dir>/explain/<name>.json/.npz`` is reused when it was computed

- with the checkpoint the report loads (same SHA-256),
- from the same ``config.yaml`` (same SHA-256) and the same data overrides,
- with the same explain config (method, baseline, target, samples, batch sizes…),
  the same segments and, when the report asks for them, faithfulness scores,
- on windows that include every window the report picks (its side, subjects and
  ``max_windows_per_session``): the report then shows those windows of the result.

Each saved result that is not reused is logged with the reason.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf

from lbpnet.errors import ConfigError, ReaderError
from lbpnet.explain.result import ChannelSegmentAttribution

log = logging.getLogger("lbpnet.report")


def match_windows(result: ChannelSegmentAttribution, ds, source: str) -> np.ndarray:
    """Position in ``ds`` of every result window (by recording and start time)."""
    where = {(int(r), round(float(s), 6)): i
             for i, (r, s) in enumerate(zip(ds.index.recording, ds.index.start))}
    keys = [(int(r), round(float(s), 6)) for r, s in zip(result.windows["recording"],
                                                         result.windows["start"])]
    missing = [k for k in keys if k not in where]
    if missing:
        raise ConfigError(f"{len(missing)} explained windows (e.g. recording {missing[0][0]} at "
                          f"{missing[0][1]} s) are not windows of this split side",
                          source=source, field="windows",
                          fix="report the side and run the explanation was computed on")
    return np.array([where[k] for k in keys])


def take_rows(result: ChannelSegmentAttribution, rows) -> ChannelSegmentAttribution:
    """The result restricted to ``rows`` (in that order); faithfulness scores stay those
    measured on all of its windows (``faithfulness["n_windows"]`` says how many)."""
    rows = np.asarray(rows, dtype=np.int64)
    return replace(result, matrix=np.asarray(result.matrix)[rows],
                   target=np.asarray(result.target)[rows],
                   windows={k: np.asarray(v)[rows] for k, v in result.windows.items()},
                   faithfulness=dict(result.faithfulness), provenance=dict(result.provenance))


def _config_difference(theirs: str | None, ours: dict) -> str | None:
    try:
        saved = json.loads(theirs) if theirs else None
    except json.JSONDecodeError:
        saved = None
    if not isinstance(saved, dict):
        return "it does not record its explain config"
    keys = sorted(set(saved) | set(ours))
    diff = [f"{k}: {saved.get(k)!r} there, {ours.get(k)!r} here" for k in keys
            if saved.get(k) != ours.get(k)]
    return f"another explain config ({'; '.join(diff)})" if diff else None


def why_not(provenance: dict, cfg: DictConfig, ours: dict) -> str | None:
    """Why a saved result's ``provenance`` rules it out for this report (None: it fits
    so far; the windows are checked once its arrays are read)."""
    if "data_overrides" not in provenance:
        return ("it does not record its data overrides (saved by an lbpnet-explain from "
                "before lbpnet-report could reuse results)")
    if provenance.get("checkpoint_sha256") != ours["checkpoint_sha256"]:
        return (f"it was computed with another checkpoint ({provenance.get('checkpoint')}, "
                f"sha256 {str(provenance.get('checkpoint_sha256'))[:12]}…; this report loads "
                f"{ours['checkpoint']}, sha256 {ours['checkpoint_sha256'][:12]}…)")
    if provenance.get("config_sha256") != ours["config_sha256"]:
        return "the run's config.yaml has changed since it was computed (other sha256)"
    overrides = list(cfg.get("data_overrides") or [])
    if json.loads(provenance["data_overrides"]) != overrides:
        return (f"it was computed with data overrides {provenance['data_overrides']}, "
                f"this report with {overrides}")
    return _config_difference(provenance.get("explain_config"),
                              OmegaConf.to_container(cfg.explain, resolve=True))


def find_saved(cfg: DictConfig, provenance: dict, explainer, ds, wanted: np.ndarray):
    """The newest saved result of the run that fits this report, restricted to the windows
    ``wanted`` (positions in ``ds``), and its path; ``(None, None)`` when none fits.

    Parameters
    ----------
    provenance : dict
        :func:`lbpnet.cli.explain.load_explainer`'s: the checkpoint, its sha256 and that
        of ``config.yaml``.
    explainer : lbpnet.explain.attribute.Explainer
        The report's explainer (its segment edges and whether it measures faithfulness).
    wanted : int array
        The windows of ``ds`` the report shows.
    """
    folder = Path(provenance["run_dir"]) / "explain"
    saved = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not saved:
        log.info("no saved lbpnet-explain result in %s: explaining now", folder)
        return None, None
    for path in saved:
        try:
            meta = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            log.info("not reusing %s: unreadable (%s)", path, err)
            continue
        if meta.get("format") != "lbpnet.ChannelSegmentAttribution":
            continue
        reason = why_not(meta.get("provenance") or {}, cfg, provenance)
        result = None
        if reason is None:
            try:
                result = ChannelSegmentAttribution.load(path)
            except ReaderError as err:
                reason = f"it cannot be read ({err})"
        if reason is None:
            reason, rows = _fits(result, explainer, ds, wanted, str(path))
        if reason is not None:
            log.info("not reusing %s: %s", path, reason)
            continue
        log.info("reusing %s (explained by lbpnet-explain with the same checkpoint sha256 "
                 "%s…, config.yaml, explain config and segments): %d of its %d windows are "
                 "the ones this report shows", path, provenance["checkpoint_sha256"][:12],
                 len(rows), result.n_windows)
        picked = take_rows(result, rows)
        picked.provenance.update({
            "reused_from": str(path),
            "windows": f"{len(rows)} of the {result.n_windows} windows "
                       f"({result.provenance.get('windows', 'n/a')}) lbpnet-explain explained "
                       f"in {path.name}"})
        return picked, path
    log.info("no saved lbpnet-explain result in %s fits this report: explaining now", folder)
    return None, None


def _fits(result: ChannelSegmentAttribution, explainer, ds, wanted, source):
    """``(reason or None, rows of result that are the windows wanted)``."""
    edges = np.asarray(result.segment_edges_s, dtype=float)
    if edges.shape != explainer.edges.shape or not np.allclose(edges, explainer.edges):
        return (f"other segments (edges {np.round(edges, 3).tolist()} s there, "
                f"{np.round(explainer.edges, 3).tolist()} s here)"), None
    measured = any(not k.startswith("ground_truth") for k in result.faithfulness)
    if explainer.config.faithfulness and not measured:
        return "it has no faithfulness scores and this report asks for them", None
    try:
        positions = match_windows(result, ds, source)
    except ConfigError:
        return "its windows are not windows of this split side", None
    row_of = {int(p): r for r, p in enumerate(positions)}
    missing = [p for p in np.asarray(wanted).tolist() if p not in row_of]
    if missing:
        return (f"{len(missing)} of the {len(wanted)} windows this report shows are not among "
                f"its {result.n_windows} explained windows"), None
    return None, [row_of[p] for p in np.asarray(wanted).tolist()]
