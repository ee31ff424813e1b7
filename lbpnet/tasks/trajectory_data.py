"""A LightningDataModule for response-trajectory prediction: sessions → patients → split.

Every session of a cohort becomes a vector of interpretable measures plus its outcomes
(:mod:`lbpnet.tasks.trajectory_sequences`). The source is either recordings carrying their
outcomes (the LBP simulator: ODI, NRS) or an :class:`~lbpnet.recording.outcomes.OutcomeTable`
of named outcomes (an outcome folder, :mod:`lbpnet.tasks.trajectory_table`, then
stream-less placeholder recordings, one per session, stand for the sessions in the split).
Patients are split by subject with the
window-task splitters of :mod:`lbpnet.windows.splits` (one recording per session, so the
same leakage check applies: no patient on two sides). Feature standardisation is fitted on
the training patients only.

It fits the ``lbpnet-train`` contract of :class:`~lbpnet.tasks.WindowDataModule`:
``setup``, ``output_names`` (the forecast targets ``<outcome>@+1, …``), ``channels()``
(``{"sessions": n_features}``), ``datasets`` per side (examples, each with an ``.index``
whose ``class_counts()`` counts responders and non-responders), ``split``, ``recordings``,
``classes`` and ``targets``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from lbpnet.errors import ConfigError
from lbpnet.recording.outcomes import OutcomeTable
from lbpnet.recording.outcomes_recordings import outcome_table_of
from lbpnet.recording.recording import Recording
from lbpnet.tasks.recording_source import read_source, transformed
from lbpnet.tasks.rng_state import ShuffleState
from lbpnet.tasks.trajectory_outcome import NonResponse
from lbpnet.tasks.trajectory_sequences import (PROS, fit_standardizer, make_examples,
                                               raw_features, session_table)
from lbpnet.tasks.trajectory_table import session_table_of, table_recordings
from lbpnet.windows.splits import SIDES, Split, check_no_leakage


class ExampleIndex:
    """What ``lbpnet-train`` summarises per side: examples per class (response, non-response)."""

    def __init__(self, non_response: torch.Tensor) -> None:
        self.non_response = non_response

    def class_counts(self) -> np.ndarray:
        """Counts of responders and non-responders among the labelled examples, shape (2,)."""
        y = self.non_response[~torch.isnan(self.non_response)]
        return np.array([int((y < 0.5).sum()), int((y >= 0.5).sum())])


class TrajectoryExamples(Dataset):
    """Examples of one side; item ``i`` is a dict of tensors (see ``make_examples``)."""

    def __init__(self, tensors: dict[str, torch.Tensor]) -> None:
        self.tensors = tensors
        self.index = ExampleIndex(tensors["non_response"])

    def __len__(self) -> int:
        return int(self.tensors["k"].shape[0])

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {k: v[i] for k, v in self.tensors.items()}


class TrajectoryDataModule(ShuffleState, pl.LightningDataModule):
    """Patients' session sequences, split by patient.

    Parameters
    ----------
    source : callable returning list of Recording or an OutcomeTable, or either itself
        One recording per patient-session with ``metadata["outcomes"]`` (``odi``, ``nrs``)
        and ``metadata["session_day"]`` (e.g. the LBP simulator); or an outcome table
        (:func:`lbpnet.tasks.trajectory_table.outcome_source`).
    outcomes : list of str, optional
        Outcomes to forecast, in order (``data.outcomes``); default ``odi, nrs`` for
        recordings, every instrument for an outcome table.
    covariates : list of str, optional
        Participant covariates (``participants.tsv`` columns) used as inputs; text columns
        one-hot. Only with an outcome table.
    split : callable
        ``split(recordings) -> Split`` by subject (a partial of
        :func:`lbpnet.windows.splits.subject_holdout`, ``grouped_kfold``...).
    classes : (str, str)
        Names of the two outcome classes, response first (default ``response``,
        ``non_response``).
    observed_sessions : int
        ``k``: validation and test examples see sessions 1..k.
    horizon_session : int, optional
        Session (1-based) at which non-response is judged; default the last session.
    train_prefixes : "all" or list of int
        Prefix lengths used for training examples (``"all"``: 1..horizon-1, several
        examples per training patient).
    non_response : NonResponse or dict
        The outcome definition (ODI change < 10 points and < 30 % by default), on
        ``outcome`` (default the first); direction from ``HigherIsWorse``; ``points`` and
        ``fraction`` both null: from the sidecar's minimal important change.
    feature_groups : list of str, optional
        Keep only these feature groups (the name before ``/``: ``emg_log_rms``,
        ``emg_median_freq``, ``trunk_acc_sd``, ``trunk_gyro_rms``, ``hrv``, ``eda``, ``pro``,
        ``time``); default all. E.g. ``[pro, time]`` forecasts from the PROs alone.
    measures_as : {"level", "change", "both"}
        Sensor measures as measured, as change from the patient's first session, or both
        (see :func:`lbpnet.tasks.trajectory_sequences.raw_features`).
    length_s : float
        Epoch (s) of the per-session measures (median frequency, walking acceleration SD).
    stride_s, label_policy, anchor, min_fraction
        Window settings of the ``lbpnet-train`` contract; not used by this module.
    transforms : list of callables
        ``transform(recording) -> recording`` applied after loading.
    batch_size, num_workers, seed : int
    """

    def __init__(self, source: Callable[[], list[Recording]] | list[Recording],
                 split: Callable[[list[Recording]], Split],
                 classes: Sequence[str] = ("response", "non_response"),
                 observed_sessions: int = 2, horizon_session: int | None = None,
                 train_prefixes: str | Sequence[int] = "all",
                 non_response: NonResponse | dict | None = None,
                 feature_groups: Sequence[str] | None = None, measures_as: str = "level",
                 length_s: float = 2.0,
                 stride_s: float | None = None, label_policy: str | None = None,
                 anchor: str | None = None, min_fraction: float | None = None,
                 transforms: Sequence[Callable[[Recording], Recording]] = (),
                 batch_size: int = 32, num_workers: int = 0, seed: int = 0,
                 outcomes: Sequence[str] | None = None,
                 covariates: Sequence[str] | None = None) -> None:
        super().__init__()
        if classes is None or len(classes) != 2:
            raise ConfigError(f"classes must name two outcome classes, got {classes}",
                              field="data.module.classes", fix="use [response, non_response]")
        self.source, self.split_fn = source, split
        self.classes = [str(c) for c in classes]
        self.targets = None
        self.observed_sessions, self.horizon_session = int(observed_sessions), horizon_session
        self.train_prefixes = train_prefixes
        nr = non_response if non_response is not None else {}
        self.non_response = nr if isinstance(nr, NonResponse) else NonResponse(**nr)
        self.feature_groups = list(feature_groups) if feature_groups is not None else None
        self.measures_as = measures_as
        self.epoch_s = float(length_s)
        self.transforms = list(transforms or ())
        self.batch_size, self.num_workers, self.seed = int(batch_size), int(num_workers), int(seed)
        self.recordings: list[Recording] | None = None
        self.split: Split | None = None
        self.outcomes = [str(o) for o in outcomes] if outcomes is not None else None
        self.covariates = [str(c) for c in covariates or ()]
        self.table = None
        self.outcome_table: OutcomeTable | None = None
        self.outcome_scale: dict[str, float] = {}
        self.feature_names: list[str] = []
        self.feature_mean = self.feature_sd = None
        self.datasets: dict[str, TrajectoryExamples] = {}

    # ------------------------------------------------------------------ building
    def _patient_sides(self, recs: list[Recording]) -> dict[str, str]:
        split = self.split
        if split.by != "subject":
            raise ConfigError(f"split '{split.name}' is by {split.by}; a trajectory forecast "
                              "must be judged on patients it never saw", field="split",
                              fix="use a subject split (subject_holdout, grouped_kfold, loso)")
        check_no_leakage(split, recs)
        return {recs[i].subject: side for side in SIDES for i in split.side(side)}

    def _prefixes(self, side: str, horizon: int) -> list[int]:
        if side != "train":
            return [self.observed_sessions]
        if self.train_prefixes == "all":
            return list(range(1, horizon))
        return [int(k) for k in self.train_prefixes]

    def setup(self, stage: str | None = None) -> None:
        """Read the source once, build the per-patient session table, split by patient and make
        the examples of each side (standardised with training statistics).
        """
        if self.datasets:
            return
        loaded = self.source() if callable(self.source) else self.source
        if isinstance(loaded, OutcomeTable):
            otab = loaded.select(self.outcomes)
            otab.check_sessions(self.observed_sessions)
            recs = self.recordings = table_recordings(otab)
            table = session_table_of(otab, self.covariates)
        else:
            if self.covariates:
                raise ConfigError(f"covariates {self.covariates} need an outcome folder "
                                  "(participants.tsv)", field="data.covariates",
                                  fix="set data.covariates=[] for this source")
            recs = read_source(loaded, fix="check data.root and the cohort size")
            recs = self.recordings = transformed(recs, self.transforms)
            names = tuple(self.outcomes) if self.outcomes is not None else PROS
            table = session_table(recs, self.epoch_s, names)
            otab = outcome_table_of(recs, names)
        self.outcome_table, self.table = otab, table
        self.split = self.split_fn(recs)
        sides = self._patient_sides(recs)
        judged = self.non_response.outcome or table.outcomes[0]
        if judged in otab.info:
            self.non_response = self.non_response.from_instrument(otab.info[judged], judged)
        S = table.n_sessions
        horizon = int(self.horizon_session or S)
        if not 1 <= self.observed_sessions < horizon <= S:
            raise ConfigError(f"observed_sessions {self.observed_sessions} and horizon_session "
                              f"{horizon} do not fit {S} sessions per patient",
                              field="data.module.observed_sessions",
                              fix=f"use 1 <= observed_sessions < horizon_session <= {S}")
        raw, self.feature_names = raw_features(table, self.measures_as)
        if self.feature_groups is not None:
            groups = [n.split("/")[0] for n in self.feature_names]
            unknown = sorted(set(self.feature_groups) - set(groups))
            if unknown or not self.feature_groups:
                raise ConfigError(f"feature groups {unknown or '[]'} unknown; known: "
                                  f"{sorted(set(groups))}", field="data.module.feature_groups",
                                  fix="name groups among the known ones, or null for all")
            keep = np.isin(groups, self.feature_groups)
            raw = raw[..., keep]
            self.feature_names = [n for n, k in zip(self.feature_names, keep) if k]
        train = np.array([sides[p] == "train" for p in table.patients])
        self.feature_mean, self.feature_sd = fit_standardizer(raw[train], table.present[train])
        sd = np.nanstd(table.pros[train][table.present[train]], 0)
        self.outcome_scale = {o: float(v) if np.isfinite(v) and v > 1e-8 else 1.0
                              for o, v in zip(table.outcomes, sd)}
        features = np.nan_to_num((raw - self.feature_mean) / self.feature_sd)
        self.feature_names = self.feature_names + ["pro/reported"]
        for side in SIDES:
            rows = [p for p, pid in enumerate(table.patients) if sides.get(pid) == side]
            ex = make_examples(table, features, rows, self._prefixes(side, horizon), horizon,
                               self.non_response) if rows else {}
            if ex:
                self.datasets[side] = TrajectoryExamples(ex)
        if "train" not in self.datasets:
            raise ConfigError("no training examples after the split", field="split",
                              fix="leave patients with at least two sessions for training")

    # ------------------------------------------------------------------ contract
    @property
    def n_ahead(self) -> int:
        """Sessions forecast ahead: ``n_sessions - 1`` (at least 1)."""
        return max(self.table.n_sessions - 1, 1)

    @property
    def output_names(self) -> list[str]:
        """Forecast targets, model output order: ``odi@+1, nrs@+1, odi@+2, …``."""
        return [f"{o}@+{a}" for a in range(1, self.n_ahead + 1) for o in self.table.outcomes]

    def side_patients(self) -> dict[str, list[str]]:
        """``{side: [participant, …]}`` of the split (train, val, test)."""
        return {side: sorted({self.recordings[i].subject for i in self.split.side(side)})
                for side in SIDES}

    def channels(self) -> dict[str, int]:
        """Input width per modality: ``{'sessions': number of per-session features}``."""
        return {"sessions": len(self.feature_names)}

    def _loader(self, side: str, shuffle: bool) -> DataLoader:
        if side not in self.datasets:
            raise ConfigError(f"the split has no {side} patients", field="split",
                              fix=f"give the split a {side} side")
        # training: the shuffle generator a checkpoint saves and restores (exact resume)
        g = (self.shuffle_generator() if shuffle
             else torch.Generator().manual_seed(self.seed))
        return DataLoader(self.datasets[side], batch_size=self.batch_size, shuffle=shuffle,
                          num_workers=self.num_workers, generator=g)

    def train_dataloader(self) -> DataLoader:
        """Shuffled loader of the training examples (its shuffle state saved with checkpoints)."""
        return self._loader("train", True)

    def val_dataloader(self) -> DataLoader | list:
        """Loader of the validation examples, or ``[]`` when the split has no validation side."""
        return self._loader("val", False) if "val" in self.datasets else []

    def test_dataloader(self) -> DataLoader:
        """Loader of the test examples."""
        return self._loader("test", False)
