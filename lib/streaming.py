r"""The compiled Gaussian gradient: one pass over the packed sensing data, in one call.

A gradient of the Gaussian loss needs, for the packed data :math:`P` (n x T, T = d(d+1)/2) and
c packed right-hand sides :math:`m_j` (c = 1 for a gradient, 2 for a Hessian-vector product),

.. math::

    F_{ji} = P_i \cdot m_j - [j = 0]\, y_i, \qquad g_j = \sum_i F_{ji} P_i .

Row i of :math:`g_j` needs only row i of :math:`P` and :math:`F_{ji}`, so :func:`fused_pass`
reads each row from memory once: it takes the rows eight at a time, computes their c dot
products, and adds them back into the accumulators while the eight rows are still in the core's
cache. Two BLAS matrix-vector products would read the whole of P twice (BLAS cannot fuse them),
so for data larger than the cache this pass is close to half their time, and about two thirds
of it for data in the cache (``benchmarks/``). :func:`fused_gradient` is a whole gradient in one
compiled call: the packing of :math:`UU^\top`, the pass, the sum of the chunk accumulators and
the product :math:`\mathrm{sym}(g)\, U`, the last two shared between the threads too. For small
problems that one call replaces a dozen NumPy calls of a few microseconds each, which is why
:class:`lib.operators.GaussianOperator` uses it for data of every size.

Determinism: the rows are cut into :data:`CHUNKS` fixed chunks (whole groups of eight rows, the
remainder in the last chunk), each accumulated in its own buffer, and the buffers are summed in
chunk order. The threads only decide who computes which chunk (and which entries of the sum
and which rows of the product), so the result is the same, bit for bit, for any number of
threads (:func:`set_threads`).

Threads: the chunks are shared out by Numba's threading layer (OpenMP with Numba's Linux
wheels; TBB if installed; else Numba's own workqueue, which must not be called from two Python
threads at once), whose threads wait actively between calls, so that even a 0.3 ms pass gains
from a second core (data of at most :data:`THREAD_BYTES` stays on the calling thread). OpenMP
cannot run in a process forked from one that has used it (GNU OpenMP would terminate the
child), so such a child runs the pass on one thread and says so once with a
``RuntimeWarning``; :func:`lib.run_seeds` sets one thread in its workers anyway.

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
#: Data up to this many bytes is read on the calling thread alone: handing work to a second
#: thread costs more than it saves below about 0.3 MB on the reference machine (a d = 10,
#: n = 300 gradient: 24 us on one thread, 27 on two; d = 20, n = 600: 66 against 52).
#: It also keeps OpenMP, and its fork restriction, out of processes that only run small problems.
THREAD_BYTES = 2**18


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
    :data:`CHUNKS`; data of at most :data:`THREAD_BYTES` always runs on one). Results do not
    depend on it. The chunks are cut into this many runs, which
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


def _parts(nbytes: int) -> int:
    """Threads to use now for ``nbytes`` of data: :func:`get_threads`, or 1 for data of at most
    :data:`THREAD_BYTES` or in a child forked after threads ran."""
    global _used_threads
    if _threads == 1 or nbytes <= THREAD_BYTES:
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


def compiled_kernels() -> ModuleType:
    """:mod:`lib._kernels`, imported (with Numba) on first use; also used by
    :func:`lib.regularizer.add_penalty`."""
    global _kernels
    if _kernels is None:
        from lib import _kernels
    return _kernels


def _pass_buffers(n: int, count: int, width: int,
                  dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Products ``out`` (count, n), per-chunk accumulators ``partial`` (CHUNKS, count, width)
    and the kernel's scratch ``coefficients`` (CHUNKS, GROUP)."""
    return (np.empty((count, n)), np.empty((CHUNKS, count, width), dtype=dtype),
            np.empty((CHUNKS, GROUP), dtype=dtype))


def packed_gram(U: np.ndarray, dtype: np.dtype) -> np.ndarray:
    r"""The packed upper triangle of :math:`UU^\top` as one (1, d(d+1)/2) row in ``dtype``,
    the right-hand side of :func:`fused_pass` for the residuals, with the same bits as the
    one :func:`fused_gradient` computes."""
    U = np.ascontiguousarray(U, dtype=np.float64)
    m = np.empty((1, U.shape[0] * (U.shape[0] + 1) // 2), dtype=dtype)
    compiled_kernels().pack_gram(U, m[0])
    return m


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
    kernels = compiled_kernels()
    n, width = packed.shape
    bounds = _chunk_bounds(n)
    out, partial, coefficients = _pass_buffers(n, columns.shape[0], width, packed.dtype)
    parts = _parts(packed.nbytes)
    if parts == 1:
        kernels.chunk_range(packed, columns, y, bounds, 0, CHUNKS, out, partial, coefficients)
    else:
        kernels.parallel_chunks(packed, columns, y, bounds, parts, out, partial, coefficients)
    return out, partial.sum(axis=0, dtype=np.float64)


def fused_gradient(packed: np.ndarray, U: np.ndarray, y: np.ndarray, weight: np.ndarray,
                   index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Residuals and gradient of the Gaussian loss in one compiled call, one read of ``packed``.

    .. math::

        m = \mathrm{triu}(UU^\top), \quad \mathrm{res} = P m - y, \quad
        g = w \odot P^\top \mathrm{res}, \quad G = \mathrm{sym}(g)\, U,
        \quad \mathrm{sym}(g)_{ab} = g_{\mathrm{index}[a d + b]} .

    The same pass as :func:`fused_pass`, with the packing of :math:`UU^\top` before it and the
    sum of the chunk accumulators and the product with U after it compiled too, and shared
    between the threads: NumPy calls would cost about a third of a d = k = 50 gradient.

    Parameters
    ----------
    packed : ndarray, shape (n, T), float64 or float32, C-contiguous
        The packed sensing data :math:`P`.
    U : ndarray, shape (d, k)
        The factor (used in float64).
    y : ndarray, shape (n,), float64
        Observations.
    weight : ndarray, shape (T,), float64
        Scale :math:`w` of each packed entry of the gradient.
    index : ndarray, shape (d * d,), intp
        Packed entry of each (a, b), row-major.

    Returns
    -------
    residuals : ndarray, shape (n,), float64
    gradient : ndarray, shape (d, k), float64
    """
    kernels = compiled_kernels()
    U = np.ascontiguousarray(U, dtype=np.float64)
    n, width = packed.shape
    bounds = _chunk_bounds(n)
    out, partial, coefficients = _pass_buffers(n, 1, width, packed.dtype)
    m = np.empty((1, width), dtype=packed.dtype)
    g = np.empty(width)
    G = np.empty(U.shape)
    parts = _parts(packed.nbytes)
    if parts == 1:
        kernels.serial_gradient(packed, U, y, bounds, weight, index, m, out, partial,
                                coefficients, g, G)
    else:
        kernels.parallel_gradient(packed, U, y, bounds, parts, weight, index, m, out, partial,
                                  coefficients, g, G)
    return out[0], G
