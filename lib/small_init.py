r"""Why plain gradient descent from a small start is not prunable (failure chapter).

Two explicit predictions (ours, not quotations of the paper) for unregularised gradient descent
on the population loss :math:`\|UU^\top - M^*\|_F^2` from :math:`U_0 = \alpha G`:

* :func:`limit_column_norms`: the column norms it converges to, computed from :math:`U_0` alone
  (the power-method picture of the failure chapter, section "The mechanism: a power method on
  random projections", made exact for :math:`\kappa = 1`);
* :func:`predicted_fraction_above`: the fraction of columns whose norm is at least c times the
  largest, when the norms are spread like those of r-dimensional Gaussian projections
  (:math:`\chi_r`; half-Gaussian for r = 1).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi

from lib._validation import check_float, check_instance, check_int, check_matrix, check_vector
from lib.certificate import suggest_step
from lib.objective import Objective
from lib.optim import gradient_descent


def signal_projection_norms(U0: np.ndarray, U_star: np.ndarray) -> np.ndarray:
    r"""Norms :math:`\|Q^\top U_0 e_j\|_2` of the columns of ``U0`` projected onto the column
    space of ``U_star`` (Q an orthonormal basis of it).

    Failure chapter, section "The mechanism: a power method on random projections".

    Parameters
    ----------
    U0 : ndarray, shape (d, k)
    U_star : ndarray, shape (d, r)

    Returns
    -------
    ndarray, shape (k,)
    """
    U_star = check_matrix("U_star", U_star)
    U0 = check_matrix("U0", U0, rows=U_star.shape[0])
    basis = np.linalg.svd(U_star, full_matrices=False)[0]
    return np.linalg.norm(basis.T @ U0, axis=0)


def limit_column_norms(U0: np.ndarray, U_star: np.ndarray) -> np.ndarray:
    r"""Column norms reached by unregularised gradient descent on the population loss from a
    small start ``U0``, when :math:`M^* = s\,QQ^\top` (all singular values of :math:`U^*` equal).

    Failure chapter, section "The mechanism: a power method on random projections".

    With :math:`B_t = Q^\top U_t` (r x k) the signal part, and neglecting the part of
    :math:`U_0` orthogonal to the signal (of order :math:`\alpha`, whose effect on
    :math:`B_t` is of order :math:`\alpha^2`), one step is

    .. math:: B_{t+1} = \big(I - 4\eta(B_tB_t^\top - sI)\big)B_t,

    a left multiplication, so :math:`B_t = C_t B_0`. :math:`D_t = C_t (B_0B_0^\top)^{1/2}`
    stays a symmetric function of :math:`B_0B_0^\top` and each eigenvalue follows
    :math:`x \mapsto x - 4\eta(x^3 - s x) \to \sqrt s`. Hence

    .. math:: \|U_\infty e_j\|_2 = \sqrt{s}\,\big\|(B_0B_0^\top)^{-1/2} B_0 e_j\big\|_2,

    i.e. each final norm is the initial projection norm :math:`\|B_0 e_j\|`, rescaled by a
    common (nearly isotropic, for k >> r) matrix. The scalar map is locally stable at
    :math:`\sqrt s` for steps :math:`\eta < 1/(4s)`.

    Parameters
    ----------
    U0 : ndarray, shape (d, k), k >= r
    U_star : ndarray, shape (d, r), with equal singular values (kappa = 1)

    Returns
    -------
    ndarray, shape (k,)
    """
    U_star = check_matrix("U_star", U_star)
    U0 = check_matrix("U0", U0, rows=U_star.shape[0])
    basis, singular_values, _ = np.linalg.svd(U_star, full_matrices=False)
    if not np.allclose(singular_values, singular_values[0], rtol=1e-8, atol=0.0):
        raise ValueError("U_star must have equal singular values (kappa = 1) for the closed form, "
                         f"got singular values {np.round(singular_values, 6)}")
    if U0.shape[1] < U_star.shape[1]:
        raise ValueError(f"U0 must have at least r = {U_star.shape[1]} columns, "
                         f"got {U0.shape[1]}")
    B0 = basis.T @ U0
    eigenvalues, eigenvectors = np.linalg.eigh(B0 @ B0.T)
    if eigenvalues[0] <= 0.0:
        raise ValueError("the projection of U0 onto the signal subspace is rank deficient: "
                         "some signal direction never grows from this start")
    whitening = (eigenvectors / np.sqrt(eigenvalues)) @ eigenvectors.T
    return singular_values[0] * np.linalg.norm(whitening @ B0, axis=0)


def chi_max(k: int, r: int) -> float:
    r"""Typical largest of k i.i.d. :math:`\chi_r` variables: the level :math:`m_k` with
    :math:`k\,P(\chi_r \ge m_k) = 1` (for r = 1, :math:`\sqrt{2\ln k}` to leading order).

    Failure chapter, section "How many columns are comparable to the largest?".
    """
    k = check_int("k", k, minimum=1)
    r = check_int("r", r, minimum=1)
    return float(chi.isf(1.0 / k, r)) if k > 1 else float(chi.median(r))


def predicted_fraction_above(c: object, r: int, max_value: float) -> np.ndarray:
    r"""Predicted fraction of columns with norm at least ``c`` times the largest, when the
    column norms are i.i.d. :math:`\chi_r` up to a common scale and the largest equals
    ``max_value`` (in :math:`\chi_r` units):

    Failure chapter, section "How many columns are comparable to the largest?".

    .. math:: F(c) = P(\chi_r \ge c\, m).

    With :math:`m = m_k \approx \sqrt{2\ln k}` this is about
    :math:`k^{-c^2}(c^2\ln k)^{r/2-1}/\Gamma(r/2)`: so about :math:`k^{1-c^2}` columns exceed
    c times the largest for r = 1 (half-Gaussian), and a log factor more for r > 2.

    Parameters
    ----------
    c : float or ndarray, shape (m,)
        Fractions of the largest norm, in [0, 1].
    r : int
        Degrees of freedom (the rank of the signal).
    max_value : float
        The largest norm in :math:`\chi_r` units (measured, or :func:`chi_max`).

    Returns
    -------
    float or ndarray
        A float for a float ``c``, else shape (m,).
    """
    one = isinstance(c, numbers.Real)
    fractions = check_vector("c", [check_float("c", c)] if one else c, minimum=0.0, maximum=1.0)
    r = check_int("r", r, minimum=1)
    max_value = check_float("max_value", max_value, minimum=0.0, strict=True)
    values = chi.sf(fractions * max_value, r)
    return float(values[0]) if one else values


@dataclass(frozen=True)
class ComponentPath:
    """A quantity recorded along gradient descent.

    Attributes
    ----------
    steps : ndarray of int
        The iterations at which it was recorded.
    values : ndarray
        Its value at each of them.
    """

    steps: np.ndarray
    values: np.ndarray


def orthogonal_component_path(obj: Objective, U0: np.ndarray, U_star: np.ndarray,
                              iterations: int, *, every: int = 10) -> ComponentPath:
    r"""Largest component of a column orthogonal to the column space of ``U_star``,
    :math:`\max_j \|P_\perp U_t e_j\|_2` with :math:`P_\perp = I - QQ^\top`, recorded every
    ``every`` steps of gradient descent on ``obj`` from ``U0`` with the step
    :func:`lib.certificate.suggest_step`, for exactly ``iterations`` steps.

    Quadratic-network chapter, section "Junk neurons grow first and die later": under rank-one
    sensing these "junk" components first grow, under Gaussian sensing they only shrink.

    Parameters
    ----------
    obj : Objective
    U0 : ndarray, shape (d, k)
        Start.
    U_star : ndarray, shape (d, r)
        Spans the signal subspace.
    iterations, every : int
        Number of steps, and the recording interval.
    """
    check_instance("obj", obj, Objective)
    U_star = check_matrix("U_star", U_star, rows=obj.problem.d)
    U0 = check_matrix("U0", U0, rows=obj.problem.d)
    iterations = check_int("iterations", iterations, minimum=1)
    every = check_int("every", every, minimum=1)
    basis = np.linalg.qr(U_star)[0]
    orthogonal_projector = np.eye(U_star.shape[0]) - basis @ basis.T
    record = []

    def watch(iteration: int, U: np.ndarray, value: float) -> None:
        if iteration % every == 0:
            record.append(np.linalg.norm(orthogonal_projector @ U, axis=0).max())

    gradient_descent(obj, U0, suggest_step(obj, U0), iterations, tol=0.0, callback=watch)
    return ComponentPath(steps=every * np.arange(len(record)), values=np.array(record))
