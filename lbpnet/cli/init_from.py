"""``lbpnet-train init_from=...``: start a run from a parent model's weights.

``init_from`` names the parent as

- ``name@production`` / ``name@3``: a model of the registry (``registry=``, else
  ``$LBPNET_REGISTRY``, else ``./logs/registry``), its checkpoint's sha256 checked
  against the registered one;
- a run folder ``lbpnet-train`` wrote: its tested (best) checkpoint;
- a ``.ckpt`` file inside such a run folder.

Every form ends at a checkpoint inside a run folder whose sha256 matches what training
recorded in that run's ``metrics.json``
(:func:`lbpnet.explain.checkpoint_files.find_checkpoint`); it is read with
``torch.load(weights_only=True)``. Only the weights are taken (no optimiser, schedule,
epoch or RNG state: that is ``ckpt_path=``, a resume); the child's channel standardiser
is refitted on its own training windows, as in every run. The output names and every
parameter's name and shape must match the model the child's config builds, else a
:class:`~lbpnet.errors.ConfigError` names the first that differ.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, open_dict

from lbpnet.errors import ConfigError, ReaderError

FIX = ("give init_from= a registered model (name@production, name@<version>), a run folder "
       "lbpnet-train wrote, or a .ckpt inside one")


def resolve_parent(value: str, registry: str | None = None) -> dict:
    """The parent checkpoint ``init_from`` names, verified.

    Parameters
    ----------
    value : str
        ``name@alias``, ``name@<version>``, a run folder or a checkpoint file in one.
    registry : str, optional
        The registry folder for ``name@alias``.

    Returns
    -------
    dict
        ``{"checkpoint": absolute path, "run_dir": parent run folder, "model":
        "name@<version>" or None, "ref": value}``.

    Raises
    ------
    ReaderError, ConfigError
        Nothing there, a checkpoint outside a run folder, one whose sha256 changed since
        training or registration, an unknown model, alias or version.
    """
    from lbpnet.audit.hooks import run_dir_of
    from lbpnet.audit.model_ref import is_model_ref
    from lbpnet.explain.checkpoint_files import find_checkpoint

    text = str(value)
    model = None
    if is_model_ref(text):
        from lbpnet.audit.registry import resolve
        run, ckpt, record = resolve(text, registry)     # sha256 vs the registered one
        model = f"{record['name']}@{record['version']}"
        ckpt = find_checkpoint(run, str(ckpt))          # and vs what training recorded
    else:
        path = Path(text).expanduser()
        if path.is_dir():
            run, ckpt = path.resolve(), find_checkpoint(path, "best")
        elif path.is_file():
            run = run_dir_of(path)
            if run is None or not (run / "metrics.json").is_file():
                raise ReaderError("the checkpoint is not inside a run folder lbpnet-train "
                                  "finished (no metrics.json records its sha256), so it "
                                  "cannot be verified; it is not loaded", source=str(path),
                                  field="init_from", fix=FIX)
            ckpt = find_checkpoint(run, str(path.resolve()))
        else:
            raise ReaderError("no such run folder or checkpoint", source=text,
                              field="init_from", fix=FIX)
    return {"checkpoint": str(Path(ckpt).resolve()), "run_dir": str(Path(run).resolve()),
            "model": model, "ref": text}


def with_parent(cfg: DictConfig) -> DictConfig:
    """``cfg`` with ``init_from`` replaced by the verified checkpoint path it names and
    ``init_from_model`` set to the registered ``name@<version> (<as given>)`` (when given
    by name), so that ``config.yaml``, the lineage and the audit entry name the very file
    used. ``cfg`` itself when there is no ``init_from``.

    Raises
    ------
    ConfigError
        ``init_from`` together with ``ckpt_path`` (a resume restores everything: choose one).
    """
    value = cfg.get("init_from")
    if not value:
        return cfg
    if cfg.get("ckpt_path"):
        raise ConfigError(f"both init_from={value} and ckpt_path={cfg.ckpt_path} are given",
                          field="init_from", fix="ckpt_path= resumes an interrupted run "
                          "(weights, optimiser, epoch); init_from= starts a new run from a "
                          "parent's weights: give one of them")
    parent = resolve_parent(str(value), cfg.get("registry"))
    with open_dict(cfg):
        cfg.init_from = parent["checkpoint"]
        cfg.init_from_model = (f"{parent['model']} ({parent['ref']})" if parent["model"]
                               else None)
    return cfg


def load_parent_weights(task, checkpoint: str | Path) -> None:
    """Copy the parent checkpoint's weights into ``task`` (strict: every parameter).

    Parameters
    ----------
    task : lbpnet task module
        The child's task (``task.classes``: its output names in order).
    checkpoint : path
        A verified checkpoint (:func:`with_parent` gives one).

    Raises
    ------
    ConfigError
        Other output names, or a parameter missing, extra or of another shape (named,
        with both shapes).
    """
    from lbpnet.explain.checkpoint import checkpoint_signature, read_checkpoint

    ckpt = read_checkpoint(checkpoint)
    outputs = checkpoint_signature(ckpt)["outputs"]
    classes = list(getattr(task, "classes", []) or [])
    if outputs is not None and classes and list(outputs) != classes:
        raise ConfigError(f"the parent model predicts {list(outputs)} but this run's data "
                          f"gives {classes}", source=str(checkpoint), field="init_from",
                          fix="train the child on the parent's classes/targets (same data "
                              "and task config), or train from scratch without init_from")
    theirs, ours = ckpt["state_dict"], task.state_dict()
    problems = [f"{k}: parent {tuple(theirs[k].shape)}, this model {tuple(v.shape)}"
                for k, v in ours.items() if k in theirs and tuple(theirs[k].shape) != tuple(v.shape)]
    problems += [f"{k}: missing in the parent" for k in ours if k not in theirs]
    problems += [f"{k}: in the parent only" for k in theirs if k not in ours]
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ConfigError("the parent's weights do not fit the model this config builds: "
                          + "; ".join(problems[:3]) + more, source=str(checkpoint),
                          field="init_from", fix="use the parent's model config (model=, "
                          "window=, data modalities and channels) or train from scratch")
    task.load_state_dict(theirs, strict=True)


def parent_config_diff(cfg, parent_run: str | Path | None) -> dict | None:
    """What ``cfg`` changes relative to the parent run's ``config.yaml``
    (:func:`lbpnet.audit.config_diff.config_diff`, ``audit`` left out); None without one."""
    from lbpnet.audit.config_diff import config_diff, run_config, to_plain
    reference = run_config(parent_run) if parent_run else None
    if reference is None:
        return None
    plain = to_plain(cfg)
    return config_diff({k: v for k, v in reference.items() if k != "audit"},
                       {k: v for k, v in plain.items() if k != "audit"})
