r"""The compiled single pass over packed Gaussian sensing data that does not fit in the cache.

A gradient of the Gaussian loss needs, for the packed data :math:`P` (n x T, T = d(d+1)/2) and
c packed right-hand sides :math:`m_j` (c = 1 for a gradient, 2 for a Hessian-vector product),

.. math::

    F_{ji} = P_i \cdot m_j - [j = 0]\, y_i, \qquad g_j = \sum_i F_{ji} P_i .

Row i of :math:`g_j` needs only row i of :math:`P` and :math:`F_{ji}`, so :func:`fused_pass`
reads each row from memory once: it takes the rows eight at a time, computes their c dot
products, and adds them back into the accumulators while the eight rows are still in the core's
cache. Two BLAS matrix-vector products would read the whole of P twice (BLAS cannot fuse them),
so for data larger than the cache this pass is close to half their time (``benchmarks/``).

Determinism: the rows are cut into :data:`CHUNKS` fixed chunks (whole groups of eight rows, the
remainder in the last chunk), each accumulated in its own buffer, and the buffers are summed in
chunk order. The threads only decide who computes which
chunk, so the result is the same, bit for bit, for any number of threads (:func:`set_threads`).

The kernel is compiled by Numba on first use (about 1 s per storage dtype) and cached next to
this file; Numba itself is imported only then. Within a row the products are summed in SIMD
lanes (``fastmath`` reassociation), so the last bits differ from NumPy's order, by a relative
1e-16 in float64.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from lib._validation import check_int

#: Rows are cut into this many contiguous chunks, whatever the thread count (determinism).
CHUNKS = 16
#: Rows per group: eight rows of d = 100 data (320 kB) stay in a 512 kB L2 cache between their
#: dot products and their accumulation.
GROUP = 8

_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


def available_cores() -> int:
    """Number of CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_threads = min(available_cores(), CHUNKS)
_pool: ThreadPoolExecutor | None = None


def set_threads(threads: int) -> None:
    """Number of threads of the compiled Gaussian pass (default: the available cores, at most
    :data:`CHUNKS`). Results do not depend on it. :func:`lib.run_seeds` sets 1 in its workers."""
    global _threads
    _threads = min(check_int("threads", threads, minimum=1), CHUNKS)


def get_threads() -> int:
    """Number of threads of the compiled Gaussian pass (see :func:`set_threads`)."""
    return _threads


def _forget_pool() -> None:
    """After ``fork`` the child has none of the parent's threads: start a new pool when needed."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _chunk_kernel(P, columns, y, bounds, first, last, out, partial, coefficients):
    """Chunks ``first`` to ``last - 1`` of the fused pass (see the module docstring), each
    accumulated in its own ``partial[chunk]``, zeroed here. ``coefficients`` is a
    (CHUNKS, GROUP) scratch array in the storage dtype: storing a float64 residual into it
    rounds the residual to that dtype. The sums start from ``zero``, a zero of that dtype."""
    width = P.shape[1]
    count = columns.shape[0]
    for chunk in range(first, last):
        partial[chunk] = 0
        coef = coefficients[chunk]
        zero = P[0, 0] - P[0, 0]
        stop = bounds[chunk + 1]
        i = bounds[chunk]
        while i < stop:
            if i + GROUP <= stop:
                r0 = P[i]
                r1 = P[i + 1]
                r2 = P[i + 2]
                r3 = P[i + 3]
                r4 = P[i + 4]
                r5 = P[i + 5]
                r6 = P[i + 6]
                r7 = P[i + 7]
                for j in range(count):
                    m = columns[j]
                    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = zero
                    for t in range(width):
                        mt = m[t]
                        s0 += r0[t] * mt
                        s1 += r1[t] * mt
                        s2 += r2[t] * mt
                        s3 += r3[t] * mt
                        s4 += r4[t] * mt
                        s5 += r5[t] * mt
                        s6 += r6[t] * mt
                        s7 += r7[t] * mt
                    coef[0], coef[1], coef[2], coef[3] = s0, s1, s2, s3
                    coef[4], coef[5], coef[6], coef[7] = s4, s5, s6, s7
                    for q in range(GROUP):
                        value = np.float64(coef[q])
                        if j == 0:
                            value -= y[i + q]
                        out[j, i + q] = value
                        coef[q] = value
                    w0, w1, w2, w3 = coef[0], coef[1], coef[2], coef[3]
                    w4, w5, w6, w7 = coef[4], coef[5], coef[6], coef[7]
                    acc = partial[chunk, j]
                    for t in range(width):
                        acc[t] += (((w0 * r0[t] + w1 * r1[t]) + (w2 * r2[t] + w3 * r3[t]))
                                   + ((w4 * r4[t] + w5 * r5[t]) + (w6 * r6[t] + w7 * r7[t])))
                i += GROUP
            else:
                row = P[i]
                for j in range(count):
                    m = columns[j]
                    s = zero
                    for t in range(width):
                        s += row[t] * m[t]
                    value = np.float64(s)
                    if j == 0:
                        value -= y[i]
                    out[j, i] = value
                    coef[0] = value
                    w = coef[0]
                    acc = partial[chunk, j]
                    for t in range(width):
                        acc[t] += w * row[t]
                i += 1


@functools.cache
def _compiled_kernel() -> Callable[..., None]:
    """:func:`_chunk_kernel` compiled by Numba (loaded from the on-disk cache after the first
    time). Numba is imported here, on first use, not with lib: it costs about 0.5 s and 100 MB
    of resident memory, which problems whose data stays on BLAS never pay."""
    import numba

    return numba.njit(fastmath=_FASTMATH, nogil=True, cache=True,
                      boundscheck=False)(_chunk_kernel)


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
    global _pool
    n, width = packed.shape
    bounds = np.linspace(0, n // GROUP, CHUNKS + 1).astype(np.int64) * GROUP
    bounds[-1] = n
    out = np.empty((columns.shape[0], n))
    partial = np.empty((CHUNKS, columns.shape[0], width), dtype=packed.dtype)
    coefficients = np.empty((CHUNKS, GROUP), dtype=packed.dtype)
    kernel = _compiled_kernel()
    arguments = (packed, columns, y, bounds)
    threads = _threads
    if threads > 1 and _pool is None:
        _pool = ThreadPoolExecutor(max_workers=CHUNKS - 1, thread_name_prefix="lib-streaming")
    others = [_pool.submit(kernel, *arguments, CHUNKS * t // threads,
                           CHUNKS * (t + 1) // threads, out, partial, coefficients)
              for t in range(1, threads)]
    kernel(*arguments, 0, CHUNKS // threads, out, partial, coefficients)
    for other in others:
        other.result()
    return out, partial.sum(axis=0, dtype=np.float64)
