"""One audit-log entry: its canonical JSON form and its SHA-256, the chain's link.

An entry is a JSON object on one line. Its ``hash`` is the SHA-256 of the entry's
canonical JSON (keys sorted, no spaces, UTF-8) without the ``hash`` key; its ``prev``
is the previous entry's ``hash`` (:data:`GENESIS` for the first), so editing,
removing or reordering any entry breaks every later link.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from lbpnet.hashing import file_sha256

GENESIS = "0" * 64
"""``prev`` of the first entry of a log."""


def canonical(obj) -> str:
    """Canonical JSON text of ``obj``: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_hash(entry: dict) -> str:
    """SHA-256 (hex) of an entry's canonical JSON without its ``hash`` key."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def seal(entry: dict, prev: str, seq: int) -> dict:
    """The entry as JSON-native data with ``seq``, ``prev`` and its own ``hash`` set."""
    body = json.loads(canonical({**entry, "seq": int(seq), "prev": prev}))
    body.pop("hash", None)
    body["hash"] = entry_hash(body)
    return body


def file_record(path: str | os.PathLike, role: str | None = None) -> list[dict]:
    """``[{"path": absolute path, "sha256": ..., "bytes": size}]`` of a file, or of every
    file under a folder (sorted; ``role`` added to each when given)."""
    path = Path(path).expanduser().resolve()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = []
    for f in files:
        rec = {"path": str(f), "sha256": file_sha256(f), "bytes": f.stat().st_size}
        if role:
            rec["role"] = role
        out.append(rec)
    return out
