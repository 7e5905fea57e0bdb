r"""Sweeps: grids of runs on Dask distributed, kept in a resumable on-disk store.

A sweep runs a registered task (:data:`TASKS`) for every seed at every point of a grid of
parameters, on an embedded Dask ``LocalCluster`` or on a running scheduler, and appends each
run's metrics to a store of Parquet files as it finishes; a rerun skips the runs already
there. Python::

    report = lib.sweep.run("sweep.toml", "runs/lam-beta", workers=2, progress=True)
    frame = lib.sweep.load("runs/lam-beta")      # pandas, one row per (grid point, seed)

Command line (``make sweep SPEC=sweep.toml STORE=runs/lam-beta`` does the first)::

    python -m lib.sweep run sweep.toml --store runs/lam-beta \
        [--workers 2 | --scheduler ADDRESS]
    python -m lib.sweep status --store runs/lam-beta
    python -m lib.sweep compact --store runs/lam-beta    # one Parquet file (run does it too)

The spec format is in :mod:`lib.sweep.spec`, the store's layout in :mod:`lib.sweep.store`, the
execution in :mod:`lib.sweep.engine`; README.md ("Sweeps") shows how to scale out.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lib._validation import (
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_optional_string,
    check_path,
)
from lib.runtime import available_cores
from lib.sweep import engine
from lib.sweep.spec import Cell, Spec, read_spec
from lib.sweep.store import StoreStatus, append, compact, done_keys, load, open_store, status
from lib.sweep.tasks import TASKS, Parameter, Task


@dataclass(frozen=True)
class SweepReport:
    """What :func:`run` did: ``total`` runs in the spec, ``skipped`` because the store already
    held them, ``ran`` now (``skipped + ran == total``)."""

    total: int
    skipped: int
    ran: int


def run_cell(task: str, cell: Cell) -> dict[str, Any]:
    """The metrics of one run: ``TASKS[task].function(cell.seed, **cell.arguments)``."""
    task = check_choice("task", task, tuple(TASKS))
    check_instance("cell", cell, Cell)
    return TASKS[task].function(cell.seed, **cell.arguments)


def run(spec: Spec | Mapping[str, Any] | str | os.PathLike[str], store: str | os.PathLike[str],
        *, scheduler: str | None = None, workers: int | None = None,
        progress: bool = False) -> SweepReport:
    """Run every (grid point, seed) of ``spec`` that ``store`` does not hold yet.

    Parameters
    ----------
    spec : Spec, mapping or path of a TOML file
        See :func:`lib.sweep.read_spec`; validated before anything runs or is written.
    store : path
        Directory of the store (created if missing). Each run's row is written as soon as it
        finishes, so stopping this call (Ctrl-C, or even SIGKILL) loses at most the runs in
        flight, and calling it again runs only the missing ones. When every run is done, the
        per-run files are folded into one (:func:`compact`).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); default: a local cluster.
    workers : int, optional
        Processes of the local cluster (default: the available cores); not with ``scheduler``.
    progress : bool
        Show a tqdm bar over the runs.

    Returns
    -------
    SweepReport
    """
    spec = read_spec(spec)
    check_path("store", store, "directory path")
    scheduler = check_optional_string("scheduler", scheduler)
    if scheduler is not None and workers is not None:
        raise ValueError(f"workers={workers!r} sizes the local cluster; with scheduler="
                         f"{scheduler!r} the cluster's own workers run the sweep")
    workers = available_cores() if workers is None else check_int("workers", workers, minimum=1)
    progress = check_bool("progress", progress)
    path = open_store(store, spec)
    cells = spec.cells()
    done = done_keys(path)
    todo = [cell for cell in cells if cell.key not in done]
    engine.map_unordered(functools.partial(run_cell, spec.task), todo,
                         lambda index, metrics: append(path, todo[index], metrics),
                         scheduler=scheduler, workers=workers, progress=progress,
                         description="sweep")
    compact(path)
    return SweepReport(total=len(cells), skipped=len(cells) - len(todo), ran=len(todo))


__all__ = ["TASKS", "Cell", "Parameter", "Spec", "StoreStatus", "SweepReport", "Task", "compact",
           "load",
           "read_spec", "run", "run_cell", "status"]
