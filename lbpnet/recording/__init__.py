"""Recordings: streams at their own rates, annotations, readers and the native store."""

from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream

__all__ = ["Annotations", "Recording", "Stream"]
