"""Train on a curated label set: ``data.labels=<store>@<version>``.

:class:`LabelSource` is a recording transform that puts the intervals of one
label-set version of a label store (:mod:`lbpnet.recording.label_store_format`),
one label per interval after adjudication, into each recording's annotations:

``override`` (default)
    The curated intervals win: the recording's own annotations are cut out where a
    curated interval lies, then the curated ones are added.
``add``
    The curated intervals are added beside the recording's own (where both cover a
    window, the window's label policy decides between them).

Recordings the label set does not name keep their own annotations. The label
policy of the windows (``majority``/``centre``/``pure``) then applies as usual.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lbpnet.errors import ConfigError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.label_adjudication import adjudicate
from lbpnet.recording.label_store_format import read_label_set, split_spec
from lbpnet.recording.recording import Recording

MODES = ("override", "add")


def cut_out(annotations: Annotations, starts: np.ndarray, ends: np.ndarray) -> Annotations:
    """``annotations`` with the stretches ``[starts[i], ends[i])`` (s) removed; an interval
    partly inside one keeps its pieces outside it."""
    pieces = []
    order = np.argsort(starts)
    starts, ends = np.asarray(starts, float)[order], np.asarray(ends, float)[order]
    for onset, end, label in zip(annotations.onset, annotations.end, annotations.label):
        if end <= onset:                   # an instantaneous event: kept unless inside
            inside = np.any((starts <= onset) & (onset < ends))
            if not inside:
                pieces.append((onset, end, label))
            continue
        cursor = onset
        for s, e in zip(starts, ends):
            if e <= cursor or s >= end:
                continue
            if s > cursor:
                pieces.append((cursor, s, label))
            cursor = max(cursor, e)
        if cursor < end:
            pieces.append((cursor, end, label))
    if not pieces:
        return Annotations()
    on, off, lab = zip(*pieces)
    return Annotations(np.array(on), np.array(off) - np.array(on), np.array(lab, dtype=object))


class LabelSource:
    """A recording transform applying one label-set version.

    Parameters
    ----------
    labels : str
        ``"<store folder>@<version>"`` (no ``@``: the latest version).
    mode : {"override", "add"}
    adjudication : {"majority", "senior", "exclude"}
        One label per interval when several raters labelled it
        (:func:`lbpnet.recording.label_adjudication.adjudicate`).
    seniors : list of str
        Annotators, most senior first (``adjudication="senior"``).

    Attributes
    ----------
    version : str
        The label-set version read (recorded in the run's ``metrics.json`` lineage).
    matched : set of str
        Keys of the recordings the label set changed so far.
    """

    def __init__(self, labels: str, mode: str = "override", adjudication: str = "majority",
                 seniors=()) -> None:
        if mode not in MODES:
            raise ConfigError(f"unknown labels mode '{mode}'", field="data.labels_mode",
                              fix=f"use one of {', '.join(MODES)}")
        self.store, wanted = split_spec(labels)
        self.version, entries = read_label_set(self.store, wanted)
        self.mode, self.adjudication = mode, adjudication
        self.n_entries = len(entries)
        self.by_recording: dict[str, list[tuple[float, float, str]]] = {}
        for rec, start, end, label in adjudicate(entries, adjudication, list(seniors or ())):
            self.by_recording.setdefault(rec, []).append((start, end, label))
        self.matched: set[str] = set()

    def __call__(self, recording: Recording) -> Recording:
        """``recording`` with the label set's intervals in its annotations (a copy)."""
        curated = self.by_recording.get(recording.key)
        if not curated:
            return recording
        s, e, lab = (np.array(x) for x in zip(*curated))
        Annotations(s, e - s, lab).validate(
            f"label store {self.store}@{self.version} (recording {recording.key})",
            recording_end=recording.end_time)
        own = recording.annotations
        if self.mode == "override":
            own = cut_out(own, s, e)
        merged = Annotations(np.concatenate([own.onset, s]), np.concatenate([own.duration, e - s]),
                             np.concatenate([own.label, lab.astype(object)]))
        order = np.argsort(merged.onset, kind="stable")
        self.matched.add(recording.key)
        return dataclasses.replace(recording, annotations=merged.select(order))

    def lineage(self) -> dict:
        """What a run records of the label set: store, version, mode, adjudication,
        active entries, intervals after adjudication, recordings changed."""
        return {"store": str(self.store.resolve()), "version": self.version, "mode": self.mode,
                "adjudication": self.adjudication, "entries": self.n_entries,
                "intervals": sum(len(v) for v in self.by_recording.values()),
                "recordings": sorted(self.matched)}


def label_source_of(data_cfg) -> LabelSource | None:
    """The :class:`LabelSource` a data config asks for (``labels``, ``labels_mode``,
    ``labels_adjudication``, ``labels_seniors``), or None without ``labels``."""
    get = getattr(data_cfg, "get", None)
    spec = get("labels") if get else None
    if not spec:
        return None
    return LabelSource(str(spec), mode=str(get("labels_mode") or "override"),
                       adjudication=str(get("labels_adjudication") or "majority"),
                       seniors=list(get("labels_seniors") or ()))
