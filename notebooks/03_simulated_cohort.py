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
# # 3. The simulated LBP cohort: strategies, their detection, and an explanation you can check
#
# **Data: SYNTHETIC.** Everything here comes from lbpnet's cohort simulator: simulated patients
# with trunk EMG, IMU, NIRS, RR intervals and EDA, whose movement strategies (guarding,
# asymmetry, reduced variability, fatigue, absent flexion–relaxation) are planted on known
# muscles at known times. No real person is in it; no score here says anything about real
# patients. What the simulator gives that real data cannot is the **ground truth of where the
# evidence is**, so we can test whether an explanation points at it.
#
# The cohort (8 patients, 1 session each) and the training (2 epochs of 4 batches) are tiny on
# purpose, so the notebook runs in about a minute; the project's study of this task is in
# `experiments/synthetic_strategy/`.

# %%
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from lbpnet.datasets.simulator import load_synthetic_lbp
from lbpnet.explain.result import ChannelSegmentAttribution

work = Path(tempfile.mkdtemp(prefix="lbpnet-tutorial-3-"))
bin_dir = Path(sys.executable).parent
env = dict(os.environ, WANDB_MODE="offline")
print("writing into", work)

# %% [markdown]
# ## The cohort
#
# The same parameters as `experiment=synthetic_strategy` with `data.n_patients=8
# data.n_sessions=1`, so the training below reads the very recordings we look at (they are
# generated once into the lbpnet cache).

# %%
cohort = load_synthetic_lbp(n_patients=8, n_sessions=1, seed=42, emg_rate=1000.0,
                            imu_rate=100.0, free_living_hours=0.0, artefact_rate=0.5,
                            novel_rate=0.05)
for rec in cohort:
    strategies = sorted({l.split("/")[1] for l in rec.annotations.label if l.startswith("strategy/")})
    print(f"{rec.key:36s} phenotype {rec.metadata['patient']['phenotype']:22s} "
          f"synthetic={rec.metadata['synthetic']}  strategies: {', '.join(strategies) or '-'}")
assert all(rec.metadata["synthetic"] for rec in cohort)

# %% [markdown]
# ## One session: tasks, planted strategies and the muscles that carry them

# %%
rec = next(r for r in cohort if any(l.startswith("strategy/") for l in r.annotations.label))
emg = rec.streams["emg"]
t = np.arange(emg.n_samples) / emg.sampling_rate
fig, axes = plt.subplots(3, 1, figsize=(11, 6), sharex=True,
                         gridspec_kw={"height_ratios": [3, 3, 1]})
for ax, name in zip(axes[:2], ["erector_spinae_l3_left", "erector_spinae_l3_right"]):
    c = emg.channel_names.index(name)
    ax.plot(t[::5], emg.data[::5, c], lw=0.3, color="black")
    ax.set_ylabel(f"{name}\n({emg.units[c]})", fontsize=8)
ann = rec.annotations
for onset, duration, label in zip(ann.onset, ann.duration, ann.label):
    axes[2].barh(1 if label.startswith("strategy/") else 0, duration, left=onset, height=0.8,
                 color="tab:red" if label.startswith("strategy/") else "tab:blue", alpha=0.5)
    axes[2].text(onset + 0.5, 1 if label.startswith("strategy/") else 0,
                 label.replace("strategy/", ""), fontsize=6, va="center")
axes[2].set_yticks([0, 1], ["task", "strategy"])
axes[2].set_xlabel("time (s)")
axes[0].set_title(f"{rec.key}: SYNTHETIC trunk EMG, tasks and planted strategies")
plt.tight_layout()
plt.show()
planted = rec.metadata["attribution"]
print("ground truth of the first planted strategy:", {k: planted[0][k] for k in
                                                      ("label", "onset", "duration", "stream")})
print("  on channels:", planted[0]["channels"])

# %% [markdown]
# ## Train the strategy-detection model (multi-label), split by patient
#
# 2 s windows of EMG (as a 100 Hz RMS envelope) and trunk/pelvis IMU; one output per strategy.

# %%
run_dir = work / "strategy_run"
train = [str(bin_dir / "lbpnet-train"), "experiment=synthetic_strategy", "data.n_patients=8",
         "data.n_sessions=1", "trainer.max_epochs=2", "+trainer.limit_train_batches=4",
         "~callbacks.early_stopping", "callbacks.model_checkpoint.monitor=null", "logger=none",
         "trainer.enable_progress_bar=false", f"hydra.run.dir={run_dir}"]
done = subprocess.run(train, cwd=work, env=env, capture_output=True, text=True)
assert done.returncode == 0, done.stderr[-3000:]
metrics = json.loads((run_dir / "metrics.json").read_text())
print("synthetic:", metrics["synthetic"], "| test patients:", metrics["split"]["test"]["subjects"])
for key in ("test/auroc_macro", "test/auprc_macro"):
    print(f"{key}: {metrics[key]:.3f}")

# %% [markdown]
# ## Explain the test windows, and check the explanation
#
# `lbpnet-explain` attributes each predicted strategy to channels × time segments (gradient
# SHAP, the reports' method) and scores the attribution: **deletion/insertion** (does removing
# the cells it ranks first change the output more than removing random cells?) and, on
# simulated data, **ground truth** (does it rank the planted channels and times first?).

# %%
explain = [str(bin_dir / "lbpnet-explain"), f"run_dir={run_dir}", "max_windows=16",
           "explain.n_samples=4", "ground_truth=true"]
done = subprocess.run(explain, cwd=work, env=env, capture_output=True, text=True)
assert done.returncode == 0, done.stderr[-3000:]
(result_file,) = (run_dir / "explain").glob("*.json")
attribution = ChannelSegmentAttribution.load(result_file)
print(attribution.method, attribution.matrix.shape, "(windows, channels, segments)")

# %%
w = int(np.argmax(np.abs(attribution.matrix).sum(axis=(1, 2))))
subject, session = attribution.windows["subject"][w], attribution.windows["session"][w]
start = float(attribution.windows["start"][w])
target = attribution.output_names[int(attribution.target[w])]
window_rec = next(r for r in cohort if r.subject == subject and str(r.session) == str(session))
emg_w = window_rec.streams["emg"]
emg_names = [c for c in attribution.channels if c.startswith("emg/")]
rows = [attribution.channels.index(c) for c in emg_names]
matrix = attribution.matrix[w][rows]
limit = np.abs(matrix).max() or 1.0

fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8), sharex=True,
                                  gridspec_kw={"height_ratios": [2, 3]})
edges = attribution.segment_edges_s
image = top.pcolormesh(edges, np.arange(len(rows) + 1), matrix, cmap="RdBu_r",
                       vmin=-limit, vmax=limit)
top.set_yticks(np.arange(len(rows)) + 0.5, [c.split("/")[1] for c in emg_names], fontsize=6)
top.set_title(f"SYNTHETIC {subject} session {session}, window at {start:.0f} s: "
              f"attribution of '{target}'", fontsize=9)
fig.colorbar(image, ax=top, label="attribution (toward the output)")
s0 = emg_w.sample_at(start)
n = int(2.0 * emg_w.sampling_rate)
tw = np.arange(n) / emg_w.sampling_rate
for k, c in enumerate(emg_names):
    x = emg_w.data[s0:s0 + n, emg_w.channel_names.index(c.split("/")[1])]
    bottom.plot(tw, k + 0.45 * x / (np.abs(x).max() or 1.0), lw=0.3, color="black")
bottom.set_yticks(range(len(emg_names)), [c.split("/")[1] for c in emg_names], fontsize=6)
bottom.set_xlabel("time in the window (s)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## What faithfulness says
#
# Read each pair as "the explanation" vs "random cells". For deletion a *lower* area than random
# is better (the output falls faster when the top cells go); for insertion a *higher* one. For
# the ground truth, an AUPRC above its chance level means the planted channels and times are
# ranked first. The numbers come from 16 windows of a model trained for two short epochs, so
# they move from run to run; what matters is the habit: an explanation that does not beat
# random cells on these checks says nothing about the model, however convincing its heat map
# looks. `experiments/explanation_faithfulness/` measures them properly, per method.

# %%
f = attribution.faithfulness
rows_ = [("deletion AUC (lower is better)", "deletion_auc", "random_deletion_auc"),
         ("insertion AUC (higher is better)", "insertion_auc", "random_insertion_auc"),
         ("comprehensiveness, top 20 %", "comprehensiveness_20", "random_comprehensiveness_20"),
         ("ground-truth AUPRC vs chance", "ground_truth_auprc", "ground_truth_auprc_chance")]
for title, ours, baseline in rows_:
    if ours in f and baseline in f:
        print(f"{title:36s} explanation {f[ours]:.3f}   random/chance {f[baseline]:.3f}")
labels = [r[0].split(" (")[0] for r in rows_ if r[1] in f]
fig, ax = plt.subplots(figsize=(7, 3))
x = np.arange(len(labels))
ax.bar(x - 0.2, [f[r[1]] for r in rows_ if r[1] in f], 0.4, label="explanation")
ax.bar(x + 0.2, [f[r[2]] for r in rows_ if r[1] in f], 0.4, label="random / chance")
ax.set_xticks(x, labels, rotation=15, fontsize=8)
ax.set_title("faithfulness of the attribution (SYNTHETIC, tiny model)", fontsize=9)
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()
