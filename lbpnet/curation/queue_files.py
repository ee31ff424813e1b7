"""A review queue on disk: ``queue.json`` (what lbpnet needs back) and ``queue.csv``.

``queue.csv`` is for people who review elsewhere: one row per task with empty
``label``, ``annotator`` and ``reason`` columns to fill in; the filled file is read
back by :func:`lbpnet.curation.label_studio_import.read_review_csv`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from lbpnet.atomic import atomic_write_json, atomic_write_text
from lbpnet.errors import ReaderError

TASK_COLUMNS = ("task_id", "recording", "start_s", "end_s", "n_windows", "priority", "reasons",
                "predicted", "confidence", "existing_label")
REVIEW_COLUMNS = ("label", "annotator", "reason")


def write_queue(tasks, out_dir, queue_id: str, classes: list[str], model_version: str,
                run_dir: str = "", settings: dict | None = None) -> Path:
    """Write ``queue.json`` and ``queue.csv`` into ``out_dir``; return ``queue.json``'s path.

    Parameters
    ----------
    tasks : list of ReviewTask
    queue_id : str
    classes : list of str
        The run's classes (the label set an import accepts).
    model_version : str
        E.g. the checkpoint's sha256 prefix.
    run_dir : str
    settings : dict, optional
        The queue's settings (top_k, budget, gaps), recorded as given.
    """
    out = Path(out_dir)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*TASK_COLUMNS, *REVIEW_COLUMNS])
    for t in tasks:
        d = t.to_dict()
        w.writerow([d[c] for c in TASK_COLUMNS] + [""] * len(REVIEW_COLUMNS))
    atomic_write_text(out / "queue.csv", buf.getvalue())
    return atomic_write_json(out / "queue.json", {
        "queue": queue_id, "classes": list(classes), "model_version": str(model_version),
        "run_dir": str(run_dir), "settings": settings or {},
        "tasks": [t.to_dict() for t in tasks]})


def read_queue(path) -> dict:
    """``queue.json`` (a file, or the folder holding it) as a dict."""
    p = Path(path)
    p = p / "queue.json" if p.is_dir() else p
    if not p.is_file():
        raise ReaderError("no queue.json here", source=str(path), field="queue",
                          fix="give the folder `lbpnet-curate queue` wrote")
    try:
        queue = json.loads(p.read_text())
    except json.JSONDecodeError as err:
        raise ReaderError(f"not valid JSON ({err})", source=str(p),
                          fix="give the queue.json lbpnet wrote") from None
    for key in ("queue", "classes", "tasks"):
        if key not in queue:
            raise ReaderError(f"queue.json has no '{key}'", source=str(p), field=key,
                              fix="give the queue.json lbpnet wrote")
    return queue
