r"""Measurement operators: the data-fit loss :math:`L(U)` and its derivatives, one class per design.

All three classes expose the same three methods, used by :class:`lib.Objective`:

* ``value(U)`` returns :math:`L(U)`,
* ``value_and_grad(U)`` returns :math:`(L(U), \nabla L(U))` sharing the forward pass,
* ``hvp(U, V)`` returns the Hessian-vector product :math:`\nabla^2 L(U)[V]`.

With residuals :math:`\mathrm{res}_i = \langle A_i, UU^\top\rangle - y_i` the empirical loss is

.. math::

    L(U) = \frac1n \sum_i \mathrm{res}_i^2, \qquad
    \nabla L(U) = \frac4n \Big(\sum_i \mathrm{res}_i A_i\Big) U,

    \nabla^2 L(U)[V] = \frac4n \Big(\sum_i \delta_i A_i\Big) U
        + \frac4n \Big(\sum_i \mathrm{res}_i A_i\Big) V,
    \qquad \delta_i = \langle A_i, UV^\top + VU^\top\rangle .

Used in every chapter (the setup chapter checks these formulas against finite differences).
"""

from __future__ import annotations

import numpy as np


class GaussianOperator:
    r"""Symmetric Gaussian sensing, stored once and packed.

    Each :math:`A_i = (G_i + G_i^\top)/2` is stored as its upper triangle, ``T = d(d+1)/2`` numbers,
    with the off-diagonal entries multiplied by 2, so that
    :math:`\langle A_i, M\rangle = P_i \cdot \mathrm{triu}(M)` for symmetric :math:`M`. The forward
    map is then one matrix-vector product ``P @ triu(M)`` and the adjoint ``res @ P``; each
    gradient reads the packed data twice and allocates nothing of size ``n * d**2``.

    Parameters
    ----------
    packed : ndarray, shape (n, d(d+1)/2)
        Packed sensing data (float64 or float32; with float32 the products run in single
        precision and residuals, losses and gradients are accumulated in float64).
    y : ndarray, shape (n,)
        Observations.
    d : int
        Matrix dimension.
    """

    kind = "gaussian"

    def __init__(self, packed: np.ndarray, y: np.ndarray, d: int) -> None:
        self.packed = packed
        self.y = y
        self.d = d
        self.n = packed.shape[0]
        rows, cols = np.triu_indices(d)
        self._flat_upper = rows * d + cols

    @staticmethod
    def off_diagonal_weight(d: int) -> np.ndarray:
        """Weights of the packed entries: 1 on the diagonal, 2 off it (row-major upper triangle)."""
        rows, cols = np.triu_indices(d)
        return np.where(rows == cols, 1.0, 2.0)

    def _pack(self, M: np.ndarray) -> np.ndarray:
        return M.ravel()[self._flat_upper].astype(self.packed.dtype, copy=False)

    def measure(self, M: np.ndarray) -> np.ndarray:
        """:math:`(\\langle A_i, M\\rangle)_i` for symmetric ``M``."""
        return (self.packed @ self._pack(M)).astype(np.float64, copy=False)

    def adjoint(self, c: np.ndarray) -> np.ndarray:
        r""":math:`\sum_i c_i A_i` as a dense symmetric d x d matrix."""
        packed_sum = c.astype(self.packed.dtype, copy=False) @ self.packed
        S = np.zeros((self.d, self.d))
        S.ravel()[self._flat_upper] = packed_sum
        return (S + S.T) / 2

    def residuals(self, U: np.ndarray) -> np.ndarray:
        """:math:`\\mathrm{res}_i = \\langle A_i, UU^T\\rangle - y_i`."""
        return self.measure(U @ U.T) - self.y

    def value(self, U: np.ndarray) -> float:
        res = self.residuals(U)
        return float(res @ res) / self.n

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        res = self.residuals(U)
        return float(res @ res) / self.n, (4.0 / self.n) * (self.adjoint(res) @ U)

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        res = self.residuals(U)
        cross = U @ V.T
        delta = self.measure(cross + cross.T)
        return (4.0 / self.n) * (self.adjoint(delta) @ U + self.adjoint(res) @ V)

    def dense(self) -> np.ndarray:
        """The (n, d, d) stack of sensing matrices (for tests and inspection only)."""
        rows, cols = np.triu_indices(self.d)
        weights = self.off_diagonal_weight(self.d)
        stack = np.zeros((self.n, self.d, self.d))
        entries = self.packed / weights
        stack[:, rows, cols] = entries
        stack[:, cols, rows] = entries
        return stack


class RankOneOperator:
    r"""Rank-one sensing :math:`A_i = x_i x_i^\top`, never forming a d x d matrix.

    :math:`\langle A_i, UU^\top\rangle = \|U^\top x_i\|^2`, so with :math:`Z = XU` (n x k)

    .. math::

        \nabla L(U) = \frac4n X^\top (\mathrm{res} \odot Z), \qquad
        \nabla^2 L(U)[V] = \frac4n X^\top\big(\delta \odot Z + \mathrm{res} \odot XV\big),
        \quad \delta_i = 2 \langle Z_i, (XV)_i\rangle,

    an O(n d k) gradient. This is also a width-k two-layer network with quadratic activations,
    :math:`f_U(x) = \sum_j \langle U e_j, x\rangle^2` (extension chapter).
    """

    kind = "rank_one"

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X = X
        self.y = y
        self.n, self.d = X.shape

    def residuals(self, U: np.ndarray) -> np.ndarray:
        Z = self.X @ U
        return np.einsum("ij,ij->i", Z, Z) - self.y

    def value(self, U: np.ndarray) -> float:
        res = self.residuals(U)
        return float(res @ res) / self.n

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        Z = self.X @ U
        res = np.einsum("ij,ij->i", Z, Z) - self.y
        return float(res @ res) / self.n, (4.0 / self.n) * (self.X.T @ (res[:, None] * Z))

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        Z = self.X @ U
        W = self.X @ V
        res = np.einsum("ij,ij->i", Z, Z) - self.y
        delta = 2.0 * np.einsum("ij,ij->i", Z, W)
        return (4.0 / self.n) * (self.X.T @ (delta[:, None] * Z + res[:, None] * W))


class PopulationOperator:
    r"""The population loss of Gaussian sensing, in closed form.

    .. math::

        L(U) = \|UU^\top - M^*\|_F^2 + \sigma^2
             = \|U^\top U\|_F^2 - 2\|U^{*\top} U\|_F^2 + \|U^{*\top} U^*\|_F^2 + \sigma^2,

        \nabla L(U) = 4\big(U (U^\top U) - U^* (U^{*\top} U)\big),

        \nabla^2 L(U)[V] = 4\big(U(V^\top U) + U (U^\top V) + V (U^\top U)
                            - U^* (U^{*\top} V)\big),

    all in O(d k^2 + d k r) without any d x d matrix. The chapter on failure without
    regularisation uses it to reproduce the paper's Figure 1 at d = k = 500.
    """

    kind = "population"

    def __init__(self, U_star: np.ndarray, sigma: float) -> None:
        self.U_star = U_star
        self.noise_variance = sigma**2
        gram_star = U_star.T @ U_star
        self._norm_star_sq = float(np.sum(gram_star * gram_star))

    def value(self, U: np.ndarray) -> float:
        gram = U.T @ U
        cross = self.U_star.T @ U
        return float(np.sum(gram * gram) - 2.0 * np.sum(cross * cross)
                     + self._norm_star_sq + self.noise_variance)

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        gram = U.T @ U
        cross = self.U_star.T @ U
        value = float(np.sum(gram * gram) - 2.0 * np.sum(cross * cross)
                      + self._norm_star_sq + self.noise_variance)
        return value, 4.0 * (U @ gram - self.U_star @ cross)

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        gram = U.T @ U
        mixed = V.T @ U
        return 4.0 * (U @ (mixed + mixed.T) + V @ gram - self.U_star @ (self.U_star.T @ V))
