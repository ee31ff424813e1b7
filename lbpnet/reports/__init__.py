"""Clinician-facing HTML reports of explained predictions (decision support, research use)."""

from lbpnet.reports.build import write_reports
from lbpnet.reports.session import SessionInfo
from lbpnet.reports.signals import WindowSignals, check_same_channels

__all__ = ["SessionInfo", "WindowSignals", "check_same_channels", "write_reports"]
