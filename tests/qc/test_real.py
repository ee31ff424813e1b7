"""QC on real recordings: clean biosignalsnotebooks samples stay quiet, the BVP with motion
artefacts is flagged where they are, pyhrv's real NN series feeds the RR checks."""

import numpy as np
import pytest

pytest.importorskip("h5py", reason="h5py (the datasets extra) is not installed")

from lbpnet.datasets import biosignalsnotebooks as bsn  # noqa: E402
from lbpnet.errors import FeatureError, ReaderError  # noqa: E402
from lbpnet.qc import QCConfig, rr_beat_flags, score_recording  # noqa: E402


def _windows(rec, stream, length=2.0):
    end = rec.streams[stream].end_time
    return np.arange(0.0, end - length + 1e-9, 1.0)


@pytest.mark.parametrize("name,stream,kind", [("emg_bursts", "emg", None),
                                              ("ecg_20_sec_1000_Hz", "ecg", None),
                                              ("signal_sample_single_hub_bvp_2017_1_17", "bvp",
                                               "PPG")])
def test_clean_real_samples_raise_no_flag(opensignals_names, name, stream, kind):
    rec = bsn.load_opensignals_sample(name)
    res = score_recording(rec, _windows(rec, stream), 2.0, QCConfig(), streams=[stream],
                          kinds={stream: kind} if kind else None)
    fired = {c: int(f.sum()) for c, f in res.streams[stream].window_flags().items() if f.any()}
    assert fired == {} and res.skipped() == {}
    assert len(res.streams[stream].flags) >= 3                  # the checks did run


def test_bvp_motion_artifact_is_flagged_where_the_artefacts_are(opensignals_names):
    assert "bvp_motion_artifact" in opensignals_names
    rec = bsn.load_opensignals_sample("bvp_motion_artifact")
    # the loader names the stream 'raw' (the file's sensor attribute is RAW); its info JSON
    # says BVP, hence the kind
    assert rec.metadata["info"]["Signal Type"] == "BVP"
    starts = _windows(rec, "raw")
    res = score_recording(rec, starts, 2.0, kinds={"raw": "PPG"})
    bad = res.quality() == 0
    # the two large motion transients of this file peak near 4.5 s and 14.5 s (seen in the
    # raw trace); the windows over them are flagged, the calm last 10 s are not
    for t in (4.5, 14.6):
        assert bad[(starts <= t) & (starts + 2.0 > t)].all()
    assert not bad[starts >= 18.0].any()
    assert res.streams["raw"].window_flags()["motion"].sum() == bad.sum()


def test_rr_checks_on_real_nn_series_and_planted_ectopics():
    from lbpnet.datasets.pyhrv_samples import load_nn_intervals
    try:
        nn = load_nn_intervals("short")
    except ReaderError as exc:
        pytest.skip(f"pyhrv==0.5.0 could not be fetched: {exc}")
    clean = rr_beat_flags(nn)
    assert not clean["rr_range"].any() and not clean["missing"].any()
    rr = nn.copy()
    rr[100], rr[101] = rr[100] * 0.6, rr[101] * 1.4           # premature beat + pause
    rr[200] = 2600.0                                            # a missed beat
    rr[250] = np.nan                                            # a gap
    f = rr_beat_flags(rr)
    assert f["rr_ectopic"][[100, 101]].all() and f["rr_range"][200] and f["missing"][250]
    assert f["rr_ectopic"].sum() <= clean["rr_ectopic"].sum() + 5
    with pytest.raises(FeatureError, match="empty"):
        rr_beat_flags([])
