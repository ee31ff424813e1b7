"""A small reader for the sktime/aeon ``.ts`` time-series classification format.

The format (UEA/UCR archive, https://www.timeseriesclassification.com) is text:

* lines starting with ``#`` are comments, blank lines are skipped;
* header lines start with ``@`` (``@problemName``, ``@univariate``, ``@dimensions``,
  ``@equalLength``, ``@seriesLength``, ``@classLabel true A B C``, ``@missing``,
  ``@timeStamps``, ``@targetLabel``) and end with ``@data``;
* each data line is one case: dimensions separated by ``:``, values inside a dimension
  separated by ``,``, ``?`` for a missing value, and — when ``@classLabel true`` or
  ``@targetLabel true`` — the label as the last ``:``-separated field.

Time-stamped series (``@timeStamps true``, values written as ``(t,v)`` tuples) are not
supported and raise :class:`~lbpnet.errors.ReaderError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError

_TRUE = {"true": True, "false": False}


@dataclass
class TsData:
    """The content of one ``.ts`` file.

    Attributes
    ----------
    series : list of array, each shape (n_dimensions, n_timepoints)
        One float64 array per case, dimension (channel) first as in the file;
        missing values (``?``) are NaN.
    labels : list of str or None
        Class (or regression target, as text) of each case; ``None`` when the file
        has no labels.
    class_labels : list of str or None
        Classes declared by ``@classLabel true …``, in header order.
    header : dict of str to str
        Every ``@key value`` header line, keys lower-cased (``"problemname"``…).
    source : str
        The path the data was read from.
    """

    series: list[np.ndarray]
    labels: list[str] | None
    class_labels: list[str] | None
    header: dict[str, str] = field(default_factory=dict)
    source: str = "<in memory>"

    @property
    def n_cases(self) -> int:
        """Number of cases (series) in the file."""
        return len(self.series)

    def to_array(self) -> np.ndarray:
        """All cases stacked, shape (n_cases, n_dimensions, n_timepoints).

        Raises :class:`ReaderError` when the cases have unequal lengths.
        """
        shapes = {s.shape for s in self.series}
        if len(shapes) > 1:
            raise ReaderError(
                f"cases have unequal shapes {sorted(shapes)[:3]}…", source=self.source,
                field="@equalLength", fix="use the list in .series, or pad/resample the cases")
        return np.stack(self.series) if self.series else np.zeros((0, 0, 0))


def _flag(header: dict[str, str], key: str, source: str, line_no: int) -> bool | None:
    if key not in header:
        return None
    value = header[key].split()[0].lower() if header[key].split() else ""
    if value not in _TRUE:
        raise ReaderError(f"header @{key} must be 'true' or 'false', got {header[key]!r}",
                          source=f"{source}:{line_no}", field=f"@{key}",
                          fix="write 'true' or 'false' after the keyword")
    return _TRUE[value]


def _parse_header(lines, source: str):
    """Read header lines up to ``@data``; return (header, class_labels, data line no)."""
    header: dict[str, str] = {}
    class_labels: list[str] | None = None
    header_line: dict[str, int] = {}
    for line_no, raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("@"):
            raise ReaderError(
                f"line {line_no} holds data before the '@data' line", source=f"{source}:{line_no}",
                field="@data", fix="end the header with a line '@data' before the first case")
        key, _, value = line[1:].partition(" ")
        key = key.strip().lower()
        value = value.strip()
        if key == "data":
            return header, class_labels, header_line, line_no
        header[key] = value
        header_line[key] = line_no
        if key == "classlabel":
            words = value.split()
            if not words or words[0].lower() not in _TRUE:
                raise ReaderError(
                    f"@classLabel must start with 'true' or 'false', got {value!r}",
                    source=f"{source}:{line_no}", field="@classLabel",
                    fix="write '@classLabel true <class> <class> …' or '@classLabel false'")
            if _TRUE[words[0].lower()]:
                class_labels = words[1:]
                if not class_labels:
                    raise ReaderError("@classLabel true lists no classes",
                                      source=f"{source}:{line_no}", field="@classLabel",
                                      fix="list the classes after 'true', separated by spaces")
    raise ReaderError("no '@data' line: the file has a header but no data section",
                      source=source, field="@data",
                      fix="check the file is a complete .ts file (re-download it if truncated)")


def _parse_values(text: str, source: str, line_no: int, dim: int) -> np.ndarray:
    text = text.strip()
    if text.startswith("("):
        raise ReaderError(
            f"line {line_no}, dimension {dim}: time-stamped values '(t,v)' are not supported",
            source=f"{source}:{line_no}", field="@timeStamps",
            fix="export the series without time stamps (equal spacing)")
    if not text:
        raise ReaderError(f"line {line_no}, dimension {dim} is empty",
                          source=f"{source}:{line_no}", field="data",
                          fix="give at least one value per dimension, '?' for missing")
    parts = [p.strip() for p in text.split(",")]
    try:
        return np.array([np.nan if p == "?" else float(p) for p in parts], dtype=np.float64)
    except ValueError:
        bad = next(p for p in parts if p != "?" and not _is_float(p))
        raise ReaderError(
            f"line {line_no}, dimension {dim}: value {bad!r} is not a number",
            source=f"{source}:{line_no}", field="data",
            fix="values must be numbers separated by ',', with '?' for a missing value") from None


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_ts(path: str | os.PathLike) -> TsData:
    """Read a ``.ts`` file.

    Parameters
    ----------
    path : str or path-like
        The ``.ts`` file.

    Returns
    -------
    TsData
        ``series[i]`` has shape (n_dimensions, n_timepoints); ``labels[i]`` is the
        label text of case ``i`` (or ``labels`` is ``None``).

    Raises
    ------
    ReaderError
        When the file is missing or a line is malformed; the message names the file,
        the line number and the fix.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise ReaderError("file not found", source=source, field="path",
                          fix="check the path of the .ts file")
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = enumerate(f, start=1)
        header, class_labels, header_line, _ = _parse_header(lines, source)
        if _flag(header, "timestamps", source, header_line.get("timestamps", 0)):
            raise ReaderError("time-stamped series (@timeStamps true) are not supported",
                              source=f"{source}:{header_line['timestamps']}",
                              field="@timeStamps",
                              fix="export the series without time stamps (equal spacing)")
        has_target = bool(_flag(header, "targetlabel", source, header_line.get("targetlabel", 0)))
        has_label = class_labels is not None or has_target
        n_dims_declared = None
        if "dimensions" in header:
            try:
                n_dims_declared = int(header["dimensions"])
            except ValueError:
                raise ReaderError(f"@dimensions is not an integer: {header['dimensions']!r}",
                                  source=f"{source}:{header_line['dimensions']}",
                                  field="@dimensions", fix="give the number of channels") from None
        if _flag(header, "univariate", source, header_line.get("univariate", 0)):
            n_dims_declared = 1
        equal = _flag(header, "equallength", source, header_line.get("equallength", 0))
        series_length = None
        if equal and "serieslength" in header:
            try:
                series_length = int(header["serieslength"])
            except ValueError:
                raise ReaderError(f"@seriesLength is not an integer: {header['serieslength']!r}",
                                  source=f"{source}:{header_line['serieslength']}",
                                  field="@seriesLength",
                                  fix="give the number of time points per case") from None

        series: list[np.ndarray] = []
        labels: list[str] = []
        n_dims_seen = None
        for line_no, raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(":")
            label = None
            if has_label:
                if len(fields) < 2:
                    raise ReaderError(
                        f"line {line_no} has no label after the last ':'",
                        source=f"{source}:{line_no}", field="label",
                        fix="end every case with ':<label>' (the header declares labels)")
                label = fields.pop().strip()
                if class_labels is not None and label not in class_labels:
                    raise ReaderError(
                        f"line {line_no}: label {label!r} is not one of the declared classes "
                        f"{class_labels}", source=f"{source}:{line_no}", field="@classLabel",
                        fix="add the class to '@classLabel true …' or correct the label")
            n_dims = n_dims_declared if n_dims_declared is not None else n_dims_seen
            if n_dims is not None and len(fields) != n_dims:
                raise ReaderError(
                    f"line {line_no} has {len(fields)} dimensions, expected {n_dims}",
                    source=f"{source}:{line_no}", field="@dimensions",
                    fix="give every case the same number of ':'-separated dimensions")
            n_dims_seen = len(fields)
            dims = [_parse_values(text, source, line_no, d) for d, text in enumerate(fields)]
            lengths = {len(d) for d in dims}
            if len(lengths) > 1 or (series_length is not None and lengths != {series_length}):
                expected = series_length if series_length is not None else "equal"
                raise ReaderError(
                    f"line {line_no}: dimension lengths {[len(d) for d in dims]}, expected "
                    f"{expected} values each", source=f"{source}:{line_no}", field="@seriesLength",
                    fix="give every dimension the same number of values (pad with '?')")
            series.append(np.stack(dims))
            if label is not None:
                labels.append(label)
    if not series:
        raise ReaderError("the @data section holds no cases", source=source, field="@data",
                          fix="check the file is complete (re-download it if truncated)")
    return TsData(series=series, labels=labels if has_label else None,
                  class_labels=class_labels, header=header, source=source)
