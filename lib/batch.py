r"""Run one experiment for many seeds in parallel processes (chapters that average over seeds).

A sweep over seeds of a small problem spends its time in many short NumPy calls, so threads
inside BLAS do not help it; running whole seeds side by side does. :func:`run_seeds` forks
``processes`` workers, limits BLAS and the compiled Gaussian pass (:mod:`lib.streaming`) to
one thread in each (so p workers use p cores without oversubscription), calls
``function(seed)`` for every seed and returns the results in seed order.

Each seed's computation is the same sequence of floating-point operations as in a plain loop
run with one BLAS thread, so the results are identical, bit for bit, to
``[function(seed) for seed in seeds]`` under ``threadpoolctl.threadpool_limits(1)``, and do not
depend on ``processes`` (tested in ``tests/test_batch.py``; ``benchmarks/bench_gradient.py``
measures the speed-up). A loop with several BLAS threads can differ in the last bits for
problems large enough that OpenBLAS splits a product between threads.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from typing import Any

from threadpoolctl import threadpool_limits
from tqdm import tqdm

from lib._validation import check_callable, check_int
from lib.runtime import available_cores, set_threads

_TASK: Callable[[Any], Any] | None = None


def _single_threaded_worker() -> None:
    threadpool_limits(limits=1)
    set_threads(1)


def _call_task(seed: Any) -> Any:
    return _TASK(seed)


def run_seeds(function: Callable[[Any], Any], seeds: Iterable[Any], *,
              processes: int | None = None, progress: bool = False) -> list[Any]:
    r"""``[function(seed) for seed in seeds]``, computed by ``processes`` forked workers.

    Parameters
    ----------
    function : callable
        ``function(seed)`` runs one experiment. Any callable works, including a lambda or a
        function defined in a notebook: the workers are forked, so it is inherited, not pickled.
        Its return value must be picklable (arrays, numbers, lib's result dataclasses are).
    seeds : iterable
        The seeds (or any picklable arguments), one call each.
    processes : int, optional
        Number of worker processes (>= 1); default: the number of available cores. With 1, or
        where the ``fork`` start method does not exist (Windows), the seeds run one by one in
        this process.
    progress : bool
        Show a tqdm bar over the seeds.

    Returns
    -------
    list
        The results in the order of ``seeds``.

    Notes
    -----
    Each worker runs BLAS on one thread, so that the workers do not compete for the cores; the
    one-process path does the same, so the results do not depend on ``processes``. Exceptions
    raised by ``function`` are re-raised here. Workers cannot start workers of their
    own: call ``run_seeds`` only from the main process.
    """
    global _TASK
    check_callable("function", function)
    if function is None:
        raise TypeError("function must be callable, got None")
    seeds = list(seeds)
    processes = available_cores() if processes is None else check_int(
        "processes", processes, minimum=1)
    workers = min(processes, len(seeds))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        with threadpool_limits(limits=1):
            return [function(seed) for seed in tqdm(seeds, disable=not progress, leave=False)]
    _TASK = function
    try:
        with multiprocessing.get_context("fork").Pool(
                workers, initializer=_single_threaded_worker) as pool:
            results = pool.imap(_call_task, seeds, chunksize=1)
            return list(tqdm(results, total=len(seeds), disable=not progress, leave=False))
    finally:
        _TASK = None
