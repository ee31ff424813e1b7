"""A run's lineage: the label-set version it trained on and the checkpoint it came from.

Written into ``metrics.json`` as ``lineage`` by ``lbpnet-train`` (the model registry's
promotion gate and the model card read it).
"""

from __future__ import annotations

from pathlib import Path

from lbpnet.errors import ConfigError
from lbpnet.hashing import file_sha256
from lbpnet.windows.label_source import LabelSource


def run_lineage(cfg, transforms, test_recordings=()) -> dict | None:
    """``{"labels": ..., "parent_checkpoint": ...}`` of a run, or None when it has neither.

    ``parent_checkpoint``: ``{"via": "init_from" | "ckpt_path", "path", "sha256", "model"
    (the registered name@version for init_from=name@alias, else None), "run_dir" (the
    parent run folder, else None), "config_diff"}`` — the config diff is
    :func:`lbpnet.audit.config_diff.config_diff` against the parent run's ``config.yaml``
    (None without one).

    Parameters
    ----------
    cfg : DictConfig
        The run's config (``init_from`` / ``ckpt_path`` name the parent checkpoint).
    transforms : list
        The data module's recording transforms (a :class:`LabelSource` among them when
        ``data.labels`` was given).
    test_recordings : iterable of str
        Keys of the run's test-side recordings: those the label set relabelled are
        recorded as ``labels["test_recordings"]`` (the promotion gate then knows the test
        set is not the parent's).

    Raises
    ------
    ConfigError
        A label set that names none of the run's recordings.
    """
    source = next((t for t in transforms or () if isinstance(t, LabelSource)), None)
    labels = None
    if source is not None:
        if not source.matched:
            raise ConfigError(f"the label set {source.store}@{source.version} names recordings "
                              f"{sorted(source.by_recording)[:5]}, none of which this run's data "
                              "has", field="data.labels",
                              fix="train on the data the labels were made on (same data config)")
        labels = source.lineage()
        labels["test_recordings"] = sorted(source.matched & set(test_recordings or ()))
    parent = None
    for key in ("init_from", "ckpt_path"):
        path = cfg.get(key)
        if path:
            p = Path(str(path)).expanduser()
            parent = {"via": key, "path": str(p.resolve()),
                      "sha256": file_sha256(p) if p.is_file() else None}
            from lbpnet.audit.hooks import run_dir_of      # the parent's config.yaml
            from lbpnet.cli.init_from import parent_config_diff
            run = run_dir_of(p) if p.is_file() else None
            parent.update(model=cfg.get("init_from_model"), run_dir=str(run) if run else None,
                          config_diff=parent_config_diff(cfg, run))
            break
    if labels is None and parent is None:
        return None
    return {"labels": labels, "parent_checkpoint": parent}
