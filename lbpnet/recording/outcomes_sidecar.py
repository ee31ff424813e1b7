"""Pieces both outcome readers share: TSV/CSV rows, scores, sidecars and session times.

Missing values are ``n/a`` (BIDS) or empty cells. A ``sessions.json`` sidecar maps each
column to its meaning: ``LongName``, ``Units``, ``Description`` (BIDS) and lbpnet's
``HigherIsWorse`` (bool), ``MinimalImportantChange`` (points) and
``MinimalImportantChangeFraction`` (of the baseline value).
"""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.outcomes import Instrument

MISSING = ("n/a", "", "na", "nan")
WEEKS_PER = {"day": 1 / 7, "days": 1 / 7, "d": 1 / 7, "week": 1.0, "weeks": 1.0, "w": 1.0,
             "month": 52.1775 / 12, "months": 52.1775 / 12, "year": 52.1775, "years": 52.1775}
SIDECAR_KEYS = {"LongName": "long_name", "Units": "units", "Description": "description",
                "HigherIsWorse": "higher_is_worse",
                "MinimalImportantChange": "minimal_important_change",
                "MinimalImportantChangeFraction": "minimal_important_fraction"}


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and ``(line number, {column: text})`` rows of a TSV (``.tsv``) or CSV file."""
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            lines = list(csv.reader(f, delimiter=delimiter))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReaderError(f"cannot read the table ({exc})", source=str(path),
                          fix="save it as UTF-8 text, tab-separated (.tsv) or comma-separated "
                              "(.csv)") from None
    if not lines or not lines[0]:
        raise ReaderError("the table is empty (no header)", source=str(path),
                          fix="write a header line first")
    header = [h.strip() for h in lines[0]]
    rows = []
    for n, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ReaderError(f"row {n} has {len(cells)} cells, the header {len(header)}",
                              source=str(path), field=f"row {n}",
                              fix="give every row one cell per header column (n/a if missing)")
        rows.append((n, dict(zip(header, (c.strip() for c in cells)))))
    return header, rows


def require_columns(path: Path, header: list[str], needed: list[str]) -> None:
    """A :class:`ReaderError` naming the first column of ``needed`` not in ``header``."""
    for name in needed:
        if name not in header:
            raise ReaderError(f"column '{name}' is missing (columns: {header})",
                              source=str(path), field=name, fix=f"add a '{name}' column")


def parse_score(text: str, path: Path, row: int, column: str) -> float:
    """A float from a cell (NaN for ``n/a`` or empty), else an error naming row and column."""
    if text.lower() in MISSING:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        value = math.nan
        bad = True
    else:
        bad = not math.isfinite(value)
    if bad:
        raise ReaderError(f"row {row}: '{text}' is not a number", source=str(path),
                          field=column, fix="write a number, or n/a where the score is missing")
    return value


def parse_covariate(text: str):
    """A participants.tsv cell: float if numeric, None for ``n/a``, else the text."""
    if text.lower() in MISSING:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def read_json(path: Path, fix: str):
    """The parsed JSON of ``path``; a ReaderError naming the file and ``fix`` if it is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReaderError(f"invalid JSON ({exc})", source=str(path), fix=fix) from None


def read_sidecar(path: Path) -> dict[str, dict]:
    """``{column: {key: value}}`` of a JSON sidecar (empty if the file does not exist)."""
    if not path.is_file():
        return {}
    data = read_json(path, "write a JSON object {column: {LongName, Units, ...}}")
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ReaderError("the sidecar must map each column to an object of keys",
                          source=str(path), fix='e.g. {"odi": {"HigherIsWorse": true}}')
    for column, keys in data.items():
        hiw = keys.get("HigherIsWorse")
        if hiw is not None and not isinstance(hiw, bool):
            raise ReaderError(f"HigherIsWorse must be true or false, got {hiw!r}",
                              source=str(path), field=f"{column}.HigherIsWorse",
                              fix="write true or false (JSON booleans, no quotes)")
        for key in ("MinimalImportantChange", "MinimalImportantChangeFraction"):
            v = keys.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))
                                  or not v >= 0):
                raise ReaderError(f"{key} must be a number >= 0, got {v!r}", source=str(path),
                                  field=f"{column}.{key}", fix="write a JSON number, or null")
    return data


def instrument(name: str, sidecars: list[dict[str, dict]]) -> Instrument:
    """The meaning of column ``name``; later sidecars override earlier (BIDS inheritance)."""
    merged: dict = {}
    for side in sidecars:
        merged.update(side.get(name, {}))
    return Instrument(name, **{attr: merged[key] for key, attr in SIDECAR_KEYS.items()
                               if merged.get(key) is not None})


def session_times(rows: list[tuple[int, dict[str, str]]], header: list[str], path: Path,
                  time_column: str | None, units: str | None) -> tuple[list[float], str, str]:
    """Times of one participant's sessions (in file order) in weeks since the first.

    Default (``time_column`` None): ``acq_time`` if a column, else ``weeks``, else the
    session order. A column other than ``acq_time``/``weeks`` needs ``units`` (days,
    weeks, months, years). Times must strictly increase down the file.

    Returns
    -------
    times : list of float, unit : {"weeks", "sessions"}, source : the column used
    """
    column = time_column
    if column is None:
        column = next((c for c in ("acq_time", "weeks") if c in header), None)
    if column is None:
        return [float(i) for i in range(len(rows))], "sessions", "session order"
    require_columns(path, header, [column])
    if column == "acq_time":
        stamps = []
        for n, row in rows:
            try:
                stamps.append(datetime.fromisoformat(row[column]))
            except ValueError:
                raise ReaderError(f"row {n}: '{row[column]}' is not an ISO date-time",
                                  source=str(path), field=column,
                                  fix="write e.g. 2024-03-01T09:30:00") from None
        times = [(t - stamps[0]).total_seconds() / (7 * 86400.0) for t in stamps]
    else:
        factor = 1.0 if column == "weeks" and not units else WEEKS_PER.get(str(units).lower())
        if factor is None:
            raise ReaderError(f"the unit of time column '{column}' is {units!r}", source=str(path),
                              field=column, fix=f"give sessions.json {column}.Units: days, weeks, "
                                                "months or years")
        raw = [parse_score(row[column], path, n, column) for n, row in rows]
        for (n, _), v in zip(rows, raw):
            if math.isnan(v):
                raise ReaderError(f"row {n}: the session time is missing", source=str(path),
                                  field=column, fix="give every session a time")
        times = [(v - raw[0]) * factor for v in raw]
    for (n, _), before, t in zip(rows[1:], times, times[1:]):
        if not t > before:
            raise ReaderError(f"row {n}: time {t:.3g} weeks is not after the previous session's "
                              f"{before:.3g}", source=str(path), field=column,
                              fix="list sessions in time order, each later than the one before")
    return times, "weeks", column


def pad(per_participant: list[list], width: int | None = None) -> np.ndarray:
    """Stack ragged per-participant lists into (P, S) or (P, S, width), NaN beyond each end."""
    S = max((len(v) for v in per_participant), default=0)
    shape = (len(per_participant), S) if width is None else (len(per_participant), S, width)
    out = np.full(shape, np.nan)
    for p, v in enumerate(per_participant):
        if len(v):
            out[p, :len(v)] = np.asarray(v, dtype=float)
    return out
