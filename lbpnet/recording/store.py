"""The native store: a recording as a folder of memory-mapped ``.npy`` arrays.

Layout of ``NAME.lbp/``::

    recording.json       metadata, annotations, one entry per stream
    <stream>.npy         (n_samples, n_channels), time first: float32 physical values,
                         or integer counts (int16/int32, as the amplifier or EDF/BDF
                         gave them) with per-channel ``gain``/``offset`` in the header,
                         read as float32 ``count * gain + offset``
                         (:class:`~lbpnet.recording.scaled.ScaledArray`)

A window of any stream is read with ``np.load(..., mmap_mode="r")`` and a slice:
only the pages under the window are touched, so memory stays flat however long
the recording. Every write goes to a temporary folder beside the target and is
renamed into place at the end: a crash never leaves a half-written recording,
and an existing recording is only replaced once the new one is complete; an
overwrite killed between its renames is finished by the next read or write, and
temporary folders of killed writers are removed by the next write
(:mod:`lbpnet.recording.store_swap`). ``recording.json`` is validated against
:mod:`lbpnet.recording.store_schema` before any field is used.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.scaled import ScaledArray
from lbpnet.recording.store_handles import NpyHandle
from lbpnet.recording.store_schema import (ALLOWED_DTYPE_KINDS, FORMAT, VERSION,
                                           VERSION_COUNTS, check_stream_file, load_header)
from lbpnet.recording.store_swap import clean_dead_writers, make_temp, recover, replace_dir
from lbpnet.recording.stream import Stream

__all__ = ["FORMAT", "VERSION", "SUFFIX", "RecordingWriter", "read_recording",
           "write_recording"]
SUFFIX = ".lbp"


class RecordingWriter:
    """Write a recording stream by stream, in bounded memory, atomically.

    Use as a context manager; arrays returned by :meth:`create_stream` are
    memory-mapped and may be filled chunk by chunk. Nothing appears at ``path``
    until the ``with`` block ends without error.

    Examples
    --------
    >>> with RecordingWriter(path, subject="01") as w:          # doctest: +SKIP
    ...     emg = w.create_stream("emg", n_samples, 2000.0, names)
    ...     for start, chunk in chunks: emg[start:start + len(chunk)] = chunk
    """

    def __init__(self, path: str | os.PathLike, *, subject: str = "unknown",
                 session: str | None = None, task: str | None = None, run: str | None = None,
                 annotations: Annotations | None = None, metadata: dict | None = None) -> None:
        self.path = Path(path)
        self.header = {"format": FORMAT, "version": VERSION, "subject": subject,
                       "session": session, "task": task, "run": run,
                       "metadata": dict(metadata or {}), "streams": {}}
        self.annotations = annotations or Annotations()
        self._arrays: dict[str, np.memmap] = {}
        self._tmp: Path | None = None

    def __enter__(self) -> "RecordingWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        recover(self.path)
        clean_dead_writers(self.path.parent)
        self._tmp = make_temp(self.path)
        return self

    def create_stream(self, name: str, n_samples: int, sampling_rate: float,
                      channel_names: list[str], channel_types: list[str] | None = None,
                      units: list[str] | None = None, start_time: float = 0.0,
                      dtype: str = "float32", gain=None, offset=None) -> np.memmap:
        """Allocate a ``(n_samples, n_channels)`` memory-mapped array to fill.

        With ``gain`` and ``offset`` (one float per channel) the array holds integer
        counts of ``dtype`` (``int16``, ``int32``), read back as float32
        ``count * gain + offset``; without them, physical values.
        """
        if self._tmp is None:
            raise RuntimeError("use RecordingWriter as a context manager")
        info = stream_entry(self.path, name, sampling_rate, channel_names, channel_types,
                            units, start_time, dtype, gain, offset)
        info = {"file": f"{name}.npy", **info}
        array = np.lib.format.open_memmap(self._tmp / info["file"], mode="w+", dtype=dtype,
                                          shape=(int(n_samples), len(channel_names)))
        self._arrays[name] = array
        self.header["streams"][name] = info
        if "gain" in info:
            self.header["version"] = VERSION_COUNTS
        return array

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self._tmp is not None
        try:
            if exc_type is not None:
                return
            for array in self._arrays.values():
                array.flush()
            self._arrays.clear()
            self.header["annotations"] = self.annotations.to_dict()
            _write_json(self._tmp / "recording.json", self.header)
            load_header(self._tmp / "recording.json")   # never write what the reader refuses
            replace_dir(self._tmp, self.path)
            self._tmp = None
        finally:
            self._arrays.clear()
            if self._tmp is not None and self._tmp.exists():
                shutil.rmtree(self._tmp, ignore_errors=True)


def stream_entry(path, name: str, sampling_rate: float, channel_names, channel_types,
                 units, start_time: float, dtype: str, gain=None, offset=None) -> dict:
    """The header entry of a stream (without ``file``), checked as the reader checks it.

    Raises
    ------
    ReaderError
        A dtype that is not a real number, gain/offset without an integer dtype or not
        one finite number per channel (gain non-zero).
    """
    stream = Stream(name, np.empty((0, len(channel_names))), sampling_rate,
                    list(channel_names), list(channel_types or []), list(units or []),
                    start_time)
    stream.validate(str(path), check_values=False)
    kind = np.dtype(dtype).kind
    if kind not in ALLOWED_DTYPE_KINDS:
        raise ReaderError(f"dtype {dtype} is not a real number", source=str(path),
                          field=f"streams.{name}.dtype", fix="use float32")
    info = {"sampling_rate": float(sampling_rate), "channel_names": stream.channel_names,
            "channel_types": stream.channel_types, "units": stream.units,
            "start_time": float(start_time)}
    if gain is None and offset is None:
        return info
    if kind not in "iu":
        raise ReaderError(f"gain/offset given for a {dtype} stream", source=str(path),
                          field=f"streams.{name}.gain",
                          fix="store counts as int16/int32, or physical values without gain")
    scale = ScaledArray(np.empty((0, len(channel_names)), dtype=dtype), gain,
                        np.zeros(len(channel_names)) if offset is None else offset)
    info.update(gain=scale.gain.tolist(), offset=scale.offset.tolist())
    return info


def counts_of(stream: Stream):
    """``(counts, gain, offset)`` of a stream holding integer counts, else None."""
    if isinstance(stream.data, ScaledArray):
        return stream.data.raw, stream.data.gain, stream.data.offset
    return None


def copy_streams(recording: Recording, writer, chunk_samples: int = 1 << 20) -> None:
    """Create every stream of ``recording`` in ``writer`` and copy it chunk by chunk,
    keeping integer counts as counts (with their gain/offset) and the rest as float32."""
    for s in recording.streams.values():
        counts = counts_of(s)
        source = s.data if counts is None else counts[0]
        scale = {} if counts is None else dict(dtype=str(np.dtype(source.dtype)),
                                               gain=counts[1], offset=counts[2])
        out = writer.create_stream(s.name, s.n_samples, s.sampling_rate, s.channel_names,
                                   s.channel_types, s.units, s.start_time, **scale)
        for start in range(0, s.n_samples, chunk_samples):
            out[start:start + chunk_samples] = np.asarray(source[start:start + chunk_samples])


def write_recording(recording: Recording, path: str | os.PathLike,
                    chunk_samples: int = 1 << 20, backend: str | None = None) -> Path:
    """Write ``recording`` to ``path`` atomically; return the path.

    Streams are copied ``chunk_samples`` at a time, so a memory-mapped source
    is never loaded whole; integer counts (:class:`ScaledArray`, e.g. from
    :func:`~lbpnet.recording.edf.read_edf`) stay counts. ``backend`` ``"npy"`` (a
    ``.lbp`` folder of memory-mapped ``.npy``) or ``"zarr"`` (a Zarr v3 group,
    :mod:`lbpnet.recording.zarr_store`); default: ``zarr`` when the path ends in
    ``.zarr``, else ``npy``.
    """
    from lbpnet.recording.store_backends import backend_of

    if backend_of(path, backend) == "zarr":
        from lbpnet.recording.zarr_store import write_zarr
        return write_zarr(recording, path, chunk_samples=chunk_samples)
    recording.validate(check_values=False)
    path = Path(path)
    with RecordingWriter(path, subject=recording.subject, session=recording.session,
                         task=recording.task, run=recording.run,
                         annotations=recording.annotations,
                         metadata=recording.metadata) as writer:
        copy_streams(recording, writer, chunk_samples)
    return path


def read_recording(path: str | os.PathLike, mmap: bool = True,
                   backend: str | None = None) -> Recording:
    """Open a ``.lbp`` folder; stream data stays memory-mapped when ``mmap``.

    A path ending in ``.zarr``, or ``backend="zarr"``, opens a Zarr store instead
    (:func:`lbpnet.recording.zarr_store.read_zarr`). Integer streams read as float32
    physical values (:class:`ScaledArray`). Each stream carries a small handle
    (``stream.storage``): pickling the recording sends handles, not samples.

    Raises :class:`ReaderError` naming the file and field when the folder is
    not a store, a stream file is missing, or its shape disagrees with the header.
    """
    from lbpnet.recording.store_backends import backend_of

    if backend_of(path, backend) == "zarr":
        from lbpnet.recording.zarr_store import read_zarr
        return read_zarr(path)
    path = Path(path)
    header_file = path / "recording.json"
    try:
        recover(path)                           # an overwrite killed between its renames
    except OSError as err:
        raise ReaderError(f"an interrupted overwrite could not be finished ({err})",
                          source=str(path), field="recording.json",
                          fix="make the folder writable and read it again") from None
    if not header_file.is_file():
        raise ReaderError("not an lbpnet store (no recording.json)", source=str(path),
                          field="recording.json",
                          fix="write it with lbpnet.recording.store.write_recording")
    header = load_header(header_file)
    streams = {}
    for name, info in header["streams"].items():
        file = path / info["file"]
        check_stream_file(file, path, name, len(info["channel_names"]))
        handle = NpyHandle(str(file.resolve()), _tuple(info.get("gain")),
                           _tuple(info.get("offset")))
        data = _load_stream(file, name, mmap)
        if handle.gain is not None:
            if data.dtype.kind not in "iu":
                raise ReaderError(f"stream '{name}' has gain/offset but holds {data.dtype}",
                                  source=str(file), field=f"streams.{name}.gain",
                                  fix="rewrite the recording")
            data = ScaledArray(data, handle.gain, handle.offset)
        streams[name] = Stream(name, data, info["sampling_rate"], info["channel_names"],
                               info["channel_types"], info["units"], info["start_time"],
                               storage=handle if mmap else None)
    recording = Recording(streams, Annotations.from_dict(header.get("annotations", {})),
                          subject=header["subject"], session=header.get("session"),
                          task=header.get("task"), run=header.get("run"), source=str(path),
                          metadata=header.get("metadata", {}))
    return recording.validate(check_values=not mmap)


def _tuple(values) -> tuple | None:
    return None if values is None else tuple(float(v) for v in values)


def _write_json(file: Path, obj: dict) -> None:
    with open(file, "w") as f:
        json.dump(obj, f, indent=1, allow_nan=False)
        f.flush()
        os.fsync(f.fileno())


def _load_stream(file: Path, name: str, mmap: bool):
    """``np.load`` of one stream file; out of file descriptors (one per memory-mapped stream),
    the soft limit is raised to the hard one once and the load retried."""
    from lbpnet.recording.open_files import (current_open_file_limit, is_too_many_open_files,
                                             raise_open_file_limit)

    for attempt in (0, 1):
        try:
            return np.load(file, mmap_mode="r" if mmap else None, allow_pickle=False)
        except (OSError, ValueError) as err:
            if is_too_many_open_files(err):
                if attempt == 0 and raise_open_file_limit() is not None:
                    continue
                raise ReaderError(
                    f"cannot open stream '{name}': too many open files (each memory-mapped "
                    f"stream holds one; the limit is {current_open_file_limit()})",
                    source=str(file), field=f"streams.{name}",
                    fix="raise the limit (ulimit -n 65536, or the hard limit in "
                        "/etc/security/limits.conf), read fewer recordings at once, or "
                        "store the cohort as Zarr (data.store_backend=zarr: files opened only "
                        "while read)") from None
            raise ReaderError(f"cannot read stream '{name}' ({err})", source=str(file),
                              field=f"streams.{name}", fix="rewrite the recording") from None

