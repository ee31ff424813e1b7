"""Label policies: how a window in seconds gets one label from annotated intervals.

For each window ``[start, start + length)`` the overlap (s) with every annotated
label is computed, then a policy picks one:

``majority``
    The label that covers most of the window, if it covers at least
    ``min_fraction`` of it (default 0.5); otherwise no label.
``centre``
    The label of the interval that contains the window's centre.
``pure``
    A label only when one label covers the whole window (up to ``tolerance``
    of its length) and no other label touches it; mixed windows get no label.

"No label" is ``-1``. Labels outside ``classes`` are ignored (never mapped to a
neighbour class).
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import WindowError
from lbpnet.recording.annotations import Annotations

POLICIES = ("majority", "centre", "pure")


def label_overlaps(starts: np.ndarray, length: float, annotations: Annotations,
                   classes: list[str]) -> np.ndarray:
    """Seconds of each class inside each window.

    Parameters
    ----------
    starts : array of float, shape (n_windows,)
        Window starts (s), sorted ascending.
    length : float
        Window length (s).
    annotations : Annotations
    classes : list of str

    Returns
    -------
    overlap : array of float, shape (n_windows, n_classes)
    """
    overlap = np.zeros((len(starts), len(classes)))
    lookup = {c: i for i, c in enumerate(classes)}
    for onset, end, label in zip(annotations.onset, annotations.end, annotations.label):
        k = lookup.get(label)
        if k is None or end <= onset:
            continue
        # windows with start < end and start + length > onset
        lo = np.searchsorted(starts, onset - length, side="right")
        hi = np.searchsorted(starts, end, side="left")
        if hi <= lo:
            continue
        s = starts[lo:hi]
        overlap[lo:hi, k] += np.clip(np.minimum(s + length, end) - np.maximum(s, onset), 0, None)
    return overlap


def centre_labels(starts: np.ndarray, length: float, annotations: Annotations,
                  classes: list[str]) -> np.ndarray:
    """Class index of the interval containing each window centre, ``-1`` if none."""
    labels = np.full(len(starts), -1, dtype=np.int64)
    centres = starts + length / 2
    lookup = {c: i for i, c in enumerate(classes)}
    for onset, end, label in zip(annotations.onset, annotations.end, annotations.label):
        k = lookup.get(label)
        if k is None:
            continue
        lo = np.searchsorted(centres, onset, side="left")
        hi = np.searchsorted(centres, end, side="left")
        labels[lo:hi] = k
    return labels


def assign_labels(starts: np.ndarray, length: float, annotations: Annotations,
                  classes: list[str], policy: str = "majority", min_fraction: float = 0.5,
                  tolerance: float = 1e-6) -> np.ndarray:
    """Class index per window under ``policy`` (``-1`` = no label).

    Parameters
    ----------
    starts : array of float, shape (n_windows,)
        Window starts (s), sorted ascending.
    length : float
        Window length (s).
    annotations : Annotations
    classes : list of str
        The label set; class index = position in this list.
    policy : {"majority", "centre", "pure"}
    min_fraction : float
        ``majority`` only: least fraction of the window the winner must cover.
    tolerance : float
        ``pure`` only: fraction of the window that may be uncovered (rounding).
    """
    if policy not in POLICIES:
        raise WindowError(f"unknown label policy '{policy}'", field="window.label_policy",
                          fix=f"use one of {', '.join(POLICIES)}")
    if policy == "centre":
        return centre_labels(starts, length, annotations, classes)
    overlap = label_overlaps(starts, length, annotations, classes)
    if overlap.shape[1] == 0:
        return np.full(len(starts), -1, dtype=np.int64)
    best = overlap.argmax(axis=1)
    covered = overlap[np.arange(len(starts)), best] / length
    if policy == "majority":
        return np.where(covered >= min_fraction, best, -1).astype(np.int64)
    others = overlap.sum(axis=1) - overlap[np.arange(len(starts)), best]
    pure = (covered >= 1 - tolerance) & (others <= tolerance * length)
    return np.where(pure, best, -1).astype(np.int64)
