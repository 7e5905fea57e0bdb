r"""The alternatives to greedy pruning: what a practitioner would try instead (baselines chapter).

Five estimators of :math:`M^* = U^*U^{*\top}` from the same measurements, each the standard
method of its kind:

* :func:`early_stopped_gd`: gradient descent on the over-parameterised loss, stopped at the
  iterate with the smallest loss on held-out measurements (:func:`split_measurements`);
* :func:`svd_truncate`: the best rank-r factor of a trained over-parameterised model;
* :func:`scaled_gd`: ScaledGD(:math:`\lambda`), preconditioned gradient descent for the
  over-parameterised model (Xu, Shen, Chi and Ma, ICML 2023);
* :func:`nuclear_norm`: the convex estimator, by proximal gradient with singular-value
  thresholding, and :func:`nuclear_norm_validated`, its weight chosen on held-out measurements;
* :func:`spectral_init`: the spectral estimate :math:`\frac1n\sum_i y_i A_i` cut to rank r,
  the start of the exact-rank oracle.

Held-out splits exist only for sampled sensing (``"gaussian"`` and ``"rank_one"``); the
population loss has no measurements to hold out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from lib._validation import (
    check_float,
    check_instance,
    check_int,
    check_matrix,
    check_vector,
    make_rng,
)
from lib.objective import Objective
from lib.operators import GaussianOperator, RankOneOperator
from lib.optim import OptimizationResult, gradient_descent
from lib.problem import Problem


def _check_sampled(prob: object, function: str) -> Problem:
    check_instance("prob", prob, Problem)
    if prob.sensing not in ("gaussian", "rank_one"):
        raise ValueError(f"{function} needs sampled measurements: prob.sensing must be "
                         f"'gaussian' or 'rank_one', got {prob.sensing!r}")
    return prob


def _measure(prob: Problem, M: np.ndarray) -> np.ndarray:
    r""":math:`(\langle A_i, M\rangle)_i` for a symmetric d x d matrix ``M``."""
    if isinstance(prob.operator, GaussianOperator):
        return prob.operator.measure(M)
    X = prob.operator.X
    return np.einsum("ij,ij->i", X @ M, X)


def _adjoint(prob: Problem, c: np.ndarray) -> np.ndarray:
    r""":math:`\sum_i c_i A_i` as a dense symmetric d x d matrix."""
    if isinstance(prob.operator, GaussianOperator):
        return prob.operator.adjoint(c)
    X = prob.operator.X
    return X.T @ (c[:, None] * X)


def measurement_loss(prob: Problem, M: np.ndarray) -> float:
    r"""Data-fit loss of a symmetric matrix, :math:`\frac1n \sum_i (\langle A_i, M\rangle
    - y_i)^2` (the loss :math:`L` of a factor U is this at :math:`M = UU^\top`). Used as the
    validation loss of :func:`nuclear_norm_validated`."""
    prob = _check_sampled(prob, "measurement_loss")
    M = check_matrix("M", M, rows=prob.d, cols=prob.d)
    residual = _measure(prob, M) - prob.y
    return float(residual @ residual) / prob.n


@dataclass(frozen=True, eq=False)
class MeasurementSplit:
    """The measurements of a problem split in two disjoint parts (:func:`split_measurements`).

    Attributes
    ----------
    train, validation : Problem
        The same ground truth with the measurements of ``train_index`` and ``validation_index``.
    train_index, validation_index : ndarray of int
        Sorted, disjoint, together ``0 .. n-1``.
    """

    train: Problem
    validation: Problem
    train_index: np.ndarray
    validation_index: np.ndarray


def _restrict(prob: Problem, index: np.ndarray) -> Problem:
    operator = prob.operator
    if isinstance(operator, GaussianOperator):
        part = GaussianOperator(operator.packed[index], operator.y[index], prob.d)
    else:
        part = RankOneOperator(operator.X[index], operator.y[index])
    return dataclasses.replace(prob, n=int(index.size), operator=part)


def split_measurements(prob: Problem, holdout: float, *, seed: int | np.random.Generator = 0,
                       ) -> MeasurementSplit:
    r"""Hold out a random fraction of the measurements for validation (baselines chapter).

    ``round(holdout * n)`` measurements, drawn without replacement by ``seed``, form the
    validation problem, the rest the training problem. The ground truth is only carried along
    (for recovery errors); nothing here looks at it.

    Parameters
    ----------
    prob : Problem
        Sampled sensing (``"gaussian"`` or ``"rank_one"``).
    holdout : float
        Fraction in (0, 1) held out; both parts must keep at least one measurement.
    seed : int or numpy.random.Generator
        Source of the permutation; the same seed gives the same split.
    """
    prob = _check_sampled(prob, "split_measurements")
    holdout = check_float("holdout", holdout, minimum=0.0, strict=True, maximum=1.0)
    size = round(holdout * prob.n)
    if not 0 < size < prob.n:
        raise ValueError(f"holdout={holdout:g} of n={prob.n} measurements leaves {size} for "
                         "validation; both parts need at least one: use a fraction between "
                         f"{1 / prob.n:.3g} and {1 - 1 / prob.n:.3g}")
    order = make_rng("seed", seed).permutation(prob.n)
    validation_index = np.sort(order[:size])
    train_index = np.sort(order[size:])
    return MeasurementSplit(train=_restrict(prob, train_index),
                            validation=_restrict(prob, validation_index),
                            train_index=train_index, validation_index=validation_index)


@dataclass(frozen=True, eq=False)
class EarlyStoppedResult:
    """Outcome of :func:`early_stopped_gd`.

    Attributes
    ----------
    U : ndarray, shape (d, k)
        The iterate with the smallest validation loss.
    best_iteration : int
        Its iteration.
    validation_iterations, validation_losses : ndarray
        Every validation check: iteration and loss :math:`L_{\\text{val}}(U_t)`.
    run : OptimizationResult
        The whole gradient-descent run on the training measurements.
    split : MeasurementSplit
    """

    U: np.ndarray
    best_iteration: int
    validation_iterations: np.ndarray
    validation_losses: np.ndarray
    run: OptimizationResult
    split: MeasurementSplit


def early_stopped_gd(prob: Problem, k: int, *, holdout: float, step: float, max_iter: int,
                     validate_every: int = 10, init_scale: float = 1e-3,
                     seed: int | np.random.Generator = 0,
                     split_seed: int | np.random.Generator = 0,
                     record_every: int = 10) -> EarlyStoppedResult:
    r"""Over-parameterised gradient descent on the training measurements, stopped at the
    iterate with the smallest validation loss (baselines chapter).

    Gradient descent :math:`U_{t+1} = U_t - \eta \nabla L_{\text{train}}(U_t)` from
    :math:`U_0 = \alpha G` (G standard Gaussian, d x k, drawn from ``seed`` exactly as
    :func:`lib.train_prune_finetune` draws it) runs for ``max_iter`` steps; every
    ``validate_every`` steps the loss on the held-out measurements is computed, and the
    returned factor is

    .. math::

        \hat U = U_{\hat t}, \qquad
        \hat t = \arg\min_{t} L_{\text{val}}(U_t)
        = \arg\min_t \frac{1}{n_{\text{val}}} \sum_{i \in \text{val}}
          (\langle A_i, U_tU_t^\top\rangle - y_i)^2 .

    The ground truth chooses nothing.

    Parameters
    ----------
    prob : Problem
        Sampled sensing.
    k : int
        Columns of the model.
    holdout : float
        Fraction of the measurements held out (:func:`split_measurements`).
    step, max_iter : float, int
        Step size and number of gradient steps.
    validate_every : int
        Steps between validation checks (>= 1).
    init_scale : float
        :math:`\alpha > 0`.
    seed, split_seed : int or numpy.random.Generator
        Sources of the start and of the split.
    record_every : int
        History interval of the run.
    """
    prob = _check_sampled(prob, "early_stopped_gd")
    k = check_int("k", k, minimum=1)
    validate_every = check_int("validate_every", validate_every, minimum=1)
    init_scale = check_float("init_scale", init_scale, minimum=0.0, strict=True)
    holdout = check_float("holdout", holdout, minimum=0.0, strict=True, maximum=1.0)
    step = check_float("step", step, minimum=0.0, strict=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    start_rng, split_rng = make_rng("seed", seed), make_rng("split_seed", split_seed)
    split = split_measurements(prob, holdout, seed=split_rng)
    U0 = init_scale * start_rng.standard_normal((prob.d, k))
    iterations: list[int] = []
    losses: list[float] = []
    best = {"loss": np.inf, "U": U0}

    def validate(iteration: int, U: np.ndarray, _value: float) -> None:
        if iteration % validate_every == 0 or iteration == max_iter:
            losses.append(split.validation.operator.value(U))
            iterations.append(iteration)
            if losses[-1] < best["loss"]:
                best.update(loss=losses[-1], U=U.copy())

    run = gradient_descent(Objective(split.train), U0, step, max_iter, tol=0.0,
                           record_every=record_every, callback=validate)
    losses_array = np.asarray(losses)
    return EarlyStoppedResult(U=best["U"],
                              best_iteration=int(iterations[int(np.argmin(losses_array))]),
                              validation_iterations=np.asarray(iterations),
                              validation_losses=losses_array, run=run, split=split)


def svd_truncate(U: np.ndarray, r: int) -> np.ndarray:
    r"""The best rank-r factor of U: with the SVD :math:`U = P S Q^\top`,

    .. math::

        U_r = P_{:, :r}\, \mathrm{diag}(s_1, \dots, s_r), \qquad
        U_r U_r^\top = \sum_{j \le r} s_j^2 p_j p_j^\top ,

    the best rank-r approximation of :math:`UU^\top` in Frobenius norm (Eckart-Young; the
    eigenvalues of :math:`UU^\top` are :math:`s_j^2`). The model :math:`UU^\top` does not see the
    rotation Q, which is why this is free here (baselines chapter) and has no analogue for a
    model that is not rotation-invariant.

    Parameters
    ----------
    U : ndarray, shape (d, k)
    r : int
        Rank kept, 1 <= r <= min(d, k).
    """
    U = check_matrix("U", U)
    r = check_int("r", r, minimum=1, maximum=min(U.shape))
    P, s, _ = np.linalg.svd(U, full_matrices=False)
    return P[:, :r] * s[:r]


class _ScaledObjective(Objective):
    r"""The unregularised loss whose "gradient" is the ScaledGD direction
    :math:`\nabla L(U)(U^\top U + \lambda I)^{-1}`, so that :func:`lib.gradient_descent`
    takes ScaledGD steps (with its divergence check and history)."""

    def __init__(self, problem: Problem, damping: float) -> None:
        super().__init__(problem)
        self.damping = damping

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = super().value_and_grad(U)
        gram = U.T @ U + self.damping * np.eye(U.shape[1])
        return value, np.linalg.solve(gram, grad.T).T


def scaled_gd(prob: Problem, k: int, *, lam: float, step: float, max_iter: int,
              seed: int | np.random.Generator = 0, init_scale: float = 1e-3,
              tol: float = 1e-8, record_every: int = 1) -> OptimizationResult:
    r"""ScaledGD(:math:`\lambda`) on the over-parameterised loss (Xu, Shen, Chi and Ma, ICML
    2023), baselines chapter:

    .. math::

        U_{t+1} = U_t - \eta\, \nabla L(U_t)\, (U_t^\top U_t + \lambda I_k)^{-1},

    from :math:`U_0 = \alpha G` (G standard Gaussian, d x k, drawn from ``seed`` as in
    :func:`lib.train_prune_finetune`). The damping :math:`\lambda` keeps the k x k
    preconditioner invertible while the spare columns are small. Our :math:`L` is four times
    the paper's :math:`\frac14\|\mathcal{A}(UU^\top) - y\|^2` at population level, so the
    paper's step :math:`\eta` corresponds to ours times 4.

    Parameters
    ----------
    prob : Problem
    k : int
        Columns of the model.
    lam : float
        Damping :math:`\lambda > 0` (not the group-Lasso weight of :class:`lib.Objective`).
    step, max_iter : float, int
        Step size :math:`\eta` and number of steps.
    seed : int or numpy.random.Generator
        Source of the start.
    init_scale : float
        :math:`\alpha > 0`.
    tol : float
        Stop when the scaled direction :math:`\|\nabla L(U_t)(U_t^\top U_t +
        \lambda I)^{-1}\|_F \le` ``tol``.
    record_every : int
        History interval.

    Returns
    -------
    OptimizationResult
        As :func:`lib.gradient_descent`; its history records :math:`L` and the norm of the
        scaled direction in ``grad_norms``.

    Raises
    ------
    DivergenceError
        If :math:`L` becomes non-finite or explodes.
    """
    check_instance("prob", prob, Problem)
    k = check_int("k", k, minimum=1)
    lam = check_float("lam", lam, minimum=0.0, strict=True)
    init_scale = check_float("init_scale", init_scale, minimum=0.0, strict=True)
    step = check_float("step", step, minimum=0.0, strict=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_float("tol", tol, minimum=0.0)
    record_every = check_int("record_every", record_every, minimum=1)
    U0 = init_scale * make_rng("seed", seed).standard_normal((prob.d, k))
    return gradient_descent(_ScaledObjective(prob, lam), U0, step, max_iter, tol=tol,
                            record_every=record_every)


@dataclass(frozen=True, eq=False)
class NuclearNormResult:
    """Outcome of :func:`nuclear_norm`.

    Attributes
    ----------
    M : ndarray, shape (d, d)
        The symmetric estimate.
    mu : float
        Weight of the nuclear norm.
    step : float
        Step size used (1 / smoothness of the loss).
    iterations : int
        Proximal-gradient steps taken.
    converged : bool
        The gradient mapping fell below ``tol``.
    rank : int
        Number of nonzero eigenvalues of ``M``.
    """

    M: np.ndarray
    mu: float
    step: float
    iterations: int
    converged: bool
    rank: int


def loss_smoothness(prob: Problem, *, seed: int = 0) -> float:
    r"""Lipschitz constant :math:`\frac2n \lambda_{\max}(\mathcal{A}^*\mathcal{A})` of the
    gradient of :math:`M \mapsto \frac1n\|\mathcal{A}(M) - y\|^2` on symmetric matrices,
    by Lanczos (seeded start); the step of :func:`nuclear_norm` is its inverse."""
    prob = _check_sampled(prob, "loss_smoothness")
    d = prob.d

    def matvec(vector: np.ndarray) -> np.ndarray:
        M = vector.reshape(d, d)
        return _adjoint(prob, _measure(prob, (M + M.T) / 2)).ravel()

    start = make_rng("seed", seed).standard_normal(d * d)
    operator = LinearOperator((d * d, d * d), matvec=matvec, dtype=np.float64)
    largest = eigsh(operator, k=1, which="LA", v0=start, tol=1e-6,
                    return_eigenvectors=False)[0]
    return 2.0 * float(largest) / prob.n


def _shrink_eigenvalues(Z: np.ndarray, threshold: float) -> tuple[np.ndarray, int]:
    """Prox of ``threshold`` times the nuclear norm at a symmetric matrix: its eigenvalues moved
    towards zero by ``threshold`` (singular-value thresholding of a symmetric matrix)."""
    eigenvalues, vectors = np.linalg.eigh((Z + Z.T) / 2)
    shrunk = np.sign(eigenvalues) * np.maximum(np.abs(eigenvalues) - threshold, 0.0)
    keep = shrunk != 0.0
    return (vectors[:, keep] * shrunk[keep]) @ vectors[:, keep].T, int(keep.sum())


def nuclear_norm(prob: Problem, *, mu: float, max_iter: int = 2000, tol: float = 1e-8,
                 step: float | None = None, M0: np.ndarray | None = None,
                 ) -> NuclearNormResult:
    r"""Nuclear-norm regularised least squares over symmetric matrices (Recht, Fazel and
    Parrilo 2010; Candès and Plan 2011), baselines chapter:

    .. math::

        \hat M = \arg\min_{M = M^\top} \frac1n \sum_i (\langle A_i, M\rangle - y_i)^2
                 + \mu \|M\|_*,

    by proximal gradient with singular-value thresholding,
    :math:`M_{t+1} = \mathcal{S}_{\eta\mu}(M_t - \eta \nabla L(M_t))`,
    :math:`\nabla L(M) = \frac2n \sum_i (\langle A_i, M\rangle - y_i) A_i`, where
    :math:`\mathcal{S}_\tau` moves every eigenvalue towards zero by :math:`\tau`.

    Parameters
    ----------
    prob : Problem
        Sampled sensing.
    mu : float
        Weight :math:`\mu > 0`.
    max_iter : int
        Maximum number of steps.
    tol : float
        Stop when the gradient mapping :math:`\|M_t - M_{t+1}\|_F / \eta \le` ``tol``.
    step : float, optional
        Step :math:`\eta`; default ``1 / loss_smoothness(prob)``.
    M0 : ndarray, shape (d, d), optional
        Start (symmetrised); default zero.
    """
    prob = _check_sampled(prob, "nuclear_norm")
    mu = check_float("mu", mu, minimum=0.0, strict=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_float("tol", tol, minimum=0.0)
    step = (1.0 / loss_smoothness(prob) if step is None
            else check_float("step", step, minimum=0.0, strict=True))
    M = (np.zeros((prob.d, prob.d)) if M0 is None
         else check_matrix("M0", M0, rows=prob.d, cols=prob.d).astype(np.float64))
    M = (M + M.T) / 2
    rank = int(np.linalg.matrix_rank(M))
    for iteration in range(1, max_iter + 1):
        gradient = (2.0 / prob.n) * _adjoint(prob, _measure(prob, M) - prob.y)
        updated, rank = _shrink_eigenvalues(M - step * gradient, step * mu)
        mapping = float(np.linalg.norm(M - updated)) / step
        M = updated
        if mapping <= tol:
            return NuclearNormResult(M=M, mu=mu, step=step, iterations=iteration,
                                     converged=True, rank=rank)
    return NuclearNormResult(M=M, mu=mu, step=step, iterations=max_iter, converged=False,
                             rank=rank)


@dataclass(frozen=True, eq=False)
class ValidatedNuclearNorm:
    """Outcome of :func:`nuclear_norm_validated`.

    Attributes
    ----------
    fit : NuclearNormResult
        The fit (on the training measurements) with the smallest validation loss.
    mus, validation_losses : ndarray
        The weights tried, in decreasing order, and the validation loss of each fit.
    iterations : int
        Proximal-gradient steps of all fits together.
    split : MeasurementSplit
    """

    fit: NuclearNormResult
    mus: np.ndarray
    validation_losses: np.ndarray
    iterations: int
    split: MeasurementSplit


def nuclear_norm_validated(prob: Problem, mus: object, *, holdout: float,
                           split_seed: int | np.random.Generator = 0, max_iter: int = 2000,
                           tol: float = 1e-8) -> ValidatedNuclearNorm:
    r""":func:`nuclear_norm` on the training measurements for every weight in ``mus`` (largest
    first, each fit started from the previous one), keeping the fit with the smallest
    validation loss :func:`measurement_loss` on the held-out ones (baselines chapter). The
    ground truth chooses nothing.

    Parameters
    ----------
    prob : Problem
        Sampled sensing.
    mus : sequence of float
        Positive weights to try (at least one).
    holdout, split_seed
        As in :func:`split_measurements`.
    max_iter, tol
        Per fit, as in :func:`nuclear_norm`.
    """
    prob = _check_sampled(prob, "nuclear_norm_validated")
    values = check_vector("mus", mus, minimum=0.0, strict=True)
    holdout = check_float("holdout", holdout, minimum=0.0, strict=True, maximum=1.0)
    split_rng = make_rng("split_seed", split_seed)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_float("tol", tol, minimum=0.0)
    split = split_measurements(prob, holdout, seed=split_rng)
    step = 1.0 / loss_smoothness(split.train)
    fits: list[NuclearNormResult] = []
    M = None
    for mu in np.sort(values)[::-1]:
        fits.append(nuclear_norm(split.train, mu=float(mu), max_iter=max_iter, tol=tol,
                                 step=step, M0=M))
        M = fits[-1].M
    losses = np.array([measurement_loss(split.validation, fit.M) for fit in fits])
    return ValidatedNuclearNorm(fit=fits[int(np.argmin(losses))],
                                mus=np.array([fit.mu for fit in fits]),
                                validation_losses=losses,
                                iterations=sum(fit.iterations for fit in fits), split=split)


def spectral_init(prob: Problem, r: int) -> np.ndarray:
    r"""The spectral estimate cut to rank r: the top-r eigenpairs
    :math:`(\lambda_j, v_j)` of an unbiased estimate :math:`\hat M` of :math:`M^*`, and
    :math:`U_0 = [\sqrt{\max(\lambda_j, 0)}\, v_j]_{j \le r}` (baselines chapter: the start of
    the exact-rank oracle).

    Gaussian sensing: :math:`\hat M = \frac1n \sum_i y_i A_i` (:math:`E[\langle A, M\rangle A]
    = M` for symmetric M). Rank-one sensing :math:`A_i = x_ix_i^\top`:
    :math:`E[y\,xx^\top] = 2M^* + \mathrm{tr}(M^*) I` and :math:`E y = \mathrm{tr}(M^*)`, so
    :math:`\hat M = \frac12(\frac1n\sum_i y_i x_ix_i^\top - \bar y I)`.

    Parameters
    ----------
    prob : Problem
        Sampled sensing.
    r : int
        Rank, 1 <= r <= d.
    """
    prob = _check_sampled(prob, "spectral_init")
    r = check_int("r", r, minimum=1, maximum=prob.d)
    estimate = _adjoint(prob, prob.y) / prob.n
    if isinstance(prob.operator, RankOneOperator):
        estimate = (estimate - np.mean(prob.y) * np.eye(prob.d)) / 2.0
    eigenvalues, vectors = np.linalg.eigh(estimate)
    top = slice(prob.d - 1, prob.d - r - 1 if prob.d > r else None, -1)
    return vectors[:, top] * np.sqrt(np.maximum(eigenvalues[top], 0.0))
