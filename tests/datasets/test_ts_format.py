"""The .ts reader: well-formed files, missing values, and errors naming file and line."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.datasets.ts_format import read_ts
from lbpnet.errors import ReaderError

HEADER = """# a comment
@problemName Toy
@timeStamps false
@missing true
@univariate false
@dimensions 2
@equalLength true
@seriesLength 3
@classLabel true up down
@data
"""


def write(tmp_path, text, name="toy.ts"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_cases_labels_and_header(tmp_path):
    path = write(tmp_path, HEADER + "1,2,3:4,5,6:up\n\n0.5,?,-1e-3:7,8,9:down\n")
    ts = read_ts(path)
    assert ts.n_cases == 2
    assert ts.labels == ["up", "down"]
    assert ts.class_labels == ["up", "down"]
    assert ts.header["problemname"] == "Toy"
    np.testing.assert_array_equal(ts.series[0], [[1, 2, 3], [4, 5, 6]])
    assert np.isnan(ts.series[1][0, 1]) and ts.series[1][0, 2] == pytest.approx(-1e-3)
    assert ts.to_array().shape == (2, 2, 3)


def test_univariate_without_labels(tmp_path):
    text = "@univariate true\n@classLabel false\n@data\n1,2,3\n4,5\n"
    ts = read_ts(write(tmp_path, text))
    assert ts.labels is None and ts.class_labels is None
    assert [s.shape for s in ts.series] == [(1, 3), (1, 2)]
    with pytest.raises(ReaderError, match="unequal shapes"):
        ts.to_array()


@pytest.mark.parametrize("line, message", [
    ("1,2,x:4,5,6:up", r"line 11, dimension 0: value 'x' is not a number"),
    ("1,2,3:up", r"line 11 has 1 dimensions, expected 2"),
    ("1,2,3:4,5,6:sideways", r"label 'sideways' is not one of the declared classes"),
    ("1,2:4,5:up", r"line 11: dimension lengths \[2, 2\], expected 3"),
    ("1,2,3:,:up", r"line 11, dimension 1: value '' is not a number"),
    ("1,2,3", r"line 11 has no label"),
])
def test_malformed_line_names_file_and_line(tmp_path, line, message):
    path = write(tmp_path, HEADER + line + "\n")
    with pytest.raises(ReaderError, match=message) as info:
        read_ts(path)
    assert str(path) in str(info.value)
    assert "Fix:" in str(info.value)


def test_header_errors(tmp_path):
    with pytest.raises(ReaderError, match="no '@data' line"):
        read_ts(write(tmp_path, "@problemName X\n@classLabel false\n", "a.ts"))
    with pytest.raises(ReaderError, match="data before the '@data' line"):
        read_ts(write(tmp_path, "@problemName X\n1,2,3\n", "b.ts"))
    with pytest.raises(ReaderError, match="not supported"):
        read_ts(write(tmp_path, "@timeStamps true\n@data\n(0,1),(1,2)\n", "c.ts"))
    with pytest.raises(ReaderError, match="@classLabel true lists no classes"):
        read_ts(write(tmp_path, "@classLabel true\n@data\n1,2:a\n", "d.ts"))
    with pytest.raises(ReaderError, match="'true' or 'false'"):
        read_ts(write(tmp_path, "@equalLength maybe\n@data\n1,2\n", "e.ts"))
    with pytest.raises(ReaderError, match="holds no cases"):
        read_ts(write(tmp_path, "@classLabel false\n@data\n\n", "f.ts"))
    with pytest.raises(ReaderError, match="file not found"):
        read_ts(tmp_path / "missing.ts")


def test_regression_target_is_kept_as_text(tmp_path):
    ts = read_ts(write(tmp_path, "@targetLabel true\n@data\n1,2:3,4:0.25\n"))
    assert ts.labels == ["0.25"] and ts.series[0].shape == (2, 2)
