"""Cohort job ``monitoring``: ``lbpnet-monitor``'s summary of each monitored patient of a
trained trajectory run, one item per patient.

``<out>/<patient>/monitoring.json`` and ``trajectory.png`` (``out`` by default
``<run_dir>/monitoring``, where ``lbpnet-monitor`` writes) are what ``lbpnet-monitor`` writes
for that patient: both go through :func:`lbpnet.cli.monitor.write_patient`, the one
per-patient function. The heavy, shared work (loading and verifying the run, forecasting,
calibrating the intervals and P(non-response) once on the run's validation patients) is
:func:`lbpnet.cli.monitor.prepare_monitoring`, run once in the driver by :meth:`items`; each
task carries only its patient's rows and forecasts plus the small shared part (outcome specs,
rule set, calibration summary, model version). ``index.json`` and the audit entry stay with
``lbpnet-monitor``; the cohort run's record is ``<out>/cohort_report.json``.

This job reads a trained model and shares ``lbpnet-monitor``'s code, so unlike the other
jobs (``lbpnet.cohort``, below ``tasks``) it lives in the CLI layer beside ``lbpnet-monitor``;
the engine (:func:`lbpnet.cohort.engine.run_cohort`) runs it like any other job. Heavy imports
happen only when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lbpnet.errors import ConfigError


@dataclass
class MonitoringJob:
    """Monitoring summaries of a trained trajectory run's patients, one item per patient.

    Parameters
    ----------
    run_dir : str
        A run folder ``lbpnet-train`` wrote for a trajectory experiment (or ``name@alias``).
    options : dict
        Further ``lbpnet-monitor`` settings (keys of ``conf/monitor.yaml``: ``side``,
        ``patients``, ``as_of_session``, ``rules``, ``forecaster``, ``level``,
        ``conformal_method``, ``conformal_randomised``, ``probability``, ``n_baseline``,
        ``data_root``, ``data_overrides``, ``checkpoint``, ``output_dir``); an unknown key is
        a ConfigError.
    """

    run_dir: str = ""
    options: dict = field(default_factory=dict)
    name: str = "monitoring"

    def config(self, root=None):
        """``conf/monitor.yaml`` with ``run_dir``, ``options`` and (when given) the cohort
        root as ``data_root``: the configuration ``lbpnet-monitor`` would run with."""
        from omegaconf import OmegaConf

        from lbpnet.cli.config_path import CONFIG_DIR
        base = OmegaConf.load(CONFIG_DIR / "monitor.yaml")
        base.pop("hydra", None)
        if not self.run_dir:
            raise ConfigError("the monitoring job needs a trained trajectory run",
                              field="job.run_dir", fix="add job.run_dir=<run folder>")
        unknown = sorted(set(self.options) - set(base) - {"registry"})
        if unknown or "run_dir" in self.options:
            raise ConfigError(f"unknown monitoring options {unknown or ['run_dir']}",
                              field="job.options", fix=f"use keys of conf/monitor.yaml: "
                              f"{sorted(set(base) - {'run_dir', 'audit'})}")
        cfg = OmegaConf.merge(base, {"run_dir": str(self.run_dir)}, dict(self.options))
        if root is not None:
            if cfg.data_root and Path(str(cfg.data_root)) != Path(str(root)):
                raise ConfigError(f"data.root={root} and job.options.data_root="
                                  f"{cfg.data_root} disagree", field="data.root",
                                  fix="give the data root once")
            cfg.data_root = str(root)
        return cfg

    def default_output_dir(self) -> Path:
        """``options.output_dir``, else ``<run_dir>/monitoring`` (an alias resolved)."""
        from lbpnet.audit.model_ref import resolve_run_dir
        cfg = self.config()
        if cfg.get("output_dir"):
            return Path(str(cfg.output_dir)).expanduser()
        return Path(str(resolve_run_dir(cfg).run_dir)).expanduser().resolve() / "monitoring"

    def items(self, root=None) -> dict:
        """Patient → ``(patient inputs, shared inputs)``: the run loaded and the forecasts
        calibrated here, once (:func:`lbpnet.cli.monitor.prepare_monitoring`). ``root``:
        another data root with the run's outcomes (``lbpnet-monitor data_root=``), or None."""
        from lbpnet.cli.monitor import prepare_monitoring
        prep = prepare_monitoring(self.config(root))
        return {pid: (item, prep.shared) for pid, item in prep.patients.items()}

    def output(self, out_dir, key: str) -> Path:
        """``<out_dir>/<patient folder>/monitoring.json`` (the plot beside it)."""
        from lbpnet.cli.monitor import folder_name
        return Path(out_dir) / folder_name(key) / "monitoring.json"

    def is_done(self, path: Path) -> bool:
        """Both files exist (the JSON is written last, each file whole)."""
        path = Path(path)
        return path.is_file() and (path.parent / "trajectory.png").is_file()

    def __call__(self, key: str, payload, path: Path) -> dict:
        """Write one patient's ``monitoring.json`` and ``trajectory.png`` beside ``path``."""
        from lbpnet.cli.monitor import write_patient
        item, shared = payload
        return write_patient(item, shared, Path(path).parent)
