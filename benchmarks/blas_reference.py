r"""The BLAS reference implementation of the packed Gaussian operator (Performance chapter).

:class:`lib.operators.GaussianOperator` reads the packed data :math:`P` once per gradient in
compiled code. The reference reads it with two BLAS matrix-vector products and NumPy around
them,

.. math::

    \mathrm{res} = P m - y, \quad m = \mathrm{triu}(UU^\top), \qquad
    g = P^\top \mathrm{res}, \qquad \nabla L(U) = \frac4n\, \mathrm{sym}(g)\, U,

the obvious way to write the same formulas. The tests check the compiled code against it, and
``bench_gradient.regime_comparison`` times the two.
"""

from __future__ import annotations

import numpy as np

from lib.operators import GaussianOperator


class BlasGaussianOperator(GaussianOperator):
    """:class:`lib.operators.GaussianOperator` with every read of the data done by BLAS."""

    def _stream(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F[j] = P @ columns[j]`` (minus y for j = 0) and ``F[j] @ P`` in float64, two BLAS
        matrix-vector products per row of ``columns``."""
        out = np.empty((columns.shape[0], self.n))
        total = np.empty(columns.shape)
        for j, column in enumerate(columns):
            out[j] = self.packed @ column
            if j == 0:
                out[0] -= self.y
            total[j] = out[j].astype(self.packed.dtype, copy=False) @ self.packed
        return out, total

    def residuals(self, U: np.ndarray) -> np.ndarray:
        return self.measure(U @ U.T) - self.y

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        res = self.residuals(U)
        packed_sum = res.astype(self.packed.dtype, copy=False) @ self.packed
        return float(res @ res) / self.n, self._symmetric(packed_sum, self._gradient_weight) @ U
