"""The scoring path rebuilds a run's data as training did: a run trained on
``data.labels=<store>@<version>`` is scored on the curated labels, not the recordings' own
(SYNTHETIC cohort, 6 patients, 1 session; no training)."""

from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from lbpnet.cli.compose import compose_train_config
from lbpnet.curation.label_store import LabelStore
from lbpnet.curation.run_outputs import _datamodule
from lbpnet.recording.label_store_format import LabelEntry
from lbpnet.windows.label_source import LabelSource

DATA = ["data=synthetic_lbp", "data.n_patients=6", "data.n_sessions=1", "logger=none"]


def run_config(tmp_path, *overrides):
    """The config.yaml a run with these overrides would write (resolved, no hydra node)."""
    cfg = compose_train_config([*DATA, *overrides], tmp_path / "run")
    GlobalHydra.instance().clear()
    plain = OmegaConf.to_container(cfg, resolve=True)
    plain.pop("hydra", None)
    return OmegaConf.create(plain)


def train_counts(cfg):
    dm = _datamodule(cfg)
    dm.setup("fit")
    return dm, dict(zip(dm.classes, dm.datasets["train"].index.class_counts().tolist()))


def test_scored_windows_carry_the_curated_labels(tmp_path):
    plain, before = train_counts(run_config(tmp_path))
    train_recs = sorted(plain.recordings[i].key for i in plain.split.side("train"))
    store = LabelStore(tmp_path / "store", classes=list(plain.classes))
    version = store.append([LabelEntry(train_recs[0], 0.0, 60.0, "walking", "dr_a",
                                       "2026-12-02T07:00:00Z")])
    curated, after = train_counts(run_config(tmp_path, f"data.labels={store.path}@{version}"))
    assert isinstance(curated.transforms[0], LabelSource)
    assert after["walking"] > before["walking"]                  # 60 s relabelled walking
