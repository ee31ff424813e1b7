"""Windows in seconds over multi-rate recordings, label policies, datasets and splits."""

from lbpnet.windows.dataset import WindowDataset, collate_windows
from lbpnet.windows.index import WindowIndex, make_windows
from lbpnet.windows.splits import (Split, check_no_leakage, grouped_kfold,
                                   leave_one_subject_out, predefined_split, session_split,
                                   subject_holdout)

__all__ = ["WindowDataset", "collate_windows", "WindowIndex", "make_windows", "Split",
           "check_no_leakage", "grouped_kfold", "leave_one_subject_out", "predefined_split",
           "session_split", "subject_holdout"]
