r"""Explicit formulas the chapters put next to measurements (landscape, pruning-threshold and
fine-tuning chapters).

These are *our* derivations for the population objective
:math:`f(U) = \|UU^\top - M^*\|_F^2 + \lambda R_\beta(U)` (Gaussian sensing, or its expectation;
the formulas at :math:`U = 0` take each sensing kind's constants from :mod:`lib.registry`, so
rank-one sensing, the quadratic network of the extension chapter, is covered too);
none is a quotation of the paper, whose exact constants are not known to us. Each is checked
against a direct numerical computation in ``tests/test_theory.py``. Notation:
:math:`s_1 \ge \dots \ge s_r` are the eigenvalues of :math:`M^*` and
:math:`w(s) = 2\psi_\beta'(s)` is the column weight of :func:`lib.regularizer.column_weight`
(:math:`w(0) = 2/\sqrt\beta` for the default ratio smoothing).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from lib._validation import check_choice, check_float, check_int, check_matrix, check_vector
from lib.registry import sensing_kind
from lib.regularizer import PENALTIES, column_weight


def _check_eigenvalues(eigenvalues: object) -> np.ndarray:
    """The eigenvalues (one number or a 1-D array, each finite and > 0), sorted decreasingly."""
    if isinstance(eigenvalues, numbers.Real) and not isinstance(eigenvalues, bool):
        eigenvalues = [eigenvalues]
    return np.sort(check_vector("eigenvalues", eigenvalues, minimum=0.0, strict=True))[::-1]


def _check_regularisation(lam: object, beta: object, penalty: object) -> tuple[float, float, str]:
    return (check_float("lam", lam, minimum=0.0),
            check_float("beta", beta, minimum=0.0, strict=True),
            check_choice("penalty", penalty, PENALTIES))


def curvature_at_zero(eigenvalues: object, lam: float, beta: float, *, penalty: str = "ratio",
                      sensing: str = "gaussian", trace: float | None = None) -> np.ndarray:
    r"""Curvature of the population objective at :math:`U = 0` along a unit column
    :math:`v_j` (the j-th eigenvector of :math:`M^*`) (landscape chapter).

    In general :math:`-(c_s s_j + c_t\,\mathrm{tr} M^*) + \lambda w(0)` with the kind's constants
    of :class:`lib.sensing.SensingOperator`. Gaussian (and population) sensing:
    :math:`-4 s_j + \lambda w(0)`, i.e. :math:`-4 s_j + 2\lambda/\sqrt\beta` for the ratio
    smoothing. Rank-one sensing (quadratic network; population loss
    :math:`2\|D\|_F^2 + (\mathrm{tr} D)^2`, :math:`D = UU^\top - M^*`):
    :math:`-8 s_j - 4\,\mathrm{tr} M^* + \lambda w(0)`. Pass ``eigenvalues=[0]`` is not allowed;
    for a direction orthogonal to the signal use :func:`curvature_at_zero_orthogonal`.

    Parameters
    ----------
    eigenvalues : array_like
        :math:`s_j > 0`.
    lam, beta, penalty
        Regularisation.
    sensing : str
        A kind of :data:`lib.SENSING_KINDS`.
    trace : float, optional
        :math:`\mathrm{tr} M^*` (used by kinds with :math:`c_t \ne 0`, such as rank-one
        sensing); defaults to the sum of ``eigenvalues``.
    """
    values = _check_eigenvalues(eigenvalues)
    lam, beta, penalty = _check_regularisation(lam, beta, penalty)
    kind = sensing_kind("sensing", sensing)
    total = float(values.sum()) if trace is None else check_float("trace", trace, minimum=0.0)
    penalty_curvature = lam * float(column_weight(0.0, beta, penalty))
    return penalty_curvature - _signal_growth(kind, values, total)


def curvature_at_zero_orthogonal(lam: float, beta: float, *, trace: float,
                                 penalty: str = "ratio", sensing: str = "gaussian") -> float:
    r"""Curvature at :math:`U = 0` along a unit column orthogonal to the signal.

    Gaussian: :math:`+\lambda w(0) \ge 0` (the data term is flat there). Rank-one:
    :math:`-4\,\mathrm{tr}M^* + \lambda w(0)`: the trace term makes *every* direction grow unless
    the penalty is strong enough (extension chapter).
    """
    lam, beta, penalty = _check_regularisation(lam, beta, penalty)
    trace = check_float("trace", trace, minimum=0.0)
    kind = sensing_kind("sensing", sensing)
    penalty_curvature = lam * float(column_weight(0.0, beta, penalty))
    return penalty_curvature - kind.CURVATURE_PER_TRACE * trace


def hessian_spectrum_at_zero(eigenvalues: object, lam: float, beta: float, *, d: int, k: int,
                             penalty: str = "ratio") -> np.ndarray:
    r"""Every eigenvalue of the Hessian of the regularised population objective at
    :math:`U = 0` (Gaussian sensing), sorted ascending (landscape chapter, "Curvature at
    :math:`U = 0`").

    The Hessian acts on each of the ``k`` columns separately, with eigenvalues
    :math:`-4 s_j + \lambda w(0)` along :math:`v_j` (:func:`curvature_at_zero`) and
    :math:`\lambda w(0)` on the :math:`d - r` directions orthogonal to the signal
    (:func:`curvature_at_zero_orthogonal`), each repeated once per column: ``d * k`` values.
    """
    values = _check_eigenvalues(eigenvalues)
    d = check_int("d", d, minimum=values.size)
    k = check_int("k", k, minimum=1)
    signal = curvature_at_zero(values, lam, beta, penalty=penalty)
    orthogonal = curvature_at_zero_orthogonal(lam, beta, trace=float(values.sum()),
                                              penalty=penalty)
    return np.sort(np.concatenate([np.repeat(signal, k),
                                   np.full((d - values.size) * k, orthogonal)]))


def lambda_orthogonal_bound(trace: float, beta: float, *, penalty: str = "ratio",
                            sensing: str = "gaussian") -> float:
    r"""The :math:`\lambda` below which directions orthogonal to the signal also grow from
    :math:`U = 0` (where :func:`curvature_at_zero_orthogonal` changes sign; extension chapter).

    Rank-one sensing (quadratic network): :math:`4\,\mathrm{tr}M^*/w(0)`, i.e.
    :math:`2\sqrt\beta\,\mathrm{tr}M^*` for the ratio smoothing; below it a neuron pointing away
    from every teacher neuron still grows at first, because it raises the mean output
    :math:`E f_U(x) = \|U\|_F^2` towards :math:`\mathrm{tr}M^*`. Gaussian sensing: 0 (such
    directions never grow).
    """
    trace = check_float("trace", trace, minimum=0.0)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    kind = sensing_kind("sensing", sensing)
    return kind.CURVATURE_PER_TRACE * trace / float(column_weight(0.0, beta, penalty))


@dataclass(frozen=True)
class LambdaBounds:
    r"""The two values of :math:`\lambda` where the curvature at :math:`U = 0` changes sign
    (:func:`lambda_bounds`; landscape chapter).

    Attributes
    ----------
    all_grow : float
        Below it every signal direction has negative curvature at :math:`U = 0` and grows from
        a small start (Gaussian: :math:`2\sqrt\beta\, s_r`).
    zero_is_min : float
        Above it :math:`U = 0` is a local minimum and the penalty kills all signal (Gaussian:
        :math:`2\sqrt\beta\, s_1`).
    """

    all_grow: float
    zero_is_min: float


def _signal_growth(kind: type, values: np.ndarray, trace: float) -> np.ndarray:
    r"""Negative curvature of the data term at zero along each signal eigenvector,
    :math:`c_s s_j + c_t\,\mathrm{tr}M^*`, with the constants of the sensing ``kind``."""
    return kind.CURVATURE_PER_EIGENVALUE * values + kind.CURVATURE_PER_TRACE * trace


def lambda_bounds(eigenvalues: object, beta: float, *, penalty: str = "ratio",
                  sensing: str = "gaussian") -> LambdaBounds:
    r"""The two values of :math:`\lambda` where the curvature at zero changes sign:
    :math:`(c_s s_j + c_t\,\mathrm{tr}M^*)/w(0)` for :math:`j = r` and :math:`j = 1`.

    Landscape chapter, section "Curvature at :math:`U = 0`"; pruning-threshold, failure and
    quadratic-network chapters.

    Gaussian: :math:`2\sqrt\beta\, s_r` and :math:`2\sqrt\beta\, s_1` for the ratio smoothing.
    For rank-one sensing the same with :math:`4 s_j` replaced by
    :math:`8 s_j + 4\,\mathrm{tr}M^*` (:math:`\mathrm{tr}M^*` = the sum of ``eigenvalues``).

    Returns
    -------
    LambdaBounds
        ``all_grow`` (the lower bound) and ``zero_is_min`` (the upper bound).
    """
    values = _check_eigenvalues(eigenvalues)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    penalty = check_choice("penalty", penalty, PENALTIES)
    kind = sensing_kind("sensing", sensing)
    weight_at_zero = float(column_weight(0.0, beta, penalty))
    growth = _signal_growth(kind, values, float(values.sum()))
    return LambdaBounds(all_grow=float(growth[-1] / weight_at_zero),
                        zero_is_min=float(growth[0] / weight_at_zero))


def regularized_column_norms(eigenvalues: object, lam: float, beta: float, *,
                             penalty: str = "ratio") -> np.ndarray:
    r"""Column norms :math:`a_j` of the regularised population minimiser (pruning chapter).

    With one column per eigenvector :math:`v_j` of :math:`M^*`, :math:`U e_j = a_j v_j`, the
    objective separates into :math:`g_j(a) = (s_j - a^2)^2 + \lambda\psi_\beta(a)` and a nonzero
    stationary point solves

    .. math:: 4(s_j - a^2) = \lambda\, w(a^2)

    (plain group Lasso, :math:`w = 1/a`: :math:`a(s_j - a^2) = \lambda/4`). We return the largest
    root, a local minimum of :math:`g_j`, or 0 when there is none (the penalty kills direction j).
    """
    values = _check_eigenvalues(eigenvalues)
    lam, beta, penalty = _check_regularisation(lam, beta, penalty)
    norms = np.zeros_like(values)
    for j, s in enumerate(values):
        def balance(a: float, s: float = s) -> float:
            return 4.0 * (s - a * a) - lam * float(column_weight(a * a, beta, penalty))

        grid = np.linspace(0.0, np.sqrt(s), 2001)
        signs = np.array([balance(a) for a in grid])
        crossings = np.flatnonzero((signs[:-1] > 0) & (signs[1:] <= 0))
        if crossings.size:
            i = crossings[-1]
            norms[j] = brentq(balance, grid[i], grid[i + 1], xtol=1e-15, rtol=1e-14)
    return norms


def regularized_bias(eigenvalues: object, lam: float, beta: float, *,
                     penalty: str = "ratio") -> float:
    r"""Recovery error of the regularised population minimiser,
    :math:`\big(\sum_j (s_j - a_j^2)^2\big)^{1/2}` with :math:`a_j` from
    :func:`regularized_column_norms`: the O(lambda) bias that fine-tuning removes (about
    :math:`\lambda/(4\sigma_j)` per direction).

    Landscape, pruning-threshold and failure chapters.
    """
    values = _check_eigenvalues(eigenvalues)
    norms = regularized_column_norms(values, lam, beta, penalty=penalty)
    return float(np.sqrt(np.sum((values - norms**2) ** 2)))


def regularized_stationary_point(U_star: np.ndarray, lam: float, beta: float, *, k: int,
                                 directions: int, penalty: str = "ratio") -> np.ndarray:
    r"""The stationary point of the regularised population objective that holds only the
    ``directions`` strongest signal directions: :math:`Ue_j = a_j v_j` for
    :math:`j \le` ``directions`` (:math:`a_j` from :func:`regularized_column_norms`), all other
    of the ``k`` columns zero.

    With ``directions`` :math:`< r` it misses :math:`v_r`; its curvature along a zero column
    pointing at :math:`v_r` is :math:`-4 s_r + \lambda w(0)`, so it is a strict saddle below
    :math:`\lambda_{\text{low}}` and a spurious local minimum above (landscape chapter,
    "Between the two bounds").
    """
    U_star = check_matrix("U_star", U_star)
    rank = U_star.shape[1]
    k = check_int("k", k, minimum=1)
    directions = check_int("directions", directions, minimum=0, maximum=min(rank, k))
    eigenvalues, eigenvectors = np.linalg.eigh(U_star @ U_star.T)
    signal, vectors = eigenvalues[::-1][:rank], eigenvectors[:, ::-1][:, :rank]
    norms = regularized_column_norms(signal, lam, beta, penalty=penalty)
    U = np.zeros((U_star.shape[0], k))
    U[:, :directions] = vectors[:, :directions] * norms[:directions]
    return U


def spurious_column_curvature(column_norm: float, lam: float, beta: float, *,
                              penalty: str = "ratio") -> float:
    r"""Curvature felt by a tiny extra column along the direction of a kept column of norm
    :math:`a`, at the regularised minimiser: :math:`\lambda\,(w(0) - w(a^2))`.

    The residual there has eigenvalue :math:`\lambda w(a^2)/4`; with the group-Lasso
    approximation :math:`w(a^2) \approx 1/a` this is the admissibility condition
    :math:`\sqrt\beta < 2a` of the pruning-threshold chapter. With the exact smoothing,
    :math:`w` is decreasing, so the curvature is positive for every :math:`a > 0`: duplicate
    columns are always pushed back to zero.
    """
    a = check_float("column_norm", column_norm, minimum=0.0)
    lam, beta, penalty = _check_regularisation(lam, beta, penalty)
    return lam * float(column_weight(0.0, beta, penalty) - column_weight(a * a, beta, penalty))


def small_column_bound(grad_norm: float, lam: float, beta: float, threshold: float,
                       smallest_kept_norm: float, *, penalty: str = "ratio") -> float:
    r"""Largest norm a column below ``threshold`` can have at a point with gradient norm
    ``grad_norm``, with the residual's top eigenvalue of the regularised minimiser
    (pruning-threshold chapter).

    Column j of the gradient is :math:`(\lambda w(x^2) I - 4R) U e_j` with :math:`R` the
    residual, whose top eigenvalue near the regularised minimiser is
    :math:`\rho = \lambda w(a_r^2)/4` (weakest kept column :math:`a_r`). For :math:`x \le \tau`,
    :math:`w(x^2) \ge w(\tau^2)`, so

    .. math:: x \le \frac{\varepsilon}{\lambda\,(w(\tau^2) - w(a_r^2))},

    valid when :math:`\tau < a_r` (otherwise ``inf`` is returned: no separation is implied).
    :func:`certified_small_column_bound` takes :math:`\rho` measured at the point instead.
    """
    a_r = check_float("smallest_kept_norm", smallest_kept_norm, minimum=0.0)
    lam, beta, penalty = _check_regularisation(lam, beta, penalty)
    rho = lam * float(column_weight(a_r * a_r, beta, penalty)) / 4.0
    return certified_small_column_bound(grad_norm, lam, beta, threshold, rho, penalty=penalty)


def certified_small_column_bound(grad_norm: float, lam: float, beta: float, threshold: float,
                                 residual_top_eigenvalue: float, *,
                                 penalty: str = "ratio") -> float:
    r"""Largest norm a column below ``threshold`` can have at a point with gradient norm
    :math:`\varepsilon` and residual top eigenvalue :math:`\rho` both measured at that point
    (pruning-threshold chapter):

    .. math:: b(\varepsilon) = \frac{\varepsilon}{\lambda\, w(\tau^2) - 4\rho}.

    No column has a norm in :math:`(b(\varepsilon), \tau]`. Returns ``inf`` when the
    denominator is not positive (no separation is implied). ``residual_top_eigenvalue`` is
    :math:`\lambda_{\max}` of :func:`lib.certificate.residual_matrix`.
    """
    eps = check_float("grad_norm", grad_norm, minimum=0.0)
    lam, beta, penalty = _check_regularisation(lam, beta, penalty)
    tau = check_float("threshold", threshold, minimum=0.0)
    rho = check_float("residual_top_eigenvalue", residual_top_eigenvalue)
    gap = lam * float(column_weight(tau * tau, beta, penalty)) - 4.0 * rho
    return eps / gap if gap > 0 else float("inf")


def hessian_spectrum_at_solution(eigenvalues: object, d: int) -> np.ndarray:
    r"""Nonzero eigenvalues of the Hessian of :math:`\|UU^\top - M^*\|_F^2` at a global minimiser
    with exactly r columns (fine-tuning chapter).

    Writing :math:`V = U^* C + W` with :math:`U^{*\top} W = 0`, the Hessian
    :math:`V \mapsto 4(U^*V^\top U^* + V U^{*\top}U^*)` has eigenvalues :math:`4 s_j`
    (multiplicity :math:`d-r` each, the :math:`W` part), :math:`8 s_j` (diagonal of C) and
    :math:`4(s_a + s_b)`, :math:`a < b` (symmetric off-diagonal part); the skew part
    (:math:`r(r-1)/2` rotations) is its null space. Returned sorted, without multiplicities.
    """
    values = _check_eigenvalues(eigenvalues)
    d = check_int("d", d, minimum=values.size)
    spectrum = [8.0 * values]
    if d > values.size:
        spectrum.append(4.0 * values)
    upper = np.triu_indices(values.size, 1)
    spectrum.append(4.0 * (values[upper[0]] + values[upper[1]]))
    return np.unique(np.concatenate(spectrum))


def contraction_factor(spectrum: object, step: float, *, null_dimension: int = 0) -> float:
    r"""Contraction factor per step of gradient descent with step :math:`\eta` near a minimiser
    whose Hessian has eigenvalues ``spectrum`` (fine-tuning chapter):

    .. math:: \rho(\eta) = \max_i |1 - \eta\, h_i|,

    over all eigenvalues but the ``null_dimension`` smallest (the flat directions, such as the
    :math:`r(r-1)/2` rotations of a factorisation, which do not move :math:`UU^\top`).
    """
    values = check_vector("spectrum", spectrum)
    step = check_float("step", step, minimum=0.0, strict=True)
    null_dimension = check_int("null_dimension", null_dimension, minimum=0,
                               maximum=values.size - 1)
    moving = np.sort(values)[null_dimension:]
    return float(np.max(np.abs(1.0 - step * moving)))


def linear_rate(eigenvalues: object, d: int, step: float) -> float:
    r"""Predicted local contraction factor per step of gradient descent on the exactly
    parameterised loss (fine-tuning chapter): :func:`contraction_factor` of the nonzero
    Hessian eigenvalues :math:`h_i` of :func:`hessian_spectrum_at_solution`,
    :math:`\rho(\eta) = \max_i |1 - \eta\,h_i|`. Errors shrink like :math:`\rho^t`.
    Equal to :math:`1 - 4\eta s_r` for small steps (d > r); best step
    :math:`2/(h_{\min}+h_{\max})`."""
    step = check_float("step", step, minimum=0.0, strict=True)
    return contraction_factor(hessian_spectrum_at_solution(eigenvalues, d), step)


def degrees_of_freedom(d: int, rank: int, *, sensing: str = "gaussian") -> int:
    r"""Degrees of freedom of the rank-``rank`` matrices a sensing kind measures,
    :meth:`lib.sensing.SensingOperator.degrees_of_freedom` of the registered class (for every
    kind in :data:`lib.SENSING_KINDS`: :math:`r d - r(r-1)/2`; fine-tuning chapter)."""
    kind = sensing_kind("sensing", sensing)
    d = check_int("d", d, minimum=1)
    rank = check_int("rank", rank, minimum=1)
    return kind.degrees_of_freedom(d, rank)


def statistical_error(d: int, rank: int, n: int, sigma: float) -> float:
    r"""Reference statistical error :math:`\sigma\sqrt{p/n}`, :math:`p` =
    :func:`degrees_of_freedom` (fine-tuning chapter).

    The least-squares fit on the p-dimensional tangent space with isotropic measurements
    (:math:`E\langle A, M\rangle^2 = \|M\|_F^2`) has :math:`E\|\Delta M\|_F^2 \approx \sigma^2 p/n`
    for n >> p. With rank = r this is the order :math:`\sigma\sqrt{rd/n}` the paper cites; with
    rank = k it is the reference for the over-parameterised model.
    """
    n = check_int("n", n, minimum=1)
    sigma = check_float("sigma", sigma, minimum=0.0)
    return sigma * float(np.sqrt(degrees_of_freedom(d, rank) / n))


def spectrum_at_zero(eigenvalues: object, lam: float, beta: float, d: int, *,
                     penalty: str = "ratio", sensing: str = "gaussian") -> np.ndarray:
    r"""Predicted eigenvalues, sorted, of the (d x d) Hessian of the population objective at
    :math:`U = 0` for one column (the same block for every column): the r values of
    :func:`curvature_at_zero` and d - r copies of :func:`curvature_at_zero_orthogonal`, with
    :math:`\mathrm{tr}M^* = \sum_j s_j`. For the quadratic network
    :math:`-8 s_j - 4\,\mathrm{tr}M^* + \lambda w(0)` and :math:`-4\,\mathrm{tr}M^* + \lambda w(0)`
    (quadratic-network chapter, section "The curvature at zero").

    Parameters
    ----------
    eigenvalues : array_like
        :math:`s_1, \dots, s_r > 0`.
    lam, beta, penalty
        Regularisation.
    d : int
        Dimension, at least r.
    sensing : str
        A kind of ``lib.SENSING_KINDS``.
    """
    values = _check_eigenvalues(eigenvalues)
    d = check_int("d", d, minimum=values.size)
    trace = float(values.sum())
    signal = curvature_at_zero(values, lam, beta, penalty=penalty, sensing=sensing, trace=trace)
    orthogonal = curvature_at_zero_orthogonal(lam, beta, trace=trace, penalty=penalty,
                                              sensing=sensing)
    return np.sort(np.append(signal, np.full(d - values.size, orthogonal)))
