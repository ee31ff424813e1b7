"""Read every recording of a folder: native stores (``*.lbp``) or EDF+/BDF+ files."""

from __future__ import annotations

import os
from pathlib import Path

from lbpnet.errors import ReaderError
from lbpnet.recording.recording import Recording
from lbpnet.recording.store import read_recording


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


def load_store_folder(root: str | os.PathLike, subjects=None, backend: str = "npy",
                      storage_options: dict | None = None) -> list[Recording]:
    """All native-store recordings below ``root``: ``*.lbp`` folders (``backend="npy"``,
    memory-mapped) or ``*.zarr`` groups (``backend="zarr"``; ``root`` may then be an fsspec
    URL such as ``s3://bucket/cohort``, with ``storage_options`` for its file system)."""
    from lbpnet.recording.store_backends import SUFFIXES, backend_of, is_url
    backend = backend_of(root, backend)
    if backend == "zarr" and is_url(root):
        from lbpnet.recording.zarr_store import read_zarr
        import fsspec
        fs, base = fsspec.core.url_to_fs(str(root), **(storage_options or {}))
        found = sorted(fs.glob(f"{base.rstrip('/')}/**/*.zarr"))
        if not found:
            raise ReaderError("no Zarr stores ('*.zarr') below the URL", source=str(root),
                              field="data.root", fix="point data.root at a folder of .zarr")
        protocol = fs.protocol[0] if isinstance(fs.protocol, (tuple, list)) else fs.protocol
        recs = [read_zarr(f"{protocol}://{p.lstrip('/')}" if protocol != "memory"
                          else f"memory://{p}", storage_options) for p in found]
    else:
        suffix = SUFFIXES[backend]
        recs = [read_recording(p, backend=backend)
                for p in _files(root, f"*{suffix}", "lbpnet stores")]
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
