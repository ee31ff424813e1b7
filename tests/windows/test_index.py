import numpy as np
import pytest

from lbpnet.errors import WindowError
from lbpnet.windows import make_windows


def test_recording_anchor_grid_and_majority(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["sit", "stand"], drop_unlabelled=False)
    np.testing.assert_allclose(idx.start, np.arange(9.0))
    # [0,2) [1,3) [2,4) sit; [3,5) half-half -> argmax first class; [4,6) stand; [5,7) 1 s stand
    assert idx.label.tolist() == [0, 0, 0, 0, 1, 1, -1, -1, -1]


def test_pure_policy_drops_mixed_windows(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["sit", "stand"], label_policy="pure")
    np.testing.assert_allclose(idx.start, [0.0, 1.0, 2.0, 4.0])
    assert idx.label.tolist() == [0, 0, 0, 1]


def test_centre_policy(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["sit", "stand"], label_policy="centre")
    np.testing.assert_allclose(idx.start, [0.0, 1.0, 2.0, 3.0, 4.0])
    assert idx.label.tolist() == [0, 0, 0, 1, 1]


def test_annotation_anchor_restarts_at_each_interval(make_recording):
    rec = make_recording(labels=(("sit", 0.5, 3.5), ("stand", 3.7, 9.0)))
    idx = make_windows([rec], 2.0, 1.0, classes=["sit", "stand"], label_policy="pure",
                       anchor="annotation")
    np.testing.assert_allclose(idx.start, [0.5, 1.5, 3.7, 4.7, 5.7, 6.7])
    assert idx.label.tolist() == [0, 0, 1, 1, 1, 1]


def test_classes_outside_label_set_are_not_mapped(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["stand"], label_policy="majority")
    assert set(idx.label.tolist()) == {0}
    assert idx.classes == ["stand"]


def test_window_longer_than_recordings_is_an_error(recording):
    with pytest.raises(WindowError, match=r"shorter than the 20\.0 s window"):
        make_windows([recording], 20.0, 1.0)


def test_no_matching_label_is_an_error(recording):
    with pytest.raises(WindowError, match=r"labels found: \['sit', 'stand'\]"):
        make_windows([recording], 2.0, 1.0, classes=["walking"])


@pytest.mark.parametrize("length,stride", [(0, 1), (2, 0), (-1, 1)])
def test_non_positive_length_or_stride(recording, length, stride):
    with pytest.raises(WindowError, match="must be > 0"):
        make_windows([recording], length, stride)


def test_unknown_policy_and_anchor(recording):
    with pytest.raises(WindowError, match="unknown label policy 'mode'"):
        make_windows([recording], 2.0, 1.0, label_policy="mode")
    with pytest.raises(WindowError, match="unknown anchor 'events'"):
        make_windows([recording], 2.0, 1.0, anchor="events")


def test_multilabel_targets_by_covered_fraction(make_recording):
    rec = make_recording(labels=(("sit", 0.0, 10.0), ("strategy/guarding", 2.0, 5.0),
                                 ("strategy/fatigue", 4.5, 10.0)))
    idx = make_windows([rec], 2.0, 1.0, classes=["sit"],
                       targets=["strategy/guarding", "strategy/fatigue"], target_min_fraction=0.5)
    assert idx.target_names == ["strategy/guarding", "strategy/fatigue"]
    # windows [0,2) [1,3) [2,4) [3,5) [4,6) ... guarding covers 2-5 s, fatigue 4.5-10 s
    # (a window half covered counts: 1 s of 2 s)
    np.testing.assert_array_equal(idx.targets[:6, 0], [0, 1, 1, 1, 1, 0])
    np.testing.assert_array_equal(idx.targets[:6, 1], [0, 0, 0, 0, 1, 1])
    assert idx.target_counts().tolist() == [4, 5]
    sub = idx.subset(idx.start >= 3)
    assert sub.targets.shape == (len(sub), 2)


def test_quality_travels_with_subset_and_is_checked(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["sit", "stand"], label_policy="pure")
    assert len(idx) == 4 and idx.quality is None and idx.good().all()           # no QC: every window is good
    q = np.ones(len(idx), np.float32)
    q[1] = 0.0
    flags = np.zeros((len(idx), 2), bool)
    flags[1, 1] = True
    scored = idx.with_quality(q, flags, ["emg/flat_line", "imu/dropout"])
    assert idx.quality is None                                 # a copy, the original untouched
    sub = scored.subset(np.array([1, 2]))
    assert sub.quality.tolist() == [0.0, 1.0] and sub.good().tolist() == [False, True]
    assert sub.quality_flags.tolist() == [[False, True], [False, False]]
    assert sub.quality_flag_names == ["emg/flat_line", "imu/dropout"]
    assert sub.quality_reasons(0) == ["imu/dropout"] and sub.quality_reasons(1) == []
    with pytest.raises(WindowError, match=f"3 quality scores for {len(idx)} windows"):
        idx.with_quality(q[:3])
    with pytest.raises(WindowError, match=r"finite and in \[0, 1\]"):
        idx.with_quality(np.full(len(idx), np.nan))
    with pytest.raises(WindowError, match="flag names"):
        idx.with_quality(q, flags, ["only_one"])
