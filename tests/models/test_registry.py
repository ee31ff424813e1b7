"""Every registered encoder × fusion on several modality layouts: shapes, gradients, masking."""

import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.models import ENCODERS, FUSIONS, MultimodalClassifier, count_parameters
from lbpnet.models.registry import encoder_factory

# modality → (channels, samples per window)
LAYOUTS = {
    "imu_only_50hz": {"imu": (6, 128)},                      # 2.56 s of a 6-axis IMU at 50 Hz
    "emg_2khz_and_imu": {"emg": (16, 2000), "imu": (6, 100)},  # 1 s: 16-ch EMG + IMU at 100 Hz
}


def _model(layout, encoder, fusion):
    torch.manual_seed(0)
    channels = {m: c for m, (c, _) in layout.items()}
    samples = {m: n for m, (_, n) in layout.items()}
    try:
        return MultimodalClassifier(channels, 5, encoder=encoder, fusion=fusion,
                                    missing_modalities="mask", samples=samples)
    except ConfigError as err:            # 100 IMU samples < the default TCN's 121: refused,
        assert encoder == "tcn" and "'imu' has 100 samples" in str(err)   # so 3 levels (57)
        return MultimodalClassifier(channels, 5, encoder=encoder, fusion=fusion,
                                    missing_modalities="mask", samples=samples,
                                    encoder_options={"tcn": {"levels": 3}})


def _batch(layout, batch=2):
    return {m: torch.randn(batch, c, n) for m, (c, n) in layout.items()}


def test_registry_holds_the_issue_architectures():
    assert {"cnn", "inception_time", "deepconvlstm", "deepconvlstm_shallow", "tcn",
            "patch_transformer"} <= set(ENCODERS)
    assert {"concat", "gated", "attention"} <= set(FUSIONS)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fusion", sorted(FUSIONS))
@pytest.mark.parametrize("encoder", sorted(ENCODERS))
def test_every_encoder_and_fusion_trains_and_masks(encoder, fusion, layout):
    layout = LAYOUTS[layout]
    model = _model(layout, encoder, fusion).train()
    logits, z = model(_batch(layout), return_features=True)
    assert logits.shape == (2, 5) and z.shape == (2, model.out_features)
    logits.square().sum().backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None]
    assert not no_grad, f"no gradient reaches {no_grad}"
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
    # each encoder documents what it is
    for m, info in model.describe().items():
        if m in layout:
            assert info["parameters"] == count_parameters(model.encoders[m]) > 0
            assert info["receptive_field"] is None or info["receptive_field"] >= 1
    # missing modalities: a per-sample mask, and a modality absent from the batch
    model.eval()
    batch = _batch(layout)
    first = next(iter(layout))
    batch[first][1] = float("nan")                              # an absent sample's signal
    present = {first: torch.tensor([True, False])}
    with torch.no_grad():
        out = model(batch, present=present)
        assert torch.isfinite(out).all()
        if len(layout) > 1:
            out = model({m: x for m, x in batch.items() if m != first})
            assert out.shape == (2, 5) and torch.isfinite(out).all()


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown encoder 'lstm9'; known: cnn, deepconvlstm"):
        MultimodalClassifier({"imu": 6}, 3, encoder="lstm9")
    with pytest.raises(ConfigError, match=r"field 'model.encoder.emg'.*unknown encoder 'foo'"):
        MultimodalClassifier({"imu": 6, "emg": 2}, 3, encoder={"default": "cnn", "emg": "foo"})
    with pytest.raises(ConfigError, match=r"unknown fusion 'sum'; known: attention, concat, gated"):
        MultimodalClassifier({"imu": 6}, 3, fusion="sum")
    with pytest.raises(ConfigError, match="unknown encoder"):
        encoder_factory("resnet50")


def test_encoder_for_a_modality_the_data_lacks_is_refused():
    with pytest.raises(ConfigError, match=r"field 'model.encoder'.*\['nirs'\] the data does not"):
        MultimodalClassifier({"imu": 6}, 3, encoder={"default": "cnn", "nirs": "tcn"})
    # null entries (the config's placeholders for other modalities) are fine
    MultimodalClassifier({"imu": 6}, 3, encoder={"default": "cnn", "nirs": None})


def test_per_modality_encoders_and_options():
    model = MultimodalClassifier({"emg": 4, "imu": 6}, 3,
                                 encoder={"default": "tcn", "emg": "patch_transformer"},
                                 encoder_options={"tcn": {"levels": 3},
                                                  "patch_transformer": {"patch_len": 20}})
    assert model.encoder_names == {"emg": "patch_transformer", "imu": "tcn"}
    assert model.encoders["imu"].receptive_field == 1 + 2 * 4 * 7
    assert model.encoders["emg"].patch_len == 20


def test_window_shorter_than_a_tcn_receptive_field_is_refused():
    with pytest.raises(ConfigError, match=r"'imu' has 64 samples.*tcn encoder needs \(121 "
                                          r"samples; receptive field 121\)"):
        MultimodalClassifier({"imu": 6}, 3, encoder="tcn", samples={"imu": 64})
    MultimodalClassifier({"imu": 6}, 3, encoder="tcn", samples={"imu": 121})
    # a front end that shortens the time axis is taken into account (2000 → 199 envelope samples)
    from lbpnet.preprocess import RmsEnvelope
    model = MultimodalClassifier({"emg": 4}, 3, encoder="tcn", front_ends={"emg": RmsEnvelope(100, 10)})
    model.check_window({"emg": 2000})
    with pytest.raises(ConfigError, match=r"'emg' has 90 samples"):
        model.check_window({"emg": 1000})


def test_concat_keeps_the_foundation_model_and_its_checkpoints():
    old = MultimodalClassifier({"emg": 4, "imu": 6}, 5)            # the foundation defaults
    new = MultimodalClassifier({"emg": 4, "imu": 6}, 5, encoder={"default": "cnn"},
                               fusion="concat", missing_modalities="mask")
    assert set(old.state_dict()) == set(new.state_dict())
    new.load_state_dict(old.state_dict())
    batch = {"emg": torch.randn(2, 4, 400), "imu": torch.randn(2, 6, 40)}
    old.eval(), new.eval()
    assert torch.equal(old(batch), new(batch))
