"""Adjudication: one label per interval when several raters labelled it.

An *item* is one interval of one recording (start and end rounded to the
millisecond); each rater's latest label on it is a vote. Policies:

``majority``
    The label most raters gave; a tie is no label (the item is left out).
``senior``
    The label of the most senior rater present (``seniors``, most senior first);
    items no senior labelled fall back to ``majority``.
``exclude``
    A label only when every rater agrees; disagreements are left out.

Items labelled by one rater keep that label under every policy.
"""

from __future__ import annotations

from collections import Counter

from lbpnet.errors import ConfigError
from lbpnet.recording.label_store_format import LabelEntry

POLICIES = ("majority", "senior", "exclude")


def item_key(entry: LabelEntry) -> tuple[str, float, float]:
    """``(recording, start_s, end_s)`` with times rounded to 1 ms."""
    return entry.recording, round(float(entry.start_s), 3), round(float(entry.end_s), 3)


def votes_by_item(entries: list[LabelEntry]) -> dict[tuple, dict[str, str]]:
    """``{item: {annotator: label}}``; a rater's later entry on an item replaces the earlier."""
    items: dict[tuple, dict[str, str]] = {}
    for e in entries:
        items.setdefault(item_key(e), {})[e.annotator] = e.label
    return items


def adjudicate(entries: list[LabelEntry], policy: str = "majority",
               seniors: list[str] | tuple = ()) -> list[tuple[str, float, float, str]]:
    """One label per item under ``policy``.

    Parameters
    ----------
    entries : list of LabelEntry
        The active entries of a label set.
    policy : {"majority", "senior", "exclude"}
    seniors : list of str
        Annotators, most senior first (policy ``senior``).

    Returns
    -------
    list of (recording, start_s, end_s, label)
        Sorted by recording and start; items without an agreed label are left out.
    """
    if policy not in POLICIES:
        raise ConfigError(f"unknown adjudication policy '{policy}'", field="adjudication",
                          fix=f"use one of {', '.join(POLICIES)}")
    if policy == "senior" and not seniors:
        raise ConfigError("policy 'senior' needs the senior raters", field="seniors",
                          fix="list the annotators most senior first, e.g. seniors=[dr_a]")
    out = []
    for (rec, start, end), votes in votes_by_item(entries).items():
        label = None
        if policy == "senior":
            label = next((votes[s] for s in seniors if s in votes), None)
        if label is None:
            counts = Counter(votes.values()).most_common()
            if policy == "exclude":
                label = counts[0][0] if len(counts) == 1 else None
            elif len(counts) == 1 or counts[0][1] > counts[1][1]:
                label = counts[0][0]
        if label is not None:
            out.append((rec, start, end, label))
    return sorted(out)
