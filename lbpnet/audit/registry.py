"""The model registry: immutable, numbered versions of trained runs, and aliases.

Layout under the registry folder (default ``$LBPNET_REGISTRY`` or ``./logs/registry``)::

    <name>/versions/<n>/version.json   written once (never replaced): run folder, checkpoint
                                       and its sha256, config and its sha256, data
                                       fingerprint, metrics, test subjects, lineage
    <name>/versions/<n>/model_card.md, model_card.html
    <name>/aliases.json                {"candidate": 2, "production": 1}, rewritten atomically

A model is named ``name@production`` (an alias) or ``name@3`` (a version);
:func:`resolve` gives its run folder and its checkpoint after checking the checkpoint's
sha256 against the one registered. Aliases move only through :func:`move_alias` (the
promotion gate is :mod:`lbpnet.audit.promotion`); every registration, move and refusal
is an entry of the audit log. Writes hold the registry's file lock.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from lbpnet.atomic import atomic_write_json
from lbpnet.audit.lock import file_lock
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.hashing import file_sha256

ENV_VAR = "LBPNET_REGISTRY"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ALIASES = ("candidate", "production")


def registry_root(root: str | os.PathLike | None = None) -> Path:
    """The registry folder: ``root``, ``$LBPNET_REGISTRY`` or ``./logs/registry``."""
    return Path(root or os.environ.get(ENV_VAR) or Path("logs") / "registry").expanduser().resolve()


def default_audit_log(root: Path) -> Path:
    """The audit log registry commands write to by default: ``$LBPNET_AUDIT_LOG``, else
    ``audit.jsonl`` beside the registry folder (``logs/audit.jsonl``)."""
    from lbpnet.audit.log import ENV_VAR as LOG_VAR
    return Path(os.environ.get(LOG_VAR) or root.parent / "audit.jsonl").resolve()


def _check_name(name: str) -> str:
    if not NAME.match(str(name or "")):
        raise ConfigError(f"'{name}' is not a model name", field="name",
                          fix="use letters, digits, '_', '-', '.' (e.g. name=strategy_cnn)")
    return str(name)


def versions(name: str, root: str | os.PathLike | None = None) -> list[dict]:
    """Every registered version of ``name``, oldest first (empty when none)."""
    folder = registry_root(root) / _check_name(name) / "versions"
    found = sorted(int(p.name) for p in folder.glob("*")
                   if p.name.isdigit() and (p / "version.json").is_file())
    return [read_version(name, n, root) for n in found]


def read_version(name: str, number: int, root: str | os.PathLike | None = None) -> dict:
    """``version.json`` of ``name`` version ``number``."""
    path = registry_root(root) / _check_name(name) / "versions" / str(int(number)) / "version.json"
    if not path.is_file():
        have = [v["version"] for v in versions(name, root)] if path.parent.parent.is_dir() else []
        raise ConfigError(f"model '{name}' has no version {number} (versions: {have or 'none'})",
                          source=str(path.parent.parent), field="version",
                          fix="lbpnet-registry list name=... shows the versions")
    return json.loads(path.read_text())


def aliases(name: str, root: str | os.PathLike | None = None) -> dict[str, int]:
    """``{alias: version}`` of ``name`` (empty when none is set)."""
    path = registry_root(root) / _check_name(name) / "aliases.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _summary_metrics(metrics: dict) -> dict:
    keep = {k: v for k, v in metrics.items() if isinstance(v, (int, float))
            and not isinstance(v, bool) and (k.startswith(("test/", "val/")) or k == "best_val")}
    return dict(sorted(keep.items()))


def _training_entry(log: Path, checkpoint_sha: str) -> dict | None:
    """The ``lbpnet-train`` audit entry whose outputs hold this checkpoint (newest first)."""
    from lbpnet.audit.log import read_entries
    if not log.is_file():
        return None
    for entry in reversed(read_entries(log)):
        if entry.get("command") == "lbpnet-train" and any(
                o.get("sha256") == checkpoint_sha for o in entry.get("outputs") or []):
            return entry
    return None


def register(run_dir: str | os.PathLike, name: str, root: str | os.PathLike | None = None,
             checkpoint: str = "best", audit_log: str | os.PathLike | None = None,
             card: bool = True, evaluation: dict | None = None) -> dict:
    """Register the model of a training run as the next version of ``name``.

    Parameters
    ----------
    run_dir : path
        The folder ``lbpnet-train`` wrote (``config.yaml``, ``metrics.json``, checkpoints).
    name : str
        The model's name in the registry.
    root : path, optional
        The registry folder (:func:`registry_root`).
    checkpoint : str
        ``best`` (the tested one), ``last`` or a path inside the run (verified against
        ``metrics.json``'s sha256).
    audit_log : path, optional
        Where the registration is recorded (:func:`default_audit_log`).
    card : bool
        Write the model card (Markdown and HTML) beside ``version.json``.
    evaluation : dict, optional
        Per-subgroup scores and calibration of the test predictions
        (:func:`lbpnet.cli.evaluate_subgroups.evaluate_run`), recorded and shown on the card.

    Returns
    -------
    dict
        The version record (``version.json``).
    """
    from lbpnet.audit.config_diff import run_config
    from lbpnet.audit.log import append_entry
    from lbpnet.explain.checkpoint_files import find_checkpoint

    name, root_path = _check_name(name), registry_root(root)
    run = Path(run_dir).expanduser().resolve()
    if not (run / "config.yaml").is_file() or not (run / "metrics.json").is_file():
        raise ReaderError("not a finished training run (config.yaml and metrics.json needed)",
                          source=str(run), field="run_dir",
                          fix="give run_dir= a folder lbpnet-train wrote and finished")
    ckpt = find_checkpoint(run, str(checkpoint))
    sha = file_sha256(ckpt)
    metrics = json.loads((run / "metrics.json").read_text())
    log = Path(audit_log).resolve() if audit_log else default_audit_log(root_path)
    trained = _training_entry(log, sha)
    if trained is None:          # the run's own log (paths.log_dir of its config)
        from lbpnet.audit.hooks import _log_beside_run
        other = _log_beside_run({}, run).get("log_path")
        trained = _training_entry(Path(other), sha) if other else None
    folder = root_path / name / "versions"
    with file_lock(root_path / name / "registry"):
        existing = versions(name, root_path)
        same = [v["version"] for v in existing if v["checkpoint"]["sha256"] == sha]
        if same:
            raise ConfigError(f"this checkpoint (sha256 {sha[:12]}…) is already {name}@{same[0]}",
                              source=str(ckpt), field="run_dir",
                              fix=f"use {name}@{same[0]}; register a new training run instead")
        number = (existing[-1]["version"] + 1) if existing else 1
        parent = _parent_version(trained, existing)
        split = metrics.get("split") or {}
        record = {
            "name": name, "version": number, "run_dir": str(run),
            "checkpoint": {"path": ckpt.relative_to(run).as_posix(), "sha256": sha},
            "config_sha256": file_sha256(run / "config.yaml"), "config": run_config(run),
            "data": (trained or {}).get("data"),
            "training_audit_entry": {"seq": trained["seq"], "hash": trained["hash"]}
            if trained else None,
            "metrics": _summary_metrics(metrics), "monitor": metrics.get("monitor"),
            "split": {"name": split.get("name"), "by": split.get("by"),
                      **{side: {"subjects": (split.get(side) or {}).get("subjects", []),
                                "windows": (split.get(side) or {}).get("windows")}
                         for side in ("train", "val", "test") if side in split}},
            "synthetic": bool(metrics.get("synthetic", False)),
            "lineage": metrics.get("lineage"), "parent_version": parent,
            "evaluation": evaluation,
        }
        out = folder / str(number)
        out.mkdir(parents=True, exist_ok=True)   # version.json below is created exclusively
        path = out / "version.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        with os.fdopen(fd, "w") as f:
            json.dump(record, f, indent=2, sort_keys=True, default=str)
            f.write("\n")
        cards = []
        if card:                 # regenerated later (lbpnet-registry card): not an output
            from lbpnet.audit.model_card import write_model_card
            cards = [str(p) for p in write_model_card(record, out)]
    append_entry("lbpnet-registry register", None, inputs=[ckpt, run / "config.yaml",
                                                           run / "metrics.json"],
                 outputs=[path], parent={"run_dir": str(run), "checkpoint": str(ckpt),
                                         "sha256": sha},
                 extra={"model": f"{name}@{number}", "parent_version": parent,
                        "model_cards": cards}, log_path=log)
    return record


def _parent_version(trained: dict | None, existing: list[dict]) -> int | None:
    """The registered version whose checkpoint the run resumed or started from."""
    parent_sha = ((trained or {}).get("parent") or {}).get("sha256")
    for v in existing:
        if parent_sha and v["checkpoint"]["sha256"] == parent_sha:
            return v["version"]
    return None


def parse_ref(ref: str) -> tuple[str, str]:
    """``("name", "production")`` or ``("name", "3")`` of ``name@production`` / ``name@3``."""
    if "@" not in str(ref):
        raise ConfigError(f"'{ref}' is not a model reference", field="model",
                          fix="write name@production, name@candidate or name@<version>")
    name, which = str(ref).rsplit("@", 1)
    return _check_name(name), which


def resolve(ref: str, root: str | os.PathLike | None = None) -> tuple[Path, Path, dict]:
    """``(run folder, checkpoint path, version record)`` of ``name@alias`` or
    ``name@<version>``, the checkpoint's sha256 checked against the registered one.

    Raises
    ------
    ConfigError
        Unknown name, alias or version, or a checkpoint changed since registration.
    """
    name, which = parse_ref(ref)
    if which.isdigit():
        number = int(which)
    else:
        set_ = aliases(name, root)
        if which not in set_:
            raise ConfigError(f"model '{name}' has no alias '{which}' (aliases: {set_ or 'none'})",
                              source=str(registry_root(root) / name / "aliases.json"),
                              field="alias", fix=f"lbpnet-registry promote name={name} "
                                                 f"version=<n> alias={which}")
        number = set_[which]
    record = read_version(name, number, root)
    run = Path(record["run_dir"])
    ckpt = run / record["checkpoint"]["path"]
    now = file_sha256(ckpt) if ckpt.is_file() else None
    if now != record["checkpoint"]["sha256"]:
        raise ConfigError(f"the checkpoint of {name}@{number} "
                          f"{'changed' if now else 'is missing'} since it was registered "
                          f"(registered sha256 {record['checkpoint']['sha256'][:12]}…"
                          f"{', now ' + now[:12] + '…' if now else ''})", source=str(ckpt),
                          field="checkpoint", fix="restore the registered file, or register "
                                                  "the run again as a new version")
    return run, ckpt, record


def move_alias(name: str, alias: str, number: int, root: str | os.PathLike | None = None,
               audit_log: str | os.PathLike | None = None, extra: dict | None = None) -> dict:
    """Point ``alias`` of ``name`` at version ``number`` (no gate: see
    :func:`lbpnet.audit.promotion.promote`); the move is an audit-log entry. Returns the
    new ``{alias: version}``."""
    from lbpnet.audit.log import append_entry
    name, root_path = _check_name(name), registry_root(root)
    if not NAME.match(str(alias)) or str(alias).isdigit():
        raise ConfigError(f"'{alias}' is not an alias name", field="alias",
                          fix="use candidate, production or another word")
    record = read_version(name, number, root_path)
    path = root_path / name / "aliases.json"
    with file_lock(root_path / name / "registry"):
        current = aliases(name, root_path)
        before = current.get(alias)
        current[alias] = int(number)
        atomic_write_json(path, current)
    log = Path(audit_log).resolve() if audit_log else default_audit_log(root_path)
    append_entry("lbpnet-registry promote", None, outputs=[],
                 inputs=[Path(record["run_dir"]) / record["checkpoint"]["path"]],
                 parent={"model": f"{name}@{number}"},
                 extra={"alias": alias, "from_version": before, "to_version": int(number),
                        "moved": True, **(extra or {})}, log_path=log)
    return current
