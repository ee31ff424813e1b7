"""``lbpnet-monitor``: per-patient monitoring summaries of a trained trajectory run.

::

    lbpnet-monitor run_dir=logs/pro_trajectory/runs/<time> [data_root=PATH] [side=test]
                   [as_of_session=2] [rules=default] [level=0.8] [patients=[P03,P07]]

Reads the run's ``config.yaml`` and checkpoint (its SHA-256 checked against the one
``lbpnet-train`` recorded: the model version every forecast and flag carries), rebuilds its
data (``data_root=`` points it at another data root holding the same outcomes: e.g. the
cohort with new sessions or new patients) with the run's own split from ``metrics.json``
(training and validation patients keep their sides; every other patient, new ones included,
is a test patient), and for each monitored patient (default: the test patients) seen up to
session ``as_of_session`` (default: the run's ``observed_sessions``):

- forecasts each later session from sessions 1, 2, …, ``as_of_session`` with the run's
  model, the intervals conformal-calibrated (:class:`lbpnet.monitoring.ConformalCalibrator`)
  and P(non-response) Platt-calibrated on the run's **validation patients** — held out of
  training, never the monitored ones;
- states each outcome's baseline, change, SDC95 (SEM: test-retest of the training
  non-responders), reliable change index and MIC, and evaluates the rule set
  (``conf/monitoring/<rules>.yaml``) at every session seen.

Writes ``<run_dir>/monitoring/<patient>/monitoring.json`` and ``trajectory.png`` (atomically)
and ``<run_dir>/monitoring/index.json``; appends an ``lbpnet-monitor`` entry to the audit
log. Decision support for a clinician's review, never a diagnosis.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import NamedTuple

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from lbpnet import __version__
from lbpnet.atomic import atomic_write_json
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.errors import ConfigError, LeakageError
from lbpnet.hashing import file_sha256

log = logging.getLogger("lbpnet.monitor")


def rules_path(name: str) -> Path:
    """A rule file: ``name`` as a path, else ``conf/monitoring/<name>.yaml``."""
    p = Path(str(name)).expanduser()
    if p.is_file():
        return p
    return CONFIG_DIR / "monitoring" / f"{name}.yaml"


def recorded_split(recordings, train, val, name: str = "recorded"):
    """The run's own patient split (``metrics.json``): its training and validation patients
    keep their sides; every other patient of the data, including patients the run never saw
    (a new data root), is a test patient. Returns a :class:`lbpnet.windows.splits.Split`."""
    from lbpnet.windows.splits import Split, check_no_leakage
    train, val = {str(p) for p in train}, {str(p) for p in val}
    sides = {"train": [], "val": [], "test": []}
    for i, r in enumerate(recordings):
        s = str(r.subject)
        sides["train" if s in train else "val" if s in val else "test"].append(i)
    return check_no_leakage(Split(sides["train"], sides["val"], sides["test"], "subject",
                                  f"{name} (as trained)"), recordings)


def _as_trained(effective: DictConfig, run_dir: Path) -> DictConfig:
    """``effective`` with ``split`` replaced by :func:`recorded_split` of the run's
    ``metrics.json`` (another data root re-split by the config would move patients)."""
    from omegaconf import open_dict

    from lbpnet.explain.checkpoint_files import run_metrics
    split = run_metrics(run_dir).get("split") or {}
    train = (split.get("train") or {}).get("subjects")
    if not train:
        raise ConfigError("the run's metrics.json records no training patients",
                          source=str(run_dir / "metrics.json"), field="split.train.subjects",
                          fix="monitor a run lbpnet-train finished (it writes the split)")
    with open_dict(effective):
        effective.split = {"_target_": "lbpnet.cli.monitor.recorded_split", "_partial_": True,
                           "train": list(train),
                           "val": list((split.get("val") or {}).get("subjects") or []),
                           "name": str(split.get("name") or "split")}
    return effective


def load_run(cfg: DictConfig):
    """``(run_dir, run config, data module, task, checkpoint path, sha256)`` of a trained
    trajectory run, its checkpoint verified and loaded."""
    from lbpnet.audit.model_ref import resolve_run_dir
    from lbpnet.cli.explain import run_config
    from lbpnet.cli.train import build_datamodule, build_task
    from lbpnet.explain.checkpoint import find_checkpoint, read_checkpoint

    cfg = resolve_run_dir(cfg)
    run_dir = Path(cfg.run_dir).expanduser().resolve()
    overrides = list(cfg.get("data_overrides") or [])
    trained, _ = run_config(run_dir)
    if cfg.get("data_root"):          # config.yaml is resolved: the source's own root too
        overrides.append(f"data.root={cfg.data_root}")
        if OmegaConf.select(trained, "data.module.source.root", default=None) is not None \
                or "source" in (OmegaConf.select(trained, "data.module") or {}):
            overrides.append(f"data.module.source.root={cfg.data_root}")
    trained, effective = run_config(run_dir, overrides)
    if "trajectory" not in str(OmegaConf.select(trained, "task._target_", default="")).lower():
        raise ConfigError(f"run {run_dir} is not a trajectory run (task "
                          f"{OmegaConf.select(trained, 'task._target_', default=None)})",
                          source=str(run_dir / "config.yaml"), field="task._target_",
                          fix="give run_dir= a run of experiment=pro_trajectory or "
                              "synthetic_trajectory")
    effective = _as_trained(effective, run_dir)      # the run's own patients keep their sides
    ckpt_path = find_checkpoint(run_dir, str(cfg.checkpoint))
    ckpt = read_checkpoint(ckpt_path)
    dm = build_datamodule(effective)
    dm.setup("fit")
    task = build_task(effective, dm)
    try:
        task.load_state_dict(ckpt["state_dict"], strict=True)
    except RuntimeError as err:
        raise ConfigError(f"the checkpoint does not fit the model the config builds for this "
                          f"data (outputs {dm.output_names}): {str(err).splitlines()[0]}",
                          source=str(ckpt_path), field="checkpoint",
                          fix="monitor with the run's own data (same outcomes and sessions)"
                          ) from None
    return run_dir, effective, dm, task, ckpt_path, file_sha256(ckpt_path)


def folder_name(patient: str) -> str:
    """A patient's folder name under ``monitoring/`` (characters outside ``[A-Za-z0-9._-]``
    as ``_``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(patient)).strip("._") or "patient"


def _plain(x):
    """numpy scalars and arrays as JSON types (``atomic_write_json`` would quote them)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if np.isfinite(x) else None
    return x


class Prepared(NamedTuple):
    """What :func:`prepare_monitoring` computed once for every monitored patient.

    ``shared`` (small, the same for every patient) and ``patients`` (patient → that patient's
    inputs) are what :func:`write_patient` reads; the rest is for ``index.json`` and the audit
    entry."""

    shared: dict
    patients: dict
    run_dir: Path
    ckpt_path: Path
    sha: str
    recordings: list


def prepare_monitoring(cfg: DictConfig) -> Prepared:
    """The heavy, shared part of ``lbpnet-monitor``, done once: load and verify the run,
    check the monitored patients, forecast them and calibrate the forecasts on the run's
    validation patients, and state each outcome's SEM/SDC/MIC from the training patients."""
    from lbpnet.monitoring import load_rules
    from lbpnet.monitoring.calibrated_forecasts import calibrated_forecasts
    from lbpnet.monitoring.patient_summary import outcome_specs

    run_dir, run_cfg, dm, task, ckpt_path, sha = load_run(cfg)
    rules = load_rules(rules_path(cfg.rules))
    sides = dm.side_patients()
    if not sides.get("val"):
        raise ConfigError("the run's split has no validation patients to calibrate on",
                          field="split.val_fraction", fix="train with a validation side "
                          "(e.g. split.val_fraction=0.2, as experiment=pro_trajectory does)")
    patients = [str(p) for p in (cfg.get("patients") or sides.get(cfg.side) or [])]
    if not patients:
        raise ConfigError(f"no patients on the '{cfg.side}' side", field="side",
                          fix="choose side=test or name patients=[...]")
    used = sorted(set(patients) & (set(sides["train"]) | set(sides["val"])))
    if used:
        raise LeakageError(f"patients {used[:5]} trained or calibrated the model; their "
                           "forecasts and intervals would be in-sample", field="patients",
                           fix="monitor patients held out of the run (side=test)")
    S = dm.table.n_sessions
    horizon = int(dm.horizon_session or S)
    as_of = int(cfg.get("as_of_session") or dm.observed_sessions)
    if not 1 <= as_of < horizon:
        raise ConfigError(f"as_of_session {as_of} must be 1..{horizon - 1} (the horizon is "
                          f"session {horizon})", field="as_of_session",
                          fix=f"use a session between 1 and {horizon - 1}")
    forecaster = str(cfg.get("forecaster") or "gru")
    model_version = f"sha256:{sha}"
    if forecaster == "mixed_model":      # fitted here: versioned by its training data
        import hashlib
        train_rows = [dm.table.patients.index(p) for p in sides["train"]]
        digest = hashlib.sha256(np.ascontiguousarray(dm.table.pros[train_rows]).tobytes()
                                + "|".join(sides["train"]).encode()).hexdigest()
        model_version = f"mixed_model@lbpnet-{__version__}:training-data-sha256:{digest}"
    fc, calibration = calibrated_forecasts(
        task, dm, patients, sides["val"], sides["train"], range(1, as_of + 1),
        float(cfg.level), str(cfg.conformal_method), str(cfg.probability), model_version,
        forecaster, bool(cfg.get("conformal_randomised", True)))
    rows = {p: i for i, p in enumerate(dm.table.patients)}
    train_rows = [rows[p] for p in sides["train"]]
    labels = dm.non_response.of_table(dm.table.pros, dm.table.outcomes, horizon)
    specs = outcome_specs(dm.table.pros[train_rows], dm.table.outcomes, dm.outcome_table.info,
                          stable=labels[train_rows] == 1)
    synthetic = bool(getattr(dm.outcome_table, "synthetic", False)) or any(
        r.metadata.get("synthetic", False) for r in dm.recordings)
    sensor = None
    if dm.table.measure_names:                   # sensor measures (the simulator's sessions)
        stable = [t for t in train_rows if labels[t] == 1]
        use = stable if len(stable) >= 3 else train_rows
        who = "stable (non-responder) training" if use is stable else "training"
        sensor = {"names": list(dm.table.measure_names),
                  "train_values": dm.table.measures[use], "what": f"{len(use)} {who} patients"}
    shared = {"outcomes": list(dm.table.outcomes), "specs": specs, "rules": rules,
              "as_of": as_of, "horizon": horizon, "n_baseline": int(cfg.n_baseline),
              "forecaster": forecaster, "sensor": sensor, "synthetic": synthetic,
              "calibration": calibration,
              "model": {"version": model_version, "checkpoint": str(ckpt_path),
                        "checkpoint_sha256": sha, "forecaster": forecaster,
                        "run_dir": str(run_dir)}}
    labels_of = dict(zip(dm.outcome_table.participants, dm.outcome_table.sessions))
    items = {}
    for pid in patients:
        r = rows[pid]
        ses = list(labels_of.get(pid, []))[:S]
        items[pid] = {
            "patient": pid, "session_labels": ses + [str(s + 1) for s in range(len(ses), S)],
            "weeks": np.where(dm.table.present[r], dm.table.days[r] / 7.0, np.nan),
            "values": dm.table.pros[r], "n_present": int(dm.table.present[r].sum()),
            "measures": dm.table.measures[r] if sensor else None,
            "forecasts": fc["forecasts"].get(pid, []), "non_response": fc["non_response"].get(pid)}
    return Prepared(shared, items, run_dir, ckpt_path, sha, list(dm.recordings))


def write_patient(item: dict, shared: dict, folder) -> dict:
    """One patient's ``monitoring.json`` and ``trajectory.png`` in ``folder`` (each written
    atomically; the JSON last, and the plot removed again when the JSON cannot be written, so
    a complete ``monitoring.json`` means a complete patient). ``item`` and ``shared`` come from
    :func:`prepare_monitoring`. Returns ``{"monitoring", "plot", "flags"}`` (paths, count)."""
    from lbpnet.monitoring.patient_summary import patient_summary, sensor_changes
    from lbpnet.monitoring.trajectory_plot import write_trajectory_png

    sh = shared
    pid = item["patient"]
    summary = patient_summary(
        pid, item["session_labels"], item["weeks"], item["values"], sh["outcomes"], sh["specs"],
        item["forecasts"], sh["rules"], sh["as_of"], sh["horizon"], sh["n_baseline"],
        sh["forecaster"])
    if sh["sensor"]:
        summary["sensor_changes"] = sensor_changes(
            item["measures"], sh["sensor"]["names"], sh["sensor"]["train_values"], sh["as_of"],
            sh["n_baseline"], sh["sensor"]["what"])
    summary["sessions"] = [s for s in summary["sessions"] if s["session"] <= item["n_present"]]
    summary.update(
        non_response=item["non_response"], synthetic=sh["synthetic"], model=dict(sh["model"]),
        calibration=sh["calibration"], lbpnet_version=__version__,
        created_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        note="Decision support for a clinician's review, never a diagnosis."
             + (" SYNTHETIC data." if sh["synthetic"] else ""))
    folder = Path(folder)
    plot = write_trajectory_png(summary, folder / "trajectory.png")
    try:
        atomic_write_json(folder / "monitoring.json", _plain(summary))
    except BaseException:
        plot.unlink(missing_ok=True)
        raise
    return {"monitoring": str(folder / "monitoring.json"), "plot": str(plot),
            "flags": len(summary["flags"])}


def monitor(cfg: DictConfig) -> dict:
    """Write the monitoring summaries (see the module docstring); return ``index.json``."""
    prep = prepare_monitoring(cfg)
    sh = prep.shared
    out_root = Path(cfg.output_dir) if cfg.get("output_dir") else prep.run_dir / "monitoring"
    written = {pid: write_patient(item, sh, out_root / folder_name(pid))
               for pid, item in prep.patients.items()}
    rules = sh["rules"]
    index = _plain({"run_dir": str(prep.run_dir), "model_version": sh["model"]["version"],
                    "forecaster": sh["forecaster"],
                    "as_of_session": sh["as_of"], "horizon_session": sh["horizon"],
                    "rule_set": {"id": rules.name, "version": rules.version,
                                 "source": rules.source},
                    "calibration": sh["calibration"], "synthetic": sh["synthetic"],
                    "patients": written})
    atomic_write_json(out_root / "index.json", index)
    log.info("monitoring summaries of %d patients in %s", len(written), out_root)
    _audit(cfg, prep.run_dir, prep.ckpt_path, prep.sha, [out_root / "index.json"] + [
        Path(w[k]) for w in written.values() for k in ("monitoring", "plot")], prep.recordings)
    return index


def _audit(cfg, run_dir: Path, ckpt_path: Path, sha: str, outputs: list, recordings):
    """One ``lbpnet-monitor`` entry in the audit log (the training run's own log unless
    ``audit.log`` / ``$LBPNET_AUDIT_LOG`` say otherwise), as ``lbpnet-report`` does."""
    import os

    from lbpnet.audit.fingerprint import data_fingerprint
    from lbpnet.audit.log import ENV_VAR, append_entry, log_path_of
    where = {}
    if not (cfg.get("audit") or {}).get("log") and not os.environ.get(ENV_VAR):
        log_dir = OmegaConf.select(OmegaConf.load(run_dir / "config.yaml"), "paths.log_dir",
                                   default=None)
        if log_dir:
            where = {"log_path": log_path_of({"paths": {"log_dir": log_dir}})}
    return append_entry("lbpnet-monitor", cfg, inputs=[ckpt_path, run_dir / "config.yaml"],
                        outputs=outputs,
                        parent={"run_dir": str(run_dir), "checkpoint": str(ckpt_path),
                                "sha256": sha},
                        data=data_fingerprint(recordings), config_name="monitor",
                        compare_with_parent=False, **where)


@hydra.main(config_path=str(CONFIG_DIR), config_name="monitor", version_base="1.3")
def main(cfg: DictConfig) -> None:
    """``lbpnet-monitor``: the Hydra entry point over ``conf/monitor.yaml``; an lbpnet error
    ends with one message and exit status 2."""
    from lbpnet.cli.console import user_errors
    with user_errors("lbpnet-monitor"):
        monitor(cfg)


if __name__ == "__main__":
    main()
