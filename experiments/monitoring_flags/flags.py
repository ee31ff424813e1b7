"""Early non-response flags on the SYNTHETIC LBP cohort: default rule set vs the last-change rule.

Cohort: the LBP simulator's patient-reported outcomes (ODI 0-100, pain NRS 0-10, weekly
sessions, reporting noise and missed reports as planted by
``lbpnet.datasets.simulator.cohort.make_cohort`` — the same values ``load_synthetic_lbp``
writes into each recording's ``metadata["outcomes"]``; no signals are generated, so the sensor
rule has no data here and never fires). Controls are left out (no therapy to respond to).
Non-response: ``lbpnet.tasks.trajectory_outcome.NonResponse()`` (ODI change < 10 points and
< 30 % from session 1 to the horizon session, the last).

Per cohort seed, 5 patient-disjoint folds: the other folds' patients are split 75/25 into
training patients (the mixed-effects forecaster, the SEM) and calibration patients (split
conformal per sessions-seen k, Platt scaling of P(non-response)); the fold's patients are
tested. At each session s = 1..S-1 of a test patient the rules see sessions 1..s and the
forecast made from them. Writes ``results.json`` (all numbers of ``results.md``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.stats import norm

from lbpnet.atomic import atomic_write_json
from lbpnet.datasets.simulator.cohort import make_cohort
from lbpnet.datasets.simulator.config import SimulatorConfig
from lbpnet.monitoring import (ConformalCalibrator, Forecast, LastObservation, MeasureSpec,
                               MixedEffectsForecaster, PatientSessions, ProbabilityCalibrator,
                               brier_score, coverage_and_width, evaluate, load_rules,
                               reliability_table, sem_test_retest)
from lbpnet.monitoring.forecasters import future_targets
from lbpnet.tasks.trajectory_outcome import NonResponse

ROOT = Path(__file__).resolve().parents[2]
LEVEL, QUANTILES = 0.8, (0.1, 0.5, 0.9)
MIC = {"odi": 10.0, "nrs": 2.0}      # Ostelo et al., Spine 2008 (as the simulator plants)


def cohort(seed: int, n_patients: int, n_sessions: int):
    """SYNTHETIC: times (P, S) weeks, values (P, S, 2) ODI/NRS, non-response (P,)."""
    cfg = SimulatorConfig(n_patients=n_patients, n_sessions=n_sessions, seed=seed,
                          phenotype_weights={"guarding": 1.0, "coordination_deficit": 1.0,
                                             "fatigue_limited": 1.0, "activity_sensitive": 1.0,
                                             "control": 0.0})
    pats = make_cohort(cfg)
    t = np.array([[s.day / 7.0 for s in p.sessions] for p in pats])
    v = np.array([[[np.nan if s.odi is None else s.odi, np.nan if s.nrs is None else s.nrs]
                   for s in p.sessions] for p in pats])
    y = NonResponse()(v[:, 0, 0], v[:, -1, 0])
    return [p.id for p in pats], t, v, y


def p_non_response(pred: np.ndarray, first_odi: np.ndarray) -> np.ndarray:
    """P(ODI at the horizon misses the MIC) from the Gaussian forecast (P, Q) of the horizon."""
    mu = pred[:, 1]
    sd = (pred[:, 2] - pred[:, 0]) / (2 * norm.ppf(QUANTILES[2]))
    need = np.minimum(first_odi - MIC["odi"], first_odi * 0.7)       # response: at or below
    return 1 - norm.cdf((need - mu) / np.maximum(sd, 1e-6))


def run_fold(ids, t, v, y, test, rng, rules, last_rule):
    S = t.shape[1]
    rest = rng.permutation(np.flatnonzero(~test))
    n_cal = len(rest) // 4
    cal, train = np.sort(rest[:n_cal]), np.sort(rest[n_cal:])
    te = np.flatnonzero(test)
    # SEM: test-retest (sessions 1 -> 2) of the training non-responders (stable by definition)
    stable = train[y[train] == 1]
    specs = {name: MeasureSpec(name, sem_test_retest(v[stable, 0, o], v[stable, 1, o]),
                               f"test-retest sessions 1-2 of {len(stable)} training non-responders",
                               True, MIC[name]) for o, name in enumerate(("odi", "nrs"))}
    models = {"mixed_model": MixedEffectsForecaster(QUANTILES).fit(t[train], v[train]),
              "locf": LastObservation(QUANTILES, "last").fit(t[train], v[train]),
              "last_median_change": LastObservation(QUANTILES, "median_change").fit(
                  t[train], v[train])}
    scores, horizon_iv, probs = {}, {}, {}
    for k in range(1, S):
        for name, m in models.items():
            pc, pt = m.predict(t[cal], v[cal], k), m.predict(t[te], v[te], k)
            q_cal, q_te = pc[..., [0, 1, 2]], pt[..., [0, 1, 2]]
            cal_ids, train_ids = [ids[i] for i in cal], [ids[i] for i in train]
            conf = ConformalCalibrator(LEVEL).fit(q_cal, future_targets(v[cal], k),
                                                  cal_ids, train_ids)
            q_te_c = conf.predict(q_te)
            q_te_90 = ConformalCalibrator(0.9).fit(q_cal, future_targets(v[cal], k), cal_ids,
                                                   train_ids).predict(q_te)
            target = future_targets(v[te], k)
            for tag, q in (("raw", q_te), ("conformal", q_te_c), ("conformal90", q_te_90)):
                cw = coverage_and_width(q, target)
                scores[name, tag, k] = {"coverage": cw["coverage_all"], "width": cw["width_all"],
                                        "n": int(cw["n"].sum()),
                                        "mae": float(np.nanmean(np.abs(q[..., 1] - target)))}
            if name == "mixed_model":
                horizon_iv[k] = q_te_c[:, S - 1 - k, 0]                 # ODI at session S
                raw_p = {side: p_non_response(q[:, S - 1 - k, 0], v[idx, 0, 0])
                         for side, q, idx in (("cal", q_cal, cal), ("test", q_te, te))}
                plat = ProbabilityCalibrator("platt").fit(raw_p["cal"], y[cal])
                probs[k] = (raw_p["test"], plat.predict(raw_p["test"]))
    # rules, per test patient and session
    flags = {"default": [], "last_change": []}
    for j, p in enumerate(te):
        ps = PatientSessions(ids[p], {"odi": v[p, :, 0], "nrs": v[p, :, 1]},
                             outcomes=("odi", "nrs"))
        for s in range(1, S):
            lo, med, hi = horizon_iv[s][j]
            fc = {"odi": Forecast("odi", S, s, float(lo), float(med), float(hi), LEVEL,
                                  "mixed_model+smoothed-conformal(normalised)")}
            for set_name, rs in (("default", rules), ("last_change", last_rule)):
                for f in evaluate(rs, ps, s, specs, fc if set_name == "default" else None):
                    flags[set_name].append((ids[p], s, f.rule_id, f.level))
    return scores, probs, flags, te, specs


def flag_summary(flags, ids, y, te_all, S, levels=("review", "urgent"), rule=None):
    first = {}
    for pid, s, rid, lvl in flags:
        if lvl in levels and (rule is None or rid == rule):
            first[pid] = min(first.get(pid, s), s)
    sessions_flagged = {(pid, s) for pid, s, rid, lvl in flags
                        if lvl in levels and (rule is None or rid == rule)}
    nr = [i for i in te_all if y[i] == 1]
    resp = [i for i in te_all if y[i] == 0]
    hit = [ids[i] for i in nr if ids[i] in first]
    lead = [S - first[p] for p in hit]
    fa = sum((ids[i], s) in sessions_flagged for i in resp for s in range(1, S))
    return {"non_responders": len(nr), "responders": len(resp),
            "sensitivity": len(hit) / max(len(nr), 1),
            "lead_time_mean": float(np.mean(lead)) if lead else float("nan"),
            "lead_time_median": float(np.median(lead)) if lead else float("nan"),
            "false_alarm_rate": fa / max(len(resp) * (S - 1), 1),
            "responders_ever_flagged": sum(ids[i] in first for i in resp) / max(len(resp), 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--sessions", type=int, default=6)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    a = ap.parse_args()
    rules = load_rules(ROOT / "conf/monitoring/default.yaml")
    last_rule = load_rules(ROOT / "conf/monitoring/last_change.yaml")
    out = {"synthetic": True, "level": LEVEL, "seeds": a.seeds, "patients": a.patients,
           "sessions": a.sessions, "rules": {"default": rules.version,
                                             "last_change": last_rule.version},
           "per_seed": []}
    for seed in a.seeds:
        ids, t, v, y = cohort(seed, a.patients, a.sessions)
        fold = np.random.default_rng(seed).permutation(len(ids)) % 5
        rng = np.random.default_rng(1000 + seed)
        all_scores, all_flags, te_all = {}, {"default": [], "last_change": []}, []
        p_raw, p_cal, p_y, sems = {}, {}, {}, []
        for f in range(5):
            scores, probs, flags, te, specs = run_fold(ids, t, v, y, fold == f, rng, rules,
                                                       last_rule)
            sems.append({n: s.sem for n, s in specs.items()})
            for key, val in scores.items():
                all_scores.setdefault(key, []).append(val)
            for name in flags:
                all_flags[name] += flags[name]
            te_all += list(te)
            for k, (r, c) in probs.items():
                p_raw.setdefault(k, []).append(r)
                p_cal.setdefault(k, []).append(c)
                p_y.setdefault(k, []).append(y[te])
        pooled = {}
        for (name, tag, k), rows in all_scores.items():    # pooled over the 5 test folds
            n = sum(r["n"] for r in rows)
            pooled[f"{name}/{tag}/k={k}"] = {
                m: sum(r[m] * r["n"] for r in rows) / n for m in ("coverage", "width", "mae")}
        prob = {}
        for k in p_raw:
            r, c, yy = (np.concatenate(x[k]) for x in (p_raw, p_cal, p_y))
            prob[f"k={k}"] = {"brier_raw": brier_score(r, yy), "brier_platt": brier_score(c, yy),
                              "reliability_platt": reliability_table(c, yy, 5)}
        S = a.sessions
        flags = {"default": flag_summary(all_flags["default"], ids, y, te_all, S),
                 "last_change": flag_summary(all_flags["last_change"], ids, y, te_all, S)}
        for rule in rules.rules:
            flags[f"default:{rule.id}"] = flag_summary(all_flags["default"], ids, y, te_all, S,
                                                       levels=("info", "review", "urgent"),
                                                       rule=rule.id)
        out["per_seed"].append({"seed": seed, "forecasts": pooled, "probability": prob,
                                "flags": flags, "sem": sems,
                                "non_response_rate": float(np.nanmean(y))})
    atomic_write_json(a.out, out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
