"""Which store backend a path means: memory-mapped ``.npy`` folders or Zarr v3 groups.

``npy`` (``NAME.lbp/``, :mod:`lbpnet.recording.store`): the fastest on a local disk — a
window is a slice of a memory map, no decompression. ``zarr`` (``NAME.zarr``,
:mod:`lbpnet.recording.zarr_store`): chunked and compressed (Blosc/zstd), readable through
fsspec from object storage (``s3://``, ``gs://``, ``memory://``), one writer per chunk.
"""

from __future__ import annotations

import os

from lbpnet.errors import ConfigError

BACKENDS = ("npy", "zarr")
SUFFIXES = {"npy": ".lbp", "zarr": ".zarr"}


def is_url(path: str | os.PathLike) -> bool:
    """True for an fsspec URL (``scheme://...``) other than ``file://``."""
    text = str(path)
    return "://" in text and not text.startswith("file://")


def backend_of(path: str | os.PathLike, backend: str | None = None) -> str:
    """``backend`` if given (``npy`` or ``zarr``), else ``zarr`` for a path ending in
    ``.zarr`` (or any URL), else ``npy``.

    Raises
    ------
    ConfigError
        An unknown backend, or ``npy`` for a URL (memory maps need a local file).
    """
    if backend is None:
        text = str(path).rstrip("/")
        return "zarr" if text.endswith(".zarr") or is_url(text) else "npy"
    if backend not in BACKENDS:
        raise ConfigError(f"unknown store backend {backend!r}", field="data.store_backend",
                          fix="use npy or zarr")
    if backend == "npy" and is_url(path):
        raise ConfigError(f"{path} is a URL; the npy store memory-maps local files",
                          field="data.store_backend", fix="use store_backend=zarr for URLs")
    return backend
