"""Co-contraction of an agonist and an antagonist muscle from their EMG envelopes.

* Winter's co-contraction index (Winter, *Biomechanics and Motor Control of Human
  Movement*, 4th ed., Wiley 2009, sect. 10.7 "%COCON"):

      %COCON = 2 * integral(min(a(t), b(t)) dt) / integral(a(t) + b(t) dt) * 100   (%)

  the common area of the two envelopes over the sum of their areas; 100 % when the two
  envelopes coincide, 0 % when they never overlap.
* antagonist/agonist ratio = ``mean(antagonist) / mean(agonist)`` (dimensionless), the
  "antagonistic co-activation" ratio used for trunk flexor over extensor activity in low
  back pain (van Dieën, Cholewicki & Radebold, "Trunk muscle recruitment patterns in
  patients with low back pain enhance the stability of the lumbar spine", *Spine*
  28:834-841, 2003).

Envelopes are non-negative (rectified and low-passed, or moving RMS), in the same unit and
ideally normalised to a reference contraction (% MVC) so that the two muscles compare.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError
from lbpnet.features._checks import time_last


def _pair(agonist, antagonist, axis: int) -> tuple[np.ndarray, np.ndarray]:
    a = time_last(agonist, "agonist", 1, axis)
    b = time_last(antagonist, "antagonist", 1, axis)
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise FeatureError(f"agonist {a.shape} and antagonist {b.shape} do not broadcast",
                           field="antagonist", fix="give envelopes of the same windows") from None
    if (a < 0).any() or (b < 0).any():
        raise FeatureError("envelopes must be non-negative", field="agonist",
                           fix="rectify and low-pass (or moving-RMS) the EMG first")
    return a, b


def _refuse_silent(total: np.ndarray, what: str, on_invalid: str):
    bad = ~(total > 0)
    if bad.any() and on_invalid == "raise":
        raise FeatureError(f"{int(bad.sum())} window(s) where {what} is zero", field="agonist",
                           fix="exclude silent windows, or pass on_invalid='mask'")
    return bad


def co_contraction_index(agonist, antagonist, axis: int = -1,
                         on_invalid: str = "raise") -> np.ndarray:
    """Winter's %COCON of two envelopes per window (%).

    Parameters
    ----------
    agonist, antagonist : array, shape (..., n_samples) with time on ``axis``
        Non-negative EMG envelopes of the same windows (broadcastable).
    axis : int
        Time axis.
    on_invalid : {"raise", "mask"}
        Both muscles silent in a window: raise :class:`FeatureError`, or mask it.

    Returns
    -------
    ndarray or MaskedArray, shape (...)
        %COCON in [0, 100].
    """
    a, b = _pair(agonist, antagonist, axis)
    total = np.sum(a + b, axis=-1)
    bad = _refuse_silent(total, "both envelopes are", on_invalid)
    out = 200.0 * np.sum(np.minimum(a, b), axis=-1) / np.where(bad, 1.0, total)
    return np.ma.masked_array(out, bad) if on_invalid == "mask" else out


def antagonist_agonist_ratio(agonist, antagonist, axis: int = -1,
                             on_invalid: str = "raise") -> np.ndarray:
    """``mean(antagonist) / mean(agonist)`` per window (dimensionless).

    Parameters and masking as :func:`co_contraction_index`; a silent agonist is invalid.
    """
    a, b = _pair(agonist, antagonist, axis)
    mean_a = a.mean(axis=-1)
    bad = _refuse_silent(mean_a, "the agonist envelope is", on_invalid)
    out = b.mean(axis=-1) / np.where(bad, 1.0, mean_a)
    return np.ma.masked_array(out, bad) if on_invalid == "mask" else out
