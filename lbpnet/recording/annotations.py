"""Annotations: labelled intervals on a recording's clock (seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbpnet.errors import RecordingError


@dataclass
class Annotations:
    """Intervals ``[onset, onset + duration)`` in seconds with a text label each.

    Parameters
    ----------
    onset, duration : array of float, shape (n,)
        Start and length of each interval (s, recording clock). A duration of 0
        marks an instantaneous event.
    label : array of str, shape (n,)
        Label of each interval (BIDS ``trial_type``; EDF+ annotation text).
    """

    onset: np.ndarray = field(default_factory=lambda: np.zeros(0))
    duration: np.ndarray = field(default_factory=lambda: np.zeros(0))
    label: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))

    def __post_init__(self) -> None:
        self.onset = np.asarray(self.onset, dtype=float).reshape(-1)
        self.duration = np.asarray(self.duration, dtype=float).reshape(-1)
        self.label = np.asarray([str(x) for x in np.asarray(self.label).reshape(-1)], dtype=object)

    def __len__(self) -> int:
        return int(self.onset.shape[0])

    @property
    def end(self) -> np.ndarray:
        """End time of each interval (s), shape (n,)."""
        return self.onset + self.duration

    def validate(self, source: str = "<in memory>", recording_end: float | None = None) -> None:
        """Check equal lengths, finite non-negative times and, if given, that no
        interval ends after ``recording_end`` (s)."""
        where = f"{source} [annotations]"
        if not (len(self.onset) == len(self.duration) == len(self.label)):
            raise RecordingError(
                f"onset ({len(self.onset)}), duration ({len(self.duration)}) and label "
                f"({len(self.label)}) have different lengths", source=where, field="onset",
                fix="give one onset, duration and label per event")
        for name, values in (("onset", self.onset), ("duration", self.duration)):
            if len(values) and (not np.isfinite(values).all() or (values < 0).any()):
                i = int(np.flatnonzero(~np.isfinite(values) | (values < 0))[0])
                raise RecordingError(
                    f"event {i} has {name} {values[i]!r}; must be finite and >= 0",
                    source=where, field=name, fix=f"correct the {name} of event {i} (seconds)")
        if recording_end is not None and len(self):
            tolerance = 1e-6 + 1e-9 * recording_end
            late = np.flatnonzero(self.end > recording_end + tolerance)
            if len(late):
                i = int(late[0])
                raise RecordingError(
                    f"{len(late)} event(s) end after the recording ends at {recording_end:.3f} s; "
                    f"first is event {i} '{self.label[i]}' ending at {self.end[i]:.3f} s",
                    source=where, field="onset/duration",
                    fix="cut the events to the recording, or check the events belong to this file")

    def labels(self) -> list[str]:
        """Sorted unique labels."""
        return sorted(set(self.label.tolist()))

    def select(self, keep: np.ndarray) -> "Annotations":
        """A new set with only the intervals where ``keep`` is true."""
        return Annotations(self.onset[keep], self.duration[keep], self.label[keep])

    def to_dict(self) -> dict:
        """The annotations as lists (``onset``, ``duration`` in s, ``label``), JSON-ready."""
        return {"onset": self.onset.tolist(), "duration": self.duration.tolist(),
                "label": self.label.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "Annotations":
        """Annotations from a dict of ``onset``, ``duration`` (s) and ``label`` lists (missing
        keys: empty).
        """
        return cls(d.get("onset", []), d.get("duration", []), d.get("label", []))

    @classmethod
    def from_sample_labels(cls, labels: np.ndarray, sampling_rate: float,
                           start_time: float = 0.0, ignore: tuple = ()) -> "Annotations":
        """Turn a per-sample label vector into runs of equal labels.

        ``labels`` shape (n_samples,); runs whose label is in ``ignore`` are dropped.
        """
        labels = np.asarray(labels)
        if labels.size == 0:
            return cls()
        change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
        starts = np.concatenate([[0], change])
        stops = np.concatenate([change, [labels.size]])
        values = labels[starts]
        keep = np.array([v not in ignore for v in values.tolist()], dtype=bool)
        starts, stops, values = starts[keep], stops[keep], values[keep]
        return cls(start_time + starts / sampling_rate, (stops - starts) / sampling_rate,
                   values)
