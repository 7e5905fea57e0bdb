r"""The Numba kernels of :mod:`lib.streaming`, in their own module so that importing lib does not
import Numba: :mod:`lib.streaming` imports this module on first use.

:func:`chunk_range` is the fused pass over some of the row chunks, on the calling thread;
:func:`parallel_chunks` splits the chunks between ``parts`` threads of Numba's threading layer
(OpenMP where available), whose workers wait for work actively between calls, so a hand-off
costs microseconds instead of the tens of microseconds of a Python thread pool.
:func:`serial_gradient` and :func:`parallel_gradient` are a whole gradient of the Gaussian loss
in one call: :func:`pack_gram`, the fused pass, :func:`weighted_chunk_sum` and
:func:`symmetric_times` (on a d = k = 50 problem, the NumPy calls around the pass had cost
about a third of the gradient). :func:`add_group_lasso` is the penalty's share of a gradient
step, for every kind of sensing (:func:`lib.regularizer.add_penalty`). All are compiled on
first use and cached on disk next to this file.

Determinism: every output entry is computed by the same code in the same order whichever
thread computes it, so the results do not depend on ``parts``. Only :func:`pack_gram` and
:func:`chunk_range` use ``fastmath`` reassociation (for SIMD sums); the tail is plain IEEE.
"""

from __future__ import annotations

import numba
import numpy as np

from lib.streaming import GROUP

# Numba's on-disk cache is keyed to this file only, so the kernels take the number of chunks
# from the shape of ``partial`` rather than from lib.streaming.CHUNKS (a changed constant there
# would not recompile them). The group loop of chunk_range is unrolled by hand for eight rows:
if GROUP != 8:
    raise ImportError(f"lib._kernels is written for lib.streaming.GROUP = 8, not {GROUP}")

_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


@numba.njit(fastmath=_FASTMATH, nogil=True, cache=True, boundscheck=False)
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


@numba.njit(parallel=True, nogil=True, cache=True)
def parallel_chunks(P, columns, y, bounds, parts, out, partial, coefficients):
    """All chunks of the fused pass, cut into ``parts`` contiguous runs of chunks, one per
    thread: of the ``chunks = partial.shape[0]``, run ``part`` computes ``chunks * part //
    parts`` to ``chunks * (part + 1) // parts - 1`` with :func:`chunk_range`."""
    chunks = partial.shape[0]
    for part in numba.prange(parts):
        chunk_range(P, columns, y, bounds, chunks * part // parts, chunks * (part + 1) // parts,
                    out, partial, coefficients)


@numba.njit(fastmath=_FASTMATH, nogil=True, cache=True, boundscheck=False)
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


@numba.njit(nogil=True, cache=True, boundscheck=False)
def weighted_chunk_sum(partial, weight, first, last, g):
    r"""Entries ``first`` to ``last - 1`` of :math:`g_t = w_t \sum_c \mathrm{partial}_{c,0,t}`,
    summed in float64 in chunk order. (The loops run over views: LLVM vectorises a loop over
    ``range(view.shape[0])``, not one over ``range(first, last)``, 3x slower here.)"""
    total = g[first:last]
    for t in range(total.shape[0]):
        total[t] = 0.0
    for chunk in range(partial.shape[0]):
        block = partial[chunk, 0, first:last]
        for t in range(total.shape[0]):
            total[t] += block[t]
    scale = weight[first:last]
    for t in range(total.shape[0]):
        total[t] *= scale[t]


@numba.njit(nogil=True, cache=True, boundscheck=False)
def symmetric_times(g, index, U, first, last, G):
    r"""Rows ``first`` to ``last - 1`` of :math:`G = \mathrm{sym}(g)\, U`, where
    :math:`\mathrm{sym}(g)_{ab} = g_{\mathrm{index}[a d + b]}` (``index`` maps both (a, b) and
    (b, a) to their packed entry)."""
    d = U.shape[0]
    for a in range(first, last):
        row = G[a]
        for j in range(row.shape[0]):
            row[j] = 0.0
        for b in range(d):
            coefficient = g[index[a * d + b]]
            row_b = U[b]
            for j in range(row.shape[0]):
                row[j] += coefficient * row_b[j]


@numba.njit(nogil=True, cache=True)
def serial_gradient(P, U, y, bounds, weight, index, m, out, partial, coefficients, g, G):
    r"""A gradient on the calling thread: :math:`m = \mathrm{triu}(UU^\top)` packed, residuals
    ``out[0]`` :math:`= Pm - y`, :math:`g = w \odot P^\top \mathrm{res}`,
    :math:`G = \mathrm{sym}(g)\, U`."""
    pack_gram(U, m[0])
    chunk_range(P, m, y, bounds, 0, partial.shape[0], out, partial, coefficients)
    weighted_chunk_sum(partial, weight, 0, g.shape[0], g)
    symmetric_times(g, index, U, 0, U.shape[0], G)


@numba.njit(parallel=True, nogil=True, cache=True)
def parallel_gradient(P, U, y, bounds, parts, weight, index, m, out, partial, coefficients, g, G):
    """:func:`serial_gradient` with the pass, the chunk sum and the rows of G each cut into
    ``parts`` contiguous runs, one per thread (the packing, 3% of the
    multiply-adds at d = k = 50, stays serial)."""
    pack_gram(U, m[0])
    parallel_chunks(P, m, y, bounds, parts, out, partial, coefficients)
    width = g.shape[0]
    for part in numba.prange(parts):
        weighted_chunk_sum(partial, weight, width * part // parts, width * (part + 1) // parts, g)
    d = U.shape[0]
    for part in numba.prange(parts):
        symmetric_times(g, index, U, d * part // parts, d * (part + 1) // parts, G)


@numba.njit(nogil=True, cache=True, boundscheck=False)
def add_group_lasso(U, beta, ratio, lam, grad):
    r"""Add :math:`\lambda \nabla R_\beta(U) = \lambda\, U \mathrm{diag}(w(s_j))` to ``grad``
    and return :math:`R_\beta(U) = \sum_j \psi_\beta(s_j)`, :math:`s_j = \|U e_j\|^2`: the
    formulas of :mod:`lib.regularizer` (``ratio``: :math:`\psi = s/\sqrt{s+\beta}`,
    :math:`w = (s+2\beta)/(s+\beta)^{3/2}`; else :math:`\psi = s/(\sqrt{s+\beta}+\sqrt\beta)`,
    :math:`w = 1/\sqrt{s+\beta}`), in three loops instead of a dozen NumPy calls
    (tests/test_properties.py checks that both agree)."""
    d, k = U.shape
    norms = np.zeros(k)
    for a in range(d):
        row = U[a]
        for j in range(k):
            norms[j] += row[j] * row[j]
    value = 0.0
    scale = np.empty(k)
    for j in range(k):
        s = norms[j]
        root = np.sqrt(s + beta)
        if ratio:
            value += s / root
            scale[j] = lam * ((s + 2.0 * beta) / ((s + beta) * root))
        else:
            value += s / (root + np.sqrt(beta))
            scale[j] = lam / root
    for a in range(d):
        row = U[a]
        out = grad[a]
        for j in range(k):
            out[j] += scale[j] * row[j]
    return value
