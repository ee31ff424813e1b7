import numpy as np

from explain_toys import tiny_model, train
from lbpnet.explain import sanity
from lbpnet.explain.attribute import Explainer, ExplainConfig
from lbpnet.explain.grouping import ChannelLayout, segment_edges


def _matrix(model, ds, method="integrated_gradients", n_steps=8):
    cfg = ExplainConfig(method=method, target=1, output="probability", batch_size=32,
                        n_steps=n_steps)
    return Explainer(model, ChannelLayout.from_dataset(ds), segment_edges(2.0, 4),
                     ["rest", "burst"], cfg).explain_dataset(ds, np.arange(32)).matrix


def test_rank_correlation():
    a = np.arange(12.0).reshape(2, 6)
    assert sanity.rank_correlation(a, a)["spearman_mean"] == 1.0
    assert sanity.rank_correlation(a, -a)["spearman_mean"] == -1.0
    assert sanity.rank_correlation(a, -a, absolute=True)["spearman_mean"] == 1.0


def test_model_randomisation_decorrelates(toy):
    ds, model = toy
    base = _matrix(model, ds)
    same = sanity.rank_correlation(base, _matrix(model, ds, n_steps=16))["spearman_mean"]
    assert same > 0.9                                        # stable on the trained model
    stages = list(sanity.cascading(model, stages=2))
    assert stages[-1][1] == 1.0 and sanity.learned_layers(model)[-1] == "head.1"
    randomised = _matrix(stages[-1][2], ds)                   # every layer re-initialised
    assert abs(sanity.rank_correlation(base, randomised)["spearman_mean"]) < 0.3
    assert sanity.rank_correlation(base, randomised, absolute=True)["spearman_mean"] < same - 0.3
    names = [n for n, _ in sanity.independent(model)]
    assert "head.1" in names and "encoders.emg.stem.0" in names


def test_label_randomisation_decorrelates(toy):
    ds, model = toy
    base = _matrix(model, ds)
    shuffled = np.random.default_rng(1).permutation(ds.index.label)
    random_labels = train(tiny_model(1), ds, labels=shuffled)
    retrained = train(tiny_model(1), ds, seed=1)
    rho_random = sanity.rank_correlation(base, _matrix(random_labels, ds), absolute=True)
    rho_true = sanity.rank_correlation(base, _matrix(retrained, ds), absolute=True)
    assert rho_random["spearman_mean"] < rho_true["spearman_mean"] - 0.1
