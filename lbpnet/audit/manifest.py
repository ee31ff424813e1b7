"""Run manifests: which code, model, config and data produced a result.

A manifest is a JSON file written atomically beside what it describes (a report,
an explanation). It is what a reviewer checks before trusting a figure::

    {"run_id": "20261125T180102Z-3fa1c2d9", "created_utc": "...",
     "lbpnet_version": "0.1.0", "git_commit": "e0612ee…", "git_dirty": false,
     "training_run": "logs/synthetic_strategy/runs/…",
     "checkpoint": {"path": "…/last.ckpt", "sha256": "…"},
     "config_sha256": "…", "data": {"sha256": "…", "n_recordings": 4, …},
     "python": "3.11.2", "torch": "2.13.0", "command": "lbpnet-report …"}
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from lbpnet import __version__
from lbpnet.atomic import atomic_write_json
from lbpnet.audit.fingerprint import config_hash, file_sha256

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def git_state(directory: str | os.PathLike = PACKAGE_DIR) -> tuple[str | None, bool | None]:
    """``(commit, dirty)`` of the git checkout holding ``directory``; ``(None, None)``
    when it is not a checkout or git is missing (e.g. an installed wheel)."""
    try:
        commit = subprocess.run(["git", "-C", str(directory), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return None, None
        status = subprocess.run(["git", "-C", str(directory), "status", "--porcelain",
                                 "--untracked-files=no", "--", str(directory)],
                                capture_output=True, text=True, timeout=10)
        return commit.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return None, None


@dataclass
class RunManifest:
    """Provenance of one run (see the module docstring for the JSON it writes)."""

    run_id: str
    created_utc: str
    lbpnet_version: str
    git_commit: str | None
    git_dirty: bool | None
    training_run: str | None
    checkpoint: dict | None
    config_sha256: str | None
    data: dict | None
    python: str = field(default_factory=platform.python_version)
    torch: str | None = None
    command: str = field(default_factory=lambda: " ".join(sys.argv))
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The manifest as a plain dict of its fields (JSON-ready)."""
        return asdict(self)

    def write(self, path: str | os.PathLike) -> Path:
        """Write the manifest as JSON, atomically (temporary file, then rename)."""
        return atomic_write_json(path, self.to_dict())


def make_manifest(*, checkpoint: str | os.PathLike | None = None,
                  config: Mapping | str | None = None, data: dict | None = None,
                  training_run: str | os.PathLike | None = None,
                  extra: dict | None = None, checkpoint_sha256: str | None = None,
                  config_sha256: str | None = None) -> RunManifest:
    """Collect provenance now.

    Parameters
    ----------
    checkpoint : path, optional
        Model checkpoint; hashed in full (SHA-256).
    config : mapping or str, optional
        The resolved configuration (see :func:`~lbpnet.audit.fingerprint.config_hash`).
    data : dict, optional
        :func:`~lbpnet.audit.fingerprint.data_fingerprint` of the recordings used.
    training_run : path, optional
        The training run directory the model came from.
    checkpoint_sha256, config_sha256 : str, optional
        Hashes the caller already computed (:func:`~lbpnet.audit.fingerprint.file_sha256`
        of the checkpoint; ``config_hash(config)``, which for a config file's text is the
        file's SHA-256); given, the checkpoint is not read again and ``config`` may be left
        out.
    """
    now = datetime.now(timezone.utc)
    ckpt = None
    if checkpoint is not None:
        ckpt = {"path": str(checkpoint), "sha256": checkpoint_sha256 or file_sha256(checkpoint)}
    cfg_hash = config_sha256 or (config_hash(config) if config is not None else None)
    seed = "|".join(str(x) for x in (ckpt and ckpt["sha256"], cfg_hash,
                                     data and data.get("sha256"), now.isoformat()))
    run_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + hashlib.sha256(seed.encode()).hexdigest()[:8]
    commit, dirty = git_state()
    try:
        import torch
        torch_version = torch.__version__
    except ImportError:               # pragma: no cover - torch is a dependency
        torch_version = None
    return RunManifest(run_id=run_id, created_utc=now.isoformat(timespec="seconds"),
                       lbpnet_version=__version__, git_commit=commit, git_dirty=dirty,
                       training_run=str(training_run) if training_run is not None else None,
                       checkpoint=ckpt, config_sha256=cfg_hash, data=data,
                       torch=torch_version, extra=dict(extra or {}))
