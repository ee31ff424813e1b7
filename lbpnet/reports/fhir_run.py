"""Read what a training run folder holds, for the FHIR export.

- ``metrics.json`` (required): the tested checkpoint and its SHA-256, the subjects of each
  split side, whether the data is synthetic;
- ``config.yaml`` (required): the data source, rebuilt to read the run's recordings;
- an explanation (optional): ``report=`` (a report folder, its ``report.json`` or an
  ``attribution.json``/``.npz``), else the newest ``<run_dir>/reports/*/attribution.json``,
  else the newest ``<run_dir>/explain/*.json``;
- monitoring summaries (optional): ``<run_dir>/monitoring/*/monitoring.json``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError

RUN_FIX = "give run_dir= the folder lbpnet-train wrote (it holds metrics.json and config.yaml)"


def read_run(run_dir: str | os.PathLike) -> tuple[Path, dict]:
    """``(run_dir resolved, metrics)``; a ReaderError without ``metrics.json``/``config.yaml``."""
    from lbpnet.explain.checkpoint_files import run_metrics

    root = Path(run_dir).expanduser().resolve()
    if not root.is_dir():
        raise ReaderError("no such run folder", source=str(root), field="run_dir", fix=RUN_FIX)
    for name in ("metrics.json", "config.yaml"):
        if not (root / name).is_file():
            raise ReaderError(f"no {name} in the run folder (training did not finish, or this "
                              "is not a run folder)", source=str(root), field="run_dir",
                              fix=RUN_FIX)
    metrics = run_metrics(root)
    return root, metrics


def tested_checkpoint(root: Path, metrics: dict) -> dict:
    """``{"name", "sha256"}`` of the checkpoint the run tested (as recorded in metrics.json)."""
    hashes = metrics.get("checkpoints") or {}
    named = metrics.get("tested_checkpoint") or metrics.get("best_checkpoint")
    if named:
        rel = Path(named)
        rel = rel.relative_to(rel.parent.parent) if rel.is_absolute() else rel
        for key, sha in hashes.items():
            if Path(key) == rel or Path(key).name == rel.name:
                return {"name": str(key), "sha256": str(sha)}
    if hashes:
        key = sorted(hashes)[0]
        return {"name": str(key), "sha256": str(hashes[key])}
    raise ReaderError("metrics.json records no checkpoint hashes, so the export cannot name "
                      "the model version", source=str(root / "metrics.json"),
                      field="checkpoints", fix="export a run trained by this lbpnet version "
                                               "(it records the sha256 of every checkpoint)")


def split_subjects(metrics: dict, side: str | None = None) -> list[str]:
    """The subjects metrics.json names (of ``side`` only when given), sorted."""
    split = metrics.get("split") or {}
    out = set()
    for name, block in split.items():
        if isinstance(block, dict) and (side is None or name == side):
            out |= {str(s) for s in block.get("subjects") or []}
    return sorted(out)


def find_explanation(root: Path, report: str | None) -> Path | None:
    """The explanation file to take findings from (see the module docstring), or None."""
    if report:
        p = Path(report).expanduser()
        p = p if p.is_absolute() else (root / p if (root / p).exists() else Path.cwd() / p)
        if p.is_dir():
            p = p / "attribution.json"
        elif p.name == "report.json":
            p = p.with_name("attribution.json")
        if not p.is_file():
            raise ReaderError("no explanation there (a report folder holds attribution.json)",
                              source=str(p), field="report",
                              fix="give report= a folder lbpnet-report wrote, its report.json, "
                                  "or an lbpnet-explain .json result")
        return p
    done = [p for p in (root / "reports").glob("*/attribution.json")
            if not p.parent.name.startswith(".")]
    done = done or list((root / "explain").glob("*.json"))
    return max(done, key=lambda p: p.stat().st_mtime) if done else None


def windows_by_session(result, recordings) -> dict:
    """Recording key → the explanation's windows of that session (every column sliced)."""
    win = result.windows
    subj = np.asarray(win.get("subject", []), dtype=str)
    sess = np.asarray(win.get("session", []), dtype=str)
    out = {}
    for rec in recordings:
        rows = (subj == str(rec.subject)) & (sess == str(rec.session))
        if rows.any():
            out[rec.key] = {k: np.asarray(v)[rows] for k, v in win.items()
                            if np.ndim(v) >= 1 and len(v) == len(subj)}
    return out


def audit_log_path(explicit, run_cfg) -> Path | None:
    """The audit log: ``explicit``, else ``$LBPNET_AUDIT_LOG``, else the run config's
    ``audit.log``, else ``<paths.log_dir>/audit.jsonl`` of the run config."""
    from omegaconf import OmegaConf

    for candidate in (explicit, os.environ.get("LBPNET_AUDIT_LOG"),
                      OmegaConf.select(run_cfg, "audit.log", default=None)):
        if candidate:
            return Path(str(candidate)).expanduser()
    try:
        log_dir = OmegaConf.select(run_cfg, "paths.log_dir", default=None)
    except Exception:        # noqa: BLE001 - an unresolvable interpolation: no default log
        log_dir = None
    return Path(str(log_dir)) / "audit.jsonl" if log_dir else None


def registry_version_of(checkpoint_sha256: str, root=None) -> str | None:
    """``name@version`` of the newest registry version holding this checkpoint (its
    sha256), in the registry folder ``root`` (:func:`lbpnet.audit.registry.registry_root`);
    None when the registry is absent or has no such version. Unreadable records are skipped."""
    import json

    from lbpnet.audit.registry import registry_root

    found = []
    for path in registry_root(root).glob("*/versions/*/version.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record["checkpoint"]["sha256"] == checkpoint_sha256:
                found.append((str(record["name"]), int(record["version"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    if not found:
        return None
    name, number = max(found, key=lambda t: (t[1], t[0]))
    return f"{name}@{number}"
