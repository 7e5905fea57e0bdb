"""The Dask worker plugin of :mod:`lib.sweep.engine` (a module of its own because importing
``distributed`` takes about a second, which ``import lib`` should not pay)."""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin
from threadpoolctl import threadpool_limits

from lib.runtime import set_threads


class OneThreadPerWorker(WorkerPlugin):
    """Sets one BLAS thread and one thread of the compiled Gaussian pass
    (:func:`lib.set_threads`) in every worker, present and future: p single-threaded workers
    use p cores, and results do not depend on the worker (the compiled pass gives the same bits
    for any number of threads anyway)."""

    name = "lib-one-thread-per-worker"

    def setup(self, worker: Any) -> None:
        threadpool_limits(limits=1)
        set_threads(1)
