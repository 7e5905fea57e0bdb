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
the product :math:`\mathrm{sym}(g)\, U`. Only the pass is shared between the threads, in one
parallel region (each region costs a sleeping thread's wake-up, about 8 microseconds on the
reference machine; the other steps are a few microseconds each). For small
problems that one call replaces a dozen NumPy calls of a few microseconds each, which is why
:class:`lib.operators.GaussianOperator` uses it for data of every size.

Determinism: the rows are cut into :data:`CHUNKS` fixed chunks (whole groups of eight rows, the
remainder in the last chunk), each accumulated in its own buffer, and the buffers are summed in
chunk order. The threads only decide who computes which chunk (and which entries of the sum
and which rows of the product), so the result is the same, bit for bit, for any number of
threads (:func:`lib.set_threads`).

Threads: the chunks are shared out by Numba's threading layer (:mod:`lib.runtime`: thread
count, wait policy, the fork guard; data of at most :data:`lib.runtime.THREAD_BYTES` stays on
the calling thread).

The kernels below (:func:`chunk_range`, :func:`parallel_chunks`, :func:`pack_gram`,
:func:`weighted_chunk_sum`, :func:`symmetric_times`, :func:`serial_gradient`,
:func:`parallel_gradient`) are compiled by Numba on first use (:func:`lib.runtime.kernel`).
Only :func:`pack_gram` and :func:`chunk_range` use ``fastmath`` reassociation (within a row the
products are summed in SIMD lanes, so the last bits differ from NumPy's order, by a relative
1e-16 in float64); the rest is plain IEEE, and every output entry is computed by the same code
in the same order whichever thread computes it.
"""

from __future__ import annotations

import functools

import numpy as np

from lib.runtime import MAX_THREADS, kernel, prange, threads_for

#: Rows are cut into this many contiguous chunks, whatever the thread count (determinism).
CHUNKS = MAX_THREADS
#: Rows per group: eight rows of d = 100 data (320 kB) stay in a 512 kB L2 cache between their
#: dot products and their accumulation. :func:`chunk_range` is unrolled by hand for eight rows.
GROUP = 8
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


@functools.lru_cache(maxsize=64)
def _chunk_bounds(n: int) -> np.ndarray:
    """First row of each chunk, and n: whole groups of rows, the remainder in the last chunk."""
    bounds = np.arange(CHUNKS + 1, dtype=np.int64) * (n // GROUP) // CHUNKS * GROUP
    bounds[-1] = n
    bounds.flags.writeable = False
    return bounds


def _pass_buffers(n: int, count: int, width: int,
                  dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Products ``out`` (count, n), per-chunk accumulators ``partial`` (CHUNKS, count, width)
    and the kernel's scratch ``coefficients`` (CHUNKS, GROUP)."""
    return (np.empty((count, n)), np.empty((CHUNKS, count, width), dtype=dtype),
            np.empty((CHUNKS, GROUP), dtype=dtype))


def packed_gram(U: np.ndarray, dtype: np.dtype) -> np.ndarray:
    r"""The packed upper triangle of :math:`UU^\top` as one (1, d(d+1)/2) row in ``dtype``,
    the right-hand side of :func:`fused_pass` for the residuals, with the same bits as the
    one :func:`fused_gradient` computes. Unchecked: the Gaussian operator calls it with arrays
    it built."""
    U = np.ascontiguousarray(U, dtype=np.float64)
    m = np.empty((1, U.shape[0] * (U.shape[0] + 1) // 2), dtype=dtype)
    pack_gram(U, m[0])
    return m


def fused_pass(packed: np.ndarray, columns: np.ndarray,
               y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""One read of ``packed``: :math:`F = P m_j - [j=0] y` and :math:`g_j = F_j^\top P`.
    Unchecked: the Gaussian operator calls it with arrays it built.

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
    n, width = packed.shape
    bounds = _chunk_bounds(n)
    out, partial, coefficients = _pass_buffers(n, columns.shape[0], width, packed.dtype)
    parts = threads_for(packed.nbytes)
    if parts == 1:
        chunk_range(packed, columns, y, bounds, 0, CHUNKS, out, partial, coefficients)
    else:
        parallel_chunks(packed, columns, y, bounds, parts, out, partial, coefficients)
    return out, partial.sum(axis=0, dtype=np.float64)


def fused_gradient(packed: np.ndarray, U: np.ndarray, y: np.ndarray, weight: np.ndarray,
                   index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Residuals and gradient of the Gaussian loss in one compiled call, one read of ``packed``.
    Unchecked: the Gaussian operator calls it once per gradient with arrays it built.

    .. math::

        m = \mathrm{triu}(UU^\top), \quad \mathrm{res} = P m - y, \quad
        g = w \odot P^\top \mathrm{res},

        G = \mathrm{sym}(g)\, U, \quad \mathrm{sym}(g)_{ab} = g_{\mathrm{index}[a d + b]} .

    The same pass as :func:`fused_pass`, with the packing of :math:`UU^\top` before it and the
    sum of the chunk accumulators and the product with U after it compiled too (on the calling
    thread): NumPy calls would cost about a third of a d = k = 50 gradient.

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
    U = np.ascontiguousarray(U, dtype=np.float64)
    n, width = packed.shape
    bounds = _chunk_bounds(n)
    out, partial, coefficients = _pass_buffers(n, 1, width, packed.dtype)
    m = np.empty((1, width), dtype=packed.dtype)
    g = np.empty(width)
    G = np.empty(U.shape)
    parts = threads_for(packed.nbytes)
    if parts == 1:
        serial_gradient(packed, U, y, bounds, weight, index, m, out, partial, coefficients, g, G)
    else:
        parallel_gradient(packed, U, y, bounds, parts, weight, index, m, out, partial,
                          coefficients, g, G)
    return out[0], G


# ---------------------------------------------------------------- the kernels


@kernel(fastmath=_FASTMATH, boundscheck=False)
def chunk_range(P, columns, y, bounds, first, last, out, partial, coefficients):
    """Chunks ``first`` to ``last - 1`` of the fused pass (see :mod:`lib.streaming`), each
    accumulated in its own ``partial[chunk]``, zeroed here. ``coefficients`` is a
    (chunks, GROUP) scratch array in the storage dtype: storing a float64 residual into it
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


@kernel(parallel=True)
def parallel_chunks(P, columns, y, bounds, parts, out, partial, coefficients):
    """All chunks of the fused pass, cut into ``parts`` contiguous runs of chunks, one per
    thread: of the ``chunks = partial.shape[0]``, run ``part`` computes ``chunks * part //
    parts`` to ``chunks * (part + 1) // parts - 1`` with :func:`chunk_range`."""
    chunks = partial.shape[0]
    for part in prange(parts):
        chunk_range(P, columns, y, bounds, chunks * part // parts, chunks * (part + 1) // parts,
                    out, partial, coefficients)


@kernel(fastmath=_FASTMATH, boundscheck=False)
def pack_gram(U, m):
    r"""The packed upper triangle of :math:`UU^\top`: ``m[t]`` is :math:`U_a \cdot U_b` for the
    t-th entry (a, b), a <= b, of the row-major upper triangle, rounded to the dtype of ``m``
    (d(d+1)/2 dot products of length k, half the multiply-adds of :math:`UU^\top`)."""
    d, k = U.shape
    t = 0
    for a in range(d):
        row_a = U[a]
        for b in range(a, d):
            row_b = U[b]
            total = 0.0
            for j in range(k):
                total += row_a[j] * row_b[j]
            m[t] = total
            t += 1


@kernel(boundscheck=False)
def weighted_chunk_sum(partial, weight, g):
    r""":math:`g_t = w_t \sum_c \mathrm{partial}_{c,0,t}`, summed in float64 in chunk order."""
    for t in range(g.shape[0]):
        g[t] = 0.0
    for chunk in range(partial.shape[0]):
        block = partial[chunk, 0]
        for t in range(g.shape[0]):
            g[t] += block[t]
    for t in range(g.shape[0]):
        g[t] *= weight[t]


@kernel(boundscheck=False)
def symmetric_times(g, index, U, G):
    r""":math:`G = \mathrm{sym}(g)\, U`, where
    :math:`\mathrm{sym}(g)_{ab} = g_{\mathrm{index}[a d + b]}` (``index`` maps both (a, b) and
    (b, a) to their packed entry)."""
    d = U.shape[0]
    for a in range(d):
        row = G[a]
        for j in range(row.shape[0]):
            row[j] = 0.0
        for b in range(d):
            coefficient = g[index[a * d + b]]
            row_b = U[b]
            for j in range(row.shape[0]):
                row[j] += coefficient * row_b[j]


@kernel()
def serial_gradient(P, U, y, bounds, weight, index, m, out, partial, coefficients, g, G):
    r"""A gradient on the calling thread: :math:`m = \mathrm{triu}(UU^\top)` packed, residuals
    ``out[0]`` :math:`= Pm - y`, :math:`g = w \odot P^\top \mathrm{res}`,
    :math:`G = \mathrm{sym}(g)\, U`. It calls no parallel kernel, so processes that only run
    data of at most :data:`lib.runtime.THREAD_BYTES` never load OpenMP."""
    pack_gram(U, m[0])
    chunk_range(P, m, y, bounds, 0, partial.shape[0], out, partial, coefficients)
    weighted_chunk_sum(partial, weight, g)
    symmetric_times(g, index, U, G)


@kernel(parallel=True)
def parallel_gradient(P, U, y, bounds, parts, weight, index, m, out, partial, coefficients, g, G):
    """:func:`serial_gradient` with the pass shared out to ``parts`` threads in one parallel
    region, cut as in :func:`parallel_chunks`; the packing, the chunk sum and the product stay
    on the calling thread (a region costs a sleeping thread's wake-up).

    The region is this kernel's own loop, not a call of :func:`parallel_chunks`: a cached
    kernel that calls a cached parallel kernel crashed (segmentation fault) when loaded from
    Numba's cache in a third process, after one process had cached the callee and another the
    caller (tests/test_kernel_cache.py)."""
    pack_gram(U, m[0])
    chunks = partial.shape[0]
    for part in prange(parts):
        chunk_range(P, m, y, bounds, chunks * part // parts, chunks * (part + 1) // parts,
                    out, partial, coefficients)
    weighted_chunk_sum(partial, weight, g)
    symmetric_times(g, index, U, G)
