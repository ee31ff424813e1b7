import numpy as np
import pytest
import torch

from explain_toys import EMG, IMU, PLANTED
from lbpnet.errors import ConfigError
from lbpnet.explain.attribute import Explainer, ExplainConfig
from lbpnet.explain.grouping import ChannelLayout, segment_edges
from lbpnet.explain.methods import METHODS, make_baselines

EDGES = segment_edges(2.0, 4)


def _explainer(toy, **kw):
    ds, model = toy
    return Explainer(model, ChannelLayout.from_dataset(ds), EDGES, ["rest", "burst"],
                     ExplainConfig(**{"batch_size": 32, "target": "label", **kw}))


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_the_matrix_and_finds_the_planted_cell(toy, method):
    ds, _ = toy
    idx = np.arange(0, len(ds), 3)
    r = _explainer(toy, method=method, n_steps=16, n_samples=8).explain_dataset(ds, idx)
    assert r.matrix.shape == (len(idx), len(EMG) + len(IMU), 4)
    assert r.channels[1] == "emg/multifidus_right" and r.modalities == ["emg"] * 3 + ["imu"] * 2
    assert set(r.windows) >= {"recording", "start", "subject", "prediction", "probability"}
    assert np.isfinite(r.matrix).all()
    burst = r.windows["label"] == 1
    mean = r.matrix[burst].mean(0)
    c, s = np.unravel_index(np.argmax(mean), mean.shape)
    if method != "saliency":        # |gradient| is not expected to localise (see README)
        assert (r.channels[c], s) == PLANTED


def test_the_windows_carry_the_probability_of_every_output(toy):
    ds, model = toy
    idx = np.arange(0, len(ds), 5)
    r = _explainer(toy, method="saliency").explain_dataset(ds, idx)
    batch = ds.__getitems__(idx)
    with torch.no_grad():
        probs = model(batch["signals"]).softmax(1).numpy()
    for j, name in enumerate(["rest", "burst"]):
        np.testing.assert_allclose(r.windows[f"probability/{name}"], probs[:, j], atol=1e-5)
    explained = np.array([r.windows[f"probability/{['rest', 'burst'][t]}"][i]
                          for i, t in enumerate(r.target)])
    np.testing.assert_allclose(r.windows["probability"], explained)


def test_integrated_gradients_completeness(toy):
    ds, model = toy
    ex = _explainer(toy, method="integrated_gradients", n_steps=128)
    batch = ds.__getitems__(np.arange(8))
    matrix, target, _ = ex.explain_batch(batch["signals"], batch["label"])
    inputs = tuple(batch["signals"][m] for m in ("emg", "imu"))
    with torch.no_grad():
        fx = ex.forward(*inputs)[np.arange(8), target]
        fb = ex.forward(*ex.baselines(inputs))[np.arange(8), target]
    np.testing.assert_allclose(matrix.sum((1, 2)), (fx - fb).numpy(), rtol=0.05, atol=0.02)


def test_baselines_keep_shapes_and_meaning():
    x = (torch.randn(4, 2, 100), torch.randn(4, 1, 10))
    means = [torch.tensor([1.0, 2.0]), torch.tensor([3.0])]
    m = make_baselines("mean", x, means)
    assert float(m[0][2, 1, 50]) == 2.0 and float(m[1][0, 0, 0]) == 3.0
    b = make_baselines("blur", x, rates_hz=[100.0, 10.0], blur_s=0.2)
    assert [t.shape for t in b] == [t.shape for t in x] and b[0].std() < x[0].std()
    p = make_baselines("permuted", x, generator=torch.Generator().manual_seed(0))
    assert not torch.equal(p[0], x[0]) and torch.equal(p[0].sort(0).values, x[0].sort(0).values)
    with pytest.raises(ConfigError, match="unknown baseline"):
        make_baselines("noise", x)


def test_bad_inputs_and_targets_are_named(toy):
    ds, _ = toy
    ex = _explainer(toy)
    batch = ds.__getitems__(np.arange(4))
    with pytest.raises(ConfigError, match=r"\(channels, samples\) \(3, 800\).*expects \(3, 400\)"):
        ex.explain_batch({"emg": torch.randn(4, 3, 800), "imu": batch["signals"]["imu"]})
    with pytest.raises(ConfigError, match="no modality 'imu'"):
        ex.explain_batch({"emg": batch["signals"]["emg"]})
    with pytest.raises(ConfigError, match="not an output of the model"):
        _explainer(toy, target="walking").explain_batch(batch["signals"])
    with pytest.raises(ConfigError, match="unknown attribution method"):
        ExplainConfig(method="lime")


def test_occlusion_equals_feature_ablation_on_one_segment_windows(toy):
    ds, _ = toy
    idx = np.arange(6)
    a = _explainer(toy, method="occlusion").explain_dataset(ds, idx).matrix
    b = _explainer(toy, method="feature_ablation").explain_dataset(ds, idx).matrix
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("method", ["integrated_gradients", "feature_ablation", "gradient_shap"])
def test_memory_bound_does_not_change_the_result(toy, method):
    ds, _ = toy
    idx = np.arange(6)
    torch.manual_seed(0)
    a = _explainer(toy, method=method, n_steps=8, n_samples=4,
                   baseline="mean").explain_dataset(ds, idx).matrix
    torch.manual_seed(0)
    b = _explainer(toy, method=method, n_steps=8, n_samples=4, baseline="mean",
                   internal_batch_size=4).explain_dataset(ds, idx).matrix
    if method == "gradient_shap":      # random points differ with the split; same scale
        assert a.shape == b.shape and np.isfinite(b).all()
    else:
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
