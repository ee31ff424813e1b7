"""Recordings: streams at their own rates, annotations, readers and the native store."""

from lbpnet.recording.annotations import Annotations
from lbpnet.recording.bids import read_bids
from lbpnet.recording.edf import read_edf
from lbpnet.recording.folders import load_edf_folder, load_store_folder
from lbpnet.recording.recording import Recording
from lbpnet.recording.store import RecordingWriter, read_recording, write_recording
from lbpnet.recording.stream import Stream

__all__ = ["Annotations", "Recording", "Stream", "read_bids", "read_edf", "load_edf_folder",
           "load_store_folder", "RecordingWriter", "read_recording", "write_recording"]
