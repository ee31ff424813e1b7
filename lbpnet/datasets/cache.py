"""Where downloaded and generated data sets are cached."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """``$LBPNET_CACHE`` if set, else ``~/.cache/lbpnet``."""
    return Path(os.environ.get("LBPNET_CACHE", Path.home() / ".cache" / "lbpnet"))
