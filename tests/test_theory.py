"""Every formula of lib.theory against a direct numerical computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import lib
from lib import theory


def _population(d: int, r: int, kappa: float, seed: int = 0) -> lib.Problem:
    return lib.make_problem(d, r, 1, kappa=kappa, sensing="population", seed=seed)


def _eigenvectors(prob: lib.Problem) -> np.ndarray:
    left, _, _ = np.linalg.svd(prob.U_star, full_matrices=False)
    return left


@pytest.mark.parametrize("penalty", ["ratio", "sqrt"])
def test_curvature_at_zero_matches_hessian(penalty: str) -> None:
    prob = _population(8, 3, 2.0)
    obj = lib.Objective(prob, lam=0.02, beta=1e-3, penalty=penalty)
    zero = np.zeros((8, 2))
    predicted = theory.curvature_at_zero(prob.singular_values**2, 0.02, 1e-3, penalty=penalty)
    for j, v in enumerate(_eigenvectors(prob).T):
        V = np.zeros((8, 2))
        V[:, 1] = v
        assert np.sum(V * obj.hvp(zero, V)) == pytest.approx(predicted[j], rel=1e-10)
    orthogonal = np.linalg.svd(prob.U_star, full_matrices=True)[0][:, -1]
    V = np.zeros((8, 2))
    V[:, 0] = orthogonal
    assert np.sum(V * obj.hvp(zero, V)) == pytest.approx(
        theory.curvature_at_zero_orthogonal(0.02, 1e-3, trace=1.0, penalty=penalty), rel=1e-10)


def test_lambda_bounds_are_where_curvature_changes_sign() -> None:
    s = np.array([1.0, 0.8, 0.5])
    bounds = theory.lambda_bounds(s, 1e-3)
    low, high = bounds.all_grow, bounds.zero_is_min
    assert low == pytest.approx(2 * np.sqrt(1e-3) * 0.5)
    assert high == pytest.approx(2 * np.sqrt(1e-3) * 1.0)
    assert np.all(theory.curvature_at_zero(s, 0.999 * low, 1e-3) < 0)
    assert theory.curvature_at_zero(s, 1.001 * low, 1e-3)[-1] > 0
    assert np.all(theory.curvature_at_zero(s, 1.001 * high, 1e-3) > 0)
    assert theory.curvature_at_zero(s, 0.999 * high, 1e-3)[0] < 0


@pytest.mark.parametrize("penalty", ["ratio", "sqrt"])
def test_regularized_column_norms_minimise_the_one_dimensional_objective(penalty: str) -> None:
    s = np.array([1.0, 0.5, 0.2])
    lam, beta = 0.05, 1e-3
    norms = theory.regularized_column_norms(s, lam, beta, penalty=penalty)
    for s_j, a_j in zip(s, norms, strict=True):
        def profile(a: float, s_j: float = s_j) -> float:
            column = np.array([[a]])
            return (s_j - a * a) ** 2 + lam * lib.smooth_group_lasso(column, beta, penalty)

        best = minimize_scalar(profile, bounds=(0.3 * np.sqrt(s_j), np.sqrt(s_j)),
                               method="bounded", options={"xatol": 1e-12})
        assert a_j == pytest.approx(best.x, abs=1e-6)


def test_regularized_minimiser_and_bias_match_gradient_descent() -> None:
    prob = _population(10, 3, 2.0, seed=1)
    lam, beta = 0.03, 1e-3
    obj = lib.Objective(prob, lam=lam, beta=beta)
    U0 = 1e-3 * np.random.default_rng(0).standard_normal((10, 6))
    result = lib.gradient_descent(obj, U0, 0.1, 100000, tol=1e-10, record_every=10000)
    assert result.converged
    s = prob.singular_values**2
    kept_norms = np.sort(np.linalg.norm(result.U, axis=0))[::-1][:3]
    np.testing.assert_allclose(kept_norms, theory.regularized_column_norms(s, lam, beta),
                               rtol=1e-7)
    assert lib.recovery_error(result.U, prob.U_star) == pytest.approx(
        theory.regularized_bias(s, lam, beta), rel=1e-6)
    assert theory.regularized_bias(s, lam, beta) == pytest.approx(
        np.sqrt(np.sum((lam / (4 * np.sqrt(s))) ** 2)), rel=0.1)


def test_regularized_column_norm_is_zero_when_the_penalty_wins() -> None:
    assert theory.regularized_column_norms([0.01], 1.0, 1e-3)[0] == 0.0
    assert theory.regularized_bias([0.01], 1.0, 1e-3) == pytest.approx(0.01)


def test_spurious_column_curvature_matches_hessian() -> None:
    prob = _population(6, 2, 1.5, seed=2)
    lam, beta = 0.02, 1e-3
    obj = lib.Objective(prob, lam=lam, beta=beta)
    s = prob.singular_values**2
    norms = theory.regularized_column_norms(s, lam, beta)
    vectors = _eigenvectors(prob)
    U = np.zeros((6, 3))
    U[:, :2] = vectors * norms
    assert np.linalg.norm(obj.grad(U)) < 1e-9
    V = np.zeros((6, 3))
    V[:, 2] = vectors[:, 1]
    assert np.sum(V * obj.hvp(U, V)) == pytest.approx(
        theory.spurious_column_curvature(norms[1], lam, beta), rel=1e-8)


def test_small_column_bound_holds_along_a_training_run() -> None:
    prob = _population(10, 2, 1.5, seed=3)
    lam, beta = 0.02, 1e-3
    obj = lib.Objective(prob, lam=lam, beta=beta)
    U0 = 1e-3 * np.random.default_rng(3).standard_normal((10, 8))
    tau = lib.pruning_threshold(beta)
    smallest_kept = theory.regularized_column_norms(prob.singular_values**2, lam, beta)[-1]
    for iterations in (6000, 12000, 24000):
        U = lib.gradient_descent(obj, U0, 0.05, iterations, record_every=iterations).U
        norms = np.linalg.norm(U, axis=0)
        bound = theory.small_column_bound(np.linalg.norm(obj.grad(U)), lam, beta, tau,
                                          smallest_kept)
        assert np.all(norms[norms <= tau] <= bound)
        assert np.sum(norms > tau) == 2


def test_hessian_spectrum_at_solution_matches_dense_hessian() -> None:
    d, r = 6, 3
    prob = _population(d, r, 3.0, seed=4)
    hessian = lib.dense_hessian(lib.Objective(prob).hvp, prob.U_star)
    eigenvalues = np.linalg.eigvalsh(hessian)
    nonzero = eigenvalues[np.abs(eigenvalues) > 1e-9]
    assert np.sum(np.abs(eigenvalues) <= 1e-9) == r * (r - 1) // 2
    assert nonzero.size == theory.degrees_of_freedom(d, r)
    np.testing.assert_allclose(np.unique(np.round(nonzero, 8)),
                               theory.hessian_spectrum_at_solution(prob.singular_values**2, d),
                               rtol=1e-7)


def test_linear_rate_matches_gradient_descent_contraction() -> None:
    d, r = 8, 2
    prob = _population(d, r, 2.0, seed=5)
    step = 0.05
    rng = np.random.default_rng(50)
    U0 = prob.U_star + 0.05 * rng.standard_normal((d, r))
    result = lib.gradient_descent(lib.Objective(prob), U0, step, 300, tol=0.0)
    errors = result.history.errors
    assert errors[300] > 1e-12
    measured = (errors[300] / errors[100]) ** (1 / 200)
    predicted = theory.linear_rate(prob.singular_values**2, d, step)
    assert measured == pytest.approx(predicted, abs=2e-3)
    assert predicted == pytest.approx(1 - 4 * step * prob.singular_values[-1] ** 2)


def test_statistical_error_and_degrees_of_freedom() -> None:
    assert theory.degrees_of_freedom(10, 3) == 27
    assert theory.degrees_of_freedom(10, 15) == 55
    assert theory.statistical_error(10, 3, 2700, 0.5) == pytest.approx(0.05)


def test_fine_tuned_error_matches_statistical_prediction() -> None:
    """Exactly parameterised least squares from the truth: E||dM||^2 ~ sigma^2 dof / n."""
    d, r, n, sigma = 10, 2, 2000, 0.5
    errors = []
    for seed in range(6):
        prob = lib.make_problem(d, r, n, sigma=sigma, seed=seed)
        result = lib.fine_tune(prob, prob.U_star, 0.05, 3000, tol=1e-10, record_every=3000)
        errors.append(lib.recovery_error(result.U, prob.U_star))
    rms = np.sqrt(np.mean(np.square(errors)))
    assert rms == pytest.approx(theory.statistical_error(d, r, n, sigma), rel=0.3)


@pytest.mark.parametrize("penalty", ["ratio", "sqrt"])
def test_hessian_spectrum_at_zero_matches_dense_hessian(penalty: str) -> None:
    prob = _population(6, 2, 2.0)
    s = prob.singular_values**2
    obj = lib.Objective(prob, lam=0.03, beta=1e-3, penalty=penalty)
    measured = np.linalg.eigvalsh(lib.dense_hessian(obj.hvp, np.zeros((6, 3))))
    predicted = theory.hessian_spectrum_at_zero(s, 0.03, 1e-3, d=6, k=3, penalty=penalty)
    assert predicted.shape == (18,)
    assert np.max(np.abs(measured - predicted)) < 1e-10


def test_hessian_spectrum_at_zero_rejects_a_dimension_below_the_rank() -> None:
    with pytest.raises(ValueError, match="d must be >= 3"):
        theory.hessian_spectrum_at_zero([1.0, 0.5, 0.2], 0.01, 1e-3, d=2, k=1)


def test_regularized_stationary_point_is_stationary_and_misses_the_weakest_direction() -> None:
    prob = _population(6, 3, 2.0)
    s = prob.singular_values**2
    for lam in (0.01, 0.04):
        U = theory.regularized_stationary_point(prob.U_star, lam, 1e-3, k=5, directions=2)
        obj = lib.Objective(prob, lam=lam, beta=1e-3)
        assert U.shape == (6, 5)
        assert np.linalg.norm(obj.grad(U)) < 1e-10
        assert np.count_nonzero(lib.column_norms(U)) == 2
        certificate = lib.sosp_certificate(obj, U)
        formula = theory.curvature_at_zero(s, lam, 1e-3)[2]
        if formula < 0:
            assert certificate.min_eigenvalue == pytest.approx(formula, abs=1e-8)
        else:
            assert certificate.min_eigenvalue > 0


def test_regularized_stationary_point_rejects_more_directions_than_the_rank() -> None:
    prob = _population(6, 2, 2.0)
    with pytest.raises(ValueError, match="directions must be <= 2"):
        theory.regularized_stationary_point(prob.U_star, 0.01, 1e-3, k=4, directions=3)
