"""Explanations: Captum attributions grouped to channels × time segments (in seconds, shared
by every modality), their faithfulness (deletion / insertion, comprehensiveness /
sufficiency, planted ground truth) and randomisation sanity checks.

Layer order: windows → tasks/models → **explain** → reports. Nothing here imports reports.
"""

from lbpnet.explain.attribute import ExplainConfig, Explainer
from lbpnet.explain.grouping import ChannelLayout, segment_edges
from lbpnet.explain.result import ChannelSegmentAttribution

__all__ = ["ChannelSegmentAttribution", "ChannelLayout", "ExplainConfig", "Explainer",
           "segment_edges"]
