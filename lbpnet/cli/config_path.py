"""Where the Hydra configs live: ``conf/`` at the repository root (editable install)."""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_DIR = Path(os.environ.get("LBPNET_CONFIG_DIR",
                                 Path(__file__).resolve().parents[2] / "conf"))
