"""Models: tensors in, tensors out. They know nothing of recordings."""

from lbpnet.models.conv_encoder import ConvEncoder1d
from lbpnet.models.deepconvlstm import DeepConvLSTM
from lbpnet.models.fusion import ConcatFusion, CrossModalAttentionFusion, GatedFusion
from lbpnet.models.inception_time import InceptionTime
from lbpnet.models.multimodal import MultimodalClassifier
from lbpnet.models.patch_transformer import PatchTransformer
from lbpnet.models.registry import ENCODERS, FUSIONS, count_parameters
from lbpnet.models.standardize import ChannelStandardizer
from lbpnet.models.tcn import TemporalConvNet

__all__ = ["ConvEncoder1d", "InceptionTime", "DeepConvLSTM", "TemporalConvNet",
           "PatchTransformer", "ConcatFusion", "GatedFusion", "CrossModalAttentionFusion",
           "MultimodalClassifier", "ChannelStandardizer", "ENCODERS", "FUSIONS",
           "count_parameters"]
