"""Preprocessing: torch filter chains per modality and recording-level transforms.

Torch ops on ``(batch, channels, time)`` (CPU or GPU, float32/float64, checked against
scipy in ``tests/preprocess``): :class:`Butterworth`, :class:`Notch` (zero phase, as
``scipy.signal.sosfiltfilt``), :class:`FullWaveRectify`, :class:`LinearEnvelope`,
:class:`MovingRms`, :class:`RmsEnvelope`, :class:`ResamplePoly` (as
``scipy.signal.resample_poly``), :class:`ZScore`, :class:`ReferenceContraction`; a
:class:`FilterChain` of them; :class:`StreamFilter` applies a chain to a recording's stream.
:class:`GravitySplit` splits an accelerometer into gravity and body acceleration.
"""

from lbpnet.preprocess.chain import FilterChain
from lbpnet.preprocess.envelope import FullWaveRectify, LinearEnvelope, MovingRms, RmsEnvelope
from lbpnet.preprocess.filters import Butterworth, Notch
from lbpnet.preprocess.gravity import GravitySplit
from lbpnet.preprocess.normalise import ReferenceContraction, ZScore
from lbpnet.preprocess.resample import ResamplePoly
from lbpnet.preprocess.stream_filter import StreamFilter
from lbpnet.preprocess.zero_phase import ZeroPhaseSos

__all__ = ["Butterworth", "FilterChain", "FullWaveRectify", "GravitySplit", "LinearEnvelope",
           "MovingRms", "Notch", "ReferenceContraction", "ResamplePoly", "RmsEnvelope",
           "StreamFilter", "ZScore", "ZeroPhaseSos"]
