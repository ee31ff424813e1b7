"""The quality mask travels: QC → window index → subset → dataset batch → data module
(exclude vs mask_loss, counted); the summary table, CSV and figure."""

import csv
import functools

import numpy as np
import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.qc import QCConfig, QualityControl, plot_summary, write_summary_csv
from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.tasks.window_datamodule import WindowDataModule
from lbpnet.windows import WindowDataset, make_windows, subject_holdout
from qc_signals import emg_like

S = 20.0


def _recording(subject, flat=None):
    x, t = emg_like(S, channels=2, seed=int(subject))
    if flat is not None:
        x[(t >= flat[0]) & (t < flat[1]), 0] = 0.0
    emg = Stream("emg", x, 2000.0, ["es_l", "es_r"], ["EMG"] * 2, ["uV"] * 2)
    ann = Annotations([0.0, 10.0], [10.0, 10.0], ["sit", "stand"])
    return Recording({"emg": emg}, ann, subject=subject, metadata={"synthetic": True})


def _cohort():
    return [_recording(f"{i:02d}", flat=(2.0, 6.0) if i % 2 == 0 else None) for i in range(6)]


def test_quality_travels_through_index_subset_and_batches():
    recs = _cohort()
    index = make_windows(recs, 2.0, 1.0, classes=["sit", "stand"])
    qc = QualityControl(QCConfig(), policy="mask_loss")
    scored, rows = qc.apply(recs, index)
    assert scored.quality.dtype == np.float32 and scored.quality.shape == (len(index),)
    j = scored.quality_flag_names.index("emg/flat_line")
    bad = scored.quality == 0
    assert bad.any() and (scored.quality_flags[bad].any(axis=1)).all()
    assert (bad == scored.quality_flags[:, j]).all()   # on this cohort only the flat line
    flat_rec = scored.recording == 0
    hit = flat_rec & (scored.start < 6.0) & (scored.start + 2.0 > 2.0)
    assert bad[hit].all() and not bad[~flat_rec & (scored.recording % 2 == 1)].any()
    keep = np.arange(0, len(scored), 3)
    sub = scored.subset(keep)
    np.testing.assert_array_equal(sub.quality, scored.quality[keep])
    np.testing.assert_array_equal(sub.quality_flags, scored.quality_flags[keep])
    assert sub.quality_flag_names == scored.quality_flag_names
    batch = WindowDataset(recs, sub).__getitems__(np.arange(len(sub)))
    assert batch["quality"].dtype == torch.float32 and batch["quality"].shape == (len(sub),)
    np.testing.assert_array_equal(batch["quality"].numpy(), sub.quality)
    flagged = [r for r in rows if r["check"] == "flat_line" and r["flagged"]]
    assert {r["recording"] for r in flagged} == {"sub-00", "sub-02", "sub-04"}


def _module(policy):
    split = functools.partial(subject_holdout, test_fraction=0.34, val_fraction=0.0, seed=0)
    qc = None if policy is None else QualityControl(QCConfig(), policy=policy)
    dm = WindowDataModule(_cohort(), ["sit", "stand"], split, 2.0, 1.0, quality=qc)
    dm.setup()
    return dm


def test_exclude_removes_and_counts_mask_loss_keeps_and_flags():
    none, masked, excluded = _module(None), _module("mask_loss"), _module("exclude")
    for side in ("train", "test"):
        n_all = len(none.datasets[side])
        m, e = masked.split_summary()[side], excluded.split_summary()[side]
        assert m["windows"] == n_all and m["windows_excluded"] == 0
        assert e["windows"] + e["windows_excluded"] == n_all          # nothing silently lost
        assert e["windows_excluded"] == m["windows_flagged"] and e["windows_flagged"] == 0
        assert (excluded.index(side).quality == 1).all()
    assert sum(masked.split_summary()[s]["windows_flagged"] for s in ("train", "test")) > 0
    assert excluded.split_summary()["qc_policy"] == "exclude"
    batch = next(iter(masked.train_dataloader()))
    assert batch["quality"].shape == batch["label"].shape
    assert batch["quality"].dtype == torch.float32
    nobatch = next(iter(none.train_dataloader()))
    assert (nobatch["quality"] == 1).all()                 # no QC: every window counts as good


def test_bad_policy_and_bad_config_are_clear_errors():
    with pytest.raises(ConfigError, match="policy"):
        QualityControl(policy="drop")
    with pytest.raises(ConfigError, match="qc.config.checks"):
        QCConfig(checks=["flatline"])
    with pytest.raises(ConfigError, match="clip_fraction"):
        QCConfig(clip_fraction=2.0)
    with pytest.raises(ConfigError, match="placement"):
        QCConfig(placement={"trunk_l1": "up"})


def test_summary_csv_and_figure(tmp_path):
    recs = _cohort()[:2]
    qc = QualityControl()
    _, rows = qc.apply(recs, make_windows(recs, 2.0, 1.0, classes=["sit", "stand"]))
    write_summary_csv(rows, tmp_path / "qc.csv")
    back = list(csv.DictReader(open(tmp_path / "qc.csv")))
    assert len(back) == len(rows)
    flat = next(r for r in back if r["recording"] == "sub-00" and r["check"] == "flat_line")
    assert int(flat["flagged"]) > 0 and 0 < float(flat["fraction"]) < 1
    pytest.importorskip("matplotlib")
    fig = plot_summary(rows, tmp_path / "qc.png")
    assert (tmp_path / "qc.png").stat().st_size > 1000 and fig.axes


def test_conf_qc_default_instantiates():
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from lbpnet.cli.config_path import CONFIG_DIR
    cfg = OmegaConf.load(f"{CONFIG_DIR}/qc/default.yaml")
    qc = instantiate(cfg, _convert_="all")
    assert isinstance(qc, QualityControl) and qc.policy == "mask_loss"
    assert qc.config.powerline_ratio == QCConfig().powerline_ratio


def test_conf_default_equals_the_dataclass_defaults():
    from omegaconf import OmegaConf

    from lbpnet.cli.config_path import CONFIG_DIR
    written = OmegaConf.to_container(OmegaConf.load(f"{CONFIG_DIR}/qc/default.yaml").config)
    written.pop("_target_")
    assert written == QCConfig().to_dict()


def test_qc_imports_no_higher_layer():
    import subprocess
    import sys
    code = ("import sys, lbpnet.qc; bad = [m for m in sys.modules if m.startswith(("
            "'lbpnet.preprocess', 'lbpnet.features', 'lbpnet.windows', 'lbpnet.tasks', "
            "'lbpnet.models'))]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_qc_group_reaches_the_data_module_through_hydra(tmp_path):
    from lbpnet.cli.compose import compose_train_config
    from lbpnet.cli.train import build_datamodule
    from lbpnet.errors import ReaderError

    assert not compose_train_config([], tmp_path / "a").get("qc")      # none by default
    cfg = compose_train_config(["experiment=basic_motions", "qc=exclude"], tmp_path / "b")
    dm = build_datamodule(cfg)
    try:
        dm.setup("fit")
    except ReaderError as exc:
        pytest.skip(f"BasicMotions could not be fetched: {exc}")
    assert isinstance(dm.quality, QualityControl) and dm.quality.policy == "exclude"
    summary = dm.split_summary()
    assert summary["qc_policy"] == "exclude"
    assert all(summary[s]["windows_flagged"] == 0 for s in dm.datasets)
    assert dm.quality_table and {"recording", "stream", "check"} <= set(dm.quality_table[0])
