"""Models: tensors in, tensors out. They know nothing of recordings."""

from lbpnet.models.conv_encoder import ConvEncoder1d
from lbpnet.models.multimodal import MultimodalClassifier
from lbpnet.models.standardize import ChannelStandardizer

__all__ = ["ConvEncoder1d", "MultimodalClassifier", "ChannelStandardizer"]
