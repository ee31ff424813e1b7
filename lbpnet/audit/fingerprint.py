"""Fingerprints that say which model, config and data a result came from.

Every function returns a hex SHA-256 digest. They are cheap on hours-long data:
a recording is fingerprinted by its description (modalities, rates, channel names,
units, shapes, annotations) plus a fixed number of sampled bytes of each stream
(the first and last 64 KiB and 64 evenly spaced 4 KiB blocks), never a full read.
A change in shape, channels, rate, labels or any sampled byte changes the print;
a single changed sample elsewhere in a multi-hour stream may not (say so when
claiming identity: the print is a fingerprint, not a checksum of every byte).
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterable, Mapping

import numpy as np

from lbpnet.hashing import file_sha256  # noqa: F401  (lbpnet.audit.file_sha256)

EDGE_BYTES = 64 * 1024
BLOCK_BYTES = 4 * 1024
N_BLOCKS = 64


def config_hash(config: Mapping | str) -> str:
    """SHA-256 of a configuration: a mapping is hashed as canonical JSON (sorted keys),
    so key order and YAML formatting do not change it; a string is hashed as given."""
    if isinstance(config, str):
        text = config
    else:
        text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sampled_bytes(data) -> Iterable[bytes]:
    """The first/last ``EDGE_BYTES`` and ``N_BLOCKS`` spaced blocks of an array's bytes.

    The bytes are those of ``np.asarray(data)`` flattened in C order, but only the rows
    under each sampled block are read (and, for integer counts behind a ScaledArray or a
    Zarr array, converted): never the whole stream (an hour of 16-ch EMG at 2 kHz would be
    0.46 GB of float32). A 0-d array is read whole.
    """
    shape = tuple(int(s) for s in getattr(data, "shape", np.shape(data)))
    if len(shape) == 0:
        yield np.ascontiguousarray(np.asarray(data)).reshape(-1).view(np.uint8).tobytes()
        return
    head = np.asarray(data[0:1])
    row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * head.dtype.itemsize
    n = shape[0] * row_bytes
    if n == 0:
        yield b""
        return

    def read(a: int, b: int) -> bytes:
        """Bytes ``a:b`` of the flattened array, from its rows ``a // row_bytes`` on."""
        r0, r1 = a // row_bytes, -(-b // row_bytes)
        rows = np.ascontiguousarray(np.asarray(data[r0:r1])).reshape(-1).view(np.uint8)
        return rows[a - r0 * row_bytes:b - r0 * row_bytes].tobytes()
    if n <= 2 * EDGE_BYTES + N_BLOCKS * BLOCK_BYTES:
        yield read(0, n)
        return
    yield read(0, EDGE_BYTES)
    for start in np.linspace(EDGE_BYTES, n - EDGE_BYTES - BLOCK_BYTES, N_BLOCKS).astype(np.int64):
        yield read(int(start), int(start) + BLOCK_BYTES)
    yield read(n - EDGE_BYTES, n)


def recording_description(recording) -> dict:
    """What identifies a :class:`~lbpnet.recording.Recording` besides its samples."""
    ann = recording.annotations
    return {
        "key": recording.key,
        "synthetic": bool(recording.metadata.get("synthetic", False)),
        "streams": {name: {"rate_hz": float(s.sampling_rate), "shape": list(s.data.shape),
                           "dtype": str(s.data.dtype), "channels": list(s.channel_names),
                           "types": list(s.channel_types), "units": list(s.units),
                           "start_s": float(s.start_time)}
                    for name, s in recording.streams.items()},
        "annotations": hashlib.sha256(json.dumps(
            [list(map(float, ann.onset)), list(map(float, ann.duration)),
             list(map(str, ann.label))]).encode()).hexdigest() if len(ann) else None,
    }


def recording_fingerprint(recording) -> str:
    """SHA-256 of a recording's description and sampled bytes of every stream."""
    h = hashlib.sha256(json.dumps(recording_description(recording), sort_keys=True).encode())
    for name in sorted(recording.streams):
        for block in _sampled_bytes(recording.streams[name].data):
            h.update(block)
    return h.hexdigest()


def data_fingerprint(recordings: Iterable) -> dict:
    """Fingerprint of a set of recordings: one print per recording and one for all.

    Returns
    -------
    dict
        ``{"sha256": <all>, "n_recordings": n, "recordings": {key: sha256},
        "method": <how it was computed>}``.
    """
    per = {}
    for i, rec in enumerate(recordings):
        key = rec.key if rec.key not in per else f"{rec.key}#{i}"
        per[key] = recording_fingerprint(rec)
    total = hashlib.sha256(json.dumps(per, sort_keys=True).encode()).hexdigest()
    return {"sha256": total, "n_recordings": len(per), "recordings": per,
            "method": f"sha256 of stream descriptions + first/last {EDGE_BYTES // 1024} KiB and "
                      f"{N_BLOCKS} x {BLOCK_BYTES // 1024} KiB sampled blocks per stream"}
