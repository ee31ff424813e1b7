"""conf/model/*.yaml compose and build; names and modalities are checked before training."""

from types import SimpleNamespace

import pytest
import yaml
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.train import build_task
from lbpnet.errors import ConfigError
from lbpnet.models import ENCODERS, MultimodalClassifier

# the window classifiers (other model configs, e.g. of the trajectory task, are not)
def _is_window_classifier(path) -> bool:
    """A MultimodalClassifier config itself, or one built on cnn.yaml's layout."""
    cfg = yaml.safe_load(path.read_text()) or {}
    return ("MultimodalClassifier" in str(cfg.get("_target_", ""))
            or "cnn" in (cfg.get("defaults") or []))


MODELS = sorted(p.stem for p in (CONFIG_DIR / "model").glob("*.yaml") if _is_window_classifier(p))


@pytest.fixture
def compose(tmp_path):
    yield lambda *o: compose_train_config(["experiment=hapt_activity", *o], tmp_path / "run")
    GlobalHydra.instance().clear()


def _build(cfg, channels=None, samples=None):
    """The model as lbpnet-train builds it (build_task) for data with these modalities."""
    channels = channels or {"imu": 13}
    data = SimpleNamespace(output_names=list("abcdef"), channels=lambda: channels,
                           datasets={"train": SimpleNamespace(samples=samples or {})})
    return build_task(cfg, data).model


def test_every_registered_encoder_has_a_model_config():
    assert set(ENCODERS) <= set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_model_config_builds_its_encoder(compose, name):
    model = _build(compose(f"model={name}"), samples={"imu": 128})
    assert isinstance(model, MultimodalClassifier)
    assert model.encoder_names == {"imu": name}
    assert model.fusion_name == "concat" and model.missing_modalities == "mask"


def test_cnn_config_is_the_foundation_model(compose):
    model = _build(compose("model=cnn"))
    assert sum(p.numel() for p in model.parameters()) == 96422      # README: 96 k parameters


def test_per_modality_encoder_and_fusion_overrides(compose):
    cfg = compose("model=cnn", "model.encoder.emg=tcn", "model.fusion=gated",
                  "+model.encoder_options.tcn={levels: 3}")
    model = _build(cfg, channels={"emg": 8, "imu": 6})
    assert model.encoder_names == {"emg": "tcn", "imu": "cnn"}
    assert model.fusion_name == "gated" and model.encoders["emg"].receptive_field == 57


def test_unknown_encoder_name_is_a_config_error(compose):
    with pytest.raises(ConfigError, match=r"unknown encoder 'resnet'; known: cnn, "):
        _build(compose("model.encoder.imu=resnet"))
    with pytest.raises(ConfigError, match=r"unknown fusion 'mean'"):
        _build(compose("model.fusion=mean"))


def test_encoder_for_a_modality_the_data_lacks(compose):
    with pytest.raises(ConfigError, match=r"\['emg'\] the data does not have \(it has \['imu'\]\)"):
        _build(compose("model.encoder.emg=tcn"))


def test_build_task_refuses_a_window_shorter_than_the_receptive_field(compose):
    cfg = compose("model=tcn")
    data = SimpleNamespace(output_names=["a", "b"], channels=lambda: {"imu": 13},
                           datasets={"train": SimpleNamespace(samples={"imu": 64})})
    with pytest.raises(ConfigError, match=r"'imu' has 64 samples.*receptive field 121"):
        build_task(cfg, data)
    data.datasets["train"].samples = {"imu": 128}
    assert build_task(cfg, data).model.encoder_names == {"imu": "tcn"}


def test_unknown_model_config_lists_the_zoo(compose):
    from hydra.errors import MissingConfigException
    with pytest.raises(MissingConfigException, match=r"(?s)model/lstm9.*inception_time.*tcn"):
        compose("model=lstm9")
