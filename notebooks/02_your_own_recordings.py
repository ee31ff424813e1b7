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
# # 2. Your own recordings: a small BIDS folder, windows across rates, quality flags
#
# **Data: SYNTHETIC.** The signals below are made up in this notebook (a pulse-like ECG and a
# walking-like accelerometer) so that you can see every file a BIDS folder needs; nothing here
# is a real recording. The same code reads your real folder.
#
# We write one subject with two streams at different rates — `_motion.tsv` (accelerometer,
# 50 Hz) and `_physio.tsv.gz` (ECG, 250 Hz) — and an `_events.tsv` with labels, read it back
# with `lbpnet.recording.bids.read_bids`, cut 2-second windows that take 100 IMU samples and
# 500 ECG samples each, and draw the quality-control flags on the signals.

# %%
import gzip
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from lbpnet.qc.quality import score_recording
from lbpnet.recording.bids import read_bids
from lbpnet.windows.dataset import WindowDataset
from lbpnet.windows.index import make_windows

root = Path(tempfile.mkdtemp(prefix="lbpnet-tutorial-2-")) / "bids"
print("writing a BIDS folder into", root)

# %% [markdown]
# ## Make 60 s of two SYNTHETIC streams, with three planted faults
#
# - ECG (mV, 250 Hz): beats at 72 per minute; the electrode comes off (a **flat line**) from 12
#   to 16 s.
# - Accelerometer (m/s², 50 Hz): standing still (gravity on z) for 20 s, then walking (a 1.8 Hz
#   sway). From 6 to 10 s, at rest, it reads far less than gravity (a **gravity-norm** fault,
#   as if the sensor were mis-scaled); from 40 to 44 s it repeats its last value on all three
#   axes (a **dropout**).

# %%
rng = np.random.default_rng(0)
duration_s, ecg_rate, imu_rate = 60.0, 250.0, 50.0

t_ecg = np.arange(int(duration_s * ecg_rate)) / ecg_rate
beats = np.arange(0.3, duration_s, 60 / 72)
ecg = sum(1.2 * np.exp(-0.5 * ((t_ecg - b) / 0.012) ** 2) for b in beats)
ecg += 0.05 * np.sin(2 * np.pi * 0.3 * t_ecg) + 0.02 * rng.standard_normal(t_ecg.size)
ecg[(t_ecg >= 12) & (t_ecg < 16)] = 0.0                     # electrode off

t_imu = np.arange(int(duration_s * imu_rate)) / imu_rate
sway = np.sin(2 * np.pi * 1.8 * t_imu) * (t_imu >= 20)      # walking after 20 s
acc = np.stack([1.5 * sway, 0.8 * np.cos(2 * np.pi * 0.9 * t_imu) * (t_imu >= 20),
                9.81 + 2.0 * sway], axis=1)
acc += 0.05 * rng.standard_normal(acc.shape)
acc[(t_imu >= 6) & (t_imu < 10)] *= 0.7                     # mis-scaled at rest: 0.7 g
held = (t_imu >= 40) & (t_imu < 44)
acc[held] = acc[np.argmax(held) - 1]                        # dropout: last value repeated

# %% [markdown]
# ## Write the BIDS folder
#
# `participants.tsv` at the top; per recording `sub-<s>/<datatype>/sub-<s>_task-<t>_...`
# files with their JSON sidecars. `_channels.tsv` needs `name`, `type` and `units`;
# `_physio.json` needs `SamplingFrequency`, `StartTime` and `Columns` (a column named
# `cardiac` is typed ECG, so QC runs its ECG checks).

# %%
prefix = "sub-01_task-walk"
(root / "sub-01" / "motion").mkdir(parents=True)
(root / "sub-01" / "physio").mkdir(parents=True)
(root / "participants.tsv").write_text("participant_id\tage\nsub-01\t42\n")

motion = root / "sub-01" / "motion"
(motion / f"{prefix}_motion.tsv").write_text(
    "\n".join("\t".join(f"{v:.4f}" for v in row) for row in acc) + "\n")
(motion / f"{prefix}_motion.json").write_text(json.dumps({"SamplingFrequency": imu_rate}))
(motion / f"{prefix}_channels.tsv").write_text(
    "name\ttype\tunits\n" + "".join(f"acc_{a}\tACCEL\tm/s^2\n" for a in "xyz"))
(motion / f"{prefix}_events.tsv").write_text(
    "onset\tduration\ttrial_type\n0\t20\tstand\n20\t40\twalk\n")

physio = root / "sub-01" / "physio"
with gzip.open(physio / f"{prefix}_physio.tsv.gz", "wt") as f:
    f.write("\n".join(f"{v:.4f}" for v in ecg) + "\n")
(physio / f"{prefix}_physio.json").write_text(json.dumps(
    {"SamplingFrequency": ecg_rate, "StartTime": 0.0, "Columns": ["cardiac"],
     "cardiac": {"Units": "mV"}}))

for path in sorted(root.rglob("*")):
    print(path.relative_to(root))

# %% [markdown]
# ## Read it back
#
# The files of one subject/session/task/run become one `Recording`; each stream keeps its own
# rate, channel names, types and units.

# %%
(recording,) = read_bids(root)
print(recording.key, "subject", recording.subject)
for name, stream in recording.streams.items():
    print(f"  {name}: {stream.data.shape} at {stream.sampling_rate} Hz, "
          f"{stream.channel_types} in {stream.units}")
print("annotations:", list(zip(recording.annotations.label, recording.annotations.onset)))

# %% [markdown]
# ## Windows in seconds, sliced at each stream's own rate
#
# A window is an index (recording, start in seconds), not a copy. The dataset slices each
# stream at its own rate: a 2 s window is 100 accelerometer samples and 500 ECG samples.

# %%
index = make_windows([recording], length=2.0, stride=2.0, classes=["stand", "walk"])
dataset = WindowDataset([recording], index)
item = dataset[12]
print(len(dataset), "windows; window 12 starts at", float(index.start[12]), "s, label",
      ["stand", "walk"][int(index.label[12])])
for name, x in item["signals"].items():
    print(f"  {name}: {tuple(x.shape)}  (channels, time)")
assert {tuple(x.shape)[-1] for x in item["signals"].values()} == {100, 500}

# %% [markdown]
# ## Quality control, per stream and per window
#
# `score_recording` runs the checks that fit each stream's channel type and returns flags as
# data: one boolean per window and check. Nothing is deleted; a training run masks the loss of
# flagged windows (`qc=default`) or drops and counts them (`qc=exclude`).

# %%
quality = score_recording(recording, index.start, 2.0)
names, flags = quality.flag_table()
for name, column in zip(names, flags.T):
    if column.any():
        print(f"{name:28s} flags windows starting at {index.start[column].tolist()} s")
print("skipped:", quality.skipped() or "none")
flagged = {name: index.start[column] for name, column in zip(names, flags.T) if column.any()}
assert any(12 <= s < 16 for s in flagged.get("physio/flat_line", []))
assert any(6 <= s < 10 for s in flagged.get("motion/gravity_norm", []))

# %%
fig, axes = plt.subplots(2, 1, figsize=(11, 5), sharex=True)
axes[0].plot(t_ecg, recording.streams["physio"].data[:, 0], lw=0.5, color="black")
axes[0].set(ylabel="ECG (mV)", title="SYNTHETIC signals with their quality flags")
norm = np.linalg.norm(recording.streams["motion"].data, axis=1)
axes[1].plot(t_imu, norm, lw=0.7, color="black")
axes[1].set(ylabel="|acc| (m/s²)", xlabel="time (s)")
colours = plt.cm.tab10.colors
for k, (name, starts) in enumerate(flagged.items()):
    ax = axes[0] if name.startswith("physio") else axes[1]
    for j, s in enumerate(starts):
        ax.axvspan(s, s + 2.0, color=colours[k % 10], alpha=0.3,
                   label=name if j == 0 else None)
for ax in axes:
    ax.legend(loc="upper right", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Next
#
# - Train on the folder: `lbpnet-train data=bids data.root=<folder> 'data.module.classes=[stand,walk]'`.
# - EDF+/BDF+ files (`data=edf`) and the native memory-mapped store (`data=store`) give the same
#   `Recording`s; see the docs page "Your own data".
