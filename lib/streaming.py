r"""The compiled single pass over packed Gaussian sensing data larger than a few megabytes.

A gradient of the Gaussian loss needs, for the packed data :math:`P` (n x T, T = d(d+1)/2) and
c packed right-hand sides :math:`m_j` (c = 1 for a gradient, 2 for a Hessian-vector product),

.. math::

    F_{ji} = P_i \cdot m_j - [j = 0]\, y_i, \qquad g_j = \sum_i F_{ji} P_i .

Row i of :math:`g_j` needs only row i of :math:`P` and :math:`F_{ji}`, so :func:`fused_pass`
reads each row from memory once: it takes the rows eight at a time, computes their c dot
products, and adds them back into the accumulators while the eight rows are still in the core's
cache. Two BLAS matrix-vector products would read the whole of P twice (BLAS cannot fuse them),
so for data larger than the cache this pass is close to half their time, and about two thirds
of it for data in the cache (``benchmarks/``).

Determinism: the rows are cut into :data:`CHUNKS` fixed chunks (whole groups of eight rows, the
remainder in the last chunk), each accumulated in its own buffer, and the buffers are summed in
chunk order. The threads only decide who computes which
chunk, so the result is the same, bit for bit, for any number of threads (:func:`set_threads`).

Threads: the chunks are shared out by Numba's threading layer (OpenMP with Numba's Linux
wheels; TBB if installed; else Numba's own workqueue, which must not be called from two Python
threads at once), whose threads wait actively between calls, so that even a 0.3 ms pass gains
from a second core. OpenMP cannot run in a process forked from one that has used it (GNU
OpenMP would terminate the child), so such a child runs the pass on one thread and says so
once with a ``RuntimeWarning``; :func:`lib.run_seeds` sets one thread in its workers anyway.

The kernels (:mod:`lib._kernels`) are compiled by Numba on first use (a few seconds per storage
dtype) and cached next to their file; Numba itself is imported only then. Within a row the
products are summed in SIMD lanes (``fastmath`` reassociation), so the last bits differ from
NumPy's order, by a relative 1e-16 in float64.
"""

from __future__ import annotations

import functools
import os
import warnings
from types import ModuleType

import numpy as np

from lib._validation import check_int

#: Rows are cut into this many contiguous chunks, whatever the thread count (determinism).
CHUNKS = 16
#: Rows per group: eight rows of d = 100 data (320 kB) stay in a 512 kB L2 cache between their
#: dot products and their accumulation.
GROUP = 8


def available_cores() -> int:
    """Number of CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_threads = min(available_cores(), CHUNKS)
_kernels: ModuleType | None = None
#: The parallel kernel has run in this process; in a parent before this process was forked.
_used_threads = False
_forked_after_threads = False


def set_threads(threads: int) -> None:
    """Number of threads of the compiled Gaussian pass (default: the available cores, at most
    :data:`CHUNKS`). Results do not depend on it. The chunks are cut into this many runs, which
    Numba's thread pool (``numba.get_num_threads()``, by default all cores) shares out.
    :func:`lib.run_seeds` sets 1 in its workers."""
    global _threads
    _threads = min(check_int("threads", threads, minimum=1), CHUNKS)


def get_threads() -> int:
    """Number of threads of the compiled Gaussian pass (see :func:`set_threads`)."""
    return _threads


def _after_fork_in_child() -> None:
    global _forked_after_threads
    _forked_after_threads = _forked_after_threads or _used_threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _parts() -> int:
    """Threads to use now: :func:`get_threads`, or 1 in a child forked after threads ran."""
    global _used_threads
    if _threads == 1:
        return 1
    if _forked_after_threads:
        warnings.warn("lib.streaming: this process was forked from one whose compiled pass had "
                      "used threads, and OpenMP cannot run after such a fork, so the pass runs "
                      "on one thread here (call lib.set_threads(1) in forked children, or start "
                      "them with the 'spawn' or 'forkserver' method)",
                      RuntimeWarning, stacklevel=4)
        set_threads(1)
        return 1
    _used_threads = True
    return _threads


@functools.lru_cache(maxsize=64)
def _chunk_bounds(n: int) -> np.ndarray:
    """First row of each chunk, and n: whole groups of rows, the remainder in the last chunk."""
    bounds = np.arange(CHUNKS + 1, dtype=np.int64) * (n // GROUP) // CHUNKS * GROUP
    bounds[-1] = n
    bounds.flags.writeable = False
    return bounds


def fused_pass(packed: np.ndarray, columns: np.ndarray,
               y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""One read of ``packed``: :math:`F = P m_j - [j=0] y` and :math:`g_j = F_j^\top P`.

    Parameters
    ----------
    packed : ndarray, shape (n, T), float64 or float32, C-contiguous
        The packed sensing data :math:`P` (see :class:`lib.operators.GaussianOperator`).
    columns : ndarray, shape (c, T), same dtype as ``packed``
        The packed right-hand sides :math:`m_j`.
    y : ndarray, shape (n,), float64
        Observations, subtracted from the first product only.

    Returns
    -------
    out : ndarray, shape (c, n), float64
        The products :math:`F` (residuals in row 0).
    total : ndarray, shape (c, T), float64
        :math:`g_j`, accumulated per chunk in the storage dtype and summed in float64.
    """
    global _kernels
    if _kernels is None:
        from lib import _kernels
    n, width = packed.shape
    bounds = _chunk_bounds(n)
    out = np.empty((columns.shape[0], n))
    partial = np.empty((CHUNKS, columns.shape[0], width), dtype=packed.dtype)
    coefficients = np.empty((CHUNKS, GROUP), dtype=packed.dtype)
    parts = _parts()
    if parts == 1:
        _kernels.chunk_range(packed, columns, y, bounds, 0, CHUNKS, out, partial, coefficients)
    else:
        _kernels.parallel_chunks(packed, columns, y, bounds, parts, out, partial, coefficients)
    return out, partial.sum(axis=0, dtype=np.float64)
