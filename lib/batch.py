r"""Run one experiment for many seeds in parallel processes (chapters that average over seeds).

A sweep over seeds of a small problem spends its time in many short NumPy calls, so threads
inside BLAS do not help it; running whole seeds side by side does. :func:`run_seeds` calls
``function(seed)`` for every seed on the Dask engine of :mod:`lib.sweep.engine` (a local
cluster of ``processes`` single-threaded workers, kept for later calls, or a scheduler by
address) and returns the results in seed order.

Each seed's computation is the same sequence of floating-point operations as in a plain loop
run with one BLAS thread, so the results are identical, bit for bit, to
``[function(seed) for seed in seeds]`` under ``threadpoolctl.threadpool_limits(1)``, and do not
depend on ``processes`` (tested in ``tests/test_batch.py``; ``benchmarks/bench_gradient.py``
measures the speed-up). A loop with several BLAS threads can differ in the last bits for
problems large enough that OpenBLAS splits a product between threads. A worker that dies
(killed by the out-of-memory killer, say) has its seed rerun by Dask; Ctrl-C raises
:class:`SeedsInterrupted`, which carries the seeds that had finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from threadpoolctl import threadpool_limits
from tqdm import tqdm

from lib._validation import (
    check_bool,
    check_callable,
    check_int,
    check_items,
    check_optional_string,
)
from lib.runtime import available_cores
from lib.sweep.engine import map_unordered


class SeedsInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`lib.run_seeds`; ``finished`` holds the ``(seed, result)`` pairs of
    the seeds that had finished, in seed order (a ``KeyboardInterrupt``, so it still stops a
    script or a notebook cell unless caught)."""

    def __init__(self, finished: list[tuple[Any, Any]], total: int) -> None:
        super().__init__(f"interrupted after {len(finished)} of {total} seeds; their results "
                         "are in .finished")
        self.finished = finished


def run_seeds(function: Callable[[Any], Any], seeds: Iterable[Any], *,
              processes: int | None = None, scheduler: str | None = None,
              progress: bool = False) -> list[Any]:
    r"""``[function(seed) for seed in seeds]``, computed by parallel worker processes.

    Parameters
    ----------
    function : callable
        ``function(seed)`` runs one experiment. Any callable works, including a lambda or a
        function defined in a notebook: it is sent to the workers with cloudpickle, together
        with the data it refers to. Its return value must be picklable (arrays, numbers, lib's
        result dataclasses are).
    seeds : iterable
        The seeds (or any picklable arguments), one call each.
    processes : int, optional
        Number of worker processes of the local Dask cluster (>= 1); default: the number of
        available cores. With 1 the seeds run one by one in this process.
    scheduler : str, optional
        Address of a running Dask scheduler to run on instead (README.md, "Sweeps").
    progress : bool
        Show a tqdm bar over the seeds.

    Returns
    -------
    list
        The results in the order of ``seeds``.

    Raises
    ------
    SeedsInterrupted
        On Ctrl-C (``KeyboardInterrupt``), with the finished seeds' results in ``.finished``.

    Notes
    -----
    Each worker runs BLAS and the compiled Gaussian pass on one thread, so that the workers do
    not compete for the cores; the one-process path does the same for BLAS, so the results do
    not depend on ``processes``. Exceptions raised by ``function`` are re-raised here, and the
    seeds not yet finished are cancelled. A killed worker's seed is rerun (three deaths of the
    same seed raise ``distributed.KilledWorker``).
    """
    check_callable("function", function)
    seeds = check_items("seeds", seeds)
    processes = available_cores() if processes is None else check_int(
        "processes", processes, minimum=1)
    scheduler = check_optional_string("scheduler", scheduler)
    progress = check_bool("progress", progress)
    results: dict[int, Any] = {}
    try:
        if scheduler is None and min(processes, len(seeds)) <= 1:
            with threadpool_limits(limits=1):
                for index, seed in enumerate(tqdm(seeds, disable=not progress, leave=False)):
                    results[index] = function(seed)
        else:
            map_unordered(function, seeds, results.__setitem__, scheduler=scheduler,
                          workers=processes, progress=progress)
    except KeyboardInterrupt as interrupt:
        raise SeedsInterrupted([(seeds[index], results[index]) for index in sorted(results)],
                               len(seeds)) from interrupt
    return [results[index] for index in range(len(seeds))]
