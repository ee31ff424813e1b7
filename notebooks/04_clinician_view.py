# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. A clinician's view: one patient's report page, trajectory, interval and flag
#
# **Data: SYNTHETIC.** Every patient below is simulated by lbpnet's cohort simulator; no real
# person is in this notebook, and every page it opens is marked SYNTHETIC. The models are
# trained for a few seconds so that the notebook runs quickly: their findings illustrate how
# to read a page, not how good the models are (see `experiments/synthetic_strategy/` and
# `experiments/synthetic_trajectory/` for that).
#
# lbpnet's outputs are **decision support for research use, never a diagnosis**.
#
# Two parts:
# 1. the report page of one session: findings with their uncertainty, which muscles and
#    moments drove them, the quality of the signals, whether the explanation passed its checks;
# 2. the patient's outcome trajectory (ODI, pain NRS) forecast from their first sessions, with
#    an 80 % interval, and the early non-response flag.

# %%
import base64
import html
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display
from omegaconf import OmegaConf

work = Path(tempfile.mkdtemp(prefix="lbpnet-tutorial-4-"))
bin_dir = Path(sys.executable).parent
env = dict(os.environ, WANDB_MODE="offline")


def run(*command: str) -> None:
    """Run an lbpnet console script in the tutorial's folder; show its error if it fails."""
    done = subprocess.run([str(bin_dir / command[0]), *command[1:]], cwd=work, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


# %% [markdown]
# ## 1. A session's report page
#
# A tiny movement-strategy model on 8 simulated patients, then `lbpnet-report`, which explains
# the test sessions and writes one self-contained HTML page per session.

# %%
strategy_run = work / "strategy_run"
run("lbpnet-train", "experiment=synthetic_strategy", "data.n_patients=8", "data.n_sessions=1",
    "trainer.max_epochs=1", "+trainer.limit_train_batches=4", "~callbacks.early_stopping",
    "callbacks.model_checkpoint.monitor=null", "logger=none", "trainer.enable_progress_bar=false",
    f"hydra.run.dir={strategy_run}")
run("lbpnet-report", f"run_dir={strategy_run}", "max_windows_per_session=3", "n_detail=1",
    "explain.n_samples=4", "explain.batch_size=16")
(report_json,) = strategy_run.glob("reports/*/report.json")
report = json.loads(report_json.read_text())
print("synthetic:", report["synthetic"], "| method:", report["method"])
for session, page in report["sessions"].items():
    print(f"  {session}: {Path(page).name}")

# %% [markdown]
# The page of the first session, as plain text (open the `.html` file in a browser to see it
# as a clinician would), then the figures it embeds.

# %%
session, page_path = next(iter(report["sessions"].items()))
page = Path(page_path).read_text(encoding="utf-8")
body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))).strip()
print(text[:1500], "…")
assert "SYNTHETIC" in text and "diagnosis" in text

# %%
figures = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
print(len(figures), "figures on the page; the first two:")
for encoded in figures[:2]:
    display(Image(data=base64.b64decode(encoded), width=800))

# %% [markdown]
# ## 2. The patient's trajectory, its interval and the non-response flag
#
# The trajectory task (`experiment=synthetic_trajectory`) reads each patient's sessions so
# far — interpretable measures of their EMG, IMU, HRV and EDA plus their reported ODI and pain
# NRS — and forecasts the later sessions as quantiles 0.1 / 0.5 / 0.9, with a probability that
# the patient will not respond (ODI not improving by 10 points or 30 %). Patients are split
# between training and test; the test patients are seen up to session 2 only.

# %%
trajectory_run = work / "trajectory_run"
run("lbpnet-train", "experiment=synthetic_trajectory", "data.n_patients=16", "data.n_sessions=4",
    "trainer.max_epochs=10", "logger=none", "trainer.enable_progress_bar=false",
    f"hydra.run.dir={trajectory_run}")
metrics = json.loads((trajectory_run / "metrics.json").read_text())
print("synthetic:", metrics["synthetic"], "| test patients:", metrics["split"]["test"]["subjects"])
print(f"interval {metrics['test/interval']}: ODI coverage {metrics['test/coverage_odi']:.2f}, "
      f"width {metrics['test/width_odi']:.1f} points")

# %% [markdown]
# The forecasts of the test patients, from the saved checkpoint, as a program would get them.

# %%
from lbpnet.cli.train import build_datamodule, build_task
from lbpnet.explain.checkpoint import read_checkpoint

cfg = OmegaConf.load(trajectory_run / "config.yaml")
datamodule = build_datamodule(cfg)
datamodule.setup("test")
task = build_task(cfg, datamodule)
task.load_state_dict(read_checkpoint(trajectory_run / "checkpoints" / "last.ckpt")["state_dict"])
forecast = task.predict_side(datamodule, "test")
print("outcomes", forecast["outcomes"], "| quantile levels", forecast["quantile_levels"])
print("median forecasts", forecast["median"].shape, "(patients, later sessions, outcomes)")

# %%
i = int(np.nanargmax(forecast["non_response_prob"]))    # the patient the flag ranks first
patient, k = forecast["patient"][i], int(forecast["k"][i])
times = forecast["times"][i]
fig, axes = plt.subplots(1, len(forecast["outcomes"]), figsize=(11, 3.5))
for o, (ax, name) in enumerate(zip(axes, forecast["outcomes"])):
    seen_t, later_t = times[:k], times[k:]          # sessions 1..k seen, k+1.. forecast
    n = len(later_t)                                 # forecasts beyond the last session: padding
    ax.plot(seen_t, forecast["history"][i, :k, o], "o-", color="black", label="reported so far")
    q = forecast["quantiles"][i, :n, o]
    ax.fill_between(later_t, q[:, 0], q[:, -1], color="tab:blue", alpha=0.25,
                    label="forecast, 10-90 %")
    ax.plot(later_t, forecast["median"][i, :n, o], "s--", color="tab:blue",
            label="median forecast")
    ax.plot(later_t, forecast["future"][i, :n, o], "x", color="tab:red", ms=9,
            label="reported later (hidden from the model)")
    ax.set(xlabel="weeks", ylabel=name.upper(), title=f"SYNTHETIC patient {patient}: {name}")
axes[0].legend(fontsize=7)
plt.tight_layout()
plt.show()

p = float(forecast["non_response_prob"][i])
truth = forecast["non_response"][i]
print(f"P(non-response) for {patient}: {p:.2f} -> "
      f"{'FLAG: review the treatment plan' if p >= 0.5 else 'no flag'} "
      f"(what happened: {'non-response' if truth == 1 else 'response' if truth == 0 else 'unknown'})")

# %% [markdown]
# ## The monitoring rules on this patient
#
# `lbpnet.monitoring` turns the same numbers into flags with explicit, versioned rules
# (`conf/monitoring/default.yaml`), each with its evidence and its uncertainty. The rule
# "the forecast interval cannot reach the minimal important change" needs the ODI's MIC (10
# points, as the trajectory task's non-response rule) and its SEM; the SEMs below are
# **assumed for this tutorial**, not published values, and the interval is the model's own,
# **not conformal-calibrated** (the monitoring guide shows how to calibrate it on held-out
# patients).

# %%
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.monitoring import Forecast, MeasureSpec, PatientSessions, evaluate, load_rules

rules = load_rules(CONFIG_DIR / "monitoring" / "default.yaml")
n_sessions = forecast["history"].shape[1]
values = {name: np.concatenate([forecast["history"][i, :k, o], np.full(n_sessions - k, np.nan)])
          for o, name in enumerate(forecast["outcomes"])}
specs = {"odi": MeasureSpec("odi", sem=4.0, sem_source="assumed for this tutorial", mic=10.0),
         "nrs": MeasureSpec("nrs", sem=0.8, sem_source="assumed for this tutorial", mic=2.0)}
last = n_sessions - k - 1                            # the last real session's step ahead
o = forecast["outcomes"].index("odi")
lo, med, hi = (float(v) for v in forecast["quantiles"][i, last, o])
odi_forecast = Forecast("odi", horizon_session=n_sessions, made_at_session=k, lower=lo,
                        median=med, upper=hi, level=0.8, model_version="tutorial SessionGRU",
                        calibrated=False)
flags = evaluate(rules, PatientSessions(str(patient), values, outcomes=("odi", "nrs")),
                 session=k, specs=specs, forecasts={"odi": odi_forecast})
print(f"rule set {rules.name} v{rules.version}; SYNTHETIC patient {patient} at session {k}:")
for flag in flags:
    print(f"  [{flag.level}] {flag.rule_id}: {flag.text}")
    print(f"      evidence {flag.evidence}")
    print(f"      uncertainty {flag.uncertainty} -> {flag.action}")
if not flags:
    print("  no flag: the interval still reaches a 10-point improvement and nothing worsened")

# %% [markdown]
# How to read it:
#
# - the **interval** is where the model expects the later ODI to fall 8 times in 10 — for
#   patients like those it was trained on, and only if it is calibrated: the run reports the
#   share of test forecasts whose interval held the reported value (`test/coverage_odi`);
# - the **flag** is a probability from a model trained in seconds on 16 simulated patients: it
#   prompts a review, it never decides.

# %%
fig, ax = plt.subplots(figsize=(6, 3))
order = np.argsort(forecast["non_response_prob"])
colours = ["tab:red" if forecast["non_response"][j] == 1 else "tab:green" for j in order]
ax.barh(range(len(order)), forecast["non_response_prob"][order], color=colours)
ax.axvline(0.5, color="black", lw=0.8, ls="--")
ax.set_yticks(range(len(order)), forecast["patient"][order], fontsize=7)
ax.set(xlabel="P(non-response)", title="SYNTHETIC test patients (red: did not respond)")
plt.tight_layout()
plt.show()
