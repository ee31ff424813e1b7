import numpy as np
import pytest
from scipy import signal

from lbpnet.datasets.simulator import (TASKS, load_synthetic_lbp, meets_mic, simulate_cohort)
from lbpnet.datasets.simulator.cohort import make_cohort
from lbpnet.datasets.simulator.config import SimulatorConfig
from lbpnet.errors import ConfigError
from lbpnet.recording.store import read_recording
from lbpnet.windows import WindowDataset, make_windows

CH = ["erector_spinae_l3_left", "erector_spinae_l3_right", "rectus_abdominis_left",
      "rectus_abdominis_right"]
FAST = dict(emg_rate=1000.0, emg_channels=CH, artefact_rate=0.0, novel_rate=0.0)


def _cohort(tmp_path, pheno, n=2, **kw):
    args = dict(FAST, phenotype_weights={pheno: 1.0})
    args.update(kw)
    return [read_recording(p) for p in simulate_cohort(tmp_path / pheno, n_patients=n,
                                                       n_sessions=1, **args)]


def test_determinism(tmp_path):
    a = simulate_cohort(tmp_path / "a", n_patients=1, n_sessions=1, seed=3, **FAST)
    b = simulate_cohort(tmp_path / "b", n_patients=1, n_sessions=1, seed=3, **FAST)
    c = simulate_cohort(tmp_path / "c", n_patients=1, n_sessions=1, seed=4, **FAST)
    ra, rb, rc = (read_recording(p[0]) for p in (a, b, c))
    for m in ra.streams:
        np.testing.assert_array_equal(ra.streams[m].data, rb.streams[m].data)
    assert not np.array_equal(ra.streams["emg"].data[:1000], rc.streams["emg"].data[:1000])


def test_round_trip_through_windows(tmp_path):
    recs = load_synthetic_lbp(root=tmp_path / "c", n_patients=2, n_sessions=2, seed=1,
                              artefact_rate=2.0, novel_rate=0.5, **{k: v for k, v in
                                                                   FAST.items() if "rate" not in k
                                                                   or k == "emg_rate"})
    assert len(recs) == 4 and (tmp_path / "c" / "manifest.json").is_file()
    again = load_synthetic_lbp(root=tmp_path / "c", n_patients=2, n_sessions=2, seed=1,
                               artefact_rate=2.0, novel_rate=0.5, emg_rate=1000.0,
                               emg_channels=CH)
    np.testing.assert_array_equal(recs[0].streams["emg"].data, again[0].streams["emg"].data)
    r = recs[0]
    assert isinstance(r.streams["emg"].data, np.memmap)
    assert r.subject == "P001" and r.session == "1" and r.task == "lbp_protocol"
    md = r.metadata
    assert md["synthetic"] is True and md["dataset"] == "lbpnet synthetic LBP cohort"
    assert md["patient"]["phenotype"] in {"guarding", "coordination_deficit", "fatigue_limited",
                                          "activity_sensitive", "control"}
    assert set(r.streams) >= {"emg", "imu", "nirs", "rr", "eda"}
    assert r.streams["imu"].channel_names[0] == "trunk_l1_acc_x"
    labels = set().union(*(x.annotations.labels() for x in recs))
    assert set(TASKS) <= labels
    for x in recs:   # every strategy/artefact/novel annotation has attribution
        att = {(a["label"], round(a["onset"], 6)) for a in x.metadata["attribution"]}
        for on, lab in zip(x.annotations.onset, x.annotations.label):
            if "/" in lab:
                assert (lab, round(on, 6)) in att
    index = make_windows(recs, 2.0, 1.0, classes=list(TASKS))
    ds = WindowDataset(recs, index)
    item = ds[0]
    assert tuple(item["signals"]["emg"].shape) == (4, 2000)      # (channels, time) at 1 kHz
    assert tuple(item["signals"]["imu"].shape) == (12, 200)
    assert 0 <= int(item["label"]) < len(TASKS)


def test_pros_follow_responder_status():
    cfg = SimulatorConfig(n_patients=40, n_sessions=4, seed=7, missing_pro_rate=0.3)
    patients = make_cohort(cfg)
    assert any(p.responder for p in patients) and any(not p.responder for p in patients)
    for p in patients:
        first, last = p.sessions[0], p.sessions[-1]
        assert None not in (first.odi, first.nrs, last.odi, last.nrs)
        assert meets_mic(first.odi, last.odi, first.nrs, last.nrs) == p.responder, p.id
        if p.phenotype == "control":
            assert not p.responder and all(not s.labelled for s in p.sessions)


def _welch_mf(x, fs):
    f, pxx = signal.welch(x, fs, nperseg=1024)
    c = np.cumsum(pxx)
    return f[np.searchsorted(c, c[-1] / 2)]


def _task(rec, label):
    a = rec.annotations
    i = list(a.label).index(label)
    return a.onset[i], a.duration[i]


def test_fatigue_lowers_median_frequency(tmp_path):
    ratios = []
    for rec in _cohort(tmp_path, "fatigue_limited", difficulty=0.5):
        on, du = _task(rec, "lifting")
        emg = rec.streams["emg"]
        fs = emg.sampling_rate
        for ch in (0, 1):
            x = np.asarray(emg.data[:, ch], dtype=float)
            a = x[int(on * fs): int((on + du / 4) * fs)]
            b = x[int((on + 3 * du / 4) * fs): int((on + du) * fs)]
            ratios.append(_welch_mf(b, fs) / _welch_mf(a, fs))
        assert "strategy/fatigue" in rec.annotations.labels()
    assert max(ratios) < 1.0 and np.mean(ratios) < 0.95, ratios


def _rms_at(rec, ch, mask_fn):
    emg, imu = rec.streams["emg"], rec.streams["imu"]
    acc = np.asarray(imu.data[:, :3])
    angle = np.degrees(np.arctan2(-acc[:, 2], acc[:, 0]))
    on, du = _task(rec, "flexion_extension")
    t = np.arange(len(angle)) / imu.sampling_rate
    inside = (t >= on) & (t < on + du)
    peak = np.percentile(angle[inside], 98)
    keep = inside & mask_fn(angle / peak)
    idx = (t[keep] * emg.sampling_rate).astype(int)
    x = np.asarray(emg.data[:, ch], dtype=float)
    seg = np.concatenate([x[i:i + int(emg.sampling_rate / imu.sampling_rate)] for i in idx])
    return np.sqrt(np.mean(seg ** 2))


def test_flexion_relaxation_present_in_controls_absent_in_phenotype(tmp_path):
    def ratio(rec):
        full = _rms_at(rec, 0, lambda r: r > 0.985)
        mid = _rms_at(rec, 0, lambda r: (r > 0.3) & (r < 0.6))
        return full / mid
    controls = [ratio(r) for r in _cohort(tmp_path, "control", n=3)]
    absent = [ratio(r) for r in _cohort(tmp_path, "activity_sensitive", n=3, difficulty=0.5)]
    assert max(controls) < 0.75, controls
    assert min(absent) > max(controls)


def test_co_contraction_higher_in_guarding(tmp_path):
    def cci(rec):
        emg = rec.streams["emg"]
        on, du = _task(rec, "lifting")
        fs = emg.sampling_rate
        x = np.asarray(emg.data[int(on * fs):int((on + du) * fs)], dtype=float)
        rms = np.sqrt((x ** 2).mean(0))
        return (rms[2] + rms[3]) / (rms[0] + rms[1])
    control = [cci(r) for r in _cohort(tmp_path, "control", n=3)]
    guarding = [cci(r) for r in _cohort(tmp_path, "guarding", n=3, difficulty=0.5)]
    assert np.median(guarding) > 1.5 * np.median(control)


@pytest.mark.parametrize("kwargs, field", [
    (dict(emg_rate=-1.0), "emg_rate"), (dict(imu_rate=0.0), "imu_rate"),
    (dict(difficulty=0.0), "difficulty"), (dict(difficulty=-2.0), "difficulty"),
    (dict(emg_channels=["psoas_left"]), "emg_channels"),
    (dict(task_seconds={"lifting": 1.0}), "task_seconds.lifting"),
    (dict(protocol_scale=0.01), "task_seconds.quiet_standing"),
    (dict(artefact_rate=-0.1), "artefact_rate"), (dict(n_patients=0), "n_patients"),
    (dict(free_living_hours=-1.0), "free_living_hours")])
def test_bad_config_names_field_and_fix(tmp_path, kwargs, field):
    with pytest.raises(ConfigError) as err:
        simulate_cohort(tmp_path, **kwargs)
    assert err.value.field == field and err.value.fix
    if "emg_channels" in kwargs:
        assert "psoas_left" in str(err.value) and "erector_spinae_l1" in str(err.value)
    assert not list(tmp_path.iterdir())
