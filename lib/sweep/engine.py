"""Many independent calls on Dask distributed: a local cluster by default, or a scheduler by
address, each worker running one task at a time on one compiled and one BLAS thread.

Dask reruns a task whose worker dies (a worker killed by the out-of-memory killer, say) on
another worker, up to ``distributed.scheduler.allowed-failures`` times (default 3), after
which the call raises ``distributed.KilledWorker`` instead of hanging. The local cluster is
started on first use and kept for later calls of the same size in this process (starting one
takes a few seconds), and shut down at exit; a ``KeyboardInterrupt`` shuts it down at once,
which stops the runs in flight. Used by :func:`lib.sweep.run` and :func:`lib.run_seeds`.
"""

from __future__ import annotations

import atexit
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from lib._validation import (
    check_bool,
    check_callable,
    check_int,
    check_items,
    check_optional_string,
)

if TYPE_CHECKING:
    from distributed import Client

_local: tuple[int, Client] | None = None


def close_local_cluster() -> None:
    """Shut down the local cluster of this process, if one is running."""
    global _local
    if _local is not None:
        client, _local = _local[1], None
        cluster = client.cluster
        client.close()
        cluster.close()


def _local_client(workers: int) -> Client:
    global _local
    if _local is not None and _local[0] == workers and _local[1].status == "running":
        return _local[1]
    close_local_cluster()
    import dask
    from distributed import Client, LocalCluster

    from lib.sweep.worker_plugin import OneThreadPerWorker

    # No dashboard, and the scheduler's HTTP server (health and metrics routes, started even
    # without a dashboard) on a free port: on the default 8787, a second cluster on the machine
    # would print a warning into notebooks. The workers' statistical profiler is off: it samples
    # the task's stack every 10 ms for a dashboard nobody sees, and cost the d = 20 pipeline
    # 5 to 8% (benchmarks/README.md, "Sweeps"). The workers take the configuration of the
    # moment their nannies are created.
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                               silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    client.register_plugin(OneThreadPerWorker())
    atexit.unregister(close_local_cluster)
    atexit.register(close_local_cluster)
    _local = (workers, client)
    return client


def _apply(function: Callable[[Any], Any], item: Any) -> Any:
    return function(item)


def _identity(item: Any) -> Any:
    return item


@contextmanager
def _connect(scheduler: str | None, workers: int) -> Iterator[Client]:
    if scheduler is None:
        yield _local_client(workers)
        return
    from distributed import Client

    from lib.sweep.worker_plugin import OneThreadPerWorker

    client = Client(scheduler, set_as_default=False, timeout="20s")
    try:
        client.register_plugin(OneThreadPerWorker())
        yield client
    finally:
        client.close()


def map_unordered(function: Callable[[Any], Any], items: Sequence[Any],
                  on_result: Callable[[int, Any], None], *, scheduler: str | None = None,
                  workers: int = 1, progress: bool = False, description: str | None = None,
                  ) -> None:
    """Call ``function(item)`` for every item on Dask, and ``on_result(index, value)`` in this
    process as each call finishes (in completion order).

    Parameters
    ----------
    function : callable
        Serialised with cloudpickle and sent to the cluster once: lambdas and functions defined
        in a notebook or script work (with the data they refer to); functions of importable
        modules are sent by name.
    items : sequence
    on_result : callable
        Called in this process, so results are kept (on disk, say) as soon as they arrive.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); default: a local cluster of
        ``workers`` processes.
    workers : int
        Size of the local cluster (ignored with ``scheduler``: the cluster's workers are used).
    progress : bool
        A tqdm bar over the calls.

    Raises
    ------
    Exception
        The first exception raised by a call; the calls not yet finished are cancelled.
    KeyboardInterrupt
        Re-raised after cancelling the calls (and shutting down the local cluster).
    """
    check_callable("function", function)
    items = check_items("items", items)
    check_callable("on_result", on_result)
    scheduler = check_optional_string("scheduler", scheduler)
    workers = check_int("workers", workers, minimum=1)
    progress = check_bool("progress", progress)
    description = check_optional_string("description", description)
    if not items:
        return
    from distributed import as_completed

    with _connect(scheduler, workers) as client:
        with warnings.catch_warnings():  # large closures are fine: they are sent once
            warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
            # A task that returns the function: sent once rather than once per item, and
            # recomputed from the graph if the worker holding it dies (scattered data would
            # be lost with it).
            shared = client.submit(_apply, _identity, function, pure=False)
        futures = client.map(_apply, [shared] * len(items), items, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            with tqdm(total=len(items), disable=not progress, desc=description) as bar:
                for future in as_completed(futures, loop=client.loop):
                    on_result(index[future.key], future.result())
                    future.release()
                    bar.update()
        except KeyboardInterrupt:
            if scheduler is None:
                close_local_cluster()
            else:
                client.cancel(futures)
            raise
        except BaseException:
            client.cancel(futures)
            raise
