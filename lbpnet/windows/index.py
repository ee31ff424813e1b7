"""The window index: windows in seconds over every modality at once, as indices.

A window is ``(recording, start)`` in seconds on the recording's clock plus a
shared length. Each modality is sliced at its own rate when the window is read
(``round(length * rate)`` samples), so a 2 s window is 4000 EMG samples at
2 kHz and 200 IMU samples at 100 Hz. Nothing is copied when the index is built:
the index is a handful of arrays, whatever the length of the recordings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbpnet.errors import WindowError
from lbpnet.recording.recording import Recording
from lbpnet.windows.label_policy import assign_labels, label_overlaps

ANCHORS = ("recording", "annotation")


@dataclass
class WindowIndex:
    """Windows as indices into a list of recordings.

    Attributes
    ----------
    recording : array of int, shape (n_windows,)
        Position of each window's recording in the recordings list.
    start : array of float, shape (n_windows,)
        Window start (s, recording clock).
    label : array of int, shape (n_windows,)
        Class index into ``classes``; ``-1`` = unlabelled.
    length : float
        Window length (s), the same for every window.
    classes : list of str
        The label set.
    targets : array of float32, shape (n_windows, n_targets), optional
        Multi-label targets (1 = the label covers enough of the window, 0 = not),
        e.g. movement strategies; ``None`` when not asked for.
    target_names : list of str
        Names of the target columns.
    quality : array of float32, shape (n_windows,), optional
        Signal quality of each window from :mod:`lbpnet.qc` (1 good, 0 bad);
        ``None`` when quality control was not run (every window counts as good).
    quality_flags : array of bool, shape (n_windows, n_flags), optional
        Which check flagged which window (``True`` = flagged).
    quality_flag_names : list of str
        Names of the flag columns, ``"<stream>/<check>"`` (e.g. ``"emg/powerline"``).
    """

    recording: np.ndarray
    start: np.ndarray
    label: np.ndarray
    length: float
    classes: list[str] = field(default_factory=list)
    targets: np.ndarray | None = None
    target_names: list[str] = field(default_factory=list)
    quality: np.ndarray | None = None
    quality_flags: np.ndarray | None = None
    quality_flag_names: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.start.shape[0])

    def subset(self, keep: np.ndarray) -> "WindowIndex":
        """Windows where the boolean (or integer) selector ``keep`` applies (quality
        scores and flags travel with them)."""
        pick = lambda a: None if a is None else a[keep]          # noqa: E731
        return WindowIndex(self.recording[keep], self.start[keep], self.label[keep],
                           self.length, list(self.classes), pick(self.targets),
                           list(self.target_names), pick(self.quality),
                           pick(self.quality_flags), list(self.quality_flag_names))

    def with_quality(self, quality: np.ndarray, flags: np.ndarray | None = None,
                     flag_names: list[str] | None = None) -> "WindowIndex":
        """A copy carrying per-window quality (1 good, 0 bad) and the flags behind it.

        Raises
        ------
        WindowError
            Shapes that do not match the windows, or scores outside [0, 1] / NaN.
        """
        q = np.asarray(quality, dtype=np.float32).reshape(-1)
        if q.shape != (len(self),):
            raise WindowError(f"{q.shape[0]} quality scores for {len(self)} windows",
                              field="quality", fix="give one score per window")
        if not (np.isfinite(q).all() and (q >= 0).all() and (q <= 1).all()):
            raise WindowError("quality scores must be finite and in [0, 1]", field="quality",
                              fix="give 1 for a good window and 0 for a bad one")
        names = [str(n) for n in (flag_names or [])]
        f = None
        if flags is not None:
            f = np.asarray(flags, dtype=bool).reshape(len(self), -1)
            if f.shape[1] != len(names):
                raise WindowError(f"{f.shape[1]} flag columns but {len(names)} flag names",
                                  field="quality_flag_names", fix="name every flag column")
        out = self.subset(np.arange(len(self)))
        out.quality, out.quality_flags, out.quality_flag_names = q, f, names
        return out

    def quality_reasons(self, i: int) -> list[str]:
        """Names of the checks that flagged window ``i`` (empty when none or without QC)."""
        if self.quality_flags is None:
            return []
        return [n for n, f in zip(self.quality_flag_names, self.quality_flags[i]) if f]

    def good(self) -> np.ndarray:
        """Boolean mask of the windows QC let through (all True without QC), (n_windows,)."""
        if self.quality is None:
            return np.ones(len(self), dtype=bool)
        return self.quality > 0.5

    def target_counts(self) -> np.ndarray:
        """Number of positive windows per target, shape (n_targets,)."""
        if self.targets is None:
            return np.zeros(0, dtype=np.int64)
        return (self.targets > 0.5).sum(axis=0)

    def class_counts(self) -> np.ndarray:
        """Number of windows per class, shape (n_classes,)."""
        labelled = self.label[self.label >= 0]
        return np.bincount(labelled, minlength=len(self.classes))


def window_starts(t0: float, t1: float, length: float, stride: float) -> np.ndarray:
    """Starts ``t0, t0 + stride, …`` of the windows fitting inside ``[t0, t1]``."""
    n = int(np.floor((t1 - t0 - length) / stride + 1e-9)) + 1
    return t0 + stride * np.arange(max(n, 0))


def make_windows(recordings: list[Recording], length: float, stride: float,
                 classes: list[str] | None = None, label_policy: str = "majority",
                 anchor: str = "recording", drop_unlabelled: bool = True,
                 min_fraction: float = 0.5, targets: list[str] | None = None,
                 target_min_fraction: float = 0.5) -> WindowIndex:
    """Build the window index over ``recordings``.

    Parameters
    ----------
    recordings : list of Recording
    length, stride : float
        Window length and step (s).
    classes : list of str, optional
        The label set, in class-index order. Defaults to every label found.
    label_policy : {"majority", "centre", "pure"}
        See :mod:`lbpnet.windows.label_policy`.
    anchor : {"recording", "annotation"}
        ``recording``: one grid from the recording's common start (the latest
        stream start) to its common end. ``annotation``: a grid restarted at the
        onset of every annotated interval whose label is in ``classes``, so windows
        stay inside labelled stretches (the UCI-HAR protocol).
    drop_unlabelled : bool
        Drop windows whose label is ``-1``.
    min_fraction : float
        Passed to the ``majority`` policy.
    targets : list of str, optional
        Labels scored independently per window (multi-label), e.g.
        ``["strategy/guarding", "strategy/fatigue"]``: a target is 1 when its
        intervals cover at least ``target_min_fraction`` of the window.
    target_min_fraction : float
        Least covered fraction of the window for a positive target.

    Raises
    ------
    WindowError
        Non-positive length/stride, an unknown anchor or policy, a window longer
        than a recording, or no window at all.
    """
    if not length > 0 or not stride > 0:
        raise WindowError(f"window length ({length}) and stride ({stride}) must be > 0 s",
                          field="window.length_s/stride_s", fix="give positive seconds")
    if anchor not in ANCHORS:
        raise WindowError(f"unknown anchor '{anchor}'", field="window.anchor",
                          fix=f"use one of {', '.join(ANCHORS)}")
    if classes is None:
        classes = sorted({lab for r in recordings for lab in r.annotations.labels()})
    classes = [str(c) for c in classes]
    wanted = set(classes)
    target_names = [str(t) for t in targets] if targets else []
    rec_ids, starts, labels, multi = [], [], [], []
    too_short = []
    for i, rec in enumerate(recordings):
        t0, t1 = rec.start_time, rec.end_time
        if t1 - t0 < length:
            too_short.append(rec)
            continue
        if anchor == "recording":
            s = window_starts(t0, t1, length, stride)
        else:
            ann = rec.annotations
            pieces = [window_starts(max(on, t0), min(on + du, t1), length, stride)
                      for on, du, lab in zip(ann.onset, ann.duration, ann.label) if lab in wanted]
            s = np.unique(np.concatenate(pieces)) if pieces else np.zeros(0)
        lab = assign_labels(s, length, rec.annotations, classes, label_policy, min_fraction)
        if drop_unlabelled:
            s, lab = s[lab >= 0], lab[lab >= 0]
        if target_names:
            cover = label_overlaps(s, length, rec.annotations, target_names) / length
            multi.append((cover >= target_min_fraction - 1e-9).astype(np.float32))
        rec_ids.append(np.full(len(s), i, dtype=np.int64))
        starts.append(s)
        labels.append(lab)
    if too_short and len(too_short) == len(recordings):
        raise WindowError(
            f"every recording is shorter than the {length} s window "
            f"(longest: {max(r.duration for r in recordings):.3f} s)",
            source=too_short[0].source, field="window.length_s",
            fix="use a shorter window or longer recordings")
    index = WindowIndex(np.concatenate(rec_ids) if rec_ids else np.zeros(0, np.int64),
                        np.concatenate(starts) if starts else np.zeros(0),
                        np.concatenate(labels) if labels else np.zeros(0, np.int64),
                        float(length), classes,
                        np.concatenate(multi) if target_names else None, target_names)
    if len(index) == 0:
        found = sorted({lab for r in recordings for lab in r.annotations.labels()})
        raise WindowError(
            f"no windows: none of the {len(recordings)} recordings has a {length} s window "
            f"labelled with one of {classes} under policy '{label_policy}' "
            f"(labels found: {found[:20]})", field="data.classes",
            fix="check the class names against the annotation labels, or relax the policy")
    return index
