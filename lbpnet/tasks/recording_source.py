"""Read a data module's recordings from its source and apply its recording transforms."""

from __future__ import annotations

from typing import Callable, Sequence

from lbpnet.errors import ConfigError
from lbpnet.recording.recording import Recording


def read_source(source: Callable[[], list[Recording]] | Sequence[Recording],
                fix: str = "check data.root and the subject/task filters") -> list[Recording]:
    """The recordings of ``source`` (a callable returning them, or a list); none is an error."""
    recs = source() if callable(source) else list(source)
    if not recs:
        raise ConfigError("the data source returned no recordings", field="data.source",
                          fix=fix)
    return recs


def transformed(recs: list[Recording],
                transforms: Sequence[Callable[[Recording], Recording]]) -> list[Recording]:
    """``recs`` after each transform in order (e.g. gravity split, filter chains)."""
    for transform in transforms:
        recs = [transform(r) for r in recs]
    return recs
