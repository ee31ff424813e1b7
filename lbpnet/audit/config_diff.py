"""The "parameter changes" of a run: its configuration compared key by key with a reference
(the parent run's ``config.yaml``, or the default composed configuration of the command).

A configuration is flattened to dotted keys (``model.encoder.channels``), lists kept as
values; Hydra's own ``hydra`` node is left out (it describes the launcher, not the run).
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import Any, Mapping

from omegaconf import DictConfig, ListConfig, OmegaConf

SKIP = ("hydra",)


def to_plain(cfg: Mapping | DictConfig) -> dict:
    """A plain ``dict`` of a config, every interpolation resolved where it can be (one that
    cannot, e.g. ``${hydra:...}`` outside a Hydra app, stays as its ``${...}`` text)."""
    if not isinstance(cfg, (DictConfig, ListConfig)):
        return {k: v for k, v in dict(cfg).items() if k not in SKIP}
    try:
        return {k: v for k, v in OmegaConf.to_container(cfg, resolve=True).items()
                if k not in SKIP}
    except Exception:                     # an unresolvable leaf: resolve leaf by leaf
        return {k: _leafwise(cfg, k) for k in cfg.keys() if k not in SKIP}


def _leafwise(node, key) -> Any:
    try:
        value = node[key]
    except Exception:
        return OmegaConf.to_container(node, resolve=False)[key] \
            if isinstance(node, DictConfig) else None
    if isinstance(value, DictConfig):
        return {k: _leafwise(value, k) for k in value.keys()}
    if isinstance(value, ListConfig):
        try:
            return OmegaConf.to_container(value, resolve=True)
        except Exception:
            return OmegaConf.to_container(value, resolve=False)
    return value


def flatten(config: Mapping, prefix: str = "") -> dict[str, Any]:
    """``{"a.b.c": value}`` of a nested mapping (lists are values, not descended into)."""
    out = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def config_diff(reference: Mapping, config: Mapping) -> dict:
    """What ``config`` changes relative to ``reference``.

    Returns
    -------
    dict
        ``{"changed": {key: [reference value, value]}, "added": {key: value},
        "removed": {key: reference value}}``, keys dotted and sorted.
    """
    old, new = flatten(to_plain(reference)), flatten(to_plain(config))
    return {"changed": {k: [old[k], new[k]] for k in sorted(old.keys() & new.keys())
                        if old[k] != new[k]},
            "added": {k: new[k] for k in sorted(new.keys() - old.keys())},
            "removed": {k: old[k] for k in sorted(old.keys() - new.keys())}}


def default_config(config_name: str, config_dir: str | os.PathLike | None = None) -> dict:
    """The configuration ``conf/<config_name>.yaml`` composes with no override (what the
    command runs by default), as a plain dict; Hydra's global state is left untouched,
    so this works inside a running Hydra app. Composed once per process and folder."""
    return copy.deepcopy(_default_config(config_name, str(config_dir or "")))


@functools.lru_cache(maxsize=8)
def _default_config(config_name: str, config_dir: str) -> dict:
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path
    from hydra.types import RunMode

    from lbpnet.config_dir import CONFIG_DIR

    loader = ConfigLoaderImpl(config_search_path=create_config_search_path(
        str(config_dir or CONFIG_DIR)))
    cfg = loader.load_configuration(config_name=config_name, overrides=[],
                                    run_mode=RunMode.RUN)
    return to_plain(cfg)


def run_config(run_dir: str | os.PathLike) -> dict | None:
    """The ``config.yaml`` of a training run as a plain dict; None when there is none."""
    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        return None
    return to_plain(OmegaConf.load(path))
