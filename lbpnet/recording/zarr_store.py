"""The Zarr v3 backend of the native store: chunked, compressed, local or remote (fsspec).

Layout of ``NAME.zarr`` (a Zarr v3 group)::

    zarr.json            group metadata; attribute ``lbpnet`` = the header of
                         ``recording.json`` (same schema, ``file`` = the array's name)
    <stream>/            one array (n_samples, n_channels), chunks of ``chunk_samples``
                         rows x all channels, Blosc/zstd compressed; float32 physical
                         values, or integer counts with per-channel gain/offset

The same :class:`~lbpnet.recording.recording.Recording` comes back as from the ``.npy``
store: ``stream.data[i:j]`` reads and decompresses only the chunks under the slice (kept in
a per-process LRU of decoded chunks, :mod:`lbpnet.recording.chunk_cache`), and a
window is bit for bit what the ``.npy`` store gives (integer counts go through the same
:class:`~lbpnet.recording.scaled.ScaledArray`).

Atomicity. A **local path** is written to a temporary folder beside it and renamed into
place (as the ``.npy`` store: :mod:`lbpnet.recording.store_swap`), so a crash leaves the old
recording or the new one, never half. A **URL** (``s3://``, ``gs://``, ``memory://``) has no
atomic rename of a folder: the group is cleared first, every array is written, and the
``lbpnet`` header is written last. A reader refuses a group without the header, so a crash
leaves a store that is refused as incomplete (and the old recording gone), never one that
reads as complete with half its samples. Several processes may fill *different chunks* of
one array at once (chunk-aligned writes touch separate objects).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.store import copy_streams, stream_entry
from lbpnet.recording.store_backends import is_url
from lbpnet.recording.store_handles import ZarrHandle
from lbpnet.recording.store_schema import FORMAT, VERSION, VERSION_COUNTS, validate_header
from lbpnet.recording.store_swap import clean_dead_writers, make_temp, recover, replace_dir
from lbpnet.recording.stream import Stream

__all__ = ["ZarrRecordingWriter", "write_zarr", "read_zarr", "CHUNK_SAMPLES"]
CHUNK_SAMPLES = 8192
"""Rows per chunk (all channels in one chunk): 8192 x 16 int16 channels = 256 KiB raw."""
HEADER_KEY = "lbpnet"


def _compressor(clevel: int):
    from zarr.codecs import BloscCodec
    return BloscCodec(cname="zstd", clevel=int(clevel), shuffle="shuffle")


class ZarrRecordingWriter:
    """Write a recording to a Zarr v3 group stream by stream, as :class:`RecordingWriter`.

    Parameters
    ----------
    path : str or PathLike
        A local ``.zarr`` folder or an fsspec URL.
    subject, session, task, run, annotations, metadata
        As :class:`lbpnet.recording.store.RecordingWriter`.
    chunk_samples : int
        Rows per chunk.
    clevel : int
        zstd level (1 fast … 9 small).
    storage_options : dict, optional
        fsspec options of a URL.

    :meth:`create_stream` returns a Zarr array to fill by slices (``a[i:j] = block``).
    """

    def __init__(self, path, *, subject: str = "unknown", session: str | None = None,
                 task: str | None = None, run: str | None = None,
                 annotations: Annotations | None = None, metadata: dict | None = None,
                 chunk_samples: int = CHUNK_SAMPLES, clevel: int = 3,
                 storage_options: dict | None = None) -> None:
        self.url = str(path)
        self.remote = is_url(path)
        self.header = {"format": FORMAT, "version": VERSION, "subject": subject,
                       "session": session, "task": task, "run": run,
                       "metadata": dict(metadata or {}), "streams": {}}
        self.annotations = annotations or Annotations()
        self.chunk_samples, self.clevel = int(chunk_samples), int(clevel)
        self.storage_options = dict(storage_options or {})
        self._group = None
        self._tmp: Path | None = None

    def __enter__(self) -> "ZarrRecordingWriter":
        import zarr

        if self.remote:
            self._group = zarr.open_group(self.url, mode="w",
                                          storage_options=self.storage_options or None)
        else:
            target = Path(self.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            recover(target)
            clean_dead_writers(target.parent)
            self._tmp = make_temp(target)
            self._group = zarr.open_group(str(self._tmp), mode="w")
        return self

    def create_stream(self, name: str, n_samples: int, sampling_rate: float,
                      channel_names: list[str], channel_types: list[str] | None = None,
                      units: list[str] | None = None, start_time: float = 0.0,
                      dtype: str = "float32", gain=None, offset=None):
        """Create the ``(n_samples, n_channels)`` array of a stream; return it to fill."""
        if self._group is None:
            raise RuntimeError("use ZarrRecordingWriter as a context manager")
        info = stream_entry(self.url, name, sampling_rate, channel_names, channel_types,
                            units, start_time, dtype, gain, offset)
        n_channels = len(channel_names)
        array = self._group.create_array(
            name, shape=(int(n_samples), n_channels), dtype=dtype,
            chunks=(max(1, min(self.chunk_samples, int(n_samples))), n_channels),
            compressors=[_compressor(self.clevel)], fill_value=0)
        self.header["streams"][name] = {"file": name, **info}
        if "gain" in info:
            self.header["version"] = VERSION_COUNTS
        return array

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None:
                return
            self.header["annotations"] = self.annotations.to_dict()
            validate_header(self.header, self.url, backend="zarr")   # never write what fails
            self._group.attrs[HEADER_KEY] = self.header               # last: marks complete
            if self._tmp is not None:
                replace_dir(self._tmp, Path(self.url))
                self._tmp = None
        finally:
            self._group = None
            if self._tmp is not None and self._tmp.exists():
                shutil.rmtree(self._tmp, ignore_errors=True)


def write_zarr(recording: Recording, path, chunk_samples: int = 1 << 20,
               zarr_chunk_samples: int = CHUNK_SAMPLES, clevel: int = 3,
               storage_options: dict | None = None) -> str | Path:
    """Write ``recording`` as a Zarr v3 group at ``path`` (local or URL); return ``path``.

    ``chunk_samples`` rows are copied at a time (a memory-mapped source is never loaded
    whole); integer counts stay counts. See the module docstring for what is atomic.
    """
    recording.validate(check_values=False)
    with ZarrRecordingWriter(path, subject=recording.subject, session=recording.session,
                             task=recording.task, run=recording.run,
                             annotations=recording.annotations, metadata=recording.metadata,
                             chunk_samples=zarr_chunk_samples, clevel=clevel,
                             storage_options=storage_options) as writer:
        copy_streams(recording, writer, chunk_samples)
    return path if is_url(path) else Path(path)


def read_zarr(path, storage_options: dict | None = None) -> Recording:
    """Open a Zarr store written by :func:`write_zarr` (local path or fsspec URL).

    Raises
    ------
    ReaderError
        Not a Zarr group, no ``lbpnet`` header (not an lbpnet store, or a write that did
        not finish), a header the schema refuses, or an array whose shape or dtype
        disagrees with it.
    """
    import zarr

    url = str(path)
    fix = "write it again with lbpnet.recording.zarr_store.write_zarr"
    if not is_url(url):
        if not Path(url).is_dir():
            raise ReaderError("no such Zarr store (folder not found)", source=url,
                              field="data.root", fix="check the path")
        recover(Path(url))
        url = str(Path(url).resolve())
    try:
        group = zarr.open_group(url, mode="r", storage_options=storage_options or None)
        header = group.attrs.get(HEADER_KEY)
    except Exception as err:           # zarr/fsspec raise many kinds for a missing group
        raise ReaderError(f"cannot open as a Zarr v3 group ({type(err).__name__}: {err})",
                          source=url, field="zarr.json", fix=fix) from None
    if header is None:
        raise ReaderError("the Zarr group has no lbpnet header: not an lbpnet store, or its "
                          "write did not finish", source=url, field=f"attrs.{HEADER_KEY}",
                          fix=fix)
    header = validate_header(dict(header), url, backend="zarr")
    streams = {}
    for name, info in header["streams"].items():
        handle = ZarrHandle(url, info["file"], _tuple(info.get("gain")),
                            _tuple(info.get("offset")), dict(storage_options or {}))
        try:
            raw = group[info["file"]]
        except KeyError:
            raise ReaderError(f"stream '{name}' has no array '{info['file']}'", source=url,
                              field=f"streams.{name}.file", fix=fix) from None
        n = len(info["channel_names"])
        kind = np.dtype(raw.dtype).kind
        if len(raw.shape) != 2 or raw.shape[1] != n or kind not in "fiu":
            raise ReaderError(f"stream '{name}' is {raw.dtype} {raw.shape}, header lists {n} "
                              "channels of real numbers", source=url,
                              field=f"streams.{name}", fix=fix)
        if handle.gain is not None and kind not in "iu":
            raise ReaderError(f"stream '{name}' has gain/offset but holds {raw.dtype}",
                              source=url, field=f"streams.{name}.gain", fix=fix)
        data = handle.open()                  # the array behind a decoded-chunk cache
        streams[name] = Stream(name, data, info["sampling_rate"], info["channel_names"],
                               info["channel_types"], info["units"], info["start_time"],
                               storage=handle)
    recording = Recording(streams, Annotations.from_dict(header.get("annotations", {})),
                          subject=header["subject"], session=header.get("session"),
                          task=header.get("task"), run=header.get("run"), source=url,
                          metadata=header.get("metadata", {}))
    return recording.validate(check_values=False)


def _tuple(values) -> tuple | None:
    return None if values is None else tuple(float(v) for v in values)
