"""``lbpnet-report`` on a trajectory run: the patient pages of its monitoring.

A trajectory run (``experiment=pro_trajectory`` / ``synthetic_trajectory``) has no signal
windows to explain; ``lbpnet-report run_dir=<it>`` reports what ``lbpnet-monitor`` wrote
for it (:mod:`lbpnet.reports.monitoring_report`), with the same provenance rows and audit
entry as a saliency report.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from lbpnet.errors import ConfigError


def is_trajectory_run(run_dir: str | Path) -> bool:
    """Whether the run's ``config.yaml`` trains a trajectory task."""
    config = Path(run_dir) / "config.yaml"
    if not config.is_file():
        return False
    target = OmegaConf.select(OmegaConf.load(config), "task._target_", default="") or ""
    return "trajectory" in str(target).lower()


def monitoring_sections(run_dir: str | Path) -> dict[str, str]:
    """``{patient: monitoring section HTML}`` of the ``lbpnet-monitor`` summaries in
    ``<run_dir>/monitoring/`` (none: ``{}``), for the session pages of a saliency report."""
    from lbpnet.reports.monitoring_section import monitoring_section, read_patient_monitoring
    return {pid: monitoring_section(summary, png)
            for pid, (summary, png) in read_patient_monitoring(run_dir).items()}


def report_monitoring(cfg: DictConfig, out: Path) -> dict:
    """Write the monitoring report of ``cfg.run_dir`` into ``out``; return ``report.json``."""
    from lbpnet.audit import make_manifest
    from lbpnet.audit.hooks import audit_report
    from lbpnet.cli.report import provenance_of
    from lbpnet.hashing import file_sha256
    from lbpnet.reports.monitoring_report import write_monitoring_reports
    from lbpnet.reports.monitoring_section import read_patient_monitoring

    run_dir = Path(cfg.run_dir).expanduser().resolve()
    found = read_patient_monitoring(run_dir)
    if not found:
        raise ConfigError(f"the trajectory run {run_dir} has no monitoring summaries",
                          source=str(run_dir), field="run_dir",
                          fix=f"run lbpnet-monitor run_dir={run_dir} first")
    models = {(s.get("model") or {}).get("checkpoint") for s, _ in found.values()}
    if len(models) != 1 or None in models:
        raise ConfigError(f"the monitoring summaries come from {len(models)} checkpoints",
                          source=str(run_dir / "monitoring"), field="model.checkpoint",
                          fix="re-run lbpnet-monitor so that every summary has one model")
    ckpt = Path(models.pop())
    files = sorted(run_dir.glob("monitoring/*/monitoring.json"))
    digest = hashlib.sha256("".join(file_sha256(f) for f in files).encode()).hexdigest()
    manifest = make_manifest(checkpoint=ckpt, config_sha256=file_sha256(run_dir / "config.yaml"),
                             data={"sha256": digest, "n_recordings": len(files),
                                   "what": "lbpnet-monitor summaries (monitoring.json)"},
                             training_run=str(run_dir), extra={"kind": "monitoring"})
    summary = write_monitoring_reports(run_dir, out, provenance_of(manifest, "monitoring"),
                                       extra=lambda folder: manifest.write(
                                           folder / "manifest.json"))
    audit_report(cfg, manifest, out)
    return summary
