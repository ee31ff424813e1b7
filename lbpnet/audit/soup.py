"""The software of unknown provenance (SOUP, IEC 62304) a run used: every installed
Python distribution and its version, plus the interpreter and platform."""

from __future__ import annotations

import functools
import platform
import sys
from importlib import metadata


@functools.lru_cache(maxsize=1)
def _scan() -> tuple:
    """``((name, version), ...)`` of the installed distributions, scanned once per process."""
    out = {}
    for dist in metadata.distributions():
        name = (dist.metadata.get("Name") or "").strip().lower()
        if name and name not in out:
            out[name] = dist.version
    return tuple(sorted(out.items()))


def package_versions() -> dict[str, str]:
    """``{distribution name (lower case): version}`` of every installed distribution.

    Returns
    -------
    dict of str to str
        Sorted by name; e.g. ``{"numpy": "2.1.0", "torch": "2.13.0", ...}``.
    """
    return dict(_scan())


def environment() -> dict:
    """The interpreter, platform and :func:`package_versions` (``{"python", "platform",
    "packages"}``)."""
    return {"python": sys.version.split()[0], "platform": platform.platform(terse=True),
            "packages": package_versions()}
