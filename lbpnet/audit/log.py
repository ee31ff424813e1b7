"""The audit log: an append-only, hash-chained JSON-lines file of every run.

Every ``lbpnet-train``, ``-explain``, ``-report`` (and registry command) appends one
line (:func:`append_entry`)::

    {"seq": 3, "time_utc": "2026-12-02T07:01:02Z", "command": "lbpnet-train",
     "argv": [...], "user": "u-3f9a1c2e", "config_sha256": "...",
     "parameter_changes": {"against": "...", "changed": {...}, "added": {...},
                           "removed": {...}},
     "data": {"sha256": ..., ...}, "code": {"lbpnet": "0.1.0", "git_commit": ..., "git_dirty": ...},
     "environment": {"python": ..., "platform": ..., "packages": {name: version}},
     "inputs": [{"path", "sha256", "bytes"}], "outputs": [...], "parent": {...},
     "extra": {...}, "prev": "<hash of entry 2>", "hash": "<sha256 of this entry>"}

Where: ``audit.log`` of the command's config, else ``$LBPNET_AUDIT_LOG``, else
``<paths.log_dir>/audit.jsonl`` (``logs/audit.jsonl`` where the command ran). Writers
hold a file lock (:func:`~lbpnet.audit.lock.file_lock`), so concurrent runs never
interleave; only the global rank 0 process of a DDP run writes. ``<log>.head`` holds the
number of entries and the last hash, so a removed last entry is found too
(:func:`lbpnet.audit.verify.verify_log`).

Privacy: the OS user is replaced by its keyed pseudonym (``audit.user=pseudonym``, the
default; ``name`` keeps it, ``none`` leaves it out); the entry's own UTC time is the audit
trail the user asked for; no recording date is written.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from lbpnet import __version__
from lbpnet.atomic import atomic_write_json
from lbpnet.audit.entry import GENESIS, file_record, seal
from lbpnet.audit.lock import file_lock
from lbpnet.errors import ConfigError, ReaderError

ENV_VAR = "LBPNET_AUDIT_LOG"
FILE_NAME = "audit.jsonl"


def _get(cfg, key, default=None):
    if cfg is None:
        return default
    try:
        from omegaconf import OmegaConf
        value = OmegaConf.select(cfg, key, default=default) if hasattr(cfg, "_get_node") \
            else _dig(cfg, key, default)
    except Exception:
        value = default
    return default if value is None else value


def _dig(mapping, key, default):
    for part in key.split("."):
        if not isinstance(mapping, Mapping) or part not in mapping:
            return default
        mapping = mapping[part]
    return mapping


def log_path_of(cfg=None, log_path: str | os.PathLike | None = None) -> Path:
    """Where the audit log of a run is: ``log_path``, ``cfg.audit.log``,
    ``$LBPNET_AUDIT_LOG``, ``<cfg.paths.log_dir>/audit.jsonl``, or ``./logs/audit.jsonl``."""
    chosen = log_path or _get(cfg, "audit.log") or os.environ.get(ENV_VAR)
    if not chosen:
        log_dir = _get(cfg, "paths.log_dir")
        chosen = Path(log_dir) / FILE_NAME if log_dir else Path("logs") / FILE_NAME
    return Path(chosen).expanduser().resolve()


def global_rank() -> int:
    """The process's global rank in a distributed run (0 when not distributed)."""
    # Lightning's own view when it is loaded (never imported here: a slow import)
    for name in ("pytorch_lightning.utilities.rank_zero", "lightning_fabric.utilities.rank_zero"):
        module = sys.modules.get(name)
        rank = getattr(getattr(module, "rank_zero_only", None), "rank", None)
        if rank is not None:
            return int(rank)
    for name in ("RANK", "SLURM_PROCID", "LOCAL_RANK"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 0


def writes(cfg=None) -> bool:
    """Whether this process writes audit entries: ``audit.enabled`` (default true) and
    global rank 0."""
    return bool(_get(cfg, "audit.enabled", True)) and global_rank() == 0


def user_of(mode: str = "pseudonym") -> str | None:
    """The OS user as the audit log records it: ``u-<keyed pseudonym>`` (``pseudonym``),
    the login name (``name``) or None (``none``)."""
    if mode == "none":
        return None
    try:
        name = getpass.getuser()
    except Exception:                     # no login name (a container without a passwd entry)
        name = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    if mode == "name":
        return name
    if mode != "pseudonym":
        raise ConfigError(f"unknown audit.user '{mode}'", field="audit.user",
                          fix="use pseudonym (default), name or none")
    from lbpnet.recording.pseudonym import pseudonym
    return "u-" + pseudonym(name)


def _last_line(path: Path) -> bytes | None:
    """The last non-empty line of a file (read from the end), None for an empty file."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        block, data = 1 << 16, b""
        pos = end
        while pos > 0:
            step = min(block, pos)
            pos -= step
            f.seek(pos)
            data = f.read(step) + data
            stripped = data.rstrip(b"\n")
            if b"\n" in stripped:
                return stripped.rsplit(b"\n", 1)[1]
        stripped = data.rstrip(b"\n")
        return stripped or None


def last_entry(path: str | os.PathLike) -> dict | None:
    """The last entry of a log (None for a missing or empty log)."""
    path = Path(path)
    if not path.is_file():
        return None
    line = _last_line(path)
    if line is None:
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReaderError(f"the last line of the audit log is not JSON ({exc.msg})",
                          source=str(path), field="last entry",
                          fix="run `lbpnet-audit verify` to find the damage; never edit the "
                              "log by hand") from None


def head_path(path: str | os.PathLike) -> Path:
    """``<log>.head``: the number of entries and the last hash, rewritten on each append."""
    path = Path(path)
    return path.with_name(path.name + ".head")


def _code() -> dict:
    from lbpnet.audit.manifest import git_state
    commit, dirty = git_state()
    return {"lbpnet": __version__, "git_commit": commit, "git_dirty": dirty}


def append_entry(command: str, cfg=None, *, inputs: Iterable = (), outputs: Iterable = (),
                 parent: Mapping | None = None, data: Mapping | None = None,
                 extra: Mapping | None = None, config_name: str | None = None,
                 reference: Mapping | None = None, reference_name: str | None = None,
                 config_sha256: str | None = None, compare_with_parent: bool = True,
                 log_path: str | os.PathLike | None = None) -> dict | None:
    """Append one entry for a run to the audit log; return it (None when not written:
    ``audit.enabled=false`` or a DDP rank other than 0).

    Parameters
    ----------
    command : str
        The command, e.g. ``"lbpnet-train"``; ``sys.argv`` is recorded beside it.
    cfg : DictConfig or mapping, optional
        The run's configuration: hashed, diffed (the parameter changes) and read for
        ``audit.*`` and ``paths.log_dir``.
    inputs, outputs : iterable of path
        Files (or folders: every file under them) the run read / wrote; each recorded
        with its SHA-256 and size, checked by ``lbpnet-audit verify``.
    parent : mapping, optional
        The parent model or run, e.g. ``{"run_dir": ..., "checkpoint": ..., "sha256": ...}``
        or ``{"model": "name@3"}``; a ``run_dir`` holding a ``config.yaml`` is what the
        parameter changes are computed against.
    data : mapping, optional
        :func:`~lbpnet.audit.fingerprint.data_fingerprint` of the recordings used.
    extra : mapping, optional
        Anything else worth keeping (a refusal's numbers, an alias move).
    config_name : str, optional
        ``conf/<config_name>.yaml``: the default configuration compared with when there
        is no parent run (``"train"``, ``"explain"``, ``"report"``).
    reference, reference_name : optional
        Compare with this configuration instead, and say so by this name.
    config_sha256 : str, optional
        The hash of the run's config file, when the caller has it.
    compare_with_parent : bool
        Diff against the parent run's ``config.yaml`` (a training run resumed or started
        from another); False for commands whose config is not a training config.
    log_path : path, optional
        Overrides where the log is (see :func:`log_path_of`).
    """
    if not writes(cfg):
        return None
    from lbpnet.audit.config_diff import config_diff, default_config, run_config, to_plain
    from lbpnet.audit.fingerprint import config_hash
    from lbpnet.audit.soup import environment

    path = log_path_of(cfg, log_path)
    changes, plain = None, to_plain(cfg) if cfg is not None else None
    if plain is not None:
        plain.pop("audit", None)
        if reference is None and compare_with_parent and parent and parent.get("run_dir"):
            reference = run_config(parent["run_dir"])
            reference_name = f"parent run {Path(parent['run_dir']).resolve()}"
        if reference is None and config_name:
            reference = default_config(config_name)
            reference_name = f"default conf/{config_name}.yaml"
        if reference is not None:
            reference = {k: v for k, v in dict(reference).items() if k != "audit"}
            changes = {"against": reference_name or "reference", **config_diff(reference, plain)}
    files_in = [r for p in inputs if p for r in file_record(p)]
    files_out = [r for p in outputs if p for r in file_record(p)]
    entry = {"time_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")
             .replace("+00:00", "Z"),
             "command": command, "argv": list(sys.argv), "cwd": os.getcwd(),
             "user": user_of(str(_get(cfg, "audit.user", "pseudonym"))),
             "config_sha256": config_sha256 or (config_hash(plain) if plain else None),
             "parameter_changes": changes, "data": dict(data) if data else None,
             "code": _code(), "environment": environment(), "inputs": files_in,
             "outputs": files_out, "parent": dict(parent) if parent else None,
             "extra": dict(extra or {})}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(path):
            last = last_entry(path)
            sealed = seal(entry, last["hash"] if last else GENESIS,
                          int(last["seq"]) + 1 if last else 0)
            line = (json.dumps(sealed, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False) + "\n").encode("utf-8")
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            atomic_write_json(head_path(path), {"entries": sealed["seq"] + 1,
                                                "hash": sealed["hash"]})
    except OSError as exc:
        raise ConfigError(f"cannot write the audit log ({exc})", source=str(path),
                          field="audit.log", fix="point audit.log= at a writable file "
                          "(or audit.enabled=false to run without an audit trail)") from exc
    return sealed


def read_entries(path: str | os.PathLike) -> list[dict]:
    """Every entry of a log, in order (raises :class:`ReaderError` naming the first line
    that is not JSON)."""
    path = Path(path)
    if not path.is_file():
        raise ReaderError("no audit log here", source=str(path),
                          fix="give the log's path (default logs/audit.jsonl where the runs "
                              "were started), e.g. lbpnet-audit log --log logs/audit.jsonl")
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ReaderError(f"line {n + 1} is not JSON ({exc.msg})", source=str(path),
                                  fix="run `lbpnet-audit verify`") from None
    return out
