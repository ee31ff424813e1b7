"""lbpnet-explain end to end on a tiny real run (UEA BasicMotions, 1 epoch), and its refusals."""

import pytest
import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.explain import explain
from lbpnet.cli.train import train
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.explain import ChannelSegmentAttribution


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from lbpnet.cli.compose import compose_train_config

    tmp = tmp_path_factory.mktemp("explain_run")
    cfg = compose_train_config(["experiment=basic_motions", "trainer.max_epochs=1",
                                "logger=none"], tmp / "run", tmp)
    train(cfg)
    GlobalHydra.instance().clear()
    return tmp / "run"


def _cfg(*overrides):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("explain", overrides=list(overrides))


def test_explain_a_run_and_read_it_back(run_dir):
    result, (npz, js) = explain(_cfg(f"run_dir={run_dir}", "explain=feature_ablation",
                                     "segments.n_segments=5", "max_windows=8"))
    assert npz.parent == run_dir / "explain" and js.is_file()
    back = ChannelSegmentAttribution.load(js)
    assert back.matrix.shape == (8, len(back.channels), 5)
    assert back.method == "feature_ablation" and back.provenance["checkpoint_sha256"]
    # what lbpnet-report compares before reusing this result (lbpnet.cli.reuse)
    assert back.provenance["data_overrides"] == "[]" and back.provenance["explain_config"]
    assert "deletion_auc" in back.faithfulness and "random_deletion_auc" in back.faithfulness
    assert set(back.windows) >= {"recording", "start", "subject", "prediction", "probability"}


def test_data_that_differs_from_training_is_named(run_dir):
    with pytest.raises(ConfigError) as err:
        explain(_cfg(f"run_dir={run_dir}", "max_windows=4",
                     "data_overrides=['window.length_s=5.0']"))
    msg = str(err.value)
    assert "training" in msg and "windows of 10.0 s vs 5.0 s" in msg and "Fix:" in msg


def test_checkpoint_that_differs_from_the_data_is_named(run_dir, tmp_path):
    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=False)
    key = next(k for k in ckpt["state_dict"] if k.startswith("model.standardize."))
    ckpt["state_dict"][key] = torch.zeros(1, 99, 1)
    import shutil                      # checkpoints load from inside their run folder only

    (tmp_path / "bad_run" / "checkpoints").mkdir(parents=True)
    shutil.copy(run_dir / "config.yaml", tmp_path / "bad_run" / "config.yaml")
    bad = tmp_path / "bad_run" / "checkpoints" / "other.ckpt"
    torch.save(ckpt, bad)
    with pytest.raises(ConfigError, match=r"checkpoint has channels per modality .*99.* data"):
        explain(_cfg(f"run_dir={tmp_path / 'bad_run'}", f"checkpoint={bad}", "max_windows=4"))
    with pytest.raises(ReaderError, match="no config.yaml"):
        explain(_cfg(f"run_dir={tmp_path}"))


def test_segments_longer_than_the_window_are_refused(run_dir):
    with pytest.raises(ConfigError, match="do not fit windows of 10.0 s"):
        explain(_cfg(f"run_dir={run_dir}", "segments.n_segments=null",
                     "segments.segment_s=12.0"))


def test_checkpoint_of_a_run_on_other_data_is_named(run_dir, tmp_path):
    import shutil

    from omegaconf import OmegaConf

    other = tmp_path / "other_run"
    (other / "checkpoints").mkdir(parents=True)
    shutil.copy(run_dir / "checkpoints" / "last.ckpt", other / "checkpoints" / "last.ckpt")
    cfg = OmegaConf.load(run_dir / "config.yaml")
    cfg.window.length_s = 5.0                      # that run was trained on 5 s windows
    OmegaConf.save(cfg, other / "config.yaml")
    # another run's checkpoint is not loaded from this run folder (item 2 of issue 10):
    # explaining it means giving run_dir= that run, whose config.yaml is then compared
    with pytest.raises(ReaderError, match=r"outside the run folder.*run_dir= that run"):
        explain(_cfg(f"run_dir={run_dir}", f"checkpoint={other / 'checkpoints' / 'last.ckpt'}",
                     "max_windows=4"))
    with pytest.raises(ConfigError, match=r"other_run.*training data of the run.*windows of 5.0 s vs 10.0 s"):
        explain(_cfg(f"run_dir={other}", "checkpoint=last", "max_windows=4",
                     "data_overrides=['window.length_s=10.0']"))
