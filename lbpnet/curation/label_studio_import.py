"""Labels back from review: Label Studio's JSON export, or the filled ``queue.csv``.

Each region a reviewer drew (``timeserieslabels``: start and end in recording-clock
seconds, one label) becomes a :class:`~lbpnet.recording.label_store_format.LabelEntry`
with the reviewer's per-region reason (``textarea`` of the same region id), the
annotator, the annotation's time (UTC) and the source (queue, model version, tool,
task). Refused, naming the task and the region: a label outside the classes (an
export from another project), an interval outside its task's segment or not
``start < end``, two overlapping regions of one annotator, an annotation without
annotator, a task that is not in the queue.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

from lbpnet.errors import ConfigError, ReaderError
from lbpnet.recording.label_store_format import LabelEntry

TOLERANCE_S = 1e-3


def _utc(stamp) -> str:
    if not stamp:
        return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    t = t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _annotator(annotation: dict, annotators: dict | None) -> str | None:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("username") or who.get("id")
    if who is None or str(who).strip() == "":
        return None
    return str((annotators or {}).get(str(who), who))


def _check_entries(entries: list[LabelEntry], classes: list[str], segments: dict,
                   source: str) -> None:
    for e in entries:
        where = f"task {e.source.get('task')} (recording {e.recording}), region {e.start_s}-{e.end_s} s"
        if e.label not in classes:
            raise ConfigError(f"{where}: label '{e.label}' is not one of the queue's classes "
                              f"{classes}", source=source, field="label",
                              fix="this looks like an export from another project: import it "
                                  "with that project's queue and store")
        lo, hi = segments.get(e.source.get("task"), (0.0, float("inf")))
        if not (e.start_s < e.end_s) or e.start_s < lo - TOLERANCE_S or e.end_s > hi + TOLERANCE_S:
            raise ConfigError(f"{where}: the interval is outside the task's segment "
                              f"{lo}-{hi} s or not start < end", source=source,
                              field="start/end", fix="redraw the region inside the segment")
    by_rater: dict[tuple, list[LabelEntry]] = {}
    for e in entries:
        by_rater.setdefault((e.recording, e.annotator), []).append(e)
    for (rec, who), group in by_rater.items():
        group.sort(key=lambda e: e.start_s)
        for a, b in zip(group, group[1:]):
            if b.start_s < a.end_s - TOLERANCE_S:
                raise ConfigError(
                    f"annotator {who} labelled overlapping intervals on recording {rec}: "
                    f"{a.start_s}-{a.end_s} s '{a.label}' and {b.start_s}-{b.end_s} s "
                    f"'{b.label}'", source=source, field="start/end",
                    fix="keep one label per stretch of time: fix the regions and export again")


def _queue_context(queue: dict | None, classes: list[str] | None):
    if queue is None and classes is None:
        raise ConfigError("no class set to check the labels against", field="queue",
                          fix="give queue=<the queue folder> (or the store's classes)")
    segments = {t["task_id"]: (t["start_s"], t["end_s"]) for t in (queue or {}).get("tasks", [])}
    return list(classes if classes is not None else queue["classes"]), segments


def read_label_studio_export(path, queue: dict | None = None, classes: list[str] | None = None,
                             annotators: dict | None = None) -> list[LabelEntry]:
    """Label entries of a Label Studio JSON export (a list of tasks).

    Parameters
    ----------
    path : path
        The export (``Export → JSON``, or the API's ``export?exportType=JSON``).
    queue : dict, optional
        The queue (:func:`~lbpnet.curation.queue_files.read_queue`): its classes, and its
        tasks' segments for the range check; a task not in it is refused.
    classes : list of str, optional
        The classes, when no queue is given (e.g. the store's).
    annotators : dict, optional
        ``{tool user id or e-mail: annotator name}`` (pseudonyms).
    """
    classes, segments = _queue_context(queue, classes)
    try:
        tasks = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ReaderError(f"cannot read the export ({err})", source=str(path),
                          fix="give the JSON file Label Studio exported") from None
    if not isinstance(tasks, list):
        raise ReaderError("the export is not a list of tasks", source=str(path),
                          fix="export the project as JSON (not JSON_MIN or CSV)")
    entries = []
    for task in tasks:
        data = task.get("data", {})
        tid = data.get("task_id")
        if "recording" not in data or tid is None:
            raise ConfigError(f"task {task.get('id')} has no lbpnet recording/task_id in its data",
                              source=str(path), field="data",
                              fix="this is an export from another project: export the project "
                                  "lbpnet-curate queue made")
        if segments and tid not in segments:
            raise ConfigError(f"task {tid} is not in the queue", source=str(path),
                              field="task_id", fix="give the queue this project was made from")
        for ann in task.get("annotations", []):
            if ann.get("was_cancelled"):
                continue
            who = _annotator(ann, annotators)
            if who is None:
                raise ConfigError(f"an annotation of task {tid} has no annotator "
                                  "(completed_by)", source=str(path), field="completed_by",
                                  fix="export with annotator details, or map ids with "
                                      "annotators={id: name}")
            regions, reasons = {}, {}
            for r in ann.get("result", []):
                v = r.get("value", {})
                if r.get("type") == "timeserieslabels":
                    regions[r.get("id")] = v
                elif r.get("type") == "textarea":
                    reasons[r.get("id")] = " ".join(v.get("text", []))
            for rid, v in regions.items():
                labels = v.get("timeserieslabels") or []
                if len(labels) != 1:
                    raise ConfigError(f"task {tid}, region {rid}: {len(labels)} labels; one "
                                      "expected", source=str(path), field="timeserieslabels",
                                      fix="give every region exactly one label")
                entries.append(LabelEntry(
                    str(data["recording"]), float(v["start"]), float(v["end"]), str(labels[0]),
                    who, _utc(ann.get("updated_at") or ann.get("created_at")),
                    {"queue": data.get("queue"), "model_version": data.get("model_version"),
                     "tool": "label-studio", "task": tid}, reasons.get(rid, "")))
    _check_entries(entries, classes, segments, str(path))
    return entries


def read_review_csv(path, queue: dict | None = None,
                    classes: list[str] | None = None) -> list[LabelEntry]:
    """Label entries of a filled ``queue.csv`` (rows with an empty ``label`` are skipped;
    ``start_s``/``end_s`` may be narrowed to the labelled stretch)."""
    classes, segments = _queue_context(queue, classes)
    entries = []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = {"recording", "start_s", "end_s", "label", "annotator"} - set(
            reader.fieldnames or [])
        if missing:
            raise ReaderError(f"columns {sorted(missing)} are missing", source=str(path),
                              field=", ".join(sorted(missing)),
                              fix="fill in the queue.csv lbpnet wrote")
        for row_no, row in enumerate(reader, start=2):
            if not (row.get("label") or "").strip():
                continue
            if not (row.get("annotator") or "").strip():
                raise ConfigError(f"row {row_no} has a label but no annotator", source=str(path),
                                  field="annotator", fix="say who labelled it")
            try:
                start, end = float(row["start_s"]), float(row["end_s"])
            except ValueError:
                raise ConfigError(f"row {row_no}: start_s/end_s are not numbers",
                                  source=str(path), field="start_s/end_s",
                                  fix="give seconds as numbers") from None
            tid = row.get("task_id") or None
            if segments and tid not in segments:
                raise ConfigError(f"row {row_no}: task {tid} is not in the queue",
                                  source=str(path), field="task_id",
                                  fix="give the queue this CSV was made from")
            entries.append(LabelEntry(
                row["recording"].strip(), start, end, row["label"].strip(),
                row["annotator"].strip(), _utc(row.get("time")),
                {"queue": (queue or {}).get("queue"),
                 "model_version": (queue or {}).get("model_version"), "tool": "csv",
                 "task": tid}, (row.get("reason") or "").strip()))
    _check_entries(entries, classes, segments, str(path))
    return entries


def import_labels(export, store, queue: dict | None = None,
                  annotators: dict | None = None) -> tuple[str, int, int]:
    """Read ``export`` (``.json``: Label Studio; ``.csv``: filled queue) into ``store``
    (a :class:`~lbpnet.curation.label_store.LabelStore`).

    Entries already in the store (same recording, interval, label, annotator, time and
    task) are skipped, so importing one export twice adds nothing.

    Returns
    -------
    (version, n_added, n_skipped)
        ``version`` is the new label-set version (the latest one when nothing was added).
    """
    read = read_review_csv if str(export).lower().endswith(".csv") else read_label_studio_export
    kwargs = {} if read is read_review_csv else {"annotators": annotators}
    entries = read(export, queue=queue, classes=None if queue else store.classes, **kwargs)
    seen = {(e.recording, e.start_s, e.end_s, e.label, e.annotator, e.time,
             e.source.get("task")) for e in store.entries()}
    new = [e for e in entries if (e.recording, e.start_s, e.end_s, e.label, e.annotator,
                                  e.time, e.source.get("task")) not in seen]
    if not new:
        versions = store.versions()
        return (versions[-1]["version"] if versions else ""), 0, len(entries)
    version = store.append(new, note=f"import of {Path(export).name}")
    return version, len(new), len(entries) - len(new)
