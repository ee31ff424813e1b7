"""``lbpnet-train``: the Hydra entry point that trains and evaluates one experiment.

Every run writes into its Hydra run directory:

``config.yaml``       the resolved configuration
``checkpoints/``      best (by the monitored validation metric) and ``last.ckpt`` (written
                      after every epoch, with every RNG state: resume from it is exact)
``metrics.json``      test metrics of the tested checkpoint (``test_checkpoint``: best by
                      the monitored validation metric, or last), the split's subjects and
                      window counts, and ``checkpoints``: the sha256 of each checkpoint
                      written (later commands refuse a changed file)
``csv/`` (default)    the per-epoch log
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

import hydra
import pytorch_lightning as pl
from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.utilities import rank_zero_only

from lbpnet import __version__
from lbpnet.atomic import atomic_write_json, atomic_write_text
from lbpnet.audit import file_sha256
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.console import user_errors
from lbpnet.errors import ConfigError
from lbpnet.tasks.rng_state import RngState
from lbpnet.windows.splits import check_no_leakage

log = logging.getLogger("lbpnet.train")


def build_datamodule(cfg: DictConfig):
    """The data module of ``cfg.data`` with the split of ``cfg.split``, windows of
    ``cfg.window``, the recording transforms of ``cfg.preprocess`` and the quality
    control of ``cfg.qc``."""
    transforms = [instantiate(t) for t in (cfg.get("preprocess") or {}).values() if t]
    from lbpnet.windows.label_source import label_source_of   # data.labels=<store>@<version>
    labels = label_source_of(cfg.get("data"))                  # first: before preprocessing
    transforms = ([labels] if labels is not None else []) + transforms
    qc = cfg.get("qc")               # signal-quality control (conf/qc/), none by default
    quality = {"quality": instantiate(qc, _convert_="all")} if qc else {}
    return instantiate(cfg.data.module, split=instantiate(cfg.split), transforms=transforms,
                       **quality, **cfg.window, _convert_="all")


def build_task(cfg: DictConfig, datamodule):
    """Model sized from the data (channels per modality, classes or multi-label targets)
    inside the task module."""
    from hydra.errors import InstantiationException

    from lbpnet.errors import LbpnetError
    names = datamodule.output_names
    try:
        model = instantiate(cfg.model, channels=datamodule.channels(), n_outputs=len(names),
                            _convert_="all")
    except InstantiationException as err:    # an unknown encoder name: lbpnet's error, unwrapped
        if isinstance(err.__cause__, LbpnetError):
            raise err.__cause__ from None
        raise
    check_window = getattr(model, "check_window", None)   # a window too short for an encoder
    train_windows = getattr(datamodule, "datasets", {}).get("train")
    if check_window is not None and train_windows is not None:
        check_window(train_windows.samples)
    return instantiate(cfg.task, model=model, classes=names, _convert_="all")


def _callbacks_and_loggers(cfg: DictConfig):
    from pytorch_lightning.callbacks import ProgressBar
    callbacks = [instantiate(c) for c in (cfg.get("callbacks") or {}).values() if c]
    if not (cfg.get("trainer") or {}).get("enable_progress_bar", True):
        # trainer.enable_progress_bar=false turns the bar off (Lightning refuses both at once)
        callbacks = [c for c in callbacks if not isinstance(c, ProgressBar)]
    loggers = [instantiate(c) for c in (cfg.get("logger") or {}).values() if c]
    return callbacks, loggers or False


def _split_summary(dm) -> dict:
    out = {"name": dm.split.name, "by": dm.split.by}
    for side, ds in dm.datasets.items():
        subjects = sorted({dm.recordings[i].subject for i in dm.split.side(side)})
        out[side] = {"subjects": subjects, "recordings": len(dm.split.side(side)),
                     "windows": len(ds), "windows_per_class": dict(zip(
                         dm.classes, ds.index.class_counts().tolist()))}
        if dm.targets:
            out[side]["windows_per_target"] = dict(zip(dm.targets,
                                                       ds.index.target_counts().tolist()))
    return out


def _refuse_leaks(dm) -> None:
    """No run trains on a split with a subject (or, for within-subject splits, a
    subject-session) on two sides, whichever splitter made it."""
    if getattr(dm, "split", None) is not None and getattr(dm, "recordings", None) is not None:
        check_no_leakage(dm.split, dm.recordings)


def _check_objective(cfg: DictConfig, dm) -> None:
    """A sweep on a validation metric needs a validation side: say so before training."""
    name = cfg.get("optimized_metric")
    has_val = "val" in getattr(dm, "datasets", {"val": None})
    if _optuna_sweep() and name and str(name).startswith("val/") and not has_val:
        raise ConfigError(f"the sweep optimises '{name}' but the split has no validation "
                          "side", field="split.val_fraction",
                          fix="give the split validation subjects (e.g. split.val_fraction=0.15 "
                              "or experiment=hapt_activity_dev)")


def sweep_objective(metrics: dict, name: str) -> float | None:
    """The number a sweeper (Optuna) optimises: ``metrics[name]``, or for the
    checkpoint's monitored validation metric (e.g. ``val/f1_macro``) its best
    validation score (``best_val``); None when the run did not produce it."""
    if name == metrics.get("monitor") and metrics.get("best_val") is not None:
        return metrics["best_val"]
    value = metrics.get(name)
    if not isinstance(value, (int, float)):
        return None
    if name.startswith("test/"):
        log.warning("optimized_metric '%s' is a test metric: a sweep on it selects on the "
                    "test subjects; optimise a val/ metric instead", name)
    return float(value)


def _optuna_sweep() -> bool:
    if not HydraConfig.initialized():
        return False
    return "optuna" in str(HydraConfig.get().sweeper.get("_target_", "")).lower()


def _monitored_checkpoint(trainer: pl.Trainer):
    """The checkpoint callback that selects the best epoch (the first with a monitor; else
    Lightning's first), not the one writing ``last.ckpt`` every epoch."""
    monitored = [c for c in trainer.checkpoint_callbacks if getattr(c, "monitor", None)]
    return monitored[0] if monitored else trainer.checkpoint_callback


def _checkpoint_hashes(trainer: pl.Trainer, output_dir: Path) -> dict[str, str]:
    """``{path: sha256}`` of every ``.ckpt`` the run's checkpoint callbacks wrote; paths
    relative to the run directory (absolute for a ``dirpath`` outside it)."""
    root = output_dir.resolve()
    hashes = {}
    for cb in trainer.checkpoint_callbacks:
        folder = Path(cb.dirpath) if getattr(cb, "dirpath", None) else None
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.resolve().glob("*.ckpt")):
            key = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            hashes[key] = file_sha256(path)
    return hashes


def train(cfg: DictConfig) -> dict:
    """Fit, test the checkpoint ``cfg.test_checkpoint`` names (best or last), write
    ``metrics.json`` into ``cfg.paths.output_dir``; return the metrics."""
    output_dir = Path(cfg.paths.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    from lbpnet.cli.init_from import load_parent_weights, with_parent
    cfg = with_parent(cfg)                # init_from=name@production: the verified checkpoint
    if rank_zero_only.rank == 0:          # DDP: one writer (the other ranks re-run this script)
        atomic_write_text(output_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    pl.seed_everything(cfg.seed, workers=True)
    t0 = time.perf_counter()
    dm = build_datamodule(cfg)
    dm.setup("fit")
    _refuse_leaks(dm)
    _check_objective(cfg, dm)
    task = build_task(cfg, dm)
    if cfg.get("init_from"):              # a parent's weights only (strict, shapes checked)
        load_parent_weights(task, cfg.init_from)
    callbacks, loggers = _callbacks_and_loggers(cfg)
    callbacks.append(RngState())          # a resumed run draws what the uninterrupted one did
    no_val = {} if "val" in dm.datasets else {"limit_val_batches": 0}   # final fit: no val side
    trainer: pl.Trainer = instantiate(cfg.trainer, callbacks=callbacks, logger=loggers,
                                      default_root_dir=str(output_dir), **no_val)
    # weights_only: a resumed checkpoint holds tensors and plain containers, never code
    trainer.fit(task, datamodule=dm, ckpt_path=cfg.get("ckpt_path"), weights_only=True)
    fit_s = time.perf_counter() - t0
    ckpt = _monitored_checkpoint(trainer)
    best = ckpt.best_model_path if ckpt is not None and ckpt.best_model_path else None
    tested = best if cfg.get("test_checkpoint", "best") == "best" else None   # None: last weights
    metrics = {}
    if "test" in dm.datasets:
        trainer.test(task, datamodule=dm, ckpt_path=tested, weights_only=True)
        metrics.update(task.test_results)
        # trajectory tasks: every forecaster calibrated on the validation patients, scored on
        # the test patients, beside its uncalibrated scores ({} for other tasks)
        from lbpnet.monitoring.held_out_scores import calibrated_test_scores
        metrics.update(calibrated_test_scores(task, dm, seed=int(cfg.get("seed") or 0)))
    metrics.update({
        "tested_checkpoint": tested or "last", "best_checkpoint": best,
        "best_val": float(ckpt.best_model_score)
        if ckpt is not None and ckpt.best_model_score is not None else None,
        "monitor": ckpt.monitor if ckpt is not None else None,
        "checkpoints": _checkpoint_hashes(trainer, output_dir) if trainer.is_global_zero
        else {},                          # {path in the run: sha256}, checked when loaded
        "epochs": trainer.current_epoch, "fit_seconds": round(fit_s, 1),
        "world_size": trainer.world_size,   # DDP: processes (test windows padded to a multiple)
        "precision": str(trainer.precision),  # e.g. 32-true, bf16-mixed (trainer=gpu)
        "split": _split_summary(dm), "lbpnet_version": __version__,
        "synthetic": any(r.metadata.get("synthetic", False) for r in dm.recordings),
    })
    if hasattr(dm, "split_summary"):      # window data: QC policy and windows flagged/excluded
        metrics["quality"] = dm.split_summary()
    from lbpnet.cli.lineage import run_lineage   # label-set version and parent checkpoint
    test_keys = [dm.recordings[i].key for i in dm.split.side("test")] \
        if "test" in dm.datasets else []  # a label set that relabels these changes the test set
    lineage = run_lineage(cfg, getattr(dm, "transforms", ()), test_keys)
    if lineage is not None:
        metrics["lineage"] = lineage
    if trainer.is_global_zero:
        atomic_write_json(output_dir / "metrics.json", metrics)
        rows = getattr(dm, "quality_table", None)
        if rows:                          # per recording and stream: share flagged per check
            from lbpnet.qc.summary import write_summary_csv
            write_summary_csv(rows, output_dir / "qc_summary.csv")
    from lbpnet.audit.hooks import audit_train   # the audit log: one entry (rank 0 writes)
    audit_train(cfg, output_dir, dm.recordings, metrics)
    log.info("test metrics: %s", {k: v for k, v in metrics.items() if isinstance(v, float)})
    log.info("run directory: %s", output_dir)
    return metrics


@hydra.main(config_path=str(CONFIG_DIR), config_name="train", version_base="1.3")
def main(cfg: DictConfig) -> float | None:
    """``lbpnet-train``: the Hydra entry point over ``conf/train.yaml``; returns the sweep
    objective (a validation metric) or None; an lbpnet error ends with one message and exit
    status 2.
    """
    with user_errors("lbpnet-train"):      # an lbpnet error: one message, exit status 2
        return _main(cfg)


def _main(cfg: DictConfig) -> float | None:
    metrics = train(cfg)
    # the run's trainer, task and data module reference each other: collect them now, so a
    # --multirun releases one run's memory-mapped streams (one file descriptor each) before
    # the next run opens its own
    gc.collect()
    target = cfg.get("optimized_metric")
    value = sweep_objective(metrics, target) if target else None
    if value is None and _optuna_sweep():
        scalars = sorted(k for k, v in metrics.items() if isinstance(v, float))
        raise ConfigError(
            f"optimized_metric '{target}' is not a number this run produced (monitored: "
            f"{metrics.get('monitor')}, best_val: {metrics.get('best_val')}; scalars: {scalars})",
            field="optimized_metric",
            fix="name the checkpoint's monitored validation metric (callbacks.model_checkpoint."
                "monitor), train at least one validated epoch (not fast_dev_run), and use an "
                "experiment whose split has a validation side")
    return value


if __name__ == "__main__":
    main()
