"""The on-disk format of a versioned label store, and its reader.

A store is a folder::

    store.json     {"format": 1, "classes": [...], "versions": [{"version", "n_entries",
                    "created", "note"}, ...]}
    labels.jsonl   one entry per line, oldest first, never rewritten in place

Each entry carries ``hash``: the SHA-256 of the previous entry's hash and the
entry's own fields (a chain), so a line edited by hand breaks the chain at that
entry and is refused by name. An entry's ``id`` is the first 16 hex digits of its
hash. A correction is a new entry whose ``supersedes`` names the id it replaces;
nothing is ever deleted. A label-set *version* is the content hash of the entries
it holds (the first ``n_entries`` lines, in order): the first 12 hex digits of
the SHA-256 of their hashes.

This module only reads (it sits below ``windows`` so that training can use a label
set); :mod:`lbpnet.curation.label_store` writes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lbpnet.errors import ConfigError, ReaderError

STORE_FILE = "store.json"
LABELS_FILE = "labels.jsonl"
ENTRY_FIELDS = ("recording", "start_s", "end_s", "label", "annotator", "time", "source",
                "reason", "supersedes")


@dataclass(frozen=True)
class LabelEntry:
    """One expert label on one interval of one recording.

    Parameters
    ----------
    recording : str
        The recording's key (``Recording.key``, e.g. ``sub-01_ses-1``).
    start_s, end_s : float
        The interval on the recording's clock (s), ``start_s < end_s``.
    label : str
        One of the store's classes.
    annotator : str
        Who labelled it (pseudonymous user name or e-mail of the labelling tool).
    time : str
        When, UTC, ISO 8601 (``2026-12-02T06:40:00Z``).
    source : dict
        Where it came from: ``queue`` (the review queue id), ``model_version``,
        ``tool`` (e.g. ``label-studio``), ``task`` (the tool's task id).
    reason : str
        The reviewer's free-text reason ('' if none).
    supersedes : str or None
        The id of the entry this one corrects.
    hash, id : str
        Chain hash (64 hex) and id (its first 16 hex); set by the store.
    """

    recording: str
    start_s: float
    end_s: float
    label: str
    annotator: str
    time: str
    source: dict = field(default_factory=dict)
    reason: str = ""
    supersedes: str | None = None
    hash: str = ""
    id: str = ""

    def fields(self) -> dict:
        """The hashed fields (everything but ``hash`` and ``id``)."""
        d = asdict(self)
        return {k: d[k] for k in ENTRY_FIELDS}


def entry_hash(previous: str, fields: dict) -> str:
    """SHA-256 (hex) of ``previous`` hash and the canonical JSON of ``fields``."""
    text = previous + json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_of(entries: list[LabelEntry]) -> str:
    """The label-set version of ``entries`` (12 hex digits of the hash of their hashes)."""
    return hashlib.sha256("\n".join(e.hash for e in entries).encode()).hexdigest()[:12]


def read_store_meta(path: str | Path) -> dict:
    """``store.json`` of the store at ``path`` (classes and versions)."""
    meta_path = Path(path) / STORE_FILE
    if not meta_path.is_file():
        raise ReaderError("not a label store (no store.json)", source=str(path),
                          fix="give the folder `lbpnet-curate import store=...` wrote")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as err:
        raise ReaderError(f"store.json is not valid JSON ({err})", source=str(meta_path),
                          fix="restore store.json; it is written by lbpnet only") from None
    for key in ("classes", "versions"):
        if key not in meta:
            raise ReaderError(f"store.json has no '{key}'", source=str(meta_path), field=key,
                              fix="restore store.json; it is written by lbpnet only")
    return meta


def read_entries(path: str | Path) -> list[LabelEntry]:
    """Every entry of the store, oldest first, with the hash chain checked.

    Raises
    ------
    ReaderError
        An entry whose stored hash does not match its content (edited by hand),
        naming the line and the entry id.
    """
    labels = Path(path) / LABELS_FILE
    if not labels.is_file():
        return []
    entries, previous = [], ""
    for line_no, line in enumerate(labels.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            entry = LabelEntry(**raw)
        except (json.JSONDecodeError, TypeError) as err:
            raise ReaderError(f"line {line_no} is not a label entry ({err})", source=str(labels),
                              field=f"line {line_no}",
                              fix="the store was edited by hand: restore labels.jsonl from a "
                                  "backup; corrections go in as new entries") from None
        expected = entry_hash(previous, entry.fields())
        if expected != entry.hash or entry.id != entry.hash[:16]:
            raise ReaderError(
                f"entry {entry.id or '?'} on line {line_no} (recording {entry.recording}, "
                f"{entry.start_s}-{entry.end_s} s, label '{entry.label}') does not match its "
                "hash: the store was edited by hand", source=str(labels),
                field=f"line {line_no}",
                fix="restore labels.jsonl from a backup; to correct a label, import a new "
                    "entry that supersedes it (LabelStore.correct)")
        entries.append(entry)
        previous = entry.hash
    return entries


def split_spec(spec: str) -> tuple[Path, str | None]:
    """``"<store>@<version>"`` → ``(store path, version)``; no ``@``: the latest version."""
    text = str(spec)
    if "@" in text:
        store, version = text.rsplit("@", 1)
        return Path(store).expanduser(), version or None
    return Path(text).expanduser(), None


def read_label_set(path: str | Path, version: str | None = None) -> tuple[str, list[LabelEntry]]:
    """``(version, entries)`` of one label-set version: its entries minus those a later
    entry of the same version supersedes. ``version=None``: the latest.

    Raises
    ------
    ConfigError
        A version the store does not have (the versions it has are listed).
    ReaderError
        A store edited by hand (see :func:`read_entries`).
    """
    meta = read_store_meta(path)
    entries = read_entries(path)
    versions = meta["versions"]
    if not versions:
        raise ConfigError("the label store has no version yet", source=str(path),
                          field="data.labels", fix="import labels first (lbpnet-curate import)")
    if version is None:
        chosen = versions[-1]
    else:
        found = [v for v in versions if v["version"] == version]
        if not found:
            have = ", ".join(v["version"] for v in versions)
            raise ConfigError(f"label-set version '{version}' does not exist (versions: {have})",
                              source=str(path), field="data.labels",
                              fix="give one of the listed versions after '@'")
        chosen = found[0]
    held = entries[: int(chosen["n_entries"])]
    if len(held) < int(chosen["n_entries"]) or version_of(held) != chosen["version"]:
        raise ReaderError(f"version {chosen['version']} does not match the entries on disk "
                          f"({len(held)} of {chosen['n_entries']} found)",
                          source=str(Path(path) / LABELS_FILE), field="versions",
                          fix="restore labels.jsonl and store.json from a backup")
    superseded = {e.supersedes for e in held if e.supersedes}
    return chosen["version"], [e for e in held if e.id not in superseded]
