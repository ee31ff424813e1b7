"""SHA-256 of a file's every byte: one definition for every layer (the audit trail records
it, ``lbpnet-explain`` checks a checkpoint against it)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from lbpnet.errors import ReaderError


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of every byte of a file (e.g. a model checkpoint).

    Raises
    ------
    ReaderError
        The file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise ReaderError("file to fingerprint does not exist", source=str(path),
                          fix="check the path (a checkpoint or config of the run)")
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
