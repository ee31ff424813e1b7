"""Cohort jobs: QC, feature tables and simulator generation, one task per recording or
session, on Dask (``LocalCluster`` by default, any scheduler by address) or serially.

Data flow: this package sits beside ``qc``/``features``/``datasets`` (it imports them and
``recording``); nothing below imports it. See :func:`run_cohort`; the console entry is
``lbpnet-cohort job=qc data.root=...`` (:mod:`lbpnet.cli.cohort`).
"""

from lbpnet.cohort.engine import CohortReport, ItemFailed, run_cohort, run_item
from lbpnet.cohort.feature_job import FeatureJob
from lbpnet.cohort.qc_job import QCJob
from lbpnet.cohort.recordings import cohort_recordings, window_starts
from lbpnet.cohort.simulate_job import SimulateJob

__all__ = ["CohortReport", "ItemFailed", "run_cohort", "run_item", "FeatureJob", "QCJob",
           "SimulateJob", "cohort_recordings", "window_starts"]
