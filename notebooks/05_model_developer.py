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
# # 5. A model developer's view: a new encoder in the registry, benchmarked, then swept
#
# **Data: REAL.** UCI HAPT smartphone IMU (50 Hz, acc in g, gyro in rad/s), with the
# development split: 3 of the 21 training subjects held out for validation, the 9 UCI-HAR test
# subjects for testing. No simulated data here.
#
# Every run below trains for **one short epoch on a few batches** so the notebook finishes in
# about a minute or two: the budget is small on purpose and the numbers only show the workflow.
# A fair comparison uses the full budget and several seeds, as
# `experiments/architecture_benchmark/` does.
#
# The steps: write an encoder that follows the registry's contract, register it, train it
# beside the zoo's CNN with one `--multirun`, and tune it with a three-trial Optuna sweep on
# the validation macro-F1 (never on test).

# %%
import json
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from hydra.core.global_hydra import GlobalHydra
from torch import nn

from lbpnet.cli.train import main as lbpnet_train_main
from lbpnet.models.registry import ENCODERS, count_parameters, encoder_factory

work = Path(tempfile.mkdtemp(prefix="lbpnet-tutorial-5-"))
torch.manual_seed(0)

# %% [markdown]
# ## The contract
#
# An encoder maps `(batch, in_channels, time)` to `(batch, out_features)` and tells the model
# three numbers: `out_features`, `receptive_field` (in samples, or `None` when it sees the whole
# window) and `min_samples` (the shortest window it accepts, checked before training).
# Here, a strided convolution that halves the rate, then a GRU whose last state is the
# embedding.


# %%
class ConvGRUEncoder(nn.Module):
    """Strided conv stem, then a one-layer GRU: ``(batch, in_channels, time)`` →
    ``(batch, hidden)``; sees the whole window (``receptive_field = None``)."""

    def __init__(self, in_channels: int, hidden: int = 48, stem_channels: int = 32) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(in_channels, stem_channels, 5, stride=2, padding=2),
                                  nn.BatchNorm1d(stem_channels), nn.ReLU())
        self.gru = nn.GRU(stem_channels, hidden, batch_first=True)
        self.out_features, self.receptive_field, self.min_samples = hidden, None, 4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x).transpose(1, 2)           # (batch, time / 2, stem_channels)
        _, last = self.gru(h)                      # (1, batch, hidden)
        return last[0]


ENCODERS["conv_gru"] = ConvGRUEncoder              # registered: model.encoder.default=conv_gru
encoder = encoder_factory("conv_gru", hidden=48)(in_channels=6)
print(encoder(torch.randn(8, 6, 128)).shape, "from (8, 6, 128)")
print({name: count_parameters(encoder_factory(name)(in_channels=6)) for name in ("cnn", "conv_gru")},
      "parameters of the encoder alone, 6 IMU channels")


# %% [markdown]
# ## Train it beside the zoo's CNN
#
# `lbpnet-train` is called here in the notebook's own process (`lbpnet.cli.train.main`, with
# the arguments a user types), because the new encoder was registered in this process. A
# package of your own would register it on import, and the console script would find it.

# %%
TINY = ["trainer.max_epochs=1", "+trainer.limit_train_batches=15", "+trainer.limit_val_batches=5",
        "logger=none", "trainer.enable_progress_bar=false", "hydra/job_logging=disabled"]


def lbpnet_train(*arguments: str) -> None:
    """``lbpnet-train <arguments>`` in this process (a fresh Hydra each time)."""
    GlobalHydra.instance().clear()
    sys.argv = ["lbpnet-train", *arguments]
    try:
        lbpnet_train_main()
    except SystemExit as stop:                 # Hydra ends with sys.exit on errors
        assert not stop.code, f"lbpnet-train failed with status {stop.code}"
    finally:
        GlobalHydra.instance().clear()


benchmark = work / "benchmark"
lbpnet_train("--multirun", "experiment=hapt_activity_dev", "model.encoder.default=cnn,conv_gru",
             *TINY, f"hydra.sweep.dir={benchmark}")
rows = []
for run in sorted(benchmark.glob("*/metrics.json")):
    m = json.loads(run.read_text())
    name = "conv_gru" if "conv_gru" in (run.parent / "config.yaml").read_text() else "cnn"
    rows.append((name, m["best_val"], m["test/f1_macro"], m["fit_seconds"]))
    print(f"{name:9s} val macro-F1 {m['best_val']:.3f}  test macro-F1 {m['test/f1_macro']:.3f}  "
          f"fit {m['fit_seconds']:.1f} s  (synthetic: {m['synthetic']})")
assert [r[0] for r in rows] == ["cnn", "conv_gru"]

# %%
fig, ax = plt.subplots(figsize=(5, 3))
x = range(len(rows))
ax.bar([i - 0.2 for i in x], [r[1] for r in rows], 0.4, label="validation")
ax.bar([i + 0.2 for i in x], [r[2] for r in rows], 0.4, label="test")
ax.set_xticks(list(x), [r[0] for r in rows])
ax.set(ylabel="macro-F1", ylim=(0, 1), title="REAL HAPT, one short epoch each")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## A short Optuna sweep over the new encoder
#
# `hparams_search=activity_optuna` searches the learning rate, weight decay, label smoothing,
# scheduler and batch size with TPE, on the **validation** macro-F1 (each trial's best
# checkpoint). Three trials here; the sweeper writes `optimization_results.yaml`.

# %%
sweep = work / "sweep"
lbpnet_train("experiment=hapt_activity_dev", "hparams_search=activity_optuna",
             "hydra.sweeper.n_trials=3", "model.encoder.default=conv_gru", *TINY,
             f"hydra.sweep.dir={sweep}")
import yaml  # noqa: E402  (after the sweep, to keep the story in order)

best = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
print("best validation macro-F1", round(best["best_value"], 3), "with", best["best_params"])
trials = [json.loads(p.read_text()) for p in sorted(sweep.glob("*/metrics.json"),
                                                     key=lambda p: int(p.parent.name))]
assert len(trials) == 3

# %%
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(range(1, len(trials) + 1), [t["best_val"] for t in trials], "o-", label="validation")
ax.set(xlabel="trial", ylabel="macro-F1", xticks=range(1, len(trials) + 1),
       title="Optuna trials of conv_gru (REAL HAPT)")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()
