"""Signal quality: per-stream, per-window checks with thresholds in config, a quality mask
the window index carries, and a summary table and figure for reports.

Data flow: recording → **qc** → preprocess → windows; this package imports only
``lbpnet.recording``, ``lbpnet.errors`` and ``lbpnet.atomic``.
"""

from lbpnet.qc.config import CHECKS, QCConfig
from lbpnet.qc.quality import POLICIES, QualityControl, RecordingQuality, score_recording
from lbpnet.qc.rr import rr_beat_flags
from lbpnet.qc.stream_checks import KIND_CHECKS, StreamQuality, score_stream
from lbpnet.qc.summary import plot_summary, summary_rows, write_summary_csv

__all__ = ["CHECKS", "QCConfig", "POLICIES", "QualityControl", "RecordingQuality",
           "score_recording", "rr_beat_flags", "KIND_CHECKS", "StreamQuality", "score_stream",
           "plot_summary", "summary_rows", "write_summary_csv"]
