"""Find a run's checkpoint file, inside the run folder only, and check it is the file
training wrote.

``checkpoint=best|last|<path>`` and whatever the run's ``metrics.json`` names are
resolved strictly inside the run folder: an absolute path elsewhere, a ``..`` that climbs
out or a symbolic link whose target lies outside are refused. ``lbpnet-train`` records
the SHA-256 of every checkpoint it writes (``metrics.json["checkpoints"]``, paths
relative to the run folder); a file whose hash differs, or that the run did not write, is
refused. A run without recorded hashes (written before lbpnet recorded them, or killed
before its ``metrics.json``) is loaded with a warning: ``torch.load(weights_only=True)``
still keeps its loading from running code.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from lbpnet.errors import ReaderError
from lbpnet.hashing import file_sha256

OUTSIDE_FIX = ("give checkpoint=best, last or a path inside the run folder (e.g. "
               "checkpoints/last.ckpt); to explain another run's checkpoint, give run_dir= "
               "that run's folder")


class UnverifiedCheckpointWarning(UserWarning):
    """A checkpoint of a run that recorded no checkpoint hashes is loaded unverified."""


def run_metrics(run_dir: Path) -> dict:
    """The run's ``metrics.json`` ({} when absent); :class:`ReaderError` when unreadable."""
    path = run_dir / "metrics.json"
    if not path.is_file():
        return {}
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReaderError(f"cannot read the run's metrics ({type(err).__name__}: {err})",
                          source=str(path),
                          fix="restore the metrics.json lbpnet-train wrote") from err
    if not isinstance(metrics, dict):
        raise ReaderError("metrics.json is not a JSON object", source=str(path),
                          fix="restore the metrics.json lbpnet-train wrote")
    return metrics


def inside_run(run_dir: Path, path: str | Path, source: str, field: str = "checkpoint") -> Path:
    """``path`` resolved (symbolic links followed) inside ``run_dir``, else a ReaderError.

    A relative path is taken from the run folder, or (when no such file is there) from
    the current folder, as a user typing it would mean.
    """
    root = run_dir.resolve()
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = root / p if (root / p).exists() or not p.exists() else Path.cwd() / p
    resolved = p.resolve()
    if not resolved.is_relative_to(root):
        raise ReaderError(f"the checkpoint '{path}' lies outside the run folder {root} "
                          f"(resolves to {resolved}); it is not loaded", source=source,
                          field=field, fix=OUTSIDE_FIX)
    return resolved


def _recorded_path(root: Path, named: str, metrics: dict) -> Path:
    """The file ``metrics.json`` names (absolute at training time), inside the run folder."""
    p = Path(named)
    if p.is_absolute() and not p.resolve().is_relative_to(root) and len(p.parts) >= 2:
        moved = root / p.parent.name / p.name       # the run folder was moved or copied
        if p.parent.name == "checkpoints" and moved.is_file():
            return inside_run(root, moved, str(root / "metrics.json"), "tested_checkpoint")
    return inside_run(root, p, str(root / "metrics.json"), "tested_checkpoint")


def verify_checkpoint(run_dir: Path, path: Path, metrics: dict | None = None) -> None:
    """Refuse a checkpoint the run did not write or whose SHA-256 changed since training.

    Parameters
    ----------
    run_dir : Path
        The run folder (holds ``metrics.json``).
    path : Path
        The checkpoint, inside ``run_dir`` (see :func:`inside_run`).
    metrics : dict, optional
        The run's metrics (read from ``run_dir`` when not given).
    """
    root = run_dir.resolve()
    metrics = run_metrics(root) if metrics is None else metrics
    recorded = metrics.get("checkpoints")
    rel = path.resolve().relative_to(root).as_posix()
    source = str(root / "metrics.json")
    if recorded is None:
        warnings.warn(f"{source}: the run recorded no checkpoint hashes (trained before lbpnet "
                      f"recorded them, or stopped before writing metrics.json): {rel} is "
                      "loaded unverified (weights only)", UnverifiedCheckpointWarning,
                      stacklevel=3)
        return
    if not isinstance(recorded, dict) or rel not in recorded:
        names = sorted(recorded) if isinstance(recorded, dict) else recorded
        raise ReaderError(f"the run did not write the checkpoint {rel} (it recorded {names})",
                          source=str(path), field="checkpoints",
                          fix="use a checkpoint the run wrote (checkpoint=best or last)")
    actual = file_sha256(path)
    if actual != recorded[rel]:
        raise ReaderError(f"the checkpoint changed since training wrote it: sha256 {actual}, "
                          f"but training recorded {recorded[rel]} in {source}; it is not "
                          "loaded", source=str(path), field=f"checkpoints.{rel}",
                          fix="restore the file lbpnet-train wrote (from a backup), or "
                              "re-train the run")


def find_checkpoint(run_dir: Path, which: str) -> Path:
    """The verified checkpoint file of a run folder.

    ``best``: the checkpoint the run tested (``metrics.json["tested_checkpoint"]``; else
    the run's single best checkpoint); ``last``: ``checkpoints/last.ckpt``; anything
    else: a path inside the run folder. See the module docstring for what is refused.
    """
    root = Path(run_dir).resolve()
    ckpts = root / "checkpoints"
    metrics = run_metrics(root)
    tested = metrics.get("tested_checkpoint") if which == "best" else None
    if which == "last" or tested == "last":
        path = inside_run(root, ckpts / "last.ckpt", str(root))
    elif tested:
        path = _recorded_path(root, str(tested), metrics)
    elif which == "best":
        others = sorted(p for p in ckpts.glob("*.ckpt") if p.name != "last.ckpt")
        if len(others) > 1:
            raise ReaderError(f"several candidate best checkpoints {[p.name for p in others]}",
                              source=str(ckpts), fix="name one with checkpoint=<path>")
        path = inside_run(root, others[0] if others else ckpts / "last.ckpt", str(root))
    else:
        path = inside_run(root, which, str(root))
    if not path.is_file():
        found = sorted(p.name for p in ckpts.glob("*.ckpt"))
        raise ReaderError(f"checkpoint not found (checkpoints in the run: {found or 'none'})",
                          source=str(path),
                          fix="train the run to the end, or give checkpoint=<path to .ckpt>")
    verify_checkpoint(root, path, metrics)
    return path
