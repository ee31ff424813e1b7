"""The Hydra entry points (lbpnet-train, -explain, -report, -aggregate)."""

from lbpnet.cli import console as _console  # noqa: F401  registers the ${lbpnet_cwd:} resolver
