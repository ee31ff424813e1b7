"""An append-only, versioned store of expert labels (the writer).

The format and its reader are in :mod:`lbpnet.recording.label_store_format`
(below ``windows``, so training can read a label set). Every write appends
entries, never changes one, and records a new label-set version; both files are
replaced atomically (temporary file, then rename), ``labels.jsonl`` first, so a
crash leaves the previous version whole.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from datetime import datetime, timezone
from pathlib import Path

from lbpnet.atomic import atomic_write_json, atomic_write_text
from lbpnet.errors import ConfigError
from lbpnet.recording.label_store_format import (LABELS_FILE, STORE_FILE, LabelEntry, entry_hash,
                                                 read_entries, read_label_set, read_store_meta,
                                                 version_of)


def utc_now() -> str:
    """The current time, UTC, ISO 8601 with a ``Z`` (seconds)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class LabelStore:
    """A folder of versioned labels for one class set.

    Parameters
    ----------
    path : path
        The store's folder.
    classes : list of str, optional
        The class set; needed to create a store, checked against an existing one.

    Examples
    --------
    >>> store = LabelStore("labels", classes=["sitting", "standing"])  # doctest: +SKIP
    >>> version = store.append([entry], note="review of run X")        # doctest: +SKIP
    """

    def __init__(self, path, classes: list[str] | None = None) -> None:
        self.path = Path(path).expanduser()
        if (self.path / STORE_FILE).is_file():
            meta = read_store_meta(self.path)
            if classes is not None and list(classes) != list(meta["classes"]):
                raise ConfigError(f"the store's classes are {meta['classes']}, not "
                                  f"{list(classes)}", source=str(self.path), field="classes",
                                  fix="use the store made for this class set, or a new folder")
        elif classes is None:
            raise ConfigError("not a label store (no store.json) and no classes to create one",
                              source=str(self.path), field="store",
                              fix="give the classes (the run's, or the queue's) to create it")
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            atomic_write_json(self.path / STORE_FILE, {"format": 1, "classes": list(classes),
                                                       "versions": []})

    @property
    def classes(self) -> list[str]:
        """The store's class set."""
        return list(read_store_meta(self.path)["classes"])

    def versions(self) -> list[dict]:
        """Every version, oldest first: ``version``, ``n_entries``, ``created``, ``note``."""
        return list(read_store_meta(self.path)["versions"])

    def entries(self) -> list[LabelEntry]:
        """Every entry ever written (superseded ones too), hash chain checked."""
        return read_entries(self.path)

    def label_set(self, version: str | None = None) -> tuple[str, list[LabelEntry]]:
        """``(version, active entries)`` of ``version`` (``None``: the latest)."""
        return read_label_set(self.path, version)

    def append(self, new: list[LabelEntry], note: str = "") -> str:
        """Append ``new`` entries (their ``hash``/``id`` are set here) and return the new
        label-set version.

        Raises
        ------
        ConfigError
            A label outside the store's classes, an interval that is not
            ``0 <= start_s < end_s``, no annotator, or ``supersedes`` naming an id the
            store does not hold.
        """
        with self._locked():             # two imports at once: one after the other
            return self._append(new, note)

    @contextlib.contextmanager
    def _locked(self):
        with open(self.path / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _append(self, new: list[LabelEntry], note: str) -> str:
        meta = read_store_meta(self.path)
        old = read_entries(self.path)
        if not new:
            raise ConfigError("nothing to append", source=str(self.path), field="entries",
                              fix="give at least one label")
        ids = {e.id for e in old}
        previous = old[-1].hash if old else ""
        lines, written = [], []
        for i, e in enumerate(new):
            self._check(e, i, meta["classes"], ids)
            fields = LabelEntry(**{**e.fields(), "start_s": float(e.start_s),
                                   "end_s": float(e.end_s)}).fields()
            h = entry_hash(previous, fields)
            entry = LabelEntry(**fields, hash=h, id=h[:16])
            ids.add(entry.id)
            written.append(entry)
            lines.append(json.dumps({**fields, "hash": h, "id": entry.id}, sort_keys=True))
            previous = h
        path = self.path / LABELS_FILE
        text = path.read_text() if path.is_file() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        atomic_write_text(path, text + "\n".join(lines) + "\n")
        version = version_of(old + written)
        meta["versions"].append({"version": version, "n_entries": len(old) + len(written),
                                 "created": utc_now(), "note": note})
        atomic_write_json(self.path / STORE_FILE, meta)
        return version

    def correct(self, entry_id: str, label: str, annotator: str, reason: str = "",
                source: dict | None = None) -> str:
        """Append a correction of entry ``entry_id`` (same interval, new label); return
        the new version. The old entry stays in the store, superseded."""
        old = {e.id: e for e in read_entries(self.path)}
        if entry_id not in old:
            raise ConfigError(f"no entry '{entry_id}' in the store", source=str(self.path),
                              field="supersedes", fix="give the id of an existing entry")
        e = old[entry_id]
        return self.append([LabelEntry(e.recording, e.start_s, e.end_s, label, annotator,
                                       utc_now(), source or dict(e.source), reason,
                                       supersedes=entry_id)], note=f"correction of {entry_id}")

    def _check(self, e: LabelEntry, i: int, classes: list[str], ids: set[str]) -> None:
        where = f"entry {i} (recording {e.recording}, {e.start_s}-{e.end_s} s)"
        if e.label not in classes:
            raise ConfigError(f"{where}: label '{e.label}' is not one of the store's classes "
                              f"{classes}", source=str(self.path), field="label",
                              fix="an export from another project? use that project's store")
        if not str(e.annotator or "").strip():
            raise ConfigError(f"{where} has no annotator", source=str(self.path),
                              field="annotator", fix="say who labelled it")
        if not (0 <= float(e.start_s) < float(e.end_s)):
            raise ConfigError(f"{where}: the interval must satisfy 0 <= start_s < end_s",
                              source=str(self.path), field="start_s/end_s",
                              fix="correct the interval (seconds, recording clock)")
        if e.supersedes and e.supersedes not in ids:
            raise ConfigError(f"{where} supersedes '{e.supersedes}', which is not in the store",
                              source=str(self.path), field="supersedes",
                              fix="give the id of an existing entry")
