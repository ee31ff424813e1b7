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

from pathlib import Path


from lbpnet.errors import ConfigError, ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.bids_sidecars import (EMG_TYPES, KNOWN_TYPES, MOTION_TYPES, PHYSIO_TYPES,
                                            _number, _read_channels, _read_json, _read_matrix,
                                            _read_table)
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
    names, types, units = _read_channels(channels_path, MOTION_TYPES)
    data = _read_matrix(path, names, channels_path)
    return Stream(name, data, rate, names, types, units, start_time=start)


def _physio_types(overrides: dict | None) -> dict[str, str]:
    """:data:`PHYSIO_TYPES` updated by ``overrides`` (column name -> channel type)."""
    types = dict(PHYSIO_TYPES)
    for column, kind in dict(overrides or {}).items():
        if str(kind).upper() not in KNOWN_TYPES:
            raise ConfigError(f"unknown channel type {kind!r} for physio column '{column}'",
                              field=f"data.physio_types.{column}",
                              fix=f"use one of {', '.join(KNOWN_TYPES)}")
        types[str(column).lower()] = str(kind).upper()
    return types


def _read_physio(path: Path, name: str, column_types: dict[str, str]) -> Stream:
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
    types = [column_types.get(c.lower()) or guess_channel_type(c) for c in columns]
    return Stream(name, data, rate, columns, types, units, start_time=start)


def _read_emg(path: Path, subject: str) -> tuple[list[Stream], Annotations]:
    overrides = {}
    channels_path = _sidecar(path, "emg", "channels.tsv")
    if channels_path.exists():
        names, types, units = _read_channels(channels_path, EMG_TYPES)
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
              datatypes=DATATYPES, physio_types: dict | None = None) -> list[Recording]:
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
    physio_types : dict, optional
        Channel type of ``_physio`` columns by name, over the BIDS defaults
        ``cardiac: ECG, respiratory: RESP, trigger: TRIG`` (e.g. ``{"cardiac": "PPG"}`` for
        a pulse oximeter); other columns are typed from their name (``ecg`` -> ECG).

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
    column_types = _physio_types(physio_types)
    return [_build(root, key, files, label_column, participants, ignored, column_types)
            for key, files in sorted(groups.items(), key=lambda kv: str(kv[0]))]


def _build(root, key, files, label_column, participants, ignored, column_types) -> Recording:
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
            new = [_read_physio(path, entities.get("recording") or "physio", column_types)]
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
