"""Where the Hydra configs live (:data:`lbpnet.config_dir.CONFIG_DIR`), for the entry points."""

from lbpnet.config_dir import CONFIG_DIR

__all__ = ["CONFIG_DIR"]
