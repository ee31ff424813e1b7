"""Splits by subject or by session, never by window, with a leakage check.

Every splitter takes the list of recordings and returns a :class:`Split`: which
recordings are train, validation and test. Windows follow their recording, so a
window-level leak is impossible by construction; :func:`check_no_leakage`
additionally refuses any split in which one group (a subject, or a
subject-session for within-subject splits) sits on two sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lbpnet.errors import ConfigError, LeakageError
from lbpnet.recording.recording import Recording

SIDES = ("train", "val", "test")


@dataclass
class Split:
    """Recording positions per side, and the grouping the leakage check uses.

    ``by`` is ``"subject"`` (no subject on two sides) or ``"session"``
    (within-subject: no subject-session on two sides).
    """

    train: list[int]
    val: list[int]
    test: list[int]
    by: str = "subject"
    name: str = ""

    def side(self, name: str) -> list[int]:
        """Recording indices of side ``name`` (``train``, ``val`` or ``test``)."""
        return getattr(self, name)


def group_of(recording: Recording, by: str) -> str:
    """The group a recording belongs to under ``by`` (``subject`` or ``session``)."""
    if by == "subject":
        return recording.subject
    return f"{recording.subject}/{recording.session}"


def check_no_leakage(split: Split, recordings: list[Recording]) -> Split:
    """Raise :class:`LeakageError` if a group appears on more than one side."""
    owner: dict[str, str] = {}
    for side in SIDES:
        for i in split.side(side):
            g = group_of(recordings[i], split.by)
            if owner.setdefault(g, side) != side:
                raise LeakageError(
                    f"{split.by} '{g}' is on both the {owner[g]} and the {side} side of split "
                    f"'{split.name}'", source=recordings[i].source, field="split",
                    fix=f"split by {split.by}, so that all recordings of '{g}' fall on one side")
    if not split.train:
        raise LeakageError(f"split '{split.name}' has no training recordings", field="split",
                           fix="leave some subjects for training")
    return split


def _assign(recordings: list[Recording], by: str, test: set[str], val: set[str],
            name: str) -> Split:
    sides = {"train": [], "val": [], "test": []}
    for i, r in enumerate(recordings):
        g = group_of(r, by)
        sides["test" if g in test else "val" if g in val else "train"].append(i)
    return check_no_leakage(Split(sides["train"], sides["val"], sides["test"], by, name),
                            recordings)


def _groups(recordings: list[Recording], by: str) -> list[str]:
    return sorted({group_of(r, by) for r in recordings})


def _take_val(pool: list[str], val_groups, val_fraction: float, seed: int) -> set[str]:
    if val_groups is not None:
        return {str(g) for g in val_groups}
    n = int(round(len(pool) * val_fraction))
    if val_fraction > 0 and len(pool) > 1:
        n = min(max(n, 1), len(pool) - 1)
    rng = np.random.default_rng(seed)
    return set(rng.permutation(sorted(pool))[:n].tolist())


def _check_known(wanted, known: list[str], field: str) -> None:
    unknown = sorted(set(map(str, wanted)) - set(known))
    if unknown:
        raise ConfigError(f"unknown groups {unknown}; known: {known[:40]}", field=field,
                          fix="use ids as they appear in the data (e.g. '02', not 2)")


def _metadata_value(recording: Recording, path: str):
    value = recording.metadata
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise ConfigError(f"recording has no metadata '{path}'", source=recording.source,
                              field="split.stratify", fix="name a metadata key every recording has "
                                                          "(e.g. patient.phenotype), or null")
        value = value[key]
    return str(value)


def _strata(recordings: list[Recording], stratify: str | None) -> list[list[str]]:
    """Subjects grouped by the value of metadata ``stratify`` (one group when None)."""
    subjects = _groups(recordings, "subject")
    if stratify is None:
        return [subjects]
    of = {r.subject: _metadata_value(r, stratify) for r in recordings}
    return [[s for s in subjects if of[s] == v] for v in sorted(set(of.values()))]


def subject_holdout(recordings: list[Recording], test_subjects=None, val_subjects=None,
                    test_fraction: float = 0.2, val_fraction: float = 0.15,
                    seed: int = 0, stratify: str | None = None) -> Split:
    """Hold out whole subjects: the given ``test_subjects`` or a random fraction.

    Validation subjects are drawn from the remaining (training) subjects only.
    ``stratify`` names a subject-level metadata key (``"patient.phenotype"``): the
    fractions are then drawn within each of its values, so every phenotype is on
    every side.
    """
    subjects = _groups(recordings, "subject")
    strata = _strata(recordings, stratify)
    if test_subjects is not None:
        _check_known(test_subjects, subjects, "split.test_subjects")
        test = {str(s) for s in test_subjects}
    else:
        test = set().union(*(_take_val(g, None, test_fraction, seed + 1 + i)
                             for i, g in enumerate(strata)))
    if val_subjects is not None:
        _check_known(val_subjects, subjects, "split.val_subjects")
        val = {str(s) for s in val_subjects}
    else:
        val = set().union(*(_take_val([s for s in g if s not in test], None, val_fraction, seed + i)
                            for i, g in enumerate(strata)))
    return _assign(recordings, "subject", test, val, "subject_holdout")


def _check_fold(k: int, fold: int, n_groups: int, by: str) -> None:
    """Refuse ``k`` folds of ``n_groups`` groups that cannot be, or a fold outside them."""
    if not 2 <= k <= n_groups:
        raise ConfigError(f"k={k} folds for {n_groups} {by}s", field="split.k",
                          fix=f"use 2 <= k <= {n_groups}")
    if not 0 <= fold < k:
        raise ConfigError(f"fold {fold} outside 0..{k - 1}", field="split.fold",
                          fix=f"use a fold in range({k})")


def grouped_kfold(recordings: list[Recording], k: int, fold: int, val_fraction: float = 0.15,
                  seed: int = 0, by: str = "subject") -> Split:
    """Fold ``fold`` of ``k``: a ``1/k`` share of the groups is the test side."""
    groups = _groups(recordings, by)
    _check_fold(k, fold, len(groups), by)
    order = np.random.default_rng(seed).permutation(groups)
    test = set(np.array_split(order, k)[fold].tolist())
    val = _take_val([g for g in groups if g not in test], None, val_fraction, seed)
    return _assign(recordings, by, test, val, f"grouped_kfold_{fold}of{k}")


def stratified_grouped_kfold(recordings: list[Recording], k: int, fold: int,
                             stratify: str | None = None, val_fraction: float = 0.15,
                             seed: int = 0) -> Split:
    """Fold ``fold`` of ``k`` over subjects, dealt within each value of ``stratify``.

    The subjects of each stratum (e.g. each ``patient.phenotype``) are shuffled and dealt
    to the ``k`` folds in turn, the deal of each stratum starting where the previous one
    stopped, so that every fold holds about ``1/k`` of every stratum and the folds differ
    in size by at most one subject. The test side is fold ``fold``; the validation side is
    ``val_fraction`` of the remaining subjects of each stratum (at least one where a
    stratum has two or more left). Over ``fold = 0..k-1`` every subject is tested once.

    Parameters
    ----------
    k, fold : int
        Number of folds (2 <= k <= number of subjects) and the one held out (0..k-1).
    stratify : str or None
        Dotted subject-level metadata key (``"patient.phenotype"``); None: one stratum.
    """
    subjects = _groups(recordings, "subject")
    _check_fold(k, fold, len(subjects), "subject")
    strata = _strata(recordings, stratify)
    rng = np.random.default_rng(seed)
    test: set[str] = set()
    start = 0
    for group in strata:
        order = rng.permutation(group).tolist()
        test |= {s for j, s in enumerate(order) if (start + j) % k == fold}
        start += len(order)
    val = set().union(*(_take_val([s for s in g if s not in test], None, val_fraction,
                                  seed + 1 + i) for i, g in enumerate(strata)))
    return _assign(recordings, "subject", test, val, f"stratified_kfold_{fold}of{k}")


def leave_one_subject_out(recordings: list[Recording], fold: int, val_fraction: float = 0.15,
                          seed: int = 0) -> Split:
    """Subject number ``fold`` (in sorted order) is the test side."""
    subjects = _groups(recordings, "subject")
    if not 0 <= fold < len(subjects):
        raise ConfigError(f"fold {fold} outside 0..{len(subjects) - 1}", field="split.fold",
                          fix=f"use a fold in range({len(subjects)}), one per subject")
    test = {subjects[fold]}
    val = _take_val([s for s in subjects if s not in test], None, val_fraction, seed)
    return _assign(recordings, "subject", test, val, f"loso_{subjects[fold]}")


def session_split(recordings: list[Recording], test_sessions, val_sessions=()) -> Split:
    """Within-subject split by session (e.g. train on early sessions, test on the last).

    The same subject appears on several sides by design; the leakage check is
    then by subject-session. Use a subject split to measure generalisation to
    new people.
    """
    sessions = {str(r.session) for r in recordings}
    _check_known(list(test_sessions) + list(val_sessions), sorted(sessions), "split.test_sessions")
    test = {group_of(r, "session") for r in recordings if str(r.session) in set(map(str, test_sessions))}
    val = {group_of(r, "session") for r in recordings if str(r.session) in set(map(str, val_sessions))}
    return _assign(recordings, "session", test, val, "session_split")


def predefined_split(recordings: list[Recording], key: str = "split", val_fraction: float = 0.15,
                     seed: int = 0) -> Split:
    """Use a split stored in each recording's ``metadata[key]`` (``train``/``test``).

    For benchmark data sets that ship their own split (UEA BasicMotions); the
    validation side is drawn from the training recordings.
    """
    train_pool = [group_of(r, "subject") for r in recordings if r.metadata.get(key) == "train"]
    test = {group_of(r, "subject") for r in recordings if r.metadata.get(key) == "test"}
    if not train_pool or not test:
        raise ConfigError(f"recordings carry no '{key}' metadata with train and test",
                          field=f"metadata.{key}", fix="choose a subject split instead")
    val = _take_val(sorted(set(train_pool)), None, val_fraction, seed)
    return _assign(recordings, "subject", test, val, "predefined")
