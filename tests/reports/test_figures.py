"""Figures: inlined PNGs, hours-long sessions, text matplotlib would misread."""

import base64

import numpy as np

from lbpnet.reports.figures import heatmap_rows, session_timeline, window_figure


def png_of(uri: str) -> bytes:
    assert uri.startswith("data:image/png;base64,")
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


def test_an_eight_hour_session_timeline_stays_small():
    rng = np.random.default_rng(0)
    starts = np.sort(rng.uniform(0, 8 * 3600, 1500))
    uri = session_timeline(starts, rng.normal(size=(1500, 20, 4)), np.linspace(0, 2, 5),
                           [f"emg/m{i}" for i in range(20)], rng.uniform(size=1500), 0.5,
                           "strategy/guarding")
    assert len(png_of(uri)) < 1_000_000


def test_dollar_signs_in_names_are_drawn_literally():
    # "$...$" would be parsed as mathtext (and an unbalanced "$" raises) if not escaped
    m = np.zeros((2, 3))
    m[1, 1] = 1.0
    png_of(window_figure(m, ["emg/a$b", "emg/$x$"], np.linspace(0, 2, 4), None, 0, [1],
                         "out$put", 10.0))


def test_heat_map_keeps_data_order_and_the_strongest_rows():
    m = np.zeros((30, 2))
    m[[3, 25, 7], 0] = [5.0, 4.0, 3.0]
    rows = heatmap_rows(m, limit=3)
    assert rows.tolist() == [3, 7, 25]
    assert heatmap_rows(m[:5], limit=10).tolist() == [0, 1, 2, 3, 4]


def _signals(processed_of_raw):
    from lbpnet.reports import WindowSignals

    t = np.arange(200) / 100.0
    raw = (np.sin(2 * np.pi * 3 * t) * 40 + 5)[None, None] * np.ones((1, 2, 1))
    return WindowSignals({"emg": raw}, {"emg": 100.0}, {"emg": ["uV", "uV"]},
                         {"emg": processed_of_raw(raw)}, {"emg": 100.0},
                         {"emg": "standardised (as the model sees it)"})


def _line_axes(fig, prefix):
    return [ax for ax in fig.axes for line in ax.get_lines()
            if str(line.get_label()).startswith(prefix)]


def test_raw_and_processed_traces_are_drawn_on_separate_axes():
    """A standardised trace drawn over the raw one on twin axes hides it exactly: they get
    axes of their own, one above the other, and the page says it is only a rescaling."""
    from lbpnet.reports.figures import only_rescaled, window_axes

    m = np.array([[0.0, 1.0], [0.2, 0.0]])
    fig = window_axes(m, ["emg/a", "emg/b"], np.array([0.0, 1.0, 2.0]),
                      _signals(lambda raw: (raw - 5) / 28.0), 0, [0], "guarding", 3.0)
    raw_axes, proc_axes = _line_axes(fig, "raw"), _line_axes(fig, "processed")
    assert len(raw_axes) == 1 and len(proc_axes) == 1 and raw_axes[0] is not proc_axes[0]
    r, p = raw_axes[0].get_position(), proc_axes[0].get_position()
    assert r.y0 >= p.y1                                  # raw above, no overlap
    assert "only a rescaling" in proc_axes[0].get_title(loc="left")
    assert only_rescaled(np.arange(10.0), 3 * np.arange(10.0) - 1)
    assert not only_rescaled(np.arange(10.0), np.abs(np.arange(10.0) - 5))
    fig = window_axes(m, ["emg/a", "emg/b"], np.array([0.0, 1.0, 2.0]),
                      _signals(lambda raw: np.abs(raw - 5)), 0, [0], "guarding", 3.0)
    assert "only a rescaling" not in _line_axes(fig, "processed")[0].get_title(loc="left")
