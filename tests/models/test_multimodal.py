import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.models import ChannelStandardizer, ConvEncoder1d, MultimodalClassifier


def test_multirate_shapes_features_and_gradients():
    model = MultimodalClassifier({"emg": 4, "imu": 6}, n_outputs=5)
    batch = {"emg": torch.randn(3, 4, 400), "imu": torch.randn(3, 6, 40)}
    logits, z = model(batch, return_features=True)
    assert logits.shape == (3, 5) and z.shape == (3, model.out_features)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


def test_missing_modality_is_named():
    model = MultimodalClassifier({"emg": 4, "imu": 6}, n_outputs=2)
    with pytest.raises(ConfigError, match=r"lacks modalities \['imu'\]"):
        model({"emg": torch.randn(2, 4, 100)})


def test_standardizer_fits_and_is_saved_in_state_dict():
    s = ChannelStandardizer(2)
    x = torch.stack([torch.randn(8, 50) * 3 + 5, torch.randn(8, 50) * 0.1 - 1], dim=1)
    s.fit(x.mean(dim=(0, 2)), x.std(dim=(0, 2)))
    y = s(x)
    assert torch.allclose(y.mean(dim=(0, 2)), torch.zeros(2), atol=1e-5)
    assert torch.allclose(y.std(dim=(0, 2)), torch.ones(2), atol=1e-2)
    assert {"mean", "std"} <= set(s.state_dict())


def test_receptive_field_grows_with_depth():
    shallow = ConvEncoder1d(3, widths=(16,), kernel_size=7)
    deep = ConvEncoder1d(3, widths=(16, 16, 16), kernel_size=7)
    assert shallow.receptive_field == 19           # stem 7 + two convs of 7 at stride 1
    assert deep.receptive_field > shallow.receptive_field


def test_encoder_output_features_match_attribute():
    enc = ConvEncoder1d(6, widths=(8, 16), kernel_size=5, input_stats=True)
    assert enc(torch.randn(2, 6, 128)).shape == (2, enc.out_features)


def test_modality_specific_encoder_and_strided_stem():
    from functools import partial
    model = MultimodalClassifier({"emg": 4, "imu": 6}, 3, modality_encoders={
        "emg": partial(ConvEncoder1d, widths=(8, 16), kernel_size=5, stem_stride=4)})
    assert model.encoders["emg"].stem[0].stride == (4,)
    assert model.encoders["imu"].stem[0].stride == (1,)
    assert model({"emg": torch.randn(2, 4, 2000), "imu": torch.randn(2, 6, 200)}).shape == (2, 3)
    with pytest.raises(ConfigError, match=r"modalities \['nirs'\] the data does not have"):
        MultimodalClassifier({"imu": 6}, 3, modality_encoders={"nirs": ConvEncoder1d})


def test_emg_front_end_changes_channels_before_the_encoder():
    from lbpnet.preprocess import RmsEnvelope
    model = MultimodalClassifier({"emg": 4, "imu": 6}, 2, front_ends={"emg": RmsEnvelope(50, 10)})
    assert model.encoders["emg"].stem[0].in_channels == 8       # RMS and RMS of the difference
    assert model({"emg": torch.randn(2, 4, 1000), "imu": torch.randn(2, 6, 100)}).shape == (2, 2)
