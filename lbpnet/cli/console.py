"""What a user sees from the Hydra entry points: lbpnet's own one-line errors, quiet
third-party libraries, and the ``${lbpnet_cwd:}`` resolver of ``conf/paths/``.

``user_errors`` is used inside each entry point's ``main``::

    @hydra.main(...)
    def main(cfg):
        with user_errors("lbpnet-train"):
            ...

An :class:`lbpnet.errors.LbpnetError` (a bad file, field or config) then prints one message
(problem, file, field, fix) on stderr and exits with status 2, instead of Hydra's traceback;
``HYDRA_FULL_ERROR=1`` re-raises it, so Hydra prints the full traceback as usual.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from typing import Iterator

from omegaconf import OmegaConf

from lbpnet.errors import LbpnetError

EXIT_USER_ERROR = 2
"""Exit status of an entry point stopped by an lbpnet error (Hydra's own failures exit 1)."""

# third-party warnings that say nothing about the user's run: (category, message, module)
_QUIET_WARNINGS = (
    # torch 2.13 deprecates LeafSpec, which Lightning 2.6's own _pytree helpers still build
    (FutureWarning, r"`isinstance\(treespec, LeafSpec\)` is deprecated", r"pytorch_lightning"),
)
# Lightning's rank-zero loggers: messages dropped from them (its litlogger advert)
_QUIET_LOGGERS = ("pytorch_lightning.utilities.rank_zero", "lightning_fabric.utilities.rank_zero",
                  "lightning_utilities.core.rank_zero")
_QUIET_MESSAGES = ("pypi.org/project/litlogger",)


def launch_dir() -> str:
    """Where the command was started: Hydra's ``runtime.cwd`` once Hydra has set its
    runtime config, else the current directory (a sweep's directory is resolved before
    Hydra sets it, so ``${hydra:runtime.cwd}`` cannot be used there)."""
    from hydra.core.hydra_config import HydraConfig
    if HydraConfig.initialized():
        cwd = HydraConfig.get().runtime.get("cwd")
        if cwd:
            return str(cwd)
    return os.getcwd()


if not OmegaConf.has_resolver("lbpnet_cwd"):
    OmegaConf.register_new_resolver("lbpnet_cwd", launch_dir)


def quiet_third_party() -> None:
    """Silence known third-party noise (each warning by category, message and module; the
    litlogger advert by its text); lbpnet's own warnings and every other one stay visible."""
    for category, message, module in _QUIET_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category, module=module)
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if _drop_advert not in logger.filters:
            logger.addFilter(_drop_advert)


def _drop_advert(record: logging.LogRecord) -> bool:
    """False (drop) for a record that is a known advert."""
    message = record.getMessage()
    return not any(m in message for m in _QUIET_MESSAGES)

def _lbpnet_cause(err: BaseException) -> LbpnetError | None:
    """``err`` itself, or the lbpnet error Hydra's instantiate wrapped in it."""
    seen = 0
    while err is not None and seen < 5:
        if isinstance(err, LbpnetError):
            return err
        err, seen = err.__cause__, seen + 1
    return None


@contextlib.contextmanager
def user_errors(prog: str) -> Iterator[None]:
    """Turn an lbpnet error into one message on stderr and exit status 2
    (``HYDRA_FULL_ERROR=1``: re-raise it for the full traceback)."""
    quiet_third_party()
    try:
        yield
    except Exception as err:
        cause = _lbpnet_cause(err)
        if cause is None or os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(f"{prog}: {cause}\n(HYDRA_FULL_ERROR=1 shows the traceback)", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None
