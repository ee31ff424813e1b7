"""Errors that speak to the user: each names the source (file), the field and the fix."""

from __future__ import annotations


class LbpnetError(ValueError):
    """Base class of every user-facing lbpnet error.

    Parameters
    ----------
    problem : str
        What is wrong, in plain words.
    source : str, optional
        The file (or object) the problem was found in.
    field : str, optional
        The field, column, channel or config key at fault.
    fix : str, optional
        What the user can do about it.
    """

    def __init__(self, problem: str, *, source: str | None = None,
                 field: str | None = None, fix: str | None = None) -> None:
        self.problem = problem
        self.source = source
        self.field = field
        self.fix = fix
        parts = []
        if source:
            parts.append(f"{source}:")
        if field:
            parts.append(f"field '{field}':")
        parts.append(problem.rstrip("."))
        message = " ".join(parts) + "."
        if fix:
            message += f" Fix: {fix.rstrip('.')}."
        super().__init__(message)


class RecordingError(LbpnetError):
    """A recording, stream or annotation set is malformed."""


class ReaderError(LbpnetError):
    """A file on disk cannot be read (corrupt, truncated, missing sidecar)."""


class WindowError(LbpnetError):
    """Windows cannot be built as asked (too long, no labels, bad policy)."""


class LeakageError(LbpnetError):
    """A split puts one subject on more than one side."""


class ConfigError(LbpnetError):
    """A configuration asks for something impossible or unknown."""


class FeatureError(LbpnetError):
    """A measure cannot be computed on this input (too short, constant, NaN, gaps)."""
