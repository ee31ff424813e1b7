import pytest

from lbpnet.errors import ConfigError, LeakageError
from lbpnet.windows import (Split, check_no_leakage, grouped_kfold, leave_one_subject_out,
                            predefined_split, session_split, subject_holdout)


@pytest.fixture
def cohort(make_recording):
    return [make_recording(subject=f"{s:02d}", session=str(k), seconds=3.0)
            for s in range(1, 11) for k in (1, 2)]


def subjects(recs, ids):
    return {recs[i].subject for i in ids}


def test_holdout_with_named_test_subjects(cohort):
    split = subject_holdout(cohort, test_subjects=["02", "04"], val_fraction=0.25, seed=1)
    assert subjects(cohort, split.test) == {"02", "04"}
    assert len(subjects(cohort, split.val)) == 2
    assert not subjects(cohort, split.val) & {"02", "04"}
    assert len(split.train) + len(split.val) + len(split.test) == len(cohort)


def test_unknown_test_subject_is_named(cohort):
    with pytest.raises(ConfigError, match=r"unknown groups \['2'\].*'02', not 2"):
        subject_holdout(cohort, test_subjects=[2])


def test_kfold_covers_every_subject_once(cohort):
    seen = []
    for fold in range(5):
        split = grouped_kfold(cohort, 5, fold)
        seen += sorted(subjects(cohort, split.test))
        assert not subjects(cohort, split.test) & subjects(cohort, split.train)
    assert sorted(seen) == [f"{s:02d}" for s in range(1, 11)]


def test_loso(cohort):
    split = leave_one_subject_out(cohort, fold=3)
    assert subjects(cohort, split.test) == {"04"}
    with pytest.raises(ConfigError, match="fold 10 outside 0..9"):
        leave_one_subject_out(cohort, fold=10)


def test_leakage_check_refuses_subject_on_both_sides(cohort):
    bad = Split(train=[0, 2, 4], val=[], test=[1], by="subject", name="by_window")
    with pytest.raises(LeakageError, match=r"subject '01' is on both the train and the test side"):
        check_no_leakage(bad, cohort)


def test_session_split_is_within_subject_but_never_shares_a_session(cohort):
    split = session_split(cohort, test_sessions=["2"])
    assert all(cohort[i].session == "2" for i in split.test)
    assert subjects(cohort, split.test) == subjects(cohort, split.train)   # by design
    bad = Split(train=[0], val=[], test=[0], by="session", name="same")
    with pytest.raises(LeakageError, match="session '01/1'"):
        check_no_leakage(bad, cohort)


def test_predefined_split_needs_metadata(cohort):
    with pytest.raises(ConfigError, match="no 'split' metadata"):
        predefined_split(cohort)
    for i, r in enumerate(cohort):
        r.metadata["split"] = "test" if r.subject in {"09", "10"} else "train"
    split = predefined_split(cohort)
    assert subjects(cohort, split.test) == {"09", "10"}


def test_stratified_holdout_puts_every_stratum_on_every_side(cohort):
    for r in cohort:
        r.metadata["patient"] = {"phenotype": "control" if int(r.subject) <= 5 else "guarding"}
    split = subject_holdout(cohort, test_fraction=0.2, val_fraction=0.25, seed=3,
                            stratify="patient.phenotype")
    for side in ("train", "val", "test"):
        kinds = {cohort[i].metadata["patient"]["phenotype"] for i in split.side(side)}
        assert kinds == {"control", "guarding"}, side
    with pytest.raises(ConfigError, match="no metadata 'patient.sex'"):
        subject_holdout(cohort, stratify="patient.sex")


def test_stratified_kfold_tests_every_phenotype_in_every_fold_and_every_subject_once(
        make_recording):
    from lbpnet.windows.splits import stratified_grouped_kfold

    # 4 phenotypes x 4 subjects, listed so that a plain k-fold of the sorted ids could
    # put a whole phenotype on one side
    recs = []
    for s in range(16):
        r = make_recording(subject=f"{s:02d}", seconds=3.0)
        r.metadata["patient"] = {"phenotype": "abcd"[s // 4]}
        recs.append(r)
    seen = []
    for fold in range(4):
        split = stratified_grouped_kfold(recs, 4, fold, stratify="patient.phenotype",
                                         val_fraction=0.34, seed=3)
        test, val = subjects(recs, split.test), subjects(recs, split.val)
        assert {recs[i].metadata["patient"]["phenotype"] for i in split.test} == set("abcd")
        assert {recs[i].metadata["patient"]["phenotype"] for i in split.val} == set("abcd")
        assert not test & val and not (test | val) & subjects(recs, split.train)
        seen += sorted(test)
    assert sorted(seen) == [f"{s:02d}" for s in range(16)]
    with pytest.raises(ConfigError, match="fold 4 outside 0..3"):
        stratified_grouped_kfold(recs, 4, 4, stratify="patient.phenotype")
