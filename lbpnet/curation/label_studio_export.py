"""A review queue as a Label Studio project: labelling config, task CSVs, tasks JSON.

Written into ``out_dir``::

    label_config.xml   <TimeSeries> (one <Channel> per channel, time column in seconds),
                       <TimeSeriesLabels> with the run's classes, a per-region <TextArea>
    tasks.json         one task per review task; lbpnet's prediction as a pre-annotation
    csv/<task_id>.csv  the segment's signals at a viewable rate (<= ``rate_hz``), column
                       ``time`` = seconds on the recording's clock

Regions drawn in Label Studio therefore carry recording-clock seconds, which is what
:mod:`lbpnet.curation.label_studio_import` stores. Channel names are prefixed by
their stream (``imu__acc_x``) so that two streams never share a column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from lbpnet.atomic import atomic_write_json, atomic_write_text
from lbpnet.errors import ConfigError

FROM_LABEL, FROM_REASON, TO_NAME, TIME_COLUMN = "label", "reason", "ts", "time"


def column_name(stream: str, channel: str) -> str:
    """CSV column (and ``<Channel>`` value) of one channel: ``<stream>__<channel>``."""
    return f"{stream}__{channel}"


def labelling_config(columns: list[str], classes: list[str]) -> str:
    """Label Studio labelling config XML.

    Parameters
    ----------
    columns : list of str
        Signal columns of the task CSVs (one ``<Channel>`` each).
    classes : list of str
        The run's classes (one ``<Label>`` each).
    """
    channels = "\n".join(f'    <Channel column={quoteattr(c)} legend={quoteattr(c)}/>'
                         for c in columns)
    labels = "\n".join(f'    <Label value={quoteattr(c)}/>' for c in classes)
    return (f'<View>\n  <TimeSeriesLabels name="{FROM_LABEL}" toName="{TO_NAME}">\n{labels}\n'
            f'  </TimeSeriesLabels>\n'
            f'  <TimeSeries name="{TO_NAME}" value="$csv" valueType="url" '
            f'timeColumn="{TIME_COLUMN}" sep="," overviewChannels={quoteattr(columns[0])}>\n'
            f'{channels}\n  </TimeSeries>\n'
            f'  <TextArea name="{FROM_REASON}" toName="{TO_NAME}" perRegion="true" '
            f'editable="true" placeholder="why this label (free text)"/>\n</View>\n')


def segment_signals(recording, start_s: float, end_s: float, rate_hz: float = 100.0,
                    modalities: list[str] | None = None) -> tuple[np.ndarray, dict]:
    """The signals of ``[start_s, end_s)`` on one time grid at ``<= rate_hz``.

    Streams faster than the grid are averaged over each grid step (a box filter,
    so a 2 kHz EMG is shown as its 100 Hz mean, not aliased samples); slower ones
    are linearly interpolated.

    Returns
    -------
    time : array, shape (n,)
        Seconds on the recording's clock.
    columns : dict of str to array, shape (n,)
        One per channel, keyed by :func:`column_name`.
    """
    names = modalities or list(recording.streams)
    rate = min(float(rate_hz), max(float(recording.streams[m].sampling_rate) for m in names))
    n = max(int(np.floor((end_s - start_s) * rate)), 1)
    time = start_s + np.arange(n) / rate
    columns = {}
    for m in names:
        s = recording.streams[m]
        fs = float(s.sampling_rate)
        lo = max(s.sample_at(start_s) - 1, 0)
        hi = min(s.sample_at(end_s) + 2, s.n_samples)
        x = np.asarray(s.data[lo:hi], dtype=float)
        t = s.start_time + np.arange(lo, hi) / fs
        for c, ch in enumerate(s.channel_names):
            if fs > rate:
                # + 1e-6: a sample on a bin edge (float rounding) goes to the later bin
                bins = np.clip(np.floor((t - start_s) * rate + 1e-6).astype(int), -1, n)
                inside = (bins >= 0) & (bins < n)
                sums = np.bincount(bins[inside], x[inside, c], minlength=n)
                counts = np.bincount(bins[inside], minlength=n)
                col = np.where(counts > 0, sums / np.maximum(counts, 1),
                               np.interp(time, t, x[:, c]))
            else:
                col = np.interp(time, t, x[:, c])
            columns[column_name(m, ch)] = col
    return time, columns


def _csv_text(time: np.ndarray, columns: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([TIME_COLUMN, *columns])
    for i in range(len(time)):
        w.writerow([f"{time[i]:.4f}", *(f"{columns[c][i]:.6g}" for c in columns)])
    return buf.getvalue()


def prediction(task, model_version: str) -> dict:
    """lbpnet's prediction of a task as a Label Studio pre-annotation."""
    return {"model_version": str(model_version), "score": float(task.confidence),
            "result": [{"id": f"lbp{task.task_id[:6]}", "from_name": FROM_LABEL,
                        "to_name": TO_NAME, "type": "timeserieslabels",
                        "value": {"start": task.start_s, "end": task.end_s, "instant": False,
                                  "timeserieslabels": [task.predicted]}}]}


def write_label_studio_project(tasks, recordings: dict, classes: list[str], out_dir,
                               queue_id: str, model_version: str, rate_hz: float = 100.0,
                               modalities: list[str] | None = None,
                               csv_url: str = "/data/local-files/?d={path}") -> Path:
    """Write the project files for ``tasks`` into ``out_dir``; return ``tasks.json``'s path.

    Parameters
    ----------
    tasks : list of ReviewTask
    recordings : dict of str to Recording
        By key; every task's recording must be there.
    classes : list of str
    out_dir : path
    queue_id, model_version : str
        Recorded in every task (``data``) and prediction.
    rate_hz : float
        Highest rate of the task CSVs (Hz).
    modalities : list of str, optional
        Streams to show (default: all of the recording).
    csv_url : str
        How Label Studio reaches a CSV: ``{path}`` is replaced by its path relative to
        ``out_dir``'s parent (Label Studio's local-files serving, with
        ``LOCAL_FILES_DOCUMENT_ROOT`` set to that parent), or give an absolute URL
        template such as ``http://files.example/{path}``.
    """
    out = Path(out_dir)
    if not tasks:
        raise ConfigError("the queue is empty: nothing to review", field="queue",
                          fix="raise top_k/budget_minutes, or score another side")
    columns = None
    items = []
    for t in tasks:
        if t.recording not in recordings:
            raise ConfigError(f"task {t.task_id} is on recording '{t.recording}', which the run's "
                              f"data does not have", field="recording",
                              fix="build the queue from this run's own scores")
        time, cols = segment_signals(recordings[t.recording], t.start_s, t.end_s, rate_hz,
                                     modalities)
        columns = columns or list(cols)
        if list(cols) != columns:
            raise ConfigError(f"recording '{t.recording}' has channels {list(cols)}, others "
                              f"{columns}", field="modalities",
                              fix="list the modalities every recording has (modalities=[...])")
        rel = f"{out.name}/csv/{t.task_id}.csv"
        atomic_write_text(out / "csv" / f"{t.task_id}.csv", _csv_text(time, cols))
        items.append({"data": {"csv": csv_url.format(path=rel), "task_id": t.task_id,
                               "queue": queue_id, "model_version": str(model_version),
                               "recording": t.recording, "start_s": t.start_s,
                               "end_s": t.end_s, "reasons": t.reasons,
                               "priority": t.priority},
                      "predictions": [prediction(t, model_version)]})
    atomic_write_text(out / "label_config.xml", labelling_config(columns, classes))
    return atomic_write_json(out / "tasks.json", items)
