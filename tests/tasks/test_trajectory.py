"""Trajectory task pieces: loss masking, quantile ordering, coverage, non-response, sequences."""

import numpy as np
import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.models.trajectory import SessionGRU
from lbpnet.tasks.trajectory_baselines import CarriedForward, EarlyChangeLogistic
from lbpnet.tasks.trajectory_metrics import (interval_scores, masked_bce, non_response_scores,
                                             pinball_loss)
from lbpnet.tasks.trajectory_outcome import NonResponse
from lbpnet.tasks.trajectory_sequences import SessionTable, make_examples, raw_features

Q = [0.1, 0.5, 0.9]


# ---------------------------------------------------------------- losses
def test_pinball_loss_matches_hand_computation_and_ignores_missing_targets():
    pred = torch.tensor([[0.0, 1.0, 2.0], [5.0, 6.0, 7.0]], requires_grad=True)
    target = torch.tensor([3.0, float("nan")])
    loss = pinball_loss(pred, target, Q)
    # y=3: diffs 3, 2, 1 -> 0.1*3, 0.5*2, 0.9*1 -> mean 2.2/3; the NaN row is left out
    assert loss.item() == pytest.approx((0.3 + 1.0 + 0.9) / 3)
    loss.backward()
    assert torch.all(pred.grad[1] == 0) and torch.any(pred.grad[0] != 0)
    # over-forecast is charged (1 - tau)
    assert pinball_loss(torch.tensor([[4.0, 4.0, 4.0]]), torch.tensor([3.0]), Q).item() == \
        pytest.approx((0.9 + 0.5 + 0.1) / 3)
    assert pinball_loss(pred, torch.full((2,), float("nan")), Q).item() == 0.0


def test_pinball_minimiser_is_the_quantile():
    y = torch.randn(4000, generator=torch.Generator().manual_seed(0))
    grid = torch.linspace(-2, 2, 401)
    for tau in (0.1, 0.9):
        losses = [pinball_loss(torch.full((len(y), 1), float(c)), y, [tau]) for c in grid]
        best = grid[int(torch.stack(losses).argmin())]
        assert abs(best - torch.quantile(y, tau)) < 0.03


def test_masked_bce_ignores_unknown_labels():
    logit = torch.tensor([2.0, -1.0, 50.0])
    with_nan = masked_bce(logit, torch.tensor([1.0, 0.0, float("nan")]))
    without = masked_bce(logit[:2], torch.tensor([1.0, 0.0]))
    assert with_nan.item() == pytest.approx(without.item())


# ---------------------------------------------------------------- scores
def test_interval_scores_coverage_width_and_mae():
    pred = torch.tensor([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [10.0, 11.0, 14.0],
                         [0.0, 0.0, 0.0]])
    target = torch.tensor([2.0, 3.0, 11.0, float("nan")])   # inside (end), outside, inside
    s = interval_scores(pred, target, Q)
    assert s["coverage"] == pytest.approx(2 / 3)
    assert s["width"] == pytest.approx((2 + 2 + 4) / 3)
    assert s["mae"] == pytest.approx((1 + 2 + 0) / 3)
    assert s["n"] == 3


def test_non_response_scores():
    prob = torch.tensor([0.9, 0.8, 0.3, 0.1, 0.6])
    y = torch.tensor([1.0, 1.0, 0.0, 0.0, float("nan")])
    s = non_response_scores(prob, y)
    assert s["auroc"] == pytest.approx(1.0) and s["acc"] == 1.0 and s["n"] == 4
    assert s["brier"] == pytest.approx((0.01 + 0.04 + 0.09 + 0.01) / 4)
    assert s["f1"] == [1.0, 1.0]
    flipped = non_response_scores(1 - prob, y)
    assert flipped["auroc"] == pytest.approx(0.0) and flipped["acc"] == 0.0
    assert np.isnan(non_response_scores(prob[:2], y[:2])["auroc"])   # one class: undefined


# ---------------------------------------------------------------- model
def test_session_gru_quantiles_are_ordered_and_causal():
    torch.manual_seed(0)
    model = SessionGRU({"sessions": 7}, n_outputs=10, quantiles=[0.05, 0.1, 0.5, 0.9, 0.95])
    x = torch.randn(16, 6, 7) * 5
    observed = torch.arange(6)[None] < torch.randint(1, 6, (16, 1))
    out = model(x, observed)
    q = out["quantiles"]
    assert q.shape == (16, 10, 5) and out["non_response_logit"].shape == (16,)
    assert torch.all(q[..., 1:] >= q[..., :-1])
    model.eval()
    later = x.clone()
    later[~observed] = 100.0                     # sessions after k change nothing
    assert torch.allclose(model(x, observed)["quantiles"], model(later, observed)["quantiles"])
    with pytest.raises(ConfigError):
        SessionGRU({"sessions": 7}, 2, quantiles=[0.9, 0.1])


# ---------------------------------------------------------------- outcome definition
def test_non_response_definition_points_or_fraction():
    nr = NonResponse(points=10, fraction=0.30, rule="either")
    first = [40.0, 40.0, 25.0, 30.0, 40.0, np.nan, 40.0]
    at = [30.0, 31.0, 16.0, 32.0, 25.0, 20.0, np.nan]
    # 10 points/25 %: response; 9 points/22.5 %: non; 9 points/36 %: response; worse: non;
    # 15 points/37.5 %: response; NaN
    out = nr(first, at)
    assert out[:5].tolist() == [0.0, 1.0, 0.0, 1.0, 0.0] and np.isnan(out[5:]).all()
    both = NonResponse(rule="both")(first, at)        # needs 10 points AND 30 %
    assert both[:5].tolist() == [1.0, 1.0, 1.0, 1.0, 0.0]
    with_nrs = NonResponse(nrs_points=2.0)([40.0, 40.0], [25.0, 25.0], [6.0, 6.0], [3.0, 5.0])
    assert with_nrs.tolist() == [0.0, 1.0]
    with pytest.raises(ConfigError):
        NonResponse(rule="sometimes")
    with pytest.raises(ConfigError):
        NonResponse(nrs_points=2.0)([40.0], [20.0])


# ---------------------------------------------------------------- sequences and baselines
def _table():
    # 2 patients x 4 sessions; patient 0 misses the report of session 2
    pros = np.array([[[40, 6], [np.nan, np.nan], [25, 4], [20, 3]],
                     [[30, 5], [29, 5], [28, 5], [27, 5]]], dtype=float)
    days = np.tile(np.arange(4) * 7.0, (2, 1))
    return SessionTable(["P1", "P2"], ["m"], np.ones((2, 4, 1)), pros, days,
                        np.ones((2, 4), bool))


def test_examples_hide_later_sessions_and_carry_the_last_report_forward():
    table = _table()
    features = np.arange(2 * 4 * 3, dtype=float).reshape(2, 4, 3) + 1
    ex = make_examples(table, features, [0, 1], [1, 2, 3], horizon=4,
                       non_response=NonResponse())
    assert ex["k"].tolist() == [1, 2, 3, 1, 2, 3]
    i = 1                                             # patient 0 seen up to session 2
    assert torch.all(ex["sessions"][i, 2:] == 0) and torch.all(ex["sessions"][i, :2, :3] != 0)
    assert ex["observed"][i].tolist() == [True, True, False, False]
    assert ex["anchor"][i].tolist() == [40.0, 6.0]    # session 2 unreported: LOCF of session 1
    assert ex["sessions"][i, :, 3].tolist() == [1.0, 0.0, 0.0, 0.0]   # the reported flag
    assert ex["future"][i, :2].tolist() == [[25.0, 4.0], [20.0, 3.0]]
    assert torch.isnan(ex["future"][i, 2]).all()      # beyond the last session
    assert ex["non_response"].tolist() == [0.0] * 3 + [1.0] * 3
    none = make_examples(table, features, [0], [3], horizon=3, non_response=NonResponse())
    assert none == {}                                 # k must be before the horizon


def test_measures_as_within_person_change():
    table = _table()
    table.measures[1] = [[2.0], [3.0], [5.0], [np.nan]]
    level, names = raw_features(table, "level")
    change, cnames = raw_features(table, "change")
    assert names[0] == "m" and cnames[0] == "m_change" and names[1:] == cnames[1:]
    assert change[1, :3, 0].tolist() == [0.0, 1.0, 3.0] and np.isnan(change[1, 3, 0])
    assert names[1:] == ["pro/odi", "pro/nrs", "pro/odi_change", "pro/nrs_change", "time/weeks"]
    assert level[0, 2, 3] == -15.0 and level[1, 3, 5] == 3.0     # ODI change, weeks
    assert raw_features(table, "both")[0].shape[-1] == 7
    with pytest.raises(ConfigError):
        raw_features(table, "ratio")


def test_baselines_locf_and_logistic():
    table = _table()
    ex = make_examples(table, np.zeros((2, 4, 3)), [0, 1], [1, 2, 3], 4, NonResponse())
    locf = CarriedForward(Q, "last").fit(ex, k=2).predict(ex["anchor"])
    assert torch.equal(locf[..., 1], ex["anchor"][:, None].expand(-1, 3, -1))
    assert torch.all(locf[..., 1:] >= locf[..., :-1])
    drift = CarriedForward(Q, "median_change").fit(ex).predict(ex["anchor"])
    assert not torch.equal(drift[..., 1], locf[..., 1])
    rng = np.random.default_rng(0)
    n = 200
    first = torch.tensor(rng.uniform(25, 50, (n, 2)), dtype=torch.float32)
    y = torch.tensor(rng.random(n) < 0.5, dtype=torch.float32)
    drop = torch.where(y[:, None] > 0.5, 1.0, 10.0) + torch.randn(n, 2)
    easy = {"first": first, "anchor": first - drop, "non_response": y, "k": torch.full((n,), 2)}
    prob = EarlyChangeLogistic().fit(easy, 2).predict_proba(easy)
    assert non_response_scores(prob, y)["auroc"] > 0.95


def test_task_forecasts_in_points_from_the_last_report_and_masks_missing_targets():
    from lbpnet.tasks.trajectory import TrajectoryForecast

    table = _table()
    ex = make_examples(table, np.zeros((2, 4, 3)), [0, 1], [1, 2], 4, NonResponse())
    model = SessionGRU({"sessions": 4}, n_outputs=6, quantiles=Q)
    task = TrajectoryForecast(model, [f"{p}@+{a}" for a in (1, 2, 3) for p in ("odi", "nrs")],
                              pro_scale={"odi": 10.0, "nrs": 1.0})
    out = task(ex)
    assert out["quantiles"].shape == (4, 3, 2, 3) and out["non_response_prob"].shape == (4,)
    expected = ex["anchor"][:, None, :, None] + out["change"] * torch.tensor([10.0, 1.0])[:, None]
    assert torch.allclose(out["quantiles"], expected)
    change = out["change"].detach().requires_grad_(True)
    loss, _, _ = task._loss({**out, "change": change}, ex)
    loss.backward()
    missing = torch.isnan(ex["future"])                # unreported or beyond the last session
    assert torch.isfinite(loss) and missing.any() and (~missing).any()
    assert torch.all(change.grad[missing] == 0) and torch.any(change.grad[~missing] != 0)
    with pytest.raises(ConfigError):
        TrajectoryForecast(model, ["odi@+1", "nrs@+1"], pro_scale={"odi": 10.0})


def test_log_outcomes_forecast_on_the_log1p_scale_and_back():
    """A log outcome's quantiles are expm1(log1p(last report) + scale * change), still ordered,
    and its pinball target is the log change; the other outcome stays on the points scale.
    An unknown name is refused."""
    from lbpnet.tasks.trajectory import TrajectoryForecast

    table = _table()
    ex = make_examples(table, np.zeros((2, 4, 3)), [0, 1], [1, 2], 4, NonResponse())
    model = SessionGRU({"sessions": 4}, n_outputs=6, quantiles=Q)
    names = [f"{p}@+{a}" for a in (1, 2, 3) for p in ("odi", "nrs")]
    task = TrajectoryForecast(model, names, pro_scale={"odi": 0.5, "nrs": 1.0},
                              log_outcomes=["odi"])
    out = task(ex)
    anchor = ex["anchor"][:, None, :, None]
    odi = torch.expm1(torch.log1p(anchor[:, :, :1]) + out["change"][:, :, :1] * 0.5)
    assert torch.allclose(out["quantiles"][:, :, :1], odi)
    assert torch.allclose(out["quantiles"][:, :, 1:], anchor[:, :, 1:] + out["change"][:, :, 1:])
    assert (out["quantiles"].diff(dim=-1) >= -1e-6).all()            # still ordered
    # the loss is zero-gradient at a change equal to the target's log change (median only)
    target = (torch.log1p(ex["future"][:, :, 0]) - torch.log1p(ex["anchor"][:, None, 0])) / 0.5
    change = out["change"].detach().clone()
    ok = ~torch.isnan(target)
    change[..., 0, :] = torch.where(ok[..., None], target[..., None], 0.0)
    change.requires_grad_(True)
    task._loss({**out, "change": change}, ex)[0].backward()
    assert torch.all(change.grad[..., 0, 1][ok] == 0)             # median exactly on target
    with pytest.raises(ConfigError, match="log_outcomes"):
        TrajectoryForecast(model, names, pro_scale={"odi": 1.0, "nrs": 1.0},
                           log_outcomes=["seizures"])
