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
