"""Packaged public datasets and the synthetic LBP cohort, read to
:class:`~lbpnet.recording.Recording` objects."""

from lbpnet.datasets.basic_motions import load_basic_motions
from lbpnet.datasets.hapt import ACTIVITIES_6, ACTIVITIES_12, hapt_test_subjects, load_hapt
from lbpnet.datasets.simulator import load_synthetic_lbp, simulate_cohort

__all__ = ["ACTIVITIES_6", "ACTIVITIES_12", "hapt_test_subjects", "load_basic_motions",
           "load_hapt", "load_synthetic_lbp", "simulate_cohort"]
