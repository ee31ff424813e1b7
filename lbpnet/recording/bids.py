"""Read a BIDS-style folder (BIDS-Motion, EMG, physio, events) into recordings.

Layout read::

    root/participants.tsv                         optional; participant_id + columns
    root/sub-<s>[/ses-<x>]/<datatype>/sub-<s>[_ses-<x>]_task-<t>[_acq-..][_tracksys-..][_run-<r>]_<suffix>

Data files and their sidecars (same name up to the suffix) -> stream name:

- ``_motion.tsv`` (no header) + ``_motion.json`` (SamplingFrequency, StartTime)
  + ``_channels.tsv`` (name, type, units) -> ``motion`` (``motion_<tracksys>``
  when a recording has several tracking systems);
- ``_emg.edf``/``.bdf`` + optional ``_channels.tsv`` and ``_emg.json`` -> ``emg``;
- ``_physio.tsv[.gz]`` + ``_physio.json`` (SamplingFrequency, StartTime, Columns,
  ``<column>: {"Units": ...}``) -> ``physio`` or the ``recording-<label>``;
- ``_events.tsv`` (onset, duration, label column) -> annotations.

Files sharing ``sub``/``ses``/``task``/``run`` form one :class:`Recording`;
each stream keeps its rate and starts at its sidecar's ``StartTime`` (s,
default 0) on the recording clock. Event onsets are seconds on that clock.
EDF+ annotations are used only when a recording has no ``_events.tsv``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.edf import guess_channel_type, read_edf, read_edf_header
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream
from lbpnet.recording.units import canonical_unit, known_units

DATATYPES = ("motion", "emg", "physio", "beh", "eeg")
_DATA = {("motion", ".tsv"), ("emg", ".edf"), ("emg", ".bdf"), ("physio", ".tsv.gz"),
         ("physio", ".tsv"), ("events", ".tsv")}
_SIDECARS = {"channels", "motion", "emg", "physio", "events", "scans"}


def parse_bids_name(name: str) -> tuple[dict[str, str], str, str]:
    """Split ``sub-01_task-walk_run-1_motion.tsv`` into
    ``({"sub": "01", "task": "walk", "run": "1"}, "motion", ".tsv")``."""
    *pairs, last = name.split("_")
    suffix, dot, rest = last.partition(".")
    return dict(p.partition("-")[::2] for p in pairs), suffix, dot + rest


def _read_text(path: Path) -> str:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
                return handle.read()
        return path.read_text(encoding="utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
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


def _number(meta: dict, key: str, path: Path, default=None, positive=False) -> float:
    value = meta.get(key, default)
    if value is None:
        raise ReaderError(f"'{key}' is missing", source=str(path), field=key,
                          fix=f'add "{key}": <value in Hz> to {path.name}')
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or (positive and value <= 0):
        raise ReaderError(f"'{key}' is {meta.get(key)!r}; it must be a "
                          f"{'positive ' if positive else ''}number", source=str(path),
                          field=key, fix=f"write {key} as a number (Hz for SamplingFrequency, "
                                         "seconds for StartTime)")
    return value


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


def _read_channels(path: Path) -> tuple[list[str], list[str], list[str]]:
    """``_channels.tsv`` -> (names, BIDS types upper-case, canonical units)."""
    header, rows = _read_table(path)
    if "name" not in header:
        raise ReaderError(f"has no 'name' column (columns: {header})", source=str(path),
                          field="name", fix="add a header row 'name<TAB>type<TAB>units'")
    names, types, units = [], [], []
    for i, row in enumerate(rows, start=2):
        unit = row.get("units", "n/a")
        canon = canonical_unit(unit)
        if canon is None:
            raise ReaderError(f"line {i}: unknown unit '{unit}' for channel '{row['name']}'",
                              source=str(path), field="units",
                              fix=f"use one of {', '.join(known_units())}")
        kind = row.get("type", "") or "MISC"
        names.append(row["name"])
        types.append("MISC" if kind.lower() == "n/a" else kind.upper())
        units.append(canon)
    return names, types, units


def _sidecar(path: Path, suffix: str, new_suffix: str) -> Path:
    stem = path.name[: path.name.rindex(f"_{suffix}.")]
    return path.with_name(f"{stem}_{new_suffix}")


def _read_motion(path: Path, name: str) -> Stream:
    meta_path = _sidecar(path, "motion", "motion.json")
    meta = _read_json(meta_path, True, f"the sampling rate of {path.name}")
    rate = _number(meta, "SamplingFrequency", meta_path, positive=True)
    start = _number(meta, "StartTime", meta_path, default=0.0)
    channels_path = _sidecar(path, "motion", "channels.tsv")
    if not channels_path.exists():
        raise ReaderError("sidecar is missing; BIDS-Motion data has no header, so channel "
                          f"names come from it (needed for {path.name})",
                          source=str(channels_path), field="name",
                          fix="write a channels.tsv with columns name, type, units, one row "
                              "per data column")
    names, types, units = _read_channels(channels_path)
    data = _read_matrix(path, names, channels_path)
    return Stream(name, data, rate, names, types, units, start_time=start)


def _read_physio(path: Path, name: str) -> Stream:
    meta_path = _sidecar(path, "physio", "physio.json")
    meta = _read_json(meta_path, True, f"the rate and columns of {path.name}")
    rate = _number(meta, "SamplingFrequency", meta_path, positive=True)
    start = _number(meta, "StartTime", meta_path, default=0.0)
    columns = meta.get("Columns")
    if not isinstance(columns, list) or not columns:
        raise ReaderError("'Columns' is missing or not a list of column names",
                          source=str(meta_path), field="Columns",
                          fix='add "Columns": ["cardiac", "respiratory", ...], one per data column')
    columns = [str(c) for c in columns]
    units = []
    for col in columns:
        described = meta.get(col) if isinstance(meta.get(col), dict) else {}
        unit = str(described.get("Units", "n/a"))
        if canonical_unit(unit) is None:
            raise ReaderError(f"unknown unit '{unit}' for column '{col}'", source=str(meta_path),
                              field=f"{col}.Units", fix=f"use one of {', '.join(known_units())}")
        units.append(canonical_unit(unit))
    data = _read_matrix(path, columns, meta_path)
    return Stream(name, data, rate, columns, [guess_channel_type(c) for c in columns], units,
                  start_time=start)


def _read_emg(path: Path, subject: str) -> tuple[list[Stream], Annotations]:
    overrides = {}
    channels_path = _sidecar(path, "emg", "channels.tsv")
    if channels_path.exists():
        names, types, units = _read_channels(channels_path)
        labels = read_edf_header(path)["labels"]
        if len(names) != len(labels):
            raise ReaderError(f"{len(names)} rows but {path.name} has {len(labels)} signals "
                              f"{labels}", source=str(channels_path), field="name",
                              fix="write one row per EDF signal, in the file's order")
        overrides = dict(channel_names=names, channel_types=types, units=units)
    meta_path = _sidecar(path, "emg", "emg.json")
    start = _number(_read_json(meta_path, False, ""), "StartTime", meta_path, default=0.0)
    recording = read_edf(path, modality="emg", subject=subject, **overrides)
    streams = list(recording.streams.values())
    for stream in streams:
        stream.start_time = start
    edf_events = recording.annotations
    return streams, Annotations(edf_events.onset + start, edf_events.duration, edf_events.label)


def _read_events(path: Path, label_column: str) -> Annotations:
    header, rows = _read_table(path)
    for column in ("onset", "duration", label_column):
        if column not in header:
            fix = (f"add a '{column}' column (seconds)" if column != label_column else
                   f"add a '{label_column}' column, or pick one of the existing columns "
                   f"with data.label_column=<name>")
            raise ReaderError(f"has no '{column}' column; its columns are {header}",
                              source=str(path), field=column, fix=fix)
    values = {"onset": [], "duration": []}
    for line_no, row in enumerate(rows, start=2):
        for column, cells in values.items():
            cell = "0" if column == "duration" and row[column] in ("n/a", "") else row[column]
            try:
                cells.append(float(cell))
            except ValueError:
                raise ReaderError(f"line {line_no}: non-numeric {column} {cell!r}",
                                  source=str(path), field=column,
                                  fix=f"write {column} in seconds as a number") from None
    labels = [row[label_column] or "n/a" for row in rows]
    return Annotations(values["onset"], values["duration"], labels)


def _participants(root: Path) -> dict[str, dict]:
    path = root / "participants.tsv"
    if not path.exists():
        return {}
    header, rows = _read_table(path)
    if "participant_id" not in header:
        raise ReaderError(f"has no 'participant_id' column (columns: {header})",
                          source=str(path), field="participant_id",
                          fix="name the first column participant_id with values like sub-01")
    return {row["participant_id"].removeprefix("sub-"):
            {k: (None if v == "n/a" else v) for k, v in row.items() if k != "participant_id"}
            for row in rows}


def _unique(name: str, taken: dict, alternative: str | None) -> str:
    """``name``, else ``name_<alternative>``, else ``name_2``, ``name_3``…"""
    extra = [f"{name}_{alternative}"] if alternative else []
    return next(c for c in [name, *extra, *(f"{name}_{i}" for i in range(2, len(taken) + 3))]
                if c not in taken)


def read_bids(root: str | Path, label_column: str = "trial_type", subjects=None, tasks=None,
              datatypes=DATATYPES) -> list[Recording]:
    """Read every recording of a BIDS-style folder.

    Parameters
    ----------
    root : str or Path
        The dataset folder (holding ``sub-*`` folders).
    label_column : str
        Column of ``_events.tsv`` holding the labels (default ``trial_type``).
    subjects, tasks : iterable of str, optional
        Keep only these (``"01"`` or ``"sub-01"``; ``"walk"``). Default: all.
    datatypes : iterable of str
        Datatype folders searched (``motion``, ``emg``, ``physio``, ``beh``, …).

    Returns
    -------
    list of Recording
        Sorted by key; each stream ``float32 (n_samples, n_channels)`` at its
        own rate with ``start_time`` (s) from its sidecar; validated.
        ``metadata`` holds ``participant`` (participants.tsv row), ``files``
        and ``ignored_files`` (paths relative to ``root``).

    Raises
    ------
    ReaderError
        Missing folder, no recordings, a missing or malformed sidecar field, a
        column mismatch, a non-numeric cell, a missing label column.
    RecordingError
        From :meth:`Recording.validate` (NaN samples, events past the end, …).
    """
    root = Path(root)
    if not root.is_dir():
        raise ReaderError("folder not found" if not root.exists() else "is not a folder",
                          source=str(root), fix="point data.root at the BIDS dataset folder")
    subject_dirs = sorted(p for p in root.glob("sub-*") if p.is_dir())
    if not subject_dirs:
        raise ReaderError("no sub-* folders found; the folder is empty or not BIDS",
                          source=str(root), fix="point at the BIDS root holding sub-<label>/")
    available = [p.name.removeprefix("sub-") for p in subject_dirs]
    if subjects is not None:
        wanted = {str(s).removeprefix("sub-") for s in subjects}
        subject_dirs = [p for p in subject_dirs if p.name.removeprefix("sub-") in wanted]
        if not subject_dirs:
            raise ReaderError(f"none of the subjects {sorted(wanted)} is here; found {available}",
                              source=str(root), field="subjects", fix="pick existing subjects")
    wanted_tasks = None if tasks is None else {str(t).removeprefix("task-") for t in tasks}
    groups: dict[tuple, list[tuple[Path, dict, str, str]]] = {}
    ignored: list[str] = []
    for sub_dir in subject_dirs:
        for folder in [sub_dir] + sorted(p for p in sub_dir.glob("ses-*") if p.is_dir()):
            for datatype in datatypes:
                for path in sorted((folder / datatype).glob("sub-*")):
                    entities, suffix, ext = parse_bids_name(path.name)
                    if (suffix, ext) not in _DATA:
                        if suffix not in _SIDECARS:
                            ignored.append(str(path.relative_to(root)))
                        continue
                    if wanted_tasks is not None and entities.get("task") not in wanted_tasks:
                        continue
                    key = tuple(entities.get(k) for k in ("sub", "ses", "task", "run"))
                    groups.setdefault(key, []).append((path, entities, suffix, folder))
    if not any(s != "events" for files in groups.values() for _, _, s, _ in files):
        for_tasks = f" for tasks {sorted(wanted_tasks)}" if wanted_tasks else ""
        raise ReaderError(f"no recordings found (no _motion.tsv, _emg.edf/.bdf or _physio.tsv.gz "
                          f"in {list(datatypes)} folders{for_tasks})",
                          source=str(root), field="datatypes",
                          fix="check the file names (sub-<s>_task-<t>_<suffix>) and datatypes")
    participants = _participants(root)
    return [_build(root, key, files, label_column, participants, ignored)
            for key, files in sorted(groups.items(), key=lambda kv: str(kv[0]))]


def _build(root, key, files, label_column, participants, ignored) -> Recording:
    subject, session, task, run = key
    streams: dict[str, Stream] = {}
    events, edf_events = [], []
    n_motion = sum(1 for _, _, s, _ in files if s == "motion")
    for path, entities, suffix, _ in files:
        if suffix == "events":
            events.append(_read_events(path, label_column))
            continue
        if suffix == "emg":
            new, annotations = _read_emg(path, subject)
            edf_events.append(annotations)
        elif suffix == "motion":
            system = entities.get("tracksys") or entities.get("acq")
            name = f"motion_{system}" if n_motion > 1 and system else "motion"
            new = [_read_motion(path, name)]
        else:
            new = [_read_physio(path, entities.get("recording") or "physio")]
        for stream in new:
            stream.name = _unique(stream.name, streams,
                                  entities.get("acq") or entities.get("tracksys"))
            streams[stream.name] = stream
    if not streams:
        raise ReaderError("events without any data file of the same sub/ses/task/run",
                          source=str(files[0][0]), fix="add the matching _motion/_emg/_physio "
                                                       "file or remove the events file")
    rows = sorted({(round(o, 9), round(d, 9), lab) for a in (events or edf_events)
                   for o, d, lab in zip(a.onset, a.duration, a.label)})
    annotations = Annotations(*(list(col) for col in zip(*rows))) if rows else Annotations()
    folder = files[0][3]
    recording = Recording(streams=streams, annotations=annotations, subject=subject,
                          session=session, task=task, run=run, metadata={
                              "participant": participants.get(subject, {}),
                              "bids_root": str(root),
                              "files": [str(p.relative_to(root)) for p, *_ in files],
                              "ignored_files": [f for f in ignored if f.startswith(
                                  str(folder.relative_to(root)) + "/")]})
    recording.source = str(folder / recording.key)
    return recording.validate()
