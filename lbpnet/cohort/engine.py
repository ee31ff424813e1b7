"""Run one job per cohort item (a recording, a simulated session) serially or on Dask.

A *job* is a small picklable object with

- ``name`` (str): the job's name (``qc``, ``features``, ``simulate``);
- ``items(root) -> dict[str, object]``: item key → payload (a recording path, a session plan);
- ``output(out_dir, key) -> Path``: where the item's result goes;
- ``is_done(path) -> bool``: whether a complete result is already there;
- ``__call__(key, payload, path) -> dict``: compute and write the result **atomically**
  (:mod:`lbpnet.atomic`, or a store writer's temp folder + rename), return a small summary.

:func:`run_cohort` runs the job on every item not already done, on
``dask.distributed.LocalCluster`` (default), on a running scheduler (``address=
"tcp://host:8786"``) or in this process (``address="serial"``), with Dask's own
``retries``. A failing item is reported (key, error, last traceback lines) and the others
complete; since each result is written atomically, a failed item leaves no file. The report
is written to ``<out_dir>/cohort_report.json``.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lbpnet.atomic import atomic_write_json
from lbpnet.errors import ConfigError


class ItemFailed(RuntimeError):
    """One cohort item's job raised; the message holds its type, message and traceback tail
    (plain strings: it pickles between Dask processes whatever the original error was)."""


@dataclass
class CohortReport:
    """What a cohort run did.

    Attributes
    ----------
    job : str
    engine : str
        ``serial``, ``local`` (LocalCluster) or the scheduler address.
    done : dict
        Item key → the job's summary dict plus ``seconds`` (wall time of the item).
    skipped : list of str
        Items whose result was already complete (not recomputed).
    failed : dict
        Item key → ``{"error": "<Type>: <message>", "traceback": str}`` after all retries.
    retries : int
        Retries allowed per item.
    seconds : float
        Wall time of the whole run (s).
    """

    job: str
    engine: str
    retries: int
    done: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no item failed."""
        return not self.failed

    def to_dict(self) -> dict:
        """Plain JSON-ready dict of the report."""
        return asdict(self)


def run_item(job, key: str, payload, path: str) -> dict:
    """Run ``job`` on one item (in a worker or here); re-raise any error as
    :class:`ItemFailed` with its type, message and traceback tail."""
    t0 = time.perf_counter()
    try:
        summary = dict(job(key, payload, Path(path)) or {})
    except Exception as exc:  # noqa: BLE001 - reported per item, the others go on
        tail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
        raise ItemFailed(f"{type(exc).__name__}: {exc}\n{tail}") from None
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    return summary


def _failure(exc: BaseException) -> dict:
    text = str(exc)
    if isinstance(exc, ItemFailed):
        first, _, rest = text.partition("\n")
        return {"error": first, "traceback": rest}
    return {"error": f"{type(exc).__name__}: {text}", "traceback": ""}


def _serial(job, todo: dict, report: CohortReport) -> None:
    for key, (payload, path) in todo.items():
        for attempt in range(report.retries + 1):
            try:
                report.done[key] = run_item(job, key, payload, path)
                break
            except ItemFailed as exc:
                if attempt == report.retries:
                    report.failed[key] = _failure(exc)


def _dask(job, todo: dict, report: CohortReport, address: str | None, n_workers: int,
          threads_per_worker: int, memory_limit, client=None) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ConfigError("Dask is not installed", field="cluster.address",
                          fix="pip install 'lbpnet[cohort]', or run with cluster.address=serial"
                          ) from exc
    cluster, own = None, client is None
    if own and address is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                               processes=True, dashboard_address=None,
                               memory_limit=memory_limit)
        client = Client(cluster)
    elif own:
        try:
            client = Client(address, timeout="20s")
        except OSError as exc:
            raise ConfigError(f"no Dask scheduler answers at {address} ({exc})",
                              field="cluster.address",
                              fix="start one with `dask scheduler` and `dask worker <address>`,"
                                  " or leave cluster.address=null for a LocalCluster") from exc
    try:
        futures = {client.submit(run_item, job, key, payload, path, retries=report.retries,
                                 pure=False, key=f"lbpnet-{job.name}-{key}"): key
                   for key, (payload, path) in todo.items()}
        for fut in as_completed(futures):
            key = futures[fut]
            if fut.status == "finished":
                report.done[key] = fut.result()
            else:
                report.failed[key] = _failure(fut.exception())
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()


def run_cohort(job, root, out_dir, address: str | None = None, n_workers: int = 2,
               threads_per_worker: int = 1, retries: int = 1, overwrite: bool = False,
               memory_limit="auto", keys=None, client=None) -> CohortReport:
    """Run ``job`` on every item of the cohort at ``root``; write results under ``out_dir``.

    Parameters
    ----------
    job : object
        See the module docstring (e.g. :class:`lbpnet.cohort.qc_job.QCJob`).
    root : path
        The cohort: a folder of recordings (or, for the simulator, the folder to fill).
    out_dir : path
        Where results and ``cohort_report.json`` go.
    address : str, optional
        ``None``: a new ``LocalCluster`` of ``n_workers`` processes; ``"serial"``: this
        process, no Dask; otherwise a Dask scheduler address (``tcp://host:8786``) whose
        workers can import lbpnet and reach ``root`` and ``out_dir``.
    n_workers, threads_per_worker : int
        LocalCluster size.
    retries : int
        Further attempts of a failing item (Dask's ``retries``).
    overwrite : bool
        Recompute items whose result is already complete (default: skip them, so a run can
        be resumed after a failure).
    memory_limit : str or int
        Per-worker memory limit of the LocalCluster (Dask's ``memory_limit``).
    keys : list of str, optional
        Only these items.
    client : dask.distributed.Client, optional
        Run on this client's cluster (kept open) instead of ``address``.

    Returns
    -------
    CohortReport
    """
    out = Path(out_dir).expanduser()
    items = job.items(root)
    if keys is not None:
        missing = sorted(set(keys) - set(items))
        if missing:
            raise ConfigError(f"items {missing} are not in the cohort at {root}",
                              field="keys", fix=f"choose among {sorted(items)[:10]}")
        items = {k: items[k] for k in keys}
    engine = ("serial" if address == "serial" and client is None else
              str(client.scheduler.address) if client is not None else (address or "local"))
    report = CohortReport(job=job.name, engine=engine, retries=int(retries))
    todo = {}
    for key, payload in items.items():
        path = job.output(out, key)
        if not overwrite and job.is_done(path):
            report.skipped.append(key)
        else:
            todo[key] = (payload, str(path))
    t0 = time.perf_counter()
    if todo:
        out.mkdir(parents=True, exist_ok=True)
        if engine == "serial":
            _serial(job, todo, report)
        else:
            _dask(job, todo, report, address, int(n_workers), int(threads_per_worker),
                  memory_limit, client)
    report.seconds = round(time.perf_counter() - t0, 3)
    report.done = dict(sorted(report.done.items()))
    report.failed = dict(sorted(report.failed.items()))
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / "cohort_report.json", report.to_dict())
    return report
