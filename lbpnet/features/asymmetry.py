"""Left/right asymmetry index of a bilateral measure (e.g. RMS of left and right erector spinae).

Symmetry index (Robinson, Herzog & Nigg, "Use of force platform variables to quantify the
effects of chiropractic manipulation on gait symmetry", *J. Manipulative Physiol. Ther.*
10:172-176, 1987), written here left minus right:

    AI = 100 * (L - R) / ((L + R) / 2)      (%)

0 % is perfect symmetry; the sign says which side is larger; |AI| <= 200 %.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError


def asymmetry_index(left, right, on_invalid: str = "raise") -> np.ndarray:
    """Signed left/right asymmetry index (%) of two non-negative measures.

    Parameters
    ----------
    left, right : array, shape (...)
        The same measure (e.g. EMG RMS in mV, range of motion in deg) on each side,
        broadcastable.
    on_invalid : {"raise", "mask"}
        Both sides zero: raise :class:`FeatureError`, or mask the value.

    Returns
    -------
    ndarray or MaskedArray, shape (...)
        ``100 (L - R) / ((L + R) / 2)`` in [-200, 200] %.
    """
    lft, rgt = np.broadcast_arrays(np.asarray(left, np.float64), np.asarray(right, np.float64))
    if not (np.isfinite(lft).all() and np.isfinite(rgt).all()):
        raise FeatureError("NaN/inf in left or right", field="left",
                           fix="exclude invalid windows first")
    if (lft < 0).any() or (rgt < 0).any():
        raise FeatureError("left and right must be non-negative (amplitudes, ranges)",
                           field="left", fix="pass magnitudes such as RMS")
    mean = (lft + rgt) / 2.0
    bad = ~(mean > 0)
    if bad.any() and on_invalid == "raise":
        raise FeatureError(f"{int(bad.sum())} value(s) where both sides are zero", field="left",
                           fix="exclude silent windows, or pass on_invalid='mask'")
    out = 100.0 * (lft - rgt) / np.where(bad, 1.0, mean)
    return np.ma.masked_array(out, bad) if on_invalid == "mask" else out
