"""Readers for BIDS text sidecars: JSON, TSV tables, headerless data matrices, channels.tsv.

Every problem raises :class:`~lbpnet.errors.ReaderError` naming the file, the
line/column or key, and the fix.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.store_schema import MAX_START_TIME_S
from lbpnet.recording.units import canonical_unit, known_units

MOTION_TYPES = ("ACCEL", "ANGACCEL", "GYRO", "JNTANG", "LATENCY", "MAGN", "MISC", "ORNT",
                "POS", "VEL")
"""Channel types of BIDS-Motion ``_channels.tsv``."""
EMG_TYPES = ("EMG", "ECG", "EOG", "HEOG", "VEOG", "EEG", "RESP", "TEMP", "GSR", "PPG",
             "TRIG", "MISC", "AUDIO", "EYEGAZE", "PUPIL", "SYSCLOCK", "REF", "ADC", "DAC", "PD",
             "ACCEL", "GYRO", "MAGN")
"""Channel types of an EMG ``_channels.tsv``: EMG, BIDS' common electrophysiology types,
and the IMU types of the sensors many EMG systems carry."""
PHYSIO_TYPES = {"cardiac": "ECG", "respiratory": "RESP", "trigger": "TRIG"}
"""Channel type of each BIDS-defined ``_physio`` column. BIDS' ``cardiac`` is any
continuous cardiac measurement: ECG by default, ``PPG`` for a pulse oximeter (override)."""
KNOWN_TYPES = tuple(sorted(set(MOTION_TYPES) | set(EMG_TYPES) | {"EDA", "NIRS", "RR"}))

def _read_text(path: Path) -> str:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
                return handle.read()
        return path.read_text(encoding="utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:   # zlib.error: no OSError
        raise ReaderError(f"cannot be read ({type(exc).__name__}: {exc})", source=str(path),
                          fix="check that the file is complete and is UTF-8 text "
                              "(gzip-compressed for .gz)") from exc


def _read_json(path: Path, required: bool, needed_for: str) -> dict:
    if not path.exists():
        if required:
            raise ReaderError(f"sidecar is missing; it is needed for {needed_for}",
                              source=str(path), fix=f"create {path.name} with at least "
                                                    '{"SamplingFrequency": <Hz>}')
        return {}
    try:
        content = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise ReaderError(f"is not valid JSON ({exc})", source=str(path),
                          fix="fix the JSON syntax (a JSON linter points at the line)") from exc
    if not isinstance(content, dict):
        raise ReaderError("must hold a JSON object", source=str(path),
                          fix='write it as {"SamplingFrequency": ..., ...}')
    return content


def _number(meta: dict, key: str, path: Path, default=None, positive=False,
            bound: float | None = None) -> float:
    """``meta[key]`` as a finite float (JSON number, never a boolean or a string), positive
    if asked, with ``|value| <= bound`` if given (StartTime: ``MAX_START_TIME_S``)."""
    value = meta.get(key, default)
    if value is None:
        raise ReaderError(f"'{key}' is missing", source=str(path), field=key,
                          fix=f'add "{key}": <value in Hz> to {path.name}')
    if key == "StartTime" and bound is None:
        bound = MAX_START_TIME_S
    number = (float(value) if isinstance(value, (int, float)) and not isinstance(value, bool)
              else float("nan"))
    if not np.isfinite(number) or (positive and number <= 0) or \
            (bound is not None and abs(number) > bound):
        within = f" within +-{bound:g}" if bound is not None else ""
        raise ReaderError(f"'{key}' is {meta.get(key)!r}; it must be a "
                          f"{'positive ' if positive else ''}number{within}", source=str(path),
                          field=key, fix=f"write {key} as a JSON number (Hz for "
                                         "SamplingFrequency, seconds for StartTime)")
    return number


def _read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A TSV with a header row: (columns, rows as dicts of strings)."""
    lines = [line for line in _read_text(path).splitlines() if line.strip()]
    if not lines:
        raise ReaderError("is empty; it needs a header row", source=str(path),
                          fix="write a tab-separated header row and one row per entry")
    reader = csv.reader(lines, delimiter="\t")
    header = [h.strip() for h in next(reader)]
    rows = []
    for line_no, row in enumerate(reader, start=2):
        if len(row) != len(header):
            raise ReaderError(f"line {line_no} has {len(row)} cells but the header has "
                              f"{len(header)} ({header})", source=str(path), field=header[0],
                              fix="separate cells with single tabs; write 'n/a' for empty cells")
        rows.append({h: v.strip() for h, v in zip(header, row)})
    return header, rows


def _read_matrix(path: Path, columns: list[str], described_by: Path) -> np.ndarray:
    """A header-less numeric TSV -> float32 ``(n_samples, n_columns)``; 'n/a' -> NaN.

    Clean files are parsed by pandas; a faulty one is re-read cell by cell so
    that the error names its line and column.
    """
    text = _read_text(path)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ReaderError("holds no samples", source=str(path),
                          fix="check the export; the file is empty")
    for i, line in enumerate(lines):
        if line.strip() and line.count("\t") + 1 != len(columns):
            raise ReaderError(
                f"line {i + 1} has {line.count(chr(9)) + 1} columns but {described_by.name} "
                f"describes {len(columns)} channels {columns}", source=str(path),
                field="columns",
                fix=f"make {described_by.name} list exactly one channel per data column, in order")
    try:
        import pandas as pd

        return np.ascontiguousarray(pd.read_csv(
            io.StringIO(text), sep="\t", header=None, dtype=np.float32, na_values=["n/a"],
            skip_blank_lines=True).to_numpy(dtype=np.float32))
    except (ImportError, ValueError):
        pass
    rows = [line.split("\t") for line in lines if line.strip()]
    data = np.empty((len(rows), len(columns)), dtype=np.float32)
    for i, row in enumerate(rows):
        for j, cell in enumerate(c.strip() for c in row):
            try:
                data[i, j] = np.nan if cell in ("n/a", "") else float(cell)
            except ValueError:
                raise ReaderError(
                    f"non-numeric cell {cell!r} in sample row {i + 1}, column {j + 1} "
                    f"('{columns[j]}')", source=str(path), field=columns[j],
                    fix="data files hold numbers only (no header); write missing samples "
                        "as n/a") from None
    return data


def _read_channels(path: Path, allowed_types=KNOWN_TYPES) -> tuple[list[str], list[str],
                                                                    list[str]]:
    """``_channels.tsv`` -> (names, BIDS types upper-case, canonical units).

    The BIDS-required columns ``name``, ``type`` and ``units`` must be there, and every
    type one of ``allowed_types`` (``n/a`` is read as ``MISC``).
    """
    header, rows = _read_table(path)
    for column in ("name", "type", "units"):
        if column not in header:
            raise ReaderError(f"has no '{column}' column, which BIDS requires (columns: "
                              f"{header})", source=str(path), field=column,
                              fix="add a header row 'name<TAB>type<TAB>units' (units n/a "
                                  "where a channel has none)")
    names, types, units = [], [], []
    for i, row in enumerate(rows, start=2):
        unit = row["units"]
        canon = canonical_unit(unit)
        if canon is None:
            raise ReaderError(f"line {i}: unknown unit '{unit}' for channel '{row['name']}'",
                              source=str(path), field="units",
                              fix=f"use one of {', '.join(known_units())}")
        kind = row["type"].upper() if row["type"] not in ("", "n/a") else "MISC"
        if kind not in allowed_types:
            raise ReaderError(f"line {i}: channel '{row['name']}' has type '{row['type']}', "
                              f"not a BIDS channel type of this file", source=str(path),
                              field="type", fix=f"use one of {', '.join(allowed_types)}")
        names.append(row["name"])
        types.append(kind)
        units.append(canon)
    return names, types, units
