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

import functools

import numpy as np

from lib.sensing import PopulationSensingOperator, SampledSensingOperator
from lib.streaming import fused_gradient, fused_pass, packed_gram


def _float64(array: np.ndarray) -> np.ndarray:
    """``array`` as float64 (itself when it already is): results leave lib in float64."""
    return array.astype(np.float64, copy=False)


class GaussianOperator(SampledSensingOperator):
    r"""Symmetric Gaussian sensing, stored once and packed, read once per gradient.

    Setup chapter, section "Three ways to sense, and what each costs".

    Each :math:`A_i = (G_i + G_i^\top)/2` is stored as its upper triangle, ``T = d(d+1)/2`` numbers,
    with the off-diagonal entries multiplied by 2, so that
    :math:`\langle A_i, M\rangle = P_i \cdot \mathrm{triu}(M)` for symmetric :math:`M`. With
    :math:`m = \mathrm{triu}(UU^\top)` the loss and gradient are

    .. math::

        \mathrm{res} = P m - y, \qquad g = P^\top \mathrm{res}, \qquad
        \nabla L(U) = \frac4n\, \mathrm{sym}(g)\, U,

    where :math:`\mathrm{sym}(g)` is the symmetric d x d matrix with :math:`g_{ab}/2` at
    :math:`(a, b)` and :math:`(b, a)` off the diagonal and :math:`g_{aa}` on it. The data is
    read once per gradient by the compiled pass of :mod:`lib.streaming`, which computes the
    residual of a row and adds its share of :math:`P^\top \mathrm{res}` while the row is still
    in the core's cache; :func:`lib.streaming.fused_gradient` also packs :math:`UU^\top` and
    forms :math:`\mathrm{sym}(g)\, U` in the same compiled call, for data of every size (the
    Performance chapter compares it with two BLAS matrix-vector products, the reference
    implementation of ``benchmarks/blas_reference.py``). A gradient allocates O(n + d^2 + dk)
    besides the data.

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

    CURVATURE_PER_EIGENVALUE = 4.0
    CURVATURE_PER_TRACE = 0.0

    def __init__(self, packed: np.ndarray, y: np.ndarray, d: int) -> None:
        self.packed = np.ascontiguousarray(packed)
        self.y = y
        self.d = d
        self.n = packed.shape[0]
        rows, cols = np.triu_indices(d)
        self._upper = rows * d + cols
        packed_index = np.empty((d, d), dtype=np.intp)
        packed_index[rows, cols] = packed_index[cols, rows] = np.arange(rows.size)
        self._packed_index = packed_index.ravel()
        self._half_weight = 1.0 / self.off_diagonal_weight(d)
        self._gradient_weight = (4.0 / self.n) * self._half_weight

    @classmethod
    def from_ground_truth(cls, U_star: np.ndarray, *, n: int, sigma: float, dtype: np.dtype,
                          rng: np.random.Generator) -> GaussianOperator:
        r"""n packed Gaussian measurements of :math:`U^*U^{*\top}` plus N(0, sigma^2) noise,
        observed from the data as stored (see :func:`packed_gaussian_sensing`)."""
        d = U_star.shape[0]
        operator = cls(packed_gaussian_sensing(d, n, dtype, rng), np.zeros(n), d)
        operator.y = operator.measure(U_star @ U_star.T) + sigma * rng.standard_normal(n)
        return operator

    @staticmethod
    def off_diagonal_weight(d: int) -> np.ndarray:
        """Weights of the packed entries: 1 on the diagonal, 2 off it (row-major upper triangle)."""
        rows, cols = np.triu_indices(d)
        return np.where(rows == cols, 1.0, 2.0)

    def _pack(self, M: np.ndarray) -> np.ndarray:
        """Upper triangles of a (d, d) symmetric matrix or of a (c, d, d) stack, as (c, T) rows in
        the storage dtype (c = 1 for a single matrix)."""
        flat = M.reshape(-1, self.d * self.d)
        return np.take(flat, self._upper, axis=1).astype(self.packed.dtype, copy=False)

    def _symmetric(self, packed_sums: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """``weight``-scaled :math:`\\mathrm{sym}(g)` of one (T,) or several (c, T) packed sums."""
        S = np.take(packed_sums * weight, self._packed_index, axis=-1)
        return S.reshape((*S.shape[:-1], self.d, self.d))

    def _stream(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F[j] = P @ columns[j]`` (minus y for j = 0) and ``F[j] @ P``, for the c rows of
        ``columns`` (c, T), in float64: one compiled pass over the data, whose residuals have
        the bits of :func:`lib.streaming.fused_gradient`'s."""
        return fused_pass(self.packed, columns, self.y)

    def measure(self, M: np.ndarray) -> np.ndarray:
        """:math:`(\\langle A_i, M\\rangle)_i` for symmetric ``M``."""
        return (self.packed @ self._pack(M)[0]).astype(np.float64, copy=False)

    def adjoint(self, c: np.ndarray) -> np.ndarray:
        r""":math:`\sum_i c_i A_i` as a dense symmetric d x d matrix."""
        packed_sum = c.astype(self.packed.dtype, copy=False) @ self.packed
        return self._symmetric(packed_sum, self._half_weight)

    def residuals(self, U: np.ndarray) -> np.ndarray:
        """:math:`\\mathrm{res}_i = \\langle A_i, UU^T\\rangle - y_i`."""
        return self._stream(packed_gram(U, self.packed.dtype))[0][0]

    def value(self, U: np.ndarray) -> float:
        res = self.residuals(U)
        return float(res @ res) / self.n

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        res, grad = fused_gradient(self.packed, U, self.y, self._gradient_weight,
                                   self._packed_index)
        return float(res @ res) / self.n, grad

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        r"""One fused pass with two right-hand sides: :math:`m = \mathrm{triu}(UU^\top)` gives
        the residuals, :math:`\mathrm{triu}(UV^\top + VU^\top)` gives :math:`\delta`."""
        cross = U @ V.T
        pair = np.stack([U @ U.T, cross + cross.T])
        _, packed_sums = self._stream(self._pack(pair))
        S = self._symmetric(packed_sums, self._gradient_weight)
        return S[1] @ U + S[0] @ V

    def dense(self, block: int = 256) -> np.ndarray:
        """The (n, d, d) stack of sensing matrices (for tests, inspection and the hand-written
        baselines of ``benchmarks/``), filled ``block`` rows at a time, so that building it
        holds nothing besides the stack and the packed data but one block."""
        rows, cols = np.triu_indices(self.d)
        weights = self.off_diagonal_weight(self.d)
        stack = np.empty((self.n, self.d, self.d))
        for start in range(0, self.n, block):
            entries = self.packed[start:start + block] / weights
            rows_block = stack[start:start + block]
            rows_block[:, rows, cols] = entries
            rows_block[:, cols, rows] = entries
        return stack


def packed_gaussian_sensing(d: int, n: int, dtype: np.dtype,
                            rng: np.random.Generator) -> np.ndarray:
    r"""Packed upper triangles of n matrices :math:`A_i = (G_i + G_i^\top)/2`, off-diagonal
    entries doubled: diagonal :math:`\sim N(0, 1)`, stored off-diagonal :math:`\sim N(0, 2)`.
    Unchecked: :func:`lib.make_problem` checks d, n, dtype and the seed before it calls this.

    Setup chapter, section "The model".

    Drawn in float64 blocks of about 8 MB and written into the (n, d(d+1)/2) array of the
    requested dtype, so float32 storage holds the same instance rounded, and peak memory is the
    packed array plus one block.
    """
    width = d * (d + 1) // 2
    packed = np.empty((n, width), dtype=dtype)
    scale = np.sqrt(GaussianOperator.off_diagonal_weight(d))
    block = max(1, 2**20 // width)
    for start in range(0, n, block):
        rows = rng.standard_normal((min(block, n - start), width))
        rows *= scale
        packed[start:start + rows.shape[0]] = rows
    return packed


class RankOneOperator(SampledSensingOperator):
    r"""Rank-one sensing :math:`A_i = x_i x_i^\top`, never forming a d x d matrix.

    :math:`\langle A_i, UU^\top\rangle = \|U^\top x_i\|^2`, so with :math:`Z = XU` (n x k)

    .. math::

        \nabla L(U) = \frac4n X^\top (\mathrm{res} \odot Z),

        \nabla^2 L(U)[V] = \frac4n X^\top\big(\delta \odot Z + \mathrm{res} \odot XV\big),
        \quad \delta_i = 2 \langle Z_i, (XV)_i\rangle,

    an O(n d k) gradient. With float32 ``X`` the products run in single precision, the
    residuals and the loss in float64. This is also a width-k two-layer network with quadratic
    activations, :math:`f_U(x) = \sum_j \langle U e_j, x\rangle^2` (extension chapter).
    """

    CURVATURE_PER_EIGENVALUE = 8.0
    CURVATURE_PER_TRACE = 4.0

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X = X
        self.y = y
        self.n, self.d = X.shape

    @classmethod
    def from_ground_truth(cls, U_star: np.ndarray, *, n: int, sigma: float, dtype: np.dtype,
                          rng: np.random.Generator) -> RankOneOperator:
        r"""n inputs :math:`x_i \sim N(0, I_d)` stored in ``dtype``, observed in float64 with
        N(0, sigma^2) noise."""
        X = rng.standard_normal((n, U_star.shape[0])).astype(dtype, copy=False)
        clean = np.sum((X @ U_star) ** 2, axis=1)
        return cls(X, clean + sigma * rng.standard_normal(n))

    def _products(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:math:`Z = XU` in the storage dtype of X, and the residuals in float64."""
        Z = self.X @ U.astype(self.X.dtype, copy=False)
        return Z, np.einsum("ij,ij->i", Z, Z, dtype=np.float64) - self.y

    def residuals(self, U: np.ndarray) -> np.ndarray:
        return self._products(U)[1]

    def value(self, U: np.ndarray) -> float:
        res = self.residuals(U)
        return float(res @ res) / self.n

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        Z, res = self._products(U)
        weighted = res.astype(Z.dtype, copy=False)[:, None] * Z
        return float(res @ res) / self.n, (4.0 / self.n) * _float64(self.X.T @ weighted)

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        Z, res = self._products(U)
        W = self.X @ V.astype(self.X.dtype, copy=False)
        delta = 2.0 * np.einsum("ij,ij->i", Z, W)
        mixed = delta[:, None] * Z + res.astype(Z.dtype, copy=False)[:, None] * W
        return (4.0 / self.n) * _float64(self.X.T @ mixed)


class PopulationOperator(PopulationSensingOperator):
    r"""The population loss of Gaussian sensing, in closed form.

    .. math::

        L(U) = \|UU^\top - M^*\|_F^2 + \sigma^2
             = \|U^\top U\|_F^2 - 2\|U^{*\top} U\|_F^2 + \|U^{*\top} U^*\|_F^2 + \sigma^2,

        \nabla L(U) = 4\,(UU^\top - M^*)\, U = 4\big(U (U^\top U) - U^* (U^{*\top} U)\big),

        \nabla^2 L(U)[V] = 4\big(U(V^\top U) + U (U^\top V) + V (U^\top U)
                            - U^* (U^{*\top} V)\big).

    Loss and gradient are evaluated in the cheaper of two orders for the shape of U (d x k, with
    :math:`U^*` d x r): through the k x k Gram matrix :math:`U^\top U`, about
    :math:`1.5\,dk^2 + 2\,dkr` multiply-adds and no d x d matrix, or through the d x d error
    :math:`E = UU^\top - M^*`, about :math:`1.5\,d^2k + d^2` (:meth:`outer_order`). The second
    is the cheaper one from k = d on (a little below d too when r is large), so Figure 1's
    d = k = 500 takes it, and k much smaller than d (pruned models, the Performance chapter's
    d = 500, k = 20) takes the first. The
    Hessian-vector product uses the Gram order. With ``dtype=float32`` the products run
    in single precision (twice the rate of float64 on CPUs with SIMD; the loss is summed in
    float64, but it and the gradient are accurate to about 1e-7 of their scale, so recovery
    stalls near 1e-6 relative error). The chapter on failure without
    regularisation uses it to reproduce the paper's Figure 1 at d = k = 500.
    """

    CURVATURE_PER_EIGENVALUE = 4.0
    CURVATURE_PER_TRACE = 0.0

    def __init__(self, U_star: np.ndarray, sigma: float, dtype: type | str = np.float64) -> None:
        self.U_star = U_star
        self.noise_variance = sigma**2
        self.dtype = np.dtype(dtype)
        self._U_star = U_star.astype(self.dtype)
        gram_star = U_star.T @ U_star
        self._norm_star_sq = float(np.sum(gram_star * gram_star))

    def outer_order(self, k: int) -> bool:
        r"""Whether a width-k factor is cheaper through the d x d error :math:`UU^\top - M^*`
        (:math:`1.5\,d^2k + d^2` multiply-adds) than through :math:`U^\top U`
        (:math:`1.5\,dk^2 + 2\,dkr`)."""
        d, r = self.U_star.shape
        return 1.5 * d * d * k + d * d < 1.5 * d * k * k + 2 * d * k * r

    @functools.cached_property
    def _M_star(self) -> np.ndarray:
        """:math:`M^* = U^* U^{*\top}` in the compute dtype (made on first use of the d x d
        order)."""
        return self._U_star @ self._U_star.T

    def _error(self, U: np.ndarray) -> np.ndarray:
        """:math:`E = UU^\top - M^*`, d x d, for U in the compute dtype."""
        error = U @ U.T
        error -= self._M_star
        return error

    def _error_value(self, error: np.ndarray) -> float:
        """The loss (in float64) from :math:`E = UU^\top - M^*`."""
        return float(np.sum(error * error, dtype=np.float64)) + self.noise_variance

    def _gram(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """U in the compute dtype and :math:`U^\top U`."""
        U = U.astype(self.dtype, copy=False)
        return U, U.T @ U

    def _value(self, gram: np.ndarray, cross: np.ndarray) -> float:
        """The loss (in float64) from :math:`U^\top U` and :math:`U^{*\top} U`."""
        return float(np.sum(gram * gram, dtype=np.float64)
                     - 2.0 * np.sum(cross * cross, dtype=np.float64)
                     + self._norm_star_sq + self.noise_variance)

    def value(self, U: np.ndarray) -> float:
        if self.outer_order(U.shape[1]):
            return self._error_value(self._error(U.astype(self.dtype, copy=False)))
        U, gram = self._gram(U)
        return self._value(gram, self._U_star.T @ U)

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        # Scaling the small factor by 4 in place is exact (the same bits as scaling the
        # gradient) and allocates no temporary of the gradient's size: at d = k = 500 such a
        # temporary costs more than the scaling itself (fresh pages, benchmarks/).
        if self.outer_order(U.shape[1]):
            U = U.astype(self.dtype, copy=False)
            error = self._error(U)
            value = self._error_value(error)
            error *= 4.0
            return value, _float64(error @ U)
        U, gram = self._gram(U)
        cross = self._U_star.T @ U
        value = self._value(gram, cross)
        gram *= 4.0
        cross *= 4.0
        grad = U @ gram
        grad -= self._U_star @ cross
        return value, _float64(grad)

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        U, gram = self._gram(U)
        V = V.astype(self.dtype, copy=False)
        mixed = V.T @ U
        out = U @ (mixed + mixed.T)
        out += V @ gram
        out -= self._U_star @ (self._U_star.T @ V)
        out *= 4.0
        return _float64(out)
