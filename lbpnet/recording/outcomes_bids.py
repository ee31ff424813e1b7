"""Read BIDS-style longitudinal outcomes: participants.tsv + per participant sessions.tsv.

::

    root/
      participants.tsv        participant_id (sub-<id>), covariates (arm, age, …)
      participants.json       meaning of those columns (optional)
      sessions.json           meaning of the session columns, inherited by every participant
      sub-01/
        sub-01_sessions.tsv   session_id (ses-<x>), [acq_time], [weeks], odi, nrs, … (n/a)
        sub-01_sessions.json  overrides root sessions.json for this participant (optional)
        ses-01/motion/…       sensor recordings of that session (optional; lbpnet.recording.bids)

Every problem is an error naming the file, the row and the column.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.outcomes import OutcomeTable
from lbpnet.recording.outcomes_sidecar import (instrument, read_json, pad, parse_covariate, parse_score,
                                               read_rows, read_sidecar, require_columns,
                                               session_times)

LABEL = re.compile(r"^[A-Za-z0-9]+$")


def _label(text: str, prefix: str, path: Path, row: int, column: str) -> str:
    """``sub-01`` -> ``01``; an error naming row and column when malformed."""
    label = text[len(prefix):] if text.startswith(prefix) else ""
    if not LABEL.match(label):
        raise ReaderError(f"row {row}: '{text}' is not a {prefix}<label> id (letters and digits)",
                          source=str(path), field=column, fix=f"write e.g. {prefix}01")
    return label


def read_participants(root: Path) -> tuple[list[str], dict[str, dict]]:
    """Participant labels (file order) and their covariates ``{label: {column: value}}``."""
    path = root / "participants.tsv"
    header, rows = read_rows(path)
    require_columns(path, header, ["participant_id"])
    labels, covariates = [], {}
    for n, row in rows:
        pid = _label(row["participant_id"], "sub-", path, n, "participant_id")
        if pid in covariates:
            raise ReaderError(f"row {n}: participant sub-{pid} is listed twice", source=str(path),
                              field="participant_id", fix="keep one row per participant")
        labels.append(pid)
        covariates[pid] = {c: parse_covariate(v) for c, v in row.items() if c != "participant_id"}
    return labels, covariates


def _sessions(root: Path, pid: str, time_column: str | None, root_sidecar: dict):
    """One participant's sessions: labels, times, scores per column, sidecars, rows."""
    folder = root / f"sub-{pid}"
    path = folder / f"sub-{pid}_sessions.tsv"
    if not path.is_file():
        raise ReaderError(f"participant sub-{pid} (participants.tsv) has no sessions file",
                          source=str(path), field="session_id",
                          fix=f"write {path.name} with a session_id column and one column per "
                              "outcome, or remove the participant from participants.tsv")
    sidecars = [root_sidecar, read_sidecar(folder / f"sub-{pid}_sessions.json")]
    header, rows = read_rows(path)
    require_columns(path, header, ["session_id"])
    if not rows:
        raise ReaderError("no sessions listed", source=str(path), field="session_id",
                          fix="add one row per session")
    labels, seen = [], {}
    for n, row in rows:
        ses = _label(row["session_id"], "ses-", path, n, "session_id")
        if ses in seen:
            raise ReaderError(f"row {n}: session ses-{ses} is listed twice (first in row "
                              f"{seen[ses]})", source=str(path), field="session_id",
                              fix="give every session its own session_id")
        seen[ses] = n
        labels.append(ses)
    on_disk = sorted(p.name for p in folder.glob("ses-*") if p.is_dir())
    unknown = [name for name in on_disk if name[4:] not in seen]
    if unknown:
        raise ReaderError(f"session folder(s) {unknown} are not listed (sessions: "
                          f"{['ses-' + s for s in labels]})", source=str(path),
                          field="session_id",
                          fix=f"add a row for {unknown[0]} to {path.name}, or rename the folder")
    chosen = time_column or next((c for c in ("acq_time", "weeks") if c in header), None)
    units = instrument(chosen, sidecars).units if chosen and chosen != "acq_time" else None
    times, unit, used = session_times(rows, header, path, time_column, units)
    skip = {"session_id", "acq_time", "weeks", used}      # time columns are not instruments
    columns = [c for c in header if c not in skip]
    scores = {c: [parse_score(row[c], path, n, c) for n, row in rows] for c in columns}
    return labels, times, unit, used, scores, sidecars, [n for n, _ in rows], str(path)


def _description(root: Path) -> dict:
    """``dataset_description.json``'s ``lbpnet`` object (``{"synthetic": true}`` marks
    simulated data); empty when absent."""
    path = root / "dataset_description.json"
    if not path.is_file():
        return {}
    data = read_json(path, "write a JSON object (BIDS dataset_description)")
    extra = data.get("lbpnet", {}) if isinstance(data, dict) else {}
    return extra if isinstance(extra, dict) else {}


def read_outcomes_bids(root: str | Path, time_column: str | None = None) -> OutcomeTable:
    """Read a BIDS-style outcome folder (layout in the module docstring).

    Parameters
    ----------
    root : str or Path
        The folder holding ``participants.tsv``.
    time_column : str, optional
        Session time column; default ``acq_time`` (ISO) if present, else ``weeks``, else the
        session order (see :func:`lbpnet.recording.outcomes_sidecar.session_times`).

    Returns
    -------
    OutcomeTable
        Participants sorted by label; instruments are every column of the sessions files
        but ``session_id``, ``acq_time``, ``weeks`` and the time column (a participant
        without a column has NaN there). Instrument meaning: the root ``sessions.json``,
        keys it lacks from the participants' sidecars.
    """
    root = Path(root).expanduser()
    labels, covariates = read_participants(root)
    if not labels:
        raise ReaderError("participants.tsv lists no participant",
                          source=str(root / "participants.tsv"), field="participant_id",
                          fix="add one row per participant")
    listed = set(labels)
    extra = sorted(p.name for p in root.glob("sub-*") if p.is_dir() and p.name[4:] not in listed)
    if extra:
        raise ReaderError(f"folder(s) {extra} are not in participants.tsv",
                          source=str(root / "participants.tsv"), field="participant_id",
                          fix=f"add a row for {extra[0]}, or move the folder out of {root}")
    root_sidecar = read_sidecar(root / "sessions.json")
    per = {pid: _sessions(root, pid, time_column, root_sidecar) for pid in sorted(labels)}
    units = {v[2] for v in per.values()}
    sources = {v[3] for v in per.values()}
    if len(units) > 1:
        by = {u: next(p for p, v in per.items() if v[2] == u) for u in units}
        raise ReaderError(f"some participants have session times and some not ({by})",
                          source=str(root), field=time_column or "acq_time",
                          fix="give every sessions.tsv the same time column")
    instruments: list[str] = []
    for v in per.values():
        instruments += [c for c in v[4] if c not in instruments]
    pids = sorted(labels)
    values = pad([np.array([v[4].get(c, [np.nan] * len(v[0])) for c in instruments]).T
                  for v in per.values()], len(instruments))
    # table-level meaning: the root sessions.json; keys it lacks from participants' sidecars
    info = {c: instrument(c, [per[p][5][1] for p in reversed(pids)] + [root_sidecar])
            for c in instruments}
    cov_names = sorted({k for c in covariates.values() for k in c})
    cov = {k: np.array([covariates[p].get(k) for p in pids], dtype=object) for k in cov_names}
    rows = pad([per[p][6] for p in pids]).astype(float)
    desc = _description(root)
    return OutcomeTable(
        participants=pids, sessions=[per[p][0] for p in pids], instruments=instruments,
        values=values, times=pad([per[p][1] for p in pids]), time_unit=units.pop(),
        time_source=sources.pop() if len(sources) == 1 else "mixed", covariates=cov, info=info,
        files=[per[p][7] for p in pids], rows=np.nan_to_num(rows, nan=-1).astype(int),
        source=str(root), synthetic=bool(desc.get("synthetic", False)))
