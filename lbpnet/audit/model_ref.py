"""``run_dir=name@production`` on the command line of ``lbpnet-report`` (and later
``lbpnet-monitor``): the registered model's run folder and verified checkpoint."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict


def is_model_ref(value) -> bool:
    """Whether a ``run_dir`` value names a registered model (``name@alias``, ``name@3``)
    rather than a folder."""
    text = str(value or "")
    return "@" in text and not Path(text).expanduser().is_dir()


def resolve_run_dir(cfg: DictConfig) -> DictConfig:
    """``cfg`` itself, or for ``run_dir=name@alias`` a copy whose ``run_dir`` is the
    registered run folder, ``checkpoint`` (when unset) the registered checkpoint (its
    sha256 checked), and ``model`` the reference. The registry is ``cfg.registry``,
    else ``$LBPNET_REGISTRY``, else ``./logs/registry``."""
    if not is_model_ref(cfg.get("run_dir")):
        return cfg
    from lbpnet.audit.registry import resolve
    ref = str(cfg.run_dir)
    run, ckpt, record = resolve(ref, cfg.get("registry"))
    out = OmegaConf.create(OmegaConf.to_container(cfg, resolve=False))
    with open_dict(out):
        out.run_dir = str(run)
        if not out.get("checkpoint") or out.checkpoint in ("best",):
            out.checkpoint = str(ckpt)
        out.model = f"{record['name']}@{record['version']} ({ref})"
    return out
