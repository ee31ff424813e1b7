"""Movement phases from annotations: which phase each time segment of a window falls in,
and attributions summed per phase.

A window's fixed segments (seconds, :func:`lbpnet.explain.grouping.segment_edges`) are
labelled with the annotation that covers most of each segment (e.g. ``flexion``,
``extension`` from an IMU event detector, or the protocol's task labels); the
channel × segment matrix is then summed over the segments of each phase. Finer
segments give finer phase boundaries.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import ConfigError

NO_PHASE = ""


def segment_phases(dataset, indices, edges: np.ndarray, labels: list[str] | None = None,
                   prefix: str | None = None) -> np.ndarray:
    """Phase label of every segment of every window, shape (n_windows, n_segments), str.

    Parameters
    ----------
    dataset : WindowDataset
    indices : array of int, shape (n_windows,)
    edges : array, shape (n_segments + 1,)
        Segment edges (s from the window start).
    labels : list of str, optional
        Annotation labels that are phases (default: every label, or those starting
        with ``prefix``).
    prefix : str, optional
        E.g. ``"phase/"``.

    Segments no phase covers get ``""``.

    Raises
    ------
    ConfigError
        When no annotation of the recordings is a phase.
    """
    edges = np.asarray(edges, dtype=float)
    out = np.full((len(indices), len(edges) - 1), NO_PHASE, dtype=object)
    found = False
    for w, i in enumerate(np.asarray(indices)):
        rec = dataset.recordings[int(dataset.index.recording[i])]
        ann = rec.annotations
        keep = np.ones(len(ann), dtype=bool)
        if labels is not None:
            keep &= np.isin(ann.label, list(labels))
        if prefix is not None:
            keep &= np.array([str(x).startswith(prefix) for x in ann.label], dtype=bool)
        if not keep.any():
            continue
        found = True
        on, end, lab = ann.onset[keep], ann.onset[keep] + ann.duration[keep], ann.label[keep]
        t0 = float(dataset.index.start[i])
        for s, (a, b) in enumerate(zip(t0 + edges[:-1], t0 + edges[1:])):
            overlap = np.clip(np.minimum(end, b) - np.maximum(on, a), 0, None)
            if overlap.max(initial=0) > 0.5 * (b - a):
                out[w, s] = str(lab[int(np.argmax(overlap))])
    if not found:
        raise ConfigError(f"no annotation is a phase (labels={labels}, prefix={prefix!r})",
                          source=str(dataset.recordings[0].source), field="explain.phases",
                          fix="annotate movement phases, or group by fixed segments")
    return out.astype(str)


def per_phase(matrix: np.ndarray, phases: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Sum the channel × segment ``matrix`` (n_windows, n_channels, n_segments) over the
    segments of each phase: ``(phase names, (n_windows, n_channels, n_phases))``."""
    names = sorted({p for p in np.unique(phases) if p != NO_PHASE})
    out = np.zeros(matrix.shape[:2] + (len(names),), dtype=matrix.dtype)
    for k, name in enumerate(names):
        out[:, :, k] = (matrix * (phases == name)[:, None, :]).sum(2)
    return names, out
