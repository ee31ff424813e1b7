"""Label Studio project files: labelling config, task CSVs at a viewable rate, predictions."""

import csv
import json
import xml.etree.ElementTree as ET

import numpy as np

from lbpnet.curation.label_studio_export import (labelling_config, segment_signals,
                                                 write_label_studio_project)
from lbpnet.curation.queue import ReviewTask
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream


def recording():
    """SYNTHETIC: a 2 kHz EMG of a 5 Hz sine and a 50 Hz IMU ramp, 20 s."""
    t = np.arange(40000) / 2000.0
    emg = Stream("emg", np.stack([np.sin(2 * np.pi * 5 * t), np.ones_like(t)], 1), 2000.0,
                 ["es_left", "es_right"])
    imu = Stream("imu", (np.arange(1000) / 50.0)[:, None], 50.0, ["acc_x"])
    return Recording({"emg": emg, "imu": imu}, subject="01", metadata={"synthetic": True})


def test_labelling_config_lists_channels_and_classes():
    xml = labelling_config(["emg__es_left", "imu__acc_x"], ["sitting", "standing"])
    root = ET.fromstring(xml)
    ts = root.find("TimeSeries")
    assert ts.get("timeColumn") == "time" and ts.get("valueType") == "url"
    assert [c.get("column") for c in ts.findall("Channel")] == ["emg__es_left", "imu__acc_x"]
    assert [lab.get("value") for lab in root.find("TimeSeriesLabels")] == ["sitting", "standing"]
    assert root.find("TextArea").get("perRegion") == "true"


def test_segment_signals_resampled_on_recording_clock():
    time, cols = segment_signals(recording(), 4.0, 6.0, rate_hz=100)
    assert len(time) == 200 and time[0] == 4.0 and np.allclose(np.diff(time), 0.01)
    assert list(cols) == ["emg__es_left", "emg__es_right", "imu__acc_x"]
    # EMG box-averaged over 10 ms bins: the mean of a 5 Hz sine over each bin
    expected = np.sin(2 * np.pi * 5 * (time + 0.005 - 0.00025)) * np.sinc(5 * 0.01)
    assert np.max(np.abs(cols["emg__es_left"] - expected)) < 2e-3
    assert np.allclose(cols["imu__acc_x"], time, atol=1e-9)       # 50 Hz ramp interpolated


def test_project_files(tmp_path):
    task = ReviewTask("t1abc", "sub-01", 4.0, 9.0, 4, 1.0, "novel (knn) x4", "sitting", 0.7)
    path = write_label_studio_project([task], {"sub-01": recording()}, ["sitting", "standing"],
                                      tmp_path / "ls", "q1", "ckpt123", rate_hz=50)
    items = json.loads(path.read_text())
    assert items[0]["data"]["csv"] == "/data/local-files/?d=ls/csv/t1abc.csv"
    pred = items[0]["predictions"][0]
    assert pred["model_version"] == "ckpt123"
    assert pred["result"][0]["value"] == {"start": 4.0, "end": 9.0, "instant": False,
                                          "timeserieslabels": ["sitting"]}
    rows = list(csv.reader(open(tmp_path / "ls" / "csv" / "t1abc.csv")))
    assert rows[0] == ["time", "emg__es_left", "emg__es_right", "imu__acc_x"]
    assert len(rows) - 1 == 250 and float(rows[1][0]) == 4.0
    assert (tmp_path / "ls" / "label_config.xml").read_text().count("<Channel") == 3
