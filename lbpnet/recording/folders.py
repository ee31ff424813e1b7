"""Read every recording of a folder: native stores (``*.lbp``) or EDF+/BDF+ files."""

from __future__ import annotations

import os
from pathlib import Path

from lbpnet.errors import ReaderError
from lbpnet.recording.recording import Recording
from lbpnet.recording.store import SUFFIX, read_recording


def _files(root: str | os.PathLike, pattern: str, what: str) -> list[Path]:
    root = Path(root)
    if not root.is_dir():
        raise ReaderError("folder does not exist", source=str(root), field="data.root",
                          fix="give the path of a folder holding the recordings")
    found = sorted(root.rglob(pattern))
    if not found:
        raise ReaderError(f"no {what} matching '{pattern}' in the folder", source=str(root),
                          field="data.root", fix=f"point data.root at a folder of {what}")
    return found


def load_store_folder(root: str | os.PathLike, subjects=None) -> list[Recording]:
    """All native-store recordings (``*.lbp`` folders) below ``root``, memory-mapped."""
    recs = [read_recording(p) for p in _files(root, f"*{SUFFIX}", "lbpnet stores")]
    return [r for r in recs if subjects is None or r.subject in set(map(str, subjects))]


def load_edf_folder(root: str | os.PathLike, pattern: str = "*.[eEbB][dD][fF]",
                    subjects=None, keep_dates: bool = False,
                    pseudonym_key: str | os.PathLike | None = None) -> list[Recording]:
    """All EDF+/BDF+ files below ``root``; their annotations become labels.

    Subjects are pseudonyms of the EDF+ patient codes (``subjects`` lists pseudonyms);
    each recording's ``metadata["start_offset_s"]`` is seconds from its subject's first
    recording; dates are kept only when ``keep_dates`` (see :func:`read_edf`).
    """
    from lbpnet.recording.edf import offsets_from_first, read_edf
    recs = offsets_from_first([read_edf(p, keep_dates=True, pseudonym_key=pseudonym_key)
                               for p in _files(root, pattern, "EDF/BDF files")], keep_dates)
    return [r for r in recs if subjects is None or r.subject in set(map(str, subjects))]
