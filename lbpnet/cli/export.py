"""``lbpnet-export fhir``: one FHIR R4 Bundle per patient of a trained run.

::

    lbpnet-export fhir run_dir=logs/synthetic_strategy/runs/<time> [report=<report folder>]
                  [out=<folder>] [waveform_seconds=2] [keep_dates=true] [side=test]
    lbpnet-export fhir run_dir=strategy-cnn@production [registry=<registry folder>]
    lbpnet-monitor run_dir=<trajectory run> && lbpnet-export fhir run_dir=<trajectory run>

Reads the run folder (:mod:`lbpnet.reports.fhir_run`): ``metrics.json`` and
``config.yaml`` (required), the recordings its data config names, an explanation
(``report=`` or the newest one of the run) for the model findings, and monitoring
summaries ``<run_dir>/monitoring/*/monitoring.json`` for flags and forecasts. Writes
``<out>/bundle-<subject>.json`` per patient and ``<out>/export.json`` (what was written,
resource counts), each file atomically. ``out`` defaults to ``<run_dir>/fhir``.
A trajectory run on named outcomes (``experiment=pro_trajectory``) exports each session's
PROs (:mod:`lbpnet.reports.fhir_outcomes`) with lbpnet-monitor's forecasts and flags; it
needs those summaries (run ``lbpnet-monitor`` first) unless ``monitoring_summaries=false``.
The Provenance names the registry version (``model_version=``, else the newest version of
the registry holding the tested checkpoint's sha256, else none).
"""

from __future__ import annotations

import logging
import math
import re
import sys
from pathlib import Path

import hydra
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from lbpnet import __version__
from lbpnet.atomic import atomic_write_json
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.errors import ConfigError
from lbpnet.hashing import file_sha256
from lbpnet.reports.fhir_bundle import (ModelInfo, PatientInputs, count_resources,
                                        patient_bundle, write_bundle)
from lbpnet.reports.fhir_monitoring import read_monitoring_folder
from lbpnet.reports.fhir_outcomes import is_outcome_table, table_sessions
from lbpnet.reports.fhir_provenance import find_audit_entry
from lbpnet.reports.fhir_run import (audit_log_path, find_explanation, read_run,
                                     registry_version_of, split_subjects, tested_checkpoint,
                                     windows_by_session)

log = logging.getLogger("lbpnet.export")
FORMATS = ("fhir",)


def recording_measures(rec) -> dict:
    """Session measures of one recording: lbpnet's interpretable measures
    (:func:`lbpnet.tasks.trajectory_measures.session_measures`), the recorded duration (s)
    and, per stream with three acceleration channels, the mean acceleration magnitude."""
    from lbpnet.reports.fhir_codes import ucum
    from lbpnet.tasks.trajectory_measures import session_measures

    try:
        out = dict(session_measures(rec))
    except Exception as err:          # noqa: BLE001 - a measure that cannot run is left out
        log.warning("session measures of %s not computed (%s: %s)", rec.key,
                    type(err).__name__, err)
        out = {}
    out["duration"] = float(rec.duration)
    for name, s in rec.streams.items():
        acc = [j for j, t in enumerate(s.channel_types or []) if t == "ACCEL"]
        if len(acc) == 3:
            import numpy as np
            x = np.asarray(s.data[:, acc], dtype=np.float64)
            unit = (s.units or ["n/a"])[acc[0]]
            out[f"acc_magnitude_mean/{name}"] = (
                float(np.sqrt((x ** 2).sum(1)).mean()),
                None if unit in ("n/a", "", None) else ucum(unit))
    return out


def check_monitoring(root: Path, cfg: DictConfig) -> None:
    """A trajectory run's model output is its forecasts and flags, which lbpnet-monitor
    writes: without ``<run_dir>/monitoring/*/monitoring.json`` the export stops (a
    ConfigError saying to run lbpnet-monitor first), unless ``monitoring_summaries=false``
    asks for the PROs alone."""
    if cfg.get("monitoring_summaries", True) and not any(
            root.glob("monitoring/*/monitoring.json")):
        raise ConfigError("this trajectory run has no monitoring summaries, so the bundles "
                          "would hold no forecast or flag", source=str(root / "monitoring"),
                          field="run_dir",
                          fix=f"run 'lbpnet-monitor run_dir={root}' first, or give "
                              "monitoring_summaries=false to export the PROs only")


def _safe(subject: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", subject)


def export_fhir(cfg: DictConfig) -> dict:
    """Write the bundles (see the module docstring); return ``export.json``'s content."""
    try:
        import fhir.resources.R4B  # noqa: F401
    except ImportError as err:
        raise ConfigError("the FHIR export needs the fhir.resources package",
                          field="lbpnet[fhir]", fix="pip install 'lbpnet[fhir]'") from err
    from lbpnet.audit.model_ref import resolve_run_dir

    cfg = resolve_run_dir(cfg)          # run_dir=name@production: the registered run
    root, metrics = read_run(cfg.run_dir)
    run_cfg = OmegaConf.load(root / "config.yaml")
    run_cfg = OmegaConf.merge(run_cfg, OmegaConf.from_dotlist(list(cfg.get("data_overrides")
                                                                   or [])))
    waveform_s = float(cfg.get("waveform_seconds") or 0)
    if not math.isfinite(waveform_s) or waveform_s < 0:
        raise ConfigError(f"waveform_seconds={waveform_s}", field="waveform_seconds",
                          fix="give 0 (no raw signal) or a positive number of seconds")
    keep_dates = cfg.get("keep_dates")
    if keep_dates is None:
        keep_dates = bool(OmegaConf.select(run_cfg, "data.keep_dates", default=False))
    elif keep_dates and "keep_dates" in run_cfg.data.module.source:
        run_cfg.data.module.source.keep_dates = True     # asked for: read the dates again
    subjects = split_subjects(metrics, cfg.get("side"))
    if cfg.get("subjects"):
        wanted = {str(s) for s in cfg.subjects}
        missing = sorted(wanted - set(subjects))
        if missing:
            raise ConfigError(f"subjects {missing} are not in the run's split "
                              f"(it has {subjects[:10]}…)", field="subjects",
                              fix="name subjects of the run (metrics.json → split)")
        subjects = sorted(wanted)
    source = instantiate(run_cfg.data.module.source)()
    instruments = {}
    if is_outcome_table(source):       # a trajectory run on named outcomes: PROs only
        instruments = dict(source.info)
        if keep_dates:
            log.warning("the outcome table holds weeks since each patient's first session, "
                        "not dates: the PROs get relative times")
        source = table_sessions(source)
    if str(OmegaConf.select(run_cfg, "data.module._target_", default="")).endswith(
            "TrajectoryDataModule"):
        check_monitoring(root, cfg)
    recordings = [r for r in source if str(r.subject) in set(subjects)]
    explanation = find_explanation(root, cfg.get("report"))
    windows, outputs, method = {}, [], None
    if explanation is not None:
        from lbpnet.explain.result import ChannelSegmentAttribution

        result = ChannelSegmentAttribution.load(explanation)
        windows, outputs, method = (windows_by_session(result, recordings),
                                    list(result.output_names), result.method)
        log.info("findings from %s", explanation)
    monitoring = (read_monitoring_folder(root) if cfg.get("monitoring_summaries", True)
                  else {"flags": [], "forecasts": []})
    unknown = sorted({i["subject"] for i in monitoring["flags"] + monitoring["forecasts"]}
                     - set(split_subjects(metrics)))
    if unknown:
        log.warning("monitoring items of subjects %s not in this run are not exported", unknown)
    ckpt = tested_checkpoint(root, metrics)
    audit = find_audit_entry(audit_log_path(cfg.get("audit_log"), run_cfg), root, ckpt["sha256"])
    version = cfg.get("model_version") or registry_version_of(ckpt["sha256"],
                                                              cfg.get("registry"))
    model = ModelInfo(str(OmegaConf.select(run_cfg, "task_name", default="lbpnet")), ckpt,
                      file_sha256(root / "config.yaml"), __version__, audit, version)
    out = Path(cfg.get("out") or root / "fhir").expanduser()
    synthetic = bool(metrics.get("synthetic")) or any(
        r.metadata.get("synthetic", False) for r in recordings)
    written = {}
    for subject in subjects:
        recs = [r for r in recordings if str(r.subject) == subject]
        inputs = PatientInputs(
            subject, recs,
            measures={r.key: recording_measures(r) for r in recs if r.streams}
            if cfg.get("measures", True) else {},
            windows={r.key: windows[r.key] for r in recs if r.key in windows},
            output_names=outputs, method=method,
            flags=[f for f in monitoring["flags"] if f["subject"] == subject],
            forecasts=[f for f in monitoring["forecasts"] if f["subject"] == subject],
            synthetic=synthetic or any(r.metadata.get("synthetic", False) for r in recs),
            instruments=instruments)
        bundle = patient_bundle(inputs, model, bool(keep_dates), waveform_s,
                                float(cfg.get("threshold", 0.5)))
        path = write_bundle(bundle, out / f"bundle-{_safe(subject)}.json")
        written[subject] = {"file": path.name, "resources": count_resources(bundle)}
    summary = {"run_dir": str(root), "format": "FHIR R4 Bundle (collection), fhir.resources R4B "
               "models", "bundles": written, "synthetic": synthetic,
               "checkpoint_sha256": ckpt["sha256"], "findings_from": str(explanation)
               if explanation else None, "audit_entry": audit, "keep_dates": bool(keep_dates),
               "waveform_seconds": waveform_s}
    atomic_write_json(out / "export.json", summary)
    from lbpnet.audit.command_hooks import audit_export   # the audit log: one entry
    audit_export(cfg, summary, out, root / ckpt["name"],
                 audit_log_path(cfg.get("audit_log"), run_cfg))
    log.info("wrote %d bundles to %s", len(written), out)
    return summary


@hydra.main(config_path=str(CONFIG_DIR), config_name="export", version_base="1.3")
def _hydra_main(cfg: DictConfig) -> None:
    from lbpnet.cli.console import user_errors
    with user_errors("lbpnet-export"):     # an lbpnet error: one message, exit status 2
        export_fhir(cfg)


def main() -> None:
    """``lbpnet-export <format> key=value ...`` (format: ``fhir``)."""
    args = sys.argv[1:]
    if not args or args[0] not in FORMATS:
        print(f"usage: lbpnet-export {{{','.join(FORMATS)}}} run_dir=<run folder> "
              "[report=...] [out=...]", file=sys.stderr)
        raise SystemExit(2)
    sys.argv = [sys.argv[0], *args[1:]]
    _hydra_main()


if __name__ == "__main__":
    main()
