"""A recording: several streams at their own rates on one clock, plus annotations."""

from __future__ import annotations

from dataclasses import dataclass, field

from lbpnet.errors import RecordingError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.stream import Stream


@dataclass
class Recording:
    """Streams of one subject/session/task on a shared clock (seconds).

    Parameters
    ----------
    streams : dict of str to Stream
        Keyed by modality name (``"emg"``, ``"imu"``…); each keeps its own rate.
    annotations : Annotations
        Labelled intervals on the recording clock.
    subject : str
        Pseudonymous subject id (BIDS ``sub-<label>`` without the prefix).
    session, task, run : str, optional
        BIDS entities.
    source : str
        Where it came from (a path), used in every error message.
    metadata : dict
        Free metadata; ``metadata["synthetic"]`` is true for simulated data.
    """

    streams: dict[str, Stream]
    annotations: Annotations = field(default_factory=Annotations)
    subject: str = "unknown"
    session: str | None = None
    task: str | None = None
    run: str | None = None
    source: str = "<in memory>"
    metadata: dict = field(default_factory=dict)

    @property
    def modalities(self) -> list[str]:
        """The stream names, in order."""
        return list(self.streams)

    @property
    def start_time(self) -> float:
        """Latest stream start (s): before it, not every modality has data."""
        return max(s.start_time for s in self.streams.values())

    @property
    def end_time(self) -> float:
        """Earliest stream end (s): after it, not every modality has data."""
        return min(s.end_time for s in self.streams.values())

    @property
    def duration(self) -> float:
        """Seconds during which every stream has data (0 when they do not overlap)."""
        return max(0.0, self.end_time - self.start_time)

    @property
    def key(self) -> str:
        """A readable id: ``sub-01_ses-02_task-walk_run-1``."""
        parts = [f"sub-{self.subject}"]
        for prefix, value in (("ses", self.session), ("task", self.task), ("run", self.run)):
            if value is not None:
                parts.append(f"{prefix}-{value}")
        return "_".join(parts)

    def validate(self, check_values: bool = True) -> "Recording":
        """Validate every stream and the annotations; return ``self``.

        Raises :class:`RecordingError` naming ``source`` and the field.
        """
        if not self.streams:
            raise RecordingError("recording has no streams", source=self.source,
                                 field="streams", fix="add at least one modality")
        for name, stream in self.streams.items():
            if name != stream.name:
                raise RecordingError(
                    f"stream stored under key '{name}' is named '{stream.name}'",
                    source=self.source, field="streams", fix="use the stream's name as its key")
            stream.validate(self.source, check_values=check_values)
        latest_end = max(s.end_time for s in self.streams.values())
        self.annotations.validate(self.source, recording_end=latest_end)
        return self
