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

#: Packed sensing data up to this size (the 8 MiB L3 of the reference machine) is read in one
#: block, two BLAS calls per gradient: it stays in cache between them, and more calls only add
#: overhead (d = 50, n = 750, 7.6 MB: 0.47 ms per gradient in one block, 0.65 ms in two).
SINGLE_BLOCK_BYTES = 2**23
#: Above that, the gradient streams the data in row blocks of about this size, each small
#: enough to stay in the cache between its forward and its adjoint product. The block sweep of
#: ``benchmarks/bench_gradient.py`` picks 4 MiB (half the 8 MiB L3 of the 2-core reference
#: machine): fastest with 2 BLAS threads, within 5% of the best with one.
FUSED_BLOCK_BYTES = 2**22


def row_blocks(n: int, row_bytes: int, *, block_bytes: int = FUSED_BLOCK_BYTES,
               single_block_bytes: int = SINGLE_BLOCK_BYTES) -> tuple[slice, ...]:
    """Row slices of an (n, T) array with ``row_bytes`` bytes per row, for the fused pass.

    One slice when the whole array is at most ``single_block_bytes``, otherwise slices of
    ``max(1, block_bytes // row_bytes)`` rows (the last one shorter).
    """
    if n * row_bytes <= single_block_bytes:
        return (slice(0, n),)
    rows = max(1, block_bytes // row_bytes)
    return tuple(slice(start, min(start + rows, n)) for start in range(0, n, rows))


class GaussianOperator:
    r"""Symmetric Gaussian sensing, stored once and packed, read once per gradient.

    Each :math:`A_i = (G_i + G_i^\top)/2` is stored as its upper triangle, ``T = d(d+1)/2`` numbers,
    with the off-diagonal entries multiplied by 2, so that
    :math:`\langle A_i, M\rangle = P_i \cdot \mathrm{triu}(M)` for symmetric :math:`M`. With
    :math:`m = \mathrm{triu}(UU^\top)` the loss and gradient are

    .. math::

        \mathrm{res} = P m - y, \qquad g = P^\top \mathrm{res}, \qquad
        \nabla L(U) = \frac4n\, \mathrm{sym}(g)\, U,

    where :math:`\mathrm{sym}(g)` is the symmetric d x d matrix with :math:`g_{ab}/2` at
    :math:`(a, b)` and :math:`(b, a)` off the diagonal and :math:`g_{aa}` on it. Row i of the
    residual needs only row i of P, so the gradient is *fused*: it walks over row blocks of P
    (:func:`row_blocks`), and for each block computes the block's residuals and adds its share of
    :math:`P^\top \mathrm{res}` while the block is still in cache. Memory then streams the packed
    data once per gradient (instead of twice) with two BLAS matrix-vector products per block,
    and allocates O(n + d^2 + dk) besides.

    Parameters
    ----------
    packed : ndarray, shape (n, d(d+1)/2)
        Packed sensing data (float64 or float32; with float32 the products run in single
        precision and residuals, losses and gradients are accumulated in float64).
    y : ndarray, shape (n,)
        Observations.
    d : int
        Matrix dimension.
    block_bytes, single_block_bytes : int
        Block size of the fused pass and the size up to which the data is one block
        (:func:`row_blocks`); the defaults suit the 8 MiB L3 cache of the reference machine.
    """

    kind = "gaussian"

    def __init__(self, packed: np.ndarray, y: np.ndarray, d: int, *,
                 block_bytes: int = FUSED_BLOCK_BYTES,
                 single_block_bytes: int = SINGLE_BLOCK_BYTES) -> None:
        self.packed = packed
        self.y = y
        self.d = d
        self.n = packed.shape[0]
        rows, cols = np.triu_indices(d)
        self._upper = rows * d + cols
        self._lower = cols * d + rows
        self._half_weight = np.where(rows == cols, 1.0, 0.5)
        self._gradient_weight = (4.0 / self.n) * self._half_weight
        blocks = row_blocks(self.n, packed.shape[1] * packed.itemsize, block_bytes=block_bytes,
                            single_block_bytes=single_block_bytes)
        self._blocks = tuple((span, packed[span]) for span in blocks)

    @staticmethod
    def off_diagonal_weight(d: int) -> np.ndarray:
        """Weights of the packed entries: 1 on the diagonal, 2 off it (row-major upper triangle)."""
        rows, cols = np.triu_indices(d)
        return np.where(rows == cols, 1.0, 2.0)

    def _pack(self, M: np.ndarray) -> np.ndarray:
        """Upper triangles of a (d, d) symmetric matrix or of a (c, d, d) stack, as (c, T) rows in
        the storage dtype (c = 1 for a single matrix)."""
        return M.reshape(-1, self.d * self.d)[:, self._upper].astype(self.packed.dtype, copy=False)

    def _symmetric(self, packed_sums: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """``weight``-scaled :math:`\\mathrm{sym}(g)` of one (T,) or several (c, T) packed sums."""
        values = packed_sums * weight
        S = np.empty((*values.shape[:-1], self.d * self.d))
        S[..., self._upper] = values
        S[..., self._lower] = values
        return S.reshape((*values.shape[:-1], self.d, self.d))

    def _stream(self, columns: np.ndarray, adjoint: bool) -> tuple[np.ndarray, np.ndarray]:
        """``F[j] = P @ columns[j]`` (minus y for j = 0) and, if ``adjoint``, ``F[j] @ P``, for
        the c rows of ``columns`` (c, T), in float64. Fused: each row block of P is read once
        from memory for all the matrix-vector products that need it (BLAS gemv; a gemm with
        c = 2 columns would repack the block)."""
        count = columns.shape[0]
        out = np.empty((count, self.n))
        total = np.zeros((count, columns.shape[1]))
        for rows, block in self._blocks:
            for j in range(count):
                out_block = out[j, rows]
                np.matmul(block, columns[j], out=out_block)
                if j == 0:
                    out_block -= self.y[rows]
                if adjoint:
                    total[j] += out_block.astype(block.dtype, copy=False) @ block
        return out, total

    def measure(self, M: np.ndarray) -> np.ndarray:
        """:math:`(\\langle A_i, M\\rangle)_i` for symmetric ``M``."""
        return (self.packed @ self._pack(M)[0]).astype(np.float64, copy=False)

    def adjoint(self, c: np.ndarray) -> np.ndarray:
        r""":math:`\sum_i c_i A_i` as a dense symmetric d x d matrix."""
        packed_sum = c.astype(self.packed.dtype, copy=False) @ self.packed
        return self._symmetric(packed_sum, self._half_weight)

    def residuals(self, U: np.ndarray) -> np.ndarray:
        """:math:`\\mathrm{res}_i = \\langle A_i, UU^T\\rangle - y_i`."""
        return self._stream(self._pack(U @ U.T), adjoint=False)[0][0]

    def value(self, U: np.ndarray) -> float:
        res = self.residuals(U)
        return float(res @ res) / self.n

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        res, packed_sum = self._stream(self._pack(U @ U.T), adjoint=True)
        return (float(res[0] @ res[0]) / self.n,
                self._symmetric(packed_sum[0], self._gradient_weight) @ U)

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        r"""One fused pass with two right-hand sides: :math:`m = \mathrm{triu}(UU^\top)` gives
        the residuals, :math:`\mathrm{triu}(UV^\top + VU^\top)` gives :math:`\delta`."""
        cross = U @ V.T
        pair = np.stack([U @ U.T, cross + cross.T])
        _, packed_sums = self._stream(self._pack(pair), adjoint=True)
        S = self._symmetric(packed_sums, self._gradient_weight)
        return S[1] @ U + S[0] @ V

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
        grad = U @ (4.0 * gram)  # scaling the k x k factor by 4 is exact: same bits, one pass less
        grad -= self.U_star @ (4.0 * cross)
        return value, grad

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        gram = U.T @ U
        mixed = V.T @ U
        return 4.0 * (U @ (mixed + mixed.T) + V @ gram - self.U_star @ (self.U_star.T @ V))
