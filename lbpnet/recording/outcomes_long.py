"""Read longitudinal outcomes from one long table: a row per participant, session, instrument.

::

    participant_id  session_id  weeks  instrument  value
    sub-01          ses-1       0      odi         42
    sub-01          ses-1       0      nrs         7
    sub-01          ses-2       2      odi         n/a

TSV (``.tsv``) or CSV (``.csv``); ids with or without the ``sub-``/``ses-`` prefix. The
time column is optional (``acq_time`` ISO, ``weeks``, or any column named by
``time_column`` with its ``Units`` in the sidecar); sessions must appear in time order.
Next to the table, optional: ``<stem>.json`` or ``sessions.json`` (the meaning of each
instrument, as in the BIDS-style format) and ``participants.tsv`` (covariates; then every
participant of the table must be listed there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.outcomes import OutcomeTable
from lbpnet.recording.outcomes_sidecar import (instrument, pad, parse_score, read_rows,
                                               read_sidecar, require_columns, session_times)

COLUMNS = ["participant_id", "session_id", "instrument", "value"]


def _strip(text: str, prefix: str, path: Path, row: int, column: str) -> str:
    label = text[len(prefix):] if text.startswith(prefix) else text
    if not label or not label.isalnum():
        raise ReaderError(f"row {row}: '{text}' is not an id (letters and digits, optional "
                          f"'{prefix}')", source=str(path), field=column, fix=f"e.g. {prefix}01")
    return label


def _covariates(folder: Path, pids: list[str], first_row: dict[str, int], path: Path) -> dict:
    if not (folder / "participants.tsv").is_file():
        return {}
    from lbpnet.recording.outcomes_bids import read_participants

    listed, cov = read_participants(folder)
    for pid in pids:
        if pid not in cov:
            raise ReaderError(f"row {first_row[pid]}: participant sub-{pid} is not in "
                              f"participants.tsv", source=str(path), field="participant_id",
                              fix=f"add sub-{pid} to {folder / 'participants.tsv'}")
    names = sorted({k for c in cov.values() for k in c})
    return {k: np.array([cov[p].get(k) for p in pids], dtype=object) for k in names}


def read_outcomes_long(path: str | Path, time_column: str | None = None) -> OutcomeTable:
    """Read a long outcome table (layout in the module docstring).

    Parameters
    ----------
    path : str or Path
        The ``.tsv`` or ``.csv`` file.
    time_column : str, optional
        As :func:`lbpnet.recording.outcomes_bids.read_outcomes_bids`.

    Returns
    -------
    OutcomeTable
        Instruments in order of first appearance; sessions in file order per participant.
    """
    path = Path(path).expanduser()
    header, rows = read_rows(path)
    require_columns(path, header, COLUMNS)
    sidecars = [read_sidecar(path.parent / "sessions.json"),
                read_sidecar(path.with_suffix(".json"))]
    per: dict[str, dict] = {}          # pid -> {session: {...}}
    first_row: dict[str, int] = {}
    instruments: list[str] = []
    seen: dict[tuple, int] = {}
    for n, row in rows:
        pid = _strip(row["participant_id"], "sub-", path, n, "participant_id")
        ses = _strip(row["session_id"], "ses-", path, n, "session_id")
        name = row["instrument"]
        if not name:
            raise ReaderError(f"row {n}: no instrument named", source=str(path),
                              field="instrument", fix="name the outcome (odi, nrs, ...)")
        if (pid, ses, name) in seen:
            raise ReaderError(f"row {n}: sub-{pid} ses-{ses} {name} is given twice (first in "
                              f"row {seen[pid, ses, name]})", source=str(path),
                              field="session_id", fix="keep one row per participant, session "
                                                      "and instrument")
        seen[pid, ses, name] = n
        first_row.setdefault(pid, n)
        if name not in instruments:
            instruments.append(name)
        sessions = per.setdefault(pid, {})
        entry = sessions.setdefault(ses, {"row": n, "cells": dict(row), "scores": {}})
        for t in ("acq_time", "weeks", time_column):
            if t and t in header and row[t] != entry["cells"][t]:
                raise ReaderError(f"row {n}: {t} '{row[t]}' differs from '{entry['cells'][t]}' "
                                  f"of the same session in row {entry['row']}", source=str(path),
                                  field=t, fix="give one time per session")
        entry["scores"][name] = parse_score(row["value"], path, n, "value")
    if not per:
        raise ReaderError("the table has no rows", source=str(path), fix="add outcome rows")
    pids = sorted(per)
    chosen = time_column or next((c for c in ("acq_time", "weeks") if c in header), None)
    units = instrument(chosen, sidecars).units if chosen and chosen != "acq_time" else None
    times, unit, used = [], "sessions", "session order"
    for pid in pids:
        ses_rows = [(e["row"], e["cells"]) for e in per[pid].values()]
        t, unit, used = session_times(ses_rows, header, path, time_column, units)
        times.append(t)
    values = pad([[[e["scores"].get(c, np.nan) for c in instruments] for e in per[p].values()]
                  for p in pids], len(instruments))
    rows_at = pad([[e["row"] for e in per[p].values()] for p in pids])
    return OutcomeTable(
        participants=pids, sessions=[list(per[p]) for p in pids], instruments=instruments,
        values=values, times=pad(times), time_unit=unit, time_source=used,
        covariates=_covariates(path.parent, pids, first_row, path),
        info={c: instrument(c, sidecars) for c in instruments}, files=[str(path)] * len(pids),
        rows=np.nan_to_num(rows_at, nan=-1).astype(int), source=str(path))
