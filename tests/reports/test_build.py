"""Session and cohort pages built from a constructed explanation (no model, tiny signals)."""

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from report_fixtures import PROVENANCE, SESSIONS, make_result, make_signals

from lbpnet.errors import ConfigError
from lbpnet.reports import SessionInfo, check_same_channels, write_reports
from lbpnet.reports.html import DISCLAIMER, SYNTHETIC_NOTE, esc


class Links(HTMLParser):
    """Every src/href of a page, and the text of its tags by id."""

    def __init__(self):
        super().__init__()
        self.urls, self.ids, self.scripts = [], set(), 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        self.ids.add(attrs.get("id"))
        for key in ("src", "href"):
            if key in attrs:
                self.urls.append(attrs[key])


def parse(path):
    p = Links()
    p.feed(Path(path).read_text())
    return p


def build(tmp_path, result=None, sessions=SESSIONS, **kw):
    kw.setdefault("load_signals", make_signals)
    return write_reports(result or make_result(), sessions, tmp_path / "out", PROVENANCE,
                         {"strategy/guarding": 0.5}, **kw)


def build_cheap(tmp_path, result=None, sessions=SESSIONS, **kw):
    """Without detailed windows (fewer figures) where only the text matters."""
    return build(tmp_path, result, sessions, load_signals=None, n_detail=0, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The full report of the constructed explanation, built once for the module."""
    return build(tmp_path_factory.mktemp("report"))


def test_pages_carry_disclaimer_synthetic_label_and_provenance(built):
    summary = built
    pages = [summary["index"], *summary["sessions"].values()]
    assert len(pages) == 3
    for page in pages:
        text = Path(page).read_text()
        assert text.count(esc(DISCLAIMER)) == 2            # banner and footer
        assert esc(SYNTHETIC_NOTE) in text and "SYNTHETIC" in text
        for value in PROVENANCE.values():
            assert esc(value) in text
        ids = parse(page).ids
        assert {"disclaimer", "synthetic", "provenance", "faithfulness"} <= ids
    report = json.loads((Path(summary["index"]).parent / "report.json").read_text())
    assert report["synthetic"] is True and report["provenance"] == PROVENANCE


def test_real_data_is_not_labelled_synthetic(tmp_path):
    sessions = {k: replace(v, synthetic=False) for k, v in SESSIONS.items()}
    summary = build_cheap(tmp_path, sessions=sessions)
    for page in [summary["index"], *summary["sessions"].values()]:
        assert "SYNTHETIC" not in Path(page).read_text()


def test_mixed_cohort_says_which_sessions_are_synthetic(tmp_path):
    sessions = {0: SESSIONS[0], 1: replace(SESSIONS[1], synthetic=False)}
    summary = build_cheap(tmp_path, sessions=sessions)
    assert "1 of 2 sessions below were generated" in Path(summary["index"]).read_text()
    assert "SYNTHETIC" in Path(summary["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    assert "SYNTHETIC" not in Path(summary["sessions"]["sub-P02_ses-2_task-lbp"]).read_text()


def test_pages_are_self_contained(built):
    summary = built
    for page in [summary["index"], *summary["sessions"].values()]:
        p = parse(page)
        assert p.scripts == 0
        for url in p.urls:
            assert url.startswith("data:image/png;base64,") or (
                not re.match(r"^[a-z]+:", url) and (Path(page).parent / url).is_file()), url
    images = [u for u in parse(summary["sessions"]["sub-P01_ses-1_task-lbp"]).urls
              if u.startswith("data:")]
    assert len(images) == 3          # session timeline + two detailed windows


def test_prediction_and_uncertainty_in_plain_words(built):
    summary = built
    first = Path(summary["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    second = Path(summary["sessions"]["sub-P02_ses-2_task-lbp"]).read_text()
    # probabilities 0.9, 0.8, 0.85, 0.7 -> likely; 0.2, 0.1, 0.3, 0.15 -> unlikely
    assert "The model rates guarding as likely (4 of 4 explained windows of this session at " \
        "or above the decision threshold 0.50; mean score of guarding over the 4 explained " \
        "windows 0.81" in first
    assert "The model rates guarding as unlikely (0 of 4 explained windows" in second
    assert "mean score of guarding over the 4 explained windows 0.19" in second
    index = Path(summary["index"]).read_text()
    assert ("guarding: likely (4 of 4 explained windows at or above the threshold; mean score "
            "over the 4: 0.81)") in index
    assert "not found: guarding" in index


def test_planted_channel_leads_the_tables(built):
    summary = built
    text = Path(summary["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    channels = re.search(r"Channels that drove it</h3>(.*?)</table>", text, re.S).group(1)
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", channels, re.S).group(1)
    assert "EMG · erector spinae right" in first_row and "towards guarding" in first_row
    moments = re.search(r"Moments that drove it.*?<tbody><tr>(.*?)</tr>", text, re.S).group(1)
    # third segment (1.0-1.5 s) of the window starting at 30 s
    assert "erector spinae right" in moments and re.search(r"0:3\d\.0 – 0:3\d\.5", moments)


def test_quality_and_faithfulness_are_stated_or_said_missing(tmp_path):
    text = Path(build_cheap(tmp_path)["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    assert "clean (QC score 1.00, 1 = clean)" in text
    assert "change the model&#x27;s output more than random ones" in text
    bare = make_result(quality=False, faithfulness=False)
    text = Path(build_cheap(tmp_path / "bare", bare)["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    assert "not assessed" in text and "QC score" not in text
    assert "Signal quality was not assessed for this run" in text
    assert "faithfulness of this explanation was not measured" in text


def test_quality_flags_are_summarised_per_session(tmp_path):
    result = make_result()
    result.windows["quality_flags"] = np.array(["", "", "", "", "emg/powerline", "",
                                                "emg/powerline; imu/gravity", ""])
    summary = build_cheap(tmp_path, result)
    first = Path(summary["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    second = Path(summary["sessions"]["sub-P02_ses-2_task-lbp"]).read_text()
    assert "Signal quality: 0 of 4 explained windows failed quality control." in first
    assert ("Signal quality: 2 of 4 explained windows failed quality control (checks that "
            "fired: emg/powerline, imu/gravity).") in second


def test_user_strings_are_escaped(tmp_path):
    evil = "<script>alert('x')</script>"
    result = make_result(output_names=(f"strategy/{evil}$x$", "other"))
    result.channels[0] = f"emg/{evil}"
    sessions = {0: SessionInfo(evil, '"1"&', f"sub-{evil}", True),
                1: SessionInfo("P02", "2", "sub-P02", True)}
    prov = {**PROVENANCE, "training_run": f"/runs/{evil}"}
    summary = write_reports(result, sessions, tmp_path / "out", prov, {},
                            load_signals=make_signals, n_detail=1)
    for page in [summary["index"], *summary["sessions"].values()]:
        text = Path(page).read_text()
        assert "<script>" not in text and parse(page).scripts == 0
        assert "&lt;script&gt;" in text
    names = sorted(p.name for p in (tmp_path / "out").glob("*.html"))
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+\.html", n) for n in names)


def test_single_label_classes_are_counted_not_thresholded(tmp_path):
    result = make_result(output_names=("walking", "lifting"))
    result.windows.pop("probability")
    p = np.array([0.8, 0.7, 0.4, 0.9, 0.1, 0.2, 0.3, 0.6])
    result.windows["probability/walking"] = p
    result.windows["probability/lifting"] = 1 - p
    summary = build_cheap(tmp_path, result, multilabel=False)
    text = Path(summary["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    assert "classifies 3 of 4 explained windows of this session as walking" in text
    assert "classifies 1 of 4 explained windows of this session as lifting" in text
    # the class's score averaged over the windows assigned to it (0.8, 0.7, 0.9), not over
    # all explained windows (0.7): a different quantity, named differently
    assert f"mean score of walking in those 3 windows {np.mean([0.8, 0.7, 0.9]):.2f}" in text


def test_heat_maps_without_signals(tmp_path):
    result = make_result(n_per_session=1)      # one window: no timeline, one heat map
    summary = build(tmp_path, result, load_signals=None, n_detail=1)
    images = [u for u in parse(summary["sessions"]["sub-P01_ses-1_task-lbp"]).urls
              if u.startswith("data:")]
    assert len(images) == 1


def test_unknown_recording_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"recordings \[1\]"):
        build_cheap(tmp_path, sessions={0: SESSIONS[0]})


def test_channel_mismatch_names_both_sides():
    with pytest.raises(ConfigError) as err:
        check_same_channels(["emg/es_l", "emg/es_r"], ["emg/es_l", "emg/mf_r"],
                            "explain/attribution.json", "logs/run (test side)")
    message = str(err.value)
    assert "explain/attribution.json" in message and "logs/run (test side)" in message
    assert "['emg/es_r']" in message and "['emg/mf_r']" in message
    with pytest.raises(ConfigError, match="different order"):
        check_same_channels(["a/x", "a/y"], ["a/y", "a/x"], "r", "d")
    check_same_channels(["a/x"], ["a/x"], "r", "d")


def test_pages_say_what_the_windows_and_scores_are(tmp_path):
    """'windows' says explained sample vs the whole session (both when both are known), and
    every page says that the scores are not calibrated probabilities."""
    from lbpnet.reports.wording import SCORE_NOTE

    sessions = {0: replace(SESSIONS[0], n_windows=412), 1: SESSIONS[1]}
    summary = build_cheap(tmp_path, sessions=sessions)
    first = Path(summary["sessions"]["sub-P01_ses-1_task-lbp"]).read_text()
    second = Path(summary["sessions"]["sub-P02_ses-2_task-lbp"]).read_text()
    index = Path(summary["index"]).read_text()
    assert "4 explained windows of the 412 windows of this session" in first
    assert "4 explained windows ·" in second and "of this session ·" not in second
    for text in (first, second, index):
        assert esc(SCORE_NOTE) in text and "not calibrated probabilities" in SCORE_NOTE
        assert "mean probability" not in text
    header = re.search(r"<thead>(.*?)</thead>", index, re.S).group(1)
    assert "<th>windows explained</th>" in header and "<th>windows in the session</th>" in header
    row = re.search(r"Patient P01, session 1</a></td>(.*?)</tr>", index, re.S).group(1)
    assert re.search(r'<td class="num">4</td><td class="num">412</td>', row)
