"""Small checks on numbers that users write in configs."""

from __future__ import annotations

import math


def is_finite_number(value) -> bool:
    """True for a value that converts to a finite float (not NaN, inf, None or text)."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
