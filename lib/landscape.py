r"""What a point of the regularised landscape holds: the signal directions it recovers, what
gradient descent from a random start ends at, and how much of a Hessian eigenvector rotates the
kept columns (landscape chapter, ``book/02_landscape.md``).

A signal direction :math:`v_j` (the j-th eigenvector of :math:`M^* = U^*U^{*\top}`, eigenvalue
:math:`s_j`) counts as *recovered* by :math:`U` when :math:`v_j^\top UU^\top v_j \ge s_j/2`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib._validation import check_float, check_instance, check_int, check_matrix
from lib.columns import column_norms
from lib.objective import Objective
from lib.optim import gradient_descent
from lib.problem import Problem


def recovered_directions(U: np.ndarray, U_star: np.ndarray) -> int:
    r"""Number of signal directions :math:`v_j` with :math:`v_j^\top UU^\top v_j \ge s_j/2`.

    Landscape chapter, section "Between the two bounds". :math:`(s_j, v_j)` are the nonzero
    eigenpairs of :math:`M^* = U^*U^{*\top}`.

    Parameters
    ----------
    U : ndarray, shape (d, k)
    U_star : ndarray, shape (d, r)

    Returns
    -------
    int
        Between 0 and r.
    """
    U_star = check_matrix("U_star", U_star)
    U = check_matrix("U", U, rows=U_star.shape[0])
    rank = U_star.shape[1]
    eigenvalues, eigenvectors = np.linalg.eigh(U_star @ U_star.T)
    signal, directions = eigenvalues[::-1][:rank], eigenvectors[:, ::-1][:, :rank]
    captured = np.sum((U.T @ directions) ** 2, axis=0)
    return int(np.sum(captured >= signal / 2))


def column_signal_fractions(U: np.ndarray, U_star: np.ndarray) -> np.ndarray:
    r"""Fraction of each column's squared norm that lies in the span of the signal,
    :math:`\|P u_j\|^2 / \|u_j\|^2` with :math:`P` the orthogonal projector onto the column
    space of :math:`U^*` (chapter 10: columns that survive pruning at high noise carry little
    signal). A zero column has fraction 0.

    Parameters
    ----------
    U : ndarray, shape (d, k)
    U_star : ndarray, shape (d, r)

    Returns
    -------
    ndarray, shape (k,)
        Values in [0, 1].
    """
    U_star = check_matrix("U_star", U_star)
    U = check_matrix("U", U, rows=U_star.shape[0])
    basis, _ = np.linalg.qr(U_star)
    total = np.sum(U**2, axis=0)
    inside = np.sum((basis.T @ U) ** 2, axis=0)
    return np.divide(inside, total, out=np.zeros_like(total), where=total > 0)


@dataclass(frozen=True)
class RandomStartOutcome:
    r"""What gradient descent from :math:`U_0 = \alpha G` ended at (landscape chapter).

    Attributes
    ----------
    directions : int
        Recovered signal directions (:func:`recovered_directions`).
    columns : int
        Columns with :math:`\|Ue_j\| > \tau`.
    large_eigenvalues : int
        Eigenvalues of :math:`UU^\top` above :math:`\tau^2`.
    """

    directions: int
    columns: int
    large_eigenvalues: int


def descend_from_random_start(problem: Problem, lam: float, beta: float, *, alpha: float,
                              seed: int, step: float, iterations: int,
                              threshold: float) -> RandomStartOutcome:
    r"""Gradient descent on :math:`f = L + \lambda R_\beta` from
    :math:`U_0 = \alpha G` (:math:`G` a standard Gaussian :math:`d \times d` matrix drawn with
    ``seed``), ``iterations`` steps of size ``step`` (tolerance :math:`10^{-9}` on the
    gradient norm); the end point's recovered directions, columns above ``threshold``
    :math:`\tau` and eigenvalues of :math:`UU^\top` above :math:`\tau^2`.

    Landscape chapter, section "Between the two bounds": the sweep over :math:`\lambda`,
    :math:`\alpha` and seeds.
    """
    check_instance("problem", problem, Problem)
    alpha = check_float("alpha", alpha, minimum=0.0, strict=True)
    seed = check_int("seed", seed, minimum=0)
    step = check_float("step", step, minimum=0.0, strict=True)
    iterations = check_int("iterations", iterations, minimum=1)
    threshold = check_float("threshold", threshold, minimum=0.0)
    objective = Objective(problem, lam=lam, beta=beta)
    d = problem.U_star.shape[0]
    U0 = alpha * np.random.default_rng(seed).standard_normal((d, d))
    U = gradient_descent(objective, U0, step, iterations, tol=1e-9, record_every=iterations).U
    return RandomStartOutcome(
        directions=recovered_directions(U, problem.U_star),
        columns=int(np.sum(column_norms(U) > threshold)),
        large_eigenvalues=int(np.sum(np.linalg.eigvalsh(U @ U.T) > threshold**2)))


def kept_rotation_fraction(U: np.ndarray, direction: np.ndarray, threshold: float) -> float:
    r"""Squared norm of the part of a unit ``direction`` (shape of ``U``) that rotates the kept
    columns among themselves.

    The kept columns are :math:`K = \{j : \|Ue_j\| > \tau\}`; the rotations are the tangents
    :math:`U_K\Omega` of :math:`U_K \mapsto U_K e^{t\Omega}`, :math:`\Omega` skew-symmetric,
    which leave :math:`UU^\top` unchanged. Returns :math:`\|P\,\mathrm{vec}(V)\|^2` with
    :math:`P` the orthogonal projection onto their span. Landscape chapter, section
    "Perturbed gradient descent and its certificate".
    """
    U = check_matrix("U", U)
    direction = check_matrix("direction", direction, rows=U.shape[0], cols=U.shape[1])
    threshold = check_float("threshold", threshold, minimum=0.0)
    kept = np.flatnonzero(column_norms(U) > threshold)
    if kept.size < 2:
        raise ValueError(f"U must have at least 2 columns above threshold={threshold} to "
                         f"rotate, got {kept.size}")
    tangents = []
    for a in range(kept.size):
        for b in range(a + 1, kept.size):
            skew = np.zeros((kept.size, kept.size))
            skew[a, b], skew[b, a] = 1.0, -1.0
            tangent = np.zeros_like(U)
            tangent[:, kept] = U[:, kept] @ skew
            tangents.append(tangent.ravel())
    basis = np.linalg.qr(np.array(tangents).T)[0]
    return float(np.sum((basis.T @ direction.ravel()) ** 2))
