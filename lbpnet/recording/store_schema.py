"""The schema of a native store's ``recording.json``, and the checks of its ``.npy`` files.

``recording.json`` is validated with :mod:`jsonschema` (draft 2020-12) before the reader
touches a field, so every malformed header gives one :class:`~lbpnet.errors.ReaderError`
naming the file, the field path (``streams.emg.units``) and what the field must hold (the
schema's ``description``). Booleans are never numbers (JSON Schema's own rule), non-finite
numbers (``NaN``, ``Infinity``, ``1e400``) are refused while parsing, and a stream's ``file``
is a bare file name: nothing outside the store folder can be named.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError

FORMAT = "lbpnet-store"
VERSION = 1
"""The version of a store whose streams all hold physical values (unchanged since v1)."""
VERSION_COUNTS = 2
"""The version of a store with integer-count streams (``gain``/``offset`` per channel):
an lbpnet that reads only version 1 refuses it rather than read counts as physical values."""
VERSIONS = (VERSION, VERSION_COUNTS)
MAX_START_TIME_S = 1.0e7
"""Largest ``|start_time|`` (s, ~116 days) a stream may have on its recording's clock."""
ALLOWED_DTYPE_KINDS = "fiu"
"""Sample dtypes a stream file may hold: floating point, signed or unsigned integers."""

_TEXT = {"type": "string", "minLength": 1}
_TEXTS = {"type": "array", "minItems": 1, "items": _TEXT}
_OPTIONAL_TEXT = {"type": ["string", "null"], "description": "a string or null"}
_NUMBERS = {"type": "array", "items": {"type": "number"}}

STREAM = {
    "type": "object",
    "required": ["file", "sampling_rate", "channel_names", "channel_types", "units",
                 "start_time"],
    "properties": {
        "file": {"type": "string", "pattern": r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*\.npy$",
                 "description": "a bare file name '<stream>.npy' inside the store folder "
                                "(no folder, no '..', not absolute)"},
        "sampling_rate": {"type": "number", "exclusiveMinimum": 0,
                          "description": "the sampling rate in Hz, a positive number"},
        "channel_names": {**_TEXTS, "uniqueItems": True,
                          "description": "a non-empty list of unique channel names"},
        "channel_types": {**_TEXTS, "description": "one BIDS channel type per channel "
                                                   "(EMG, ACCEL, GYRO, ECG, MISC, ...)"},
        "units": {**_TEXTS, "description": "one unit per channel (uV, g, rad/s, n/a, ...)"},
        "start_time": {"type": "number", "minimum": -MAX_START_TIME_S,
                       "maximum": MAX_START_TIME_S,
                       "description": f"the offset (s) of the first sample, a number within "
                                      f"+-{MAX_START_TIME_S:g} s"},
        "gain": {**_NUMBERS, "minItems": 1,
                 "description": "physical units per count, one non-zero number per channel "
                                "(integer streams: physical = count * gain + offset)"},
        "offset": {**_NUMBERS, "minItems": 1,
                   "description": "the physical value of count 0, one number per channel"},
    },
    "dependentRequired": {"gain": ["offset"], "offset": ["gain"]},
}

HEADER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "description": "a JSON object with format, version, subject, metadata and streams",
    "required": ["format", "version", "subject", "streams"],
    "properties": {
        "format": {"const": FORMAT, "description": f"the string '{FORMAT}'"},
        "version": {"enum": list(VERSIONS),
                    "description": f"a store version this lbpnet reads ({VERSION} or "
                                   f"{VERSION_COUNTS}); a store written by a newer lbpnet "
                                   "needs that version"},
        "subject": {**_TEXT, "description": "the pseudonymous subject id, a non-empty string"},
        "session": _OPTIONAL_TEXT, "task": _OPTIONAL_TEXT, "run": _OPTIONAL_TEXT,
        "metadata": {"type": "object", "description": "a JSON object (free metadata)"},
        "streams": {"type": "object", "minProperties": 1,
                    "propertyNames": {"minLength": 1},
                    "additionalProperties": STREAM,
                    "description": "an object of streams, {name: {file, sampling_rate, ...}}"},
        "annotations": {
            "type": "object", "required": ["onset", "duration", "label"],
            "description": "{onset: [s...], duration: [s...], label: [text...]}",
            "properties": {"onset": _NUMBERS, "duration": _NUMBERS,
                           "label": {"type": "array", "items": {"type": "string"}}}},
    },
}


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is not finite")
    return value


def _constant(name: str):
    raise ValueError(f"{name} is not a JSON number (non-finite values are not allowed)")


def load_header(file: Path) -> dict:
    """Parse and validate ``recording.json``; return it as a dict.

    Raises
    ------
    ReaderError
        Unreadable, not UTF-8, not JSON, a non-finite number, or any schema violation
        (the field is the JSON path of the first violation).
    """
    import jsonschema

    fix = "rewrite the recording with lbpnet.recording.store.write_recording"
    try:
        text = file.read_bytes().decode("utf-8")
        header = json.loads(text, parse_float=_finite, parse_constant=_constant)
    except OSError as err:
        raise ReaderError(f"cannot be read ({err})", source=str(file), field="recording.json",
                          fix="check the file's permissions") from None
    except UnicodeDecodeError as err:
        raise ReaderError(f"is not UTF-8 text ({err})", source=str(file),
                          field="recording.json", fix=fix) from None
    except (ValueError, RecursionError) as err:   # JSONDecodeError is a ValueError
        raise ReaderError(f"recording.json is not valid JSON ({err})", source=str(file),
                          field="recording.json", fix=fix) from None
    return validate_header(header, str(file))


def header_schema(backend: str = "npy") -> dict:
    """The header schema of a backend: ``npy`` (stream files ``<stream>.npy``) or ``zarr``
    (stream arrays named ``<stream>`` inside the group)."""
    if backend == "npy":
        return HEADER
    stream = {**STREAM, "properties": {**STREAM["properties"], "file": {
        "type": "string", "pattern": r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$",
        "description": "the name of the stream's array inside the Zarr group"}}}
    props = {**HEADER["properties"],
             "streams": {**HEADER["properties"]["streams"], "additionalProperties": stream}}
    return {**HEADER, "properties": props}


def validate_header(header, source: str, backend: str = "npy") -> dict:
    """Validate a parsed header against :func:`header_schema`; return it.

    Raises
    ------
    ReaderError
        The first schema violation (field: its JSON path), or a ``gain``/``offset`` whose
        length is not the stream's channel count.
    """
    import jsonschema

    fix = "rewrite the recording with lbpnet.recording.store.write_recording"
    schema = header_schema(backend)
    file = source
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(header))
    if error is not None:
        field = ".".join(str(p) for p in error.absolute_path) or "recording.json"
        wanted = error.schema.get("description") if isinstance(error.schema, dict) else None
        if wanted is None:
            parent = schema
            for part in list(error.absolute_path)[:-1]:
                parent = (parent.get("properties", {}).get(part)
                          or parent.get("additionalProperties") or {})
            wanted = parent.get("description")
        raise ReaderError(error.message[:300], source=str(file), field=field,
                          fix=f"write {field} as {wanted}; or {fix}" if wanted else fix)
    for name, info in header["streams"].items():
        n = len(info["channel_names"])
        for key in ("gain", "offset"):
            if key in info and len(info[key]) != n:
                raise ReaderError(f"{len(info[key])} values for {n} channels",
                                  source=str(file), field=f"streams.{name}.{key}",
                                  fix=f"give one {key} per channel; or {fix}")
        if 0 in info.get("gain", [1]):
            raise ReaderError("a gain is 0", source=str(file), field=f"streams.{name}.gain",
                              fix=f"give every channel a non-zero gain; or {fix}")
    return header


def check_stream_file(path: Path, store: Path, name: str, n_channels: int) -> None:
    """Refuse a stream file outside ``store`` (symlink), a corrupt ``.npy`` header, a dtype
    that is not a real number, a shape that is not ``(n_samples, n_channels)``, or a file
    shorter than its header says.

    Raises
    ------
    ReaderError
        Naming ``path`` and ``streams.<name>``.
    """
    field = f"streams.{name}"
    fix = "rewrite the recording with lbpnet.recording.store.write_recording"
    if path.resolve().parent != store.resolve():
        raise ReaderError(f"stream '{name}' resolves outside the store folder "
                          f"(to {path.resolve()})", source=str(path), field=f"{field}.file",
                          fix="keep stream files inside the .lbp folder (no symbolic links)")
    try:
        with open(path, "rb") as handle:
            major, _ = np.lib.format.read_magic(handle)
            read = (np.lib.format.read_array_header_1_0 if major == 1
                    else np.lib.format.read_array_header_2_0)
            shape, _fortran, dtype = read(handle)
            offset = handle.tell()
        size = path.stat().st_size
    except OSError as err:
        raise ReaderError(f"cannot read stream '{name}' ({err})", source=str(path),
                          field=field, fix=fix) from None
    except Exception as err:   # numpy's header parser raises ValueError, SyntaxError, TokenError…
        raise ReaderError(f"cannot read stream '{name}': corrupt .npy header "
                          f"({type(err).__name__}: {err})", source=str(path), field=field,
                          fix=fix) from None
    if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.hasobject or dtype.fields:
        raise ReaderError(f"cannot read stream '{name}': dtype {dtype} is not a real number",
                          source=str(path), field=f"{field}.dtype",
                          fix="store samples as float32 (or another float/integer dtype)")
    if len(shape) != 2 or shape[1] != n_channels:
        raise ReaderError(f"stream '{name}' has shape {shape}, header lists {n_channels} "
                          f"channels", source=str(path), field=field, fix=fix)
    expected = offset + int(np.prod(shape, dtype=object)) * dtype.itemsize
    if size < expected:
        raise ReaderError(f"cannot read stream '{name}': file is truncated ({size} bytes, "
                          f"its header needs {expected})", source=str(path), field=field,
                          fix=fix)
