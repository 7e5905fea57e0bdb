r"""The runtime of lib's compiled code: its threads, the fork guard, and the kernel loader.

Kernels. A kernel is a plain Python function marked with :func:`kernel`, written beside the
function that calls it (the Gaussian pass in :mod:`lib.streaming`, the group Lasso in
:mod:`lib.regularizer`). Importing lib imports no Numba: the first call of any kernel of a
module imports Numba, replaces every kernel of that module in the module's namespace by its
Numba dispatcher (so kernels call each other compiled, and later calls from Python go straight
to Numba), and replaces the module's :func:`prange` by ``numba.prange``. Numba caches the
machine code next to the module's file (a few seconds per storage dtype the first time), keyed
to that file, so a changed constant of the module recompiles its kernels.

Threads. The parallel kernels share their work out through Numba's threading layer (GNU OpenMP
with Numba's Linux wheels). :func:`set_threads` sets how many parts a kernel cuts its work
into (default: the available cores, at most :data:`MAX_THREADS`); data of at most
:data:`THREAD_BYTES` stays on the calling thread. The kernels are written so that results do
not depend on the thread count.

Wait policy (the choice, and why). OpenMP worker threads wait for the next parallel region by
spinning: GNU OpenMP's default is about 300,000 iterations (a fraction of a millisecond) before
they sleep. A parallel region waits for every thread of its team, so on a machine whose cores
are busy with other processes a team member that is not running holds up the others, which
spin on through their time slices; the unit suite crawled next to two busy processes. Before
Numba is loaded, :func:`load_numba` therefore sets ``OMP_WAIT_POLICY=PASSIVE`` unless the user
has set it: waiting threads sleep at once, so an idle or descheduled thread costs the others
nothing. The price is the wake-up of a sleeping thread at each parallel call, some
microseconds, paid only for data above :data:`THREAD_BYTES`. ``benchmarks/contention.py``
times the unit suite alone and next to busy processes, ``benchmarks/bench_gradient.py`` the
gradients (results in ``benchmarks/README.md``). Set ``OMP_WAIT_POLICY=ACTIVE`` before the
first compiled call to get spinning threads back on a machine you have to yourself.

Fork guard. GNU OpenMP cannot run in a process forked from one whose OpenMP threads have run
(the child would hang or be terminated), so in such a child :func:`threads_for` returns 1 and
warns once with a ``RuntimeWarning``; :func:`lib.run_seeds` sets one thread in its workers
anyway.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

from lib._validation import check_int

#: Most parts a parallel kernel cuts its work into (the Gaussian pass's fixed row chunks).
MAX_THREADS = 16
#: Data up to this many bytes (4 MiB) is processed on the calling thread alone: on the
#: reference machine a second thread saved nothing on the 2 MB of the d = 20, n = 1200
#: instance even when idle, and made it much slower when the cores were shared with other
#: processes (a parallel region waits for its slowest thread; see ``benchmarks/README.md``).
#: It also keeps OpenMP, and its fork restriction, out of processes that only run the book's
#: small problems.
THREAD_BYTES = 2**22
#: What :func:`load_numba` puts in the environment before Numba loads OpenMP, unless set.
OPENMP_ENVIRONMENT = {"OMP_WAIT_POLICY": "PASSIVE"}


def available_cores() -> int:
    """Number of CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_threads = min(available_cores(), MAX_THREADS)
#: Parallel kernels have run threads in this process; in a parent before this process forked.
_used_threads = False
_forked_after_threads = False


def set_threads(threads: int) -> None:
    """Number of threads of lib's compiled code (default: the available cores, at most
    :data:`MAX_THREADS`; data of at most :data:`THREAD_BYTES` always runs on one). Results do
    not depend on it. :func:`lib.run_seeds` sets 1 in its workers."""
    global _threads
    _threads = min(check_int("threads", threads, minimum=1), MAX_THREADS)


def get_threads() -> int:
    """Number of threads of lib's compiled code (see :func:`set_threads`)."""
    return _threads


def _after_fork_in_child() -> None:
    global _forked_after_threads
    _forked_after_threads = _forked_after_threads or _used_threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def threads_for(nbytes: int) -> int:
    """Threads to use now for ``nbytes`` of data: :func:`get_threads`, or 1 for data of at most
    :data:`THREAD_BYTES` or in a child forked after threads ran (with a warning, once)."""
    global _used_threads
    if _threads == 1 or nbytes <= THREAD_BYTES:
        return 1
    if _forked_after_threads:
        warnings.warn("lib.runtime: this process was forked from one whose compiled code had "
                      "used threads, and OpenMP cannot run after such a fork, so the compiled "
                      "code runs on one thread here (call lib.set_threads(1) in forked "
                      "children, or start them with the 'spawn' or 'forkserver' method)",
                      RuntimeWarning, stacklevel=4)
        set_threads(1)
        return 1
    _used_threads = True
    return _threads


@functools.cache
def load_numba() -> ModuleType:
    """Numba, imported once, after :data:`OPENMP_ENVIRONMENT` is in the environment (GNU
    OpenMP reads it when Numba loads its threading layer; a value the user set is kept)."""
    for name, value in OPENMP_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    import numba
    return numba


def prange(*bounds: int) -> range:
    """The loop of a parallel kernel: ``range`` until the kernel's module is compiled, which
    replaces it by ``numba.prange``."""
    return range(*bounds)


class Kernel:
    """A function compiled by Numba, with ``options`` of ``numba.njit``, on its first call
    (see :func:`kernel`)."""

    def __init__(self, function: Callable[..., Any], options: dict[str, Any]) -> None:
        self.function = function
        self.options = options
        self.compiled: Callable[..., Any] | None = None
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any) -> Any:
        if self.compiled is None:
            compile_module(sys.modules[self.function.__module__])
        return self.compiled(*args)


def kernel(**options: Any) -> Callable[[Callable[..., Any]], Kernel]:
    """Mark a function as a compiled kernel: ``numba.njit(cache=True, nogil=True, **options)``
    applied on the first call of a kernel of its module (:func:`compile_module`)."""
    def mark(function: Callable[..., Any]) -> Kernel:
        return Kernel(function, {"cache": True, "nogil": True, **options})
    return mark


def compile_module(module: ModuleType) -> None:
    """Give every :class:`Kernel` of ``module`` its Numba dispatcher, in the kernel and in the
    module's namespace, and replace the module's :func:`prange` by ``numba.prange``."""
    numba = load_numba()
    namespace = vars(module)
    for name, value in list(namespace.items()):
        if isinstance(value, Kernel):
            value.compiled = numba.njit(**value.options)(value.function)
            namespace[name] = value.compiled
        elif value is prange:
            namespace[name] = numba.prange
