"""Preprocessing: recording-level transforms and (later) torch filter chains."""

from lbpnet.preprocess.envelope import RmsEnvelope
from lbpnet.preprocess.gravity import GravitySplit

__all__ = ["GravitySplit", "RmsEnvelope"]
