import numpy as np
import pytest

from lbpnet.errors import RecordingError
from lbpnet.recording import Annotations, Recording, Stream


def make_stream(**kw):
    args = dict(name="emg", data=np.zeros((100, 2), np.float32), sampling_rate=100.0,
                channel_names=["erector_spinae_left", "erector_spinae_right"],
                channel_types=["EMG", "EMG"], units=["uV", "uV"])
    args.update(kw)
    return Stream(**args)


def test_valid_stream_has_duration_and_end():
    s = make_stream(start_time=1.5)
    s.validate("rec.edf")
    assert s.duration == pytest.approx(1.0)
    assert s.end_time == pytest.approx(2.5)
    assert s.sample_at(2.0) == 50


def test_unequal_channel_lengths_named():
    s = make_stream(data=np.zeros(100, np.float32))
    with pytest.raises(RecordingError, match=r"rec\.edf.*data.*2-D"):
        s.validate("rec.edf")


def test_nan_named_with_channel_and_time():
    data = np.zeros((100, 2), np.float32)
    data[40, 1] = np.nan
    with pytest.raises(RecordingError, match=r"erector_spinae_right.*sample 40.*0\.400 s"):
        make_stream(data=data).validate("rec.edf")


def test_unknown_unit_named():
    with pytest.raises(RecordingError, match=r"units.*unknown unit 'microvolt-ish'"):
        make_stream(units=["uV", "microvolt-ish"]).validate("rec.edf")


@pytest.mark.parametrize("rate", [None, 0.0, -5.0, float("nan")])
def test_missing_sampling_rate_named(rate):
    with pytest.raises(RecordingError, match=r"sampling_rate.*SamplingFrequency"):
        make_stream(sampling_rate=rate).validate("rec.edf")


def test_duplicate_channel_names_named():
    with pytest.raises(RecordingError, match=r"duplicate channel name 'a'"):
        make_stream(channel_names=["a", "a"]).validate("rec.edf")


def test_channel_name_count_mismatch_named():
    with pytest.raises(RecordingError, match=r"2 data columns but 3 channel names"):
        make_stream(channel_names=["a", "b", "c"]).validate("rec.edf")


def test_events_past_the_end_named():
    rec = Recording({"emg": make_stream()}, Annotations([0.2, 0.9], [0.5, 0.5], ["a", "lift"]),
                    source="sub-01_emg.edf")
    with pytest.raises(RecordingError, match=r"sub-01_emg\.edf.*event 1 'lift' ending at 1\.400 s"):
        rec.validate()


def test_recording_clock_spans_common_part_of_streams():
    emg = make_stream(start_time=0.5)                                   # 0.5 .. 1.5 s
    imu = Stream("imu", np.zeros((20, 3), np.float32), 10.0, ["x", "y", "z"],
                 ["ACCEL"] * 3, ["g"] * 3, start_time=0.0)              # 0 .. 2 s
    rec = Recording({"emg": emg, "imu": imu}).validate()
    assert rec.start_time == 0.5 and rec.end_time == 1.5
    assert rec.duration == pytest.approx(1.0)


def test_annotations_from_sample_labels_runs():
    labels = np.array([-1, -1, 1, 1, 1, 2, 2, -1])
    ann = Annotations.from_sample_labels(labels, 2.0, ignore=(-1,))
    assert ann.label.tolist() == ["1", "2"]
    np.testing.assert_allclose(ann.onset, [1.0, 2.5])
    np.testing.assert_allclose(ann.duration, [1.5, 1.0])
