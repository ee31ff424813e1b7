import numpy as np
import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.explain.grouping import (ChannelLayout, coarse_groups, feature_masks, group_channels,
                                     group_sum, segment_edges, segment_of_samples)


def _layout(emg=("multifidus_left", "multifidus_right"), imu=("trunk_l1_acc_x",)):
    return ChannelLayout({"emg": list(emg), "imu": list(imu)}, {"emg": 2000.0, "imu": 100.0},
                         2.0, {"emg": ["EMG"] * len(emg), "imu": ["ACCEL"] * len(imu)})


def test_multi_rate_samples_share_segments_in_seconds():
    edges = segment_edges(2.0, 4)
    emg = segment_of_samples(edges, 2000.0, 4000)
    imu = segment_of_samples(edges, 100.0, 200)
    assert np.bincount(emg).tolist() == [1000] * 4 and np.bincount(imu).tolist() == [50] * 4
    # sample i of each stream lies in the segment of its time i / rate
    assert emg[1999] == imu[99] == 1 and emg[2000] == imu[100] == 2


def test_segment_s_and_errors():
    np.testing.assert_allclose(segment_edges(2.0, segment_s=0.75), [0, 0.75, 1.5, 2.0])
    with pytest.raises(ConfigError, match="do not fit windows of 2.0 s"):
        segment_edges(2.0, segment_s=3.0)
    with pytest.raises(ConfigError, match="exactly one"):
        segment_edges(2.0)
    with pytest.raises(ConfigError, match="hold no sample at 10.0 Hz"):
        segment_of_samples(segment_edges(2.0, 40), 10.0, 20)


def test_masks_and_group_sums_are_consistent():
    layout = _layout()
    edges = segment_edges(2.0, 4)
    masks = feature_masks(layout, edges)
    assert [tuple(m.shape) for m in masks] == [(1, 2, 4000), (1, 1, 200)]
    assert int(masks[1][0, 0, 0]) == 2 * 4           # third channel overall, segment 0
    x = (torch.randn(3, 2, 4000), torch.randn(3, 1, 200))
    sums = group_sum(x, masks, 3 * 4)
    total = x[0].sum((1, 2)) + x[1].sum((1, 2))
    torch.testing.assert_close(sums.sum(1).float(), total, rtol=1e-4, atol=1e-3)
    torch.testing.assert_close(sums[:, 2 * 4 + 3].float(), x[1][:, 0, 150:].sum(1))


def test_coarse_groups_from_channel_names():
    layout = _layout(emg=("multifidus_left", "multifidus_right", "rectus_abdominis_left"))
    names, index = coarse_groups(layout, "muscle")
    assert names == ["multifidus", "rectus_abdominis"] and index.tolist() == [0, 0, 1, -1]
    sites, idx = coarse_groups(layout, "site")
    assert sites == ["trunk_l1"] and idx.tolist() == [-1, -1, -1, 0]
    m = np.random.default_rng(0).normal(size=(2, 4, 3))
    g = group_channels(m, index, len(names))
    np.testing.assert_allclose(g[:, 0], m[:, 0] + m[:, 1])


def test_muscle_grouping_without_muscle_names_names_both_sides():
    layout = _layout(emg=("ch1", "ch2"), imu=("x",))
    with pytest.raises(ConfigError) as err:
        coarse_groups(layout, "muscle")
    msg = str(err.value)
    assert "no channel name carries a muscle" in msg and "emg/ch1" in msg and "Fix:" in msg
    with pytest.raises(ConfigError, match="unknown channel grouping"):
        coarse_groups(layout, "organ")


def test_phases_from_annotations(toy):
    from lbpnet.explain.phases import per_phase, segment_phases

    ds, _ = toy
    idx = np.arange(4)
    phases = segment_phases(ds, idx, segment_edges(2.0, 4), labels=["rest", "burst"])
    assert phases.shape == (4, 4)
    assert (phases[ds.index.label[idx] == 1] == "burst").all()
    names, sums = per_phase(np.ones((4, 5, 4)), phases)
    assert set(names) <= {"rest", "burst"} and sums.sum() == 4 * 5 * 4
    with pytest.raises(ConfigError, match="no annotation is a phase"):
        segment_phases(ds, idx, segment_edges(2.0, 4), prefix="phase/")


def test_groups_summed_for_gradients_and_ablated_for_ablation(toy):
    from lbpnet.explain.attribute import Explainer, ExplainConfig
    from lbpnet.explain.groups import explain_groups

    ds, model = toy
    layout = ChannelLayout.from_dataset(ds)
    batch = ds.__getitems__(np.arange(1, 9, 2))             # burst windows
    tgt = np.ones(4, dtype=int)
    ig = Explainer(model, layout, segment_edges(2.0, 4), ["rest", "burst"],
                   ExplainConfig(method="integrated_gradients", n_steps=16))
    names, per_muscle = explain_groups(ig, batch["signals"], "muscle", targets=tgt)
    matrix, _, _ = ig.explain_batch(batch["signals"], targets=tgt)
    np.testing.assert_allclose(per_muscle[:, names.index("multifidus")],
                               matrix[:, :2].sum((1, 2)), rtol=1e-4, atol=1e-5)
    fa = Explainer(model, layout, segment_edges(2.0, 4), ["rest", "burst"],
                   ExplainConfig(method="feature_ablation"))
    names, per_modality = explain_groups(fa, batch["signals"], "modality", targets=tgt)
    assert names == ["emg", "imu"] and per_modality.shape == (4, 2)
    assert (per_modality[:, 0] > per_modality[:, 1]).all()   # the burst is in the EMG
    _, cells = explain_groups(fa, batch["signals"], "channel", per_segment=True, targets=tgt)
    np.testing.assert_allclose(cells, fa.explain_batch(batch["signals"], targets=tgt)[0],
                               rtol=1e-4, atol=1e-5)
