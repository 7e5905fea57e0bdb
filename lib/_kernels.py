r"""The Numba kernels of :mod:`lib.streaming`, in their own module so that importing lib does not
import Numba: :func:`lib.streaming.fused_pass` imports this module on first use.

:func:`chunk_range` is the fused pass over some of the row chunks, on the calling thread;
:func:`parallel_chunks` splits the chunks between ``parts`` threads of Numba's threading layer
(OpenMP where available), whose workers wait for work actively between calls, so a hand-off
costs microseconds instead of the tens of microseconds of a Python thread pool. Both are
compiled on first use and cached on disk next to this file.
"""

from __future__ import annotations

import numba
import numpy as np

from lib.streaming import CHUNKS, GROUP

_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


@numba.njit(fastmath=_FASTMATH, nogil=True, cache=True, boundscheck=False)
def chunk_range(P, columns, y, bounds, first, last, out, partial, coefficients):
    """Chunks ``first`` to ``last - 1`` of the fused pass (see :mod:`lib.streaming`), each
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


@numba.njit(parallel=True, nogil=True, cache=True)
def parallel_chunks(P, columns, y, bounds, parts, out, partial, coefficients):
    """All chunks of the fused pass, cut into ``parts`` contiguous runs of chunks, one per
    thread: run ``part`` computes chunks ``CHUNKS * part // parts`` to
    ``CHUNKS * (part + 1) // parts - 1`` with :func:`chunk_range`."""
    for part in numba.prange(parts):
        chunk_range(P, columns, y, bounds, CHUNKS * part // parts, CHUNKS * (part + 1) // parts,
                    out, partial, coefficients)
