"""``lbpnet-cohort``: QC, feature tables, simulator generation or monitoring summaries over a
cohort, on Dask.

``lbpnet-cohort job=qc data.root=<folder>`` runs :class:`lbpnet.cohort.QCJob` on every
recording of the folder on a ``LocalCluster`` (``cluster.n_workers``), on a running
scheduler (``cluster.address=tcp://host:8786``) or serially (``cluster.address=serial``),
writes ``<out>/<key>.qc.csv`` per recording and ``<out>/cohort_report.json``, prints the
report and exits 1 when an item failed after its retries (its key and error are printed);
an lbpnet error in the configuration exits 2. See ``conf/cohort.yaml``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import hydra
from hydra.utils import instantiate
from omegaconf import DictConfig

from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.errors import ConfigError


def output_folder(cfg: DictConfig, job) -> Path:
    """``cfg.out``, else ``<data.root>/cohort/<job name>`` (monitoring: ``<run_dir>/monitoring``);
    the simulator needs ``out``."""
    if cfg.out:
        return Path(cfg.out).expanduser()
    if job.name == "monitoring":          # beside lbpnet-monitor's: <run_dir>/monitoring
        return job.default_output_dir()
    if job.name == "simulate":
        raise ConfigError("job=simulate needs the folder to write the recordings to",
                          field="out", fix="add out=<folder>")
    if not cfg.data.root:
        raise ConfigError(f"job={job.name} needs the cohort folder", field="data.root",
                          fix="add data.root=<folder of .lbp/.zarr recordings>")
    return Path(cfg.data.root).expanduser() / "cohort" / job.name


def cohort(cfg: DictConfig) -> dict:
    """Build the job from ``cfg.job`` and run it (:func:`lbpnet.cohort.run_cohort`);
    returns the report as a dict."""
    from lbpnet.cohort import run_cohort

    job = instantiate(cfg.job, _convert_="all")
    out = output_folder(cfg, job)
    cl = cfg.cluster
    report = run_cohort(job, cfg.data.root, out, address=cl.address, n_workers=cl.n_workers,
                        threads_per_worker=cl.threads_per_worker, retries=int(cfg.retries),
                        overwrite=bool(cfg.overwrite), memory_limit=cl.memory_limit,
                        keys=list(cfg.only) if cfg.only else None)
    return {"out": str(out), **report.to_dict()}


@hydra.main(config_path=str(CONFIG_DIR), config_name="cohort", version_base="1.3")
def _hydra_main(cfg: DictConfig) -> None:
    from lbpnet.cli.console import user_errors
    with user_errors("lbpnet-cohort"):     # an lbpnet error: one message, exit status 2
        result = cohort(cfg)
    print(json.dumps(result, indent=2, default=str))
    for key, why in result["failed"].items():
        print(f"lbpnet-cohort: {key} failed: {why['error']}", file=sys.stderr)
    if result["failed"]:
        raise SystemExit(1)


def main() -> None:
    """Console script ``lbpnet-cohort`` (Hydra overrides on the command line)."""
    _hydra_main()


if __name__ == "__main__":
    main()
