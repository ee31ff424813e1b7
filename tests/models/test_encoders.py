"""Each encoder: input shapes, out_features, receptive field and minimum window."""

import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.models import DeepConvLSTM, InceptionTime, PatchTransformer, TemporalConvNet
from lbpnet.models.registry import ENCODERS


def _influence(encoder, channels: int, samples: int, position: int) -> torch.Tensor:
    """Which output time steps of the encoder's feature map change when one input
    sample at ``position`` changes (before pooling), over a few random inputs (a ReLU
    may hide the change for one of them)."""
    torch.manual_seed(0)
    x = torch.randn(8, channels, samples)
    y = x.clone()
    y[..., position] += 10.0
    with torch.no_grad():
        return ((encoder(y) - encoder(x)).abs().sum(dim=(0, 1)) > 1e-6)


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_output_width_and_variable_length(name):
    enc = ENCODERS[name](5).eval()
    for samples in (enc.min_samples, 200):
        assert enc(torch.randn(2, 5, samples)).shape == (2, enc.out_features)
    assert enc.receptive_field is None or enc.receptive_field >= 1


def test_tcn_receptive_field_is_exact_and_causal_padding_never_looks_ahead():
    tcn = TemporalConvNet(2, channels=16, levels=3, kernel_size=3, causal=True).eval()
    assert tcn.receptive_field == 1 + 2 * 2 * 7 == tcn.min_samples
    seen = _influence(tcn.blocks, 2, 100, 50)
    assert not seen[:50].any()                                    # nothing before the input
    assert seen[50:50 + tcn.receptive_field].all() and not seen[50 + tcn.receptive_field:].any()
    centred = TemporalConvNet(2, channels=16, levels=3, kernel_size=3).eval()
    assert int(_influence(centred.blocks, 2, 100, 50).sum()) == centred.receptive_field


def test_inception_receptive_field_is_exact():
    enc = InceptionTime(3, filters=8, depth=3, kernels=(9, 5, 3), bottleneck=8).eval()
    features = torch.nn.Sequential(*enc.blocks)                   # no residual: depth 3 → one
    enc.residual = False
    assert int(_influence(features, 3, 80, 40).sum()) == enc.receptive_field == 1 + 3 * 8


def test_deepconvlstm_sees_the_whole_window_and_refuses_too_short_ones():
    enc = DeepConvLSTM(3, kernel_size=5).eval()
    assert enc.receptive_field is None and enc.min_samples == 17
    torch.manual_seed(0)
    x = torch.randn(1, 3, 24)
    y = x.clone()
    y[..., 0] += 5.0                                 # the very first sample reaches the last state
    with torch.no_grad():
        assert (enc(x) - enc(y)).abs().max() > 1e-5
        with pytest.raises(RuntimeError):
            enc(torch.randn(1, 3, 16))
    shallow = ENCODERS["deepconvlstm_shallow"](3)
    assert shallow.lstm.num_layers == 1 and shallow.lstm.hidden_size == 128


def test_patch_transformer_covers_the_window_tail_and_checks_width():
    enc = PatchTransformer(2, patch_len=16, stride=8).eval()
    torch.manual_seed(0)
    x = torch.randn(1, 2, 100)                                    # 100 is not 16 + k * 8
    y = x.clone()
    y[..., -1] += 5.0
    with torch.no_grad():
        assert not torch.allclose(enc(x), enc(y))
    with pytest.raises(ConfigError, match="divisible by heads"):
        PatchTransformer(2, d_model=30, heads=4)
