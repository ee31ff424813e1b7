"""What lbpnet-train shows: one line per epoch in the log, lbpnet's one-message errors
(the full traceback with HYDRA_FULL_ERROR=1), no known third-party noise."""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lbpnet.cli.console import quiet_third_party

EXE = Path(sys.executable).with_name("lbpnet-train")


def _run(tmp_path, *overrides, full_error=False):
    env = dict(os.environ, WANDB_MODE="offline", OMP_NUM_THREADS="1")
    env.pop("HYDRA_FULL_ERROR", None)
    if full_error:
        env["HYDRA_FULL_ERROR"] = "1"
    return subprocess.run([str(EXE), *overrides], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)


# a config lbpnet refuses (ConfigError) after composing: an encoder name it does not know
BAD = ["experiment=basic_motions", "model.encoder.default=no_such_encoder", "logger=none"]


def test_an_lbpnet_error_prints_one_message_not_a_traceback(tmp_path):
    done = _run(tmp_path, *BAD)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out[-3000:]
    assert "Traceback" not in out and "Error executing job" not in out
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("lbpnet-train: ")]
    assert len(lines) == 1 and "no_such_encoder" in done.stderr and "Fix:" in done.stderr


def test_hydra_full_error_still_gives_the_traceback(tmp_path):
    done = _run(tmp_path, *BAD, full_error=True)
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "ConfigError" in done.stderr


def test_a_tiny_run_logs_one_line_per_epoch_without_third_party_noise(tmp_path):
    run = tmp_path / "run"
    done = _run(tmp_path, "experiment=basic_motions", "trainer.max_epochs=2", "logger=none",
                f"hydra.run.dir={run}")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    log = (run / "train.log").read_text()
    for epoch in (1, 2):
        assert f"epoch {epoch}/2: train/loss " in log and "val/f1_macro" in log
    assert "litlogger" not in out and "LeafSpec" not in out
    assert "it/s" not in out and "Epoch 0" not in out       # no progress bar off a terminal


def test_quieting_keeps_lbpnet_and_other_warnings():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet_third_party()
        warnings.warn_explicit("`isinstance(treespec, LeafSpec)` is deprecated", FutureWarning,
                               "x.py", 1, module="pytorch_lightning.utilities._pytree")
        warnings.warn_explicit("`isinstance(treespec, LeafSpec)` is deprecated", FutureWarning,
                               "x.py", 1, module="lbpnet.models.zoo")
        warnings.warn_explicit("window too short", UserWarning, "y.py", 1, module="lbpnet.windows")
    assert [str(w.message) for w in seen] == ["`isinstance(treespec, LeafSpec)` is deprecated",
                                             "window too short"]


def test_the_progress_bar_is_rich_in_a_terminal_and_silent_elsewhere(monkeypatch):
    from pytorch_lightning.callbacks import RichProgressBar

    from lbpnet.cli.progress import TerminalProgressBar
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    bar = TerminalProgressBar()
    assert isinstance(bar, RichProgressBar) and bar.is_enabled
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert TerminalProgressBar().is_disabled


@pytest.mark.parametrize("module", ["train", "explain", "report"])
def test_every_hydra_entry_point_wraps_lbpnet_errors(module):
    source = (Path(__file__).resolve().parents[2] / "lbpnet" / "cli" / f"{module}.py").read_text()
    main = source.split("def main(", 1)[1].split("\ndef ", 1)[0]
    assert f'user_errors("lbpnet-{module}")' in main


def test_trainer_enable_progress_bar_false_turns_the_bar_off(tmp_path):
    """The documented Lightning switch still works with the bar in the default callbacks
    (Lightning refuses a progress-bar callback beside enable_progress_bar=False)."""
    run = tmp_path / "run"
    done = _run(tmp_path, "experiment=basic_motions", "trainer.max_epochs=1", "logger=none",
                "trainer.enable_progress_bar=false", f"hydra.run.dir={run}")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert (run / "metrics.json").is_file()
