"""Where the Hydra configs live: ``conf/`` at the repository root (editable install), or
``$LBPNET_CONFIG_DIR``. Top level, so that any layer (the audit log too) can find them."""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_DIR = Path(os.environ.get("LBPNET_CONFIG_DIR",
                                 Path(__file__).resolve().parents[1] / "conf"))
