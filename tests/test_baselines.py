"""The alternatives of lib.baselines: each against its definition on a small case."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import relative_error

import lib
from lib import baselines


def dense_gradient(prob: lib.Problem, U: np.ndarray) -> np.ndarray:
    """(4/n) sum_i res_i A_i U from the dense stack of sensing matrices."""
    A = prob.sensing_matrices()
    residuals = np.einsum("nij,ij->n", A, U @ U.T) - prob.y
    return (4.0 / prob.n) * np.einsum("n,nij->ij", residuals, A) @ U


@pytest.mark.parametrize("sensing", ["gaussian", "rank_one"])
def test_split_is_disjoint_complete_and_seeded(sensing: str) -> None:
    prob = lib.make_problem(5, 1, 50, sigma=0.1, sensing=sensing, seed=3)
    split = baselines.split_measurements(prob, 0.2, seed=4)
    assert split.validation_index.size == 10 and split.train_index.size == 40
    assert np.intersect1d(split.train_index, split.validation_index).size == 0
    assert np.array_equal(np.union1d(split.train_index, split.validation_index), np.arange(50))
    again = baselines.split_measurements(prob, 0.2, seed=4)
    assert np.array_equal(again.validation_index, split.validation_index)
    other = baselines.split_measurements(prob, 0.2, seed=5)
    assert not np.array_equal(other.validation_index, split.validation_index)
    # Each part is the original problem restricted to its measurements.
    U = np.random.default_rng(0).standard_normal((5, 2))
    residuals = prob.operator.residuals(U)
    for part, index in ((split.train, split.train_index),
                        (split.validation, split.validation_index)):
        assert part.n == index.size and part.U_star is prob.U_star
        assert np.allclose(part.operator.residuals(U), residuals[index], rtol=1e-12, atol=1e-12)


def test_split_rejects_bad_input() -> None:
    prob = lib.make_problem(4, 1, 10, seed=0)
    with pytest.raises(ValueError, match="holdout"):
        baselines.split_measurements(prob, 0.01)
    with pytest.raises(ValueError, match="holdout"):
        baselines.split_measurements(prob, 1.0)
    with pytest.raises(TypeError, match="holdout"):
        baselines.split_measurements(prob, "half")
    population = lib.make_problem(4, 1, 10, sensing="population", seed=0)
    with pytest.raises(ValueError, match=r"prob\.sensing"):
        baselines.split_measurements(population, 0.2)
    with pytest.raises(TypeError, match="prob"):
        baselines.split_measurements("problem", 0.2)


def test_early_stopping_returns_the_iterate_with_the_smallest_validation_loss() -> None:
    prob = lib.make_problem(6, 1, 60, sigma=0.3, seed=2)
    out = baselines.early_stopped_gd(prob, 6, holdout=0.25, step=0.05, max_iter=300,
                                     validate_every=7, seed=1, split_seed=2)
    assert out.validation_iterations[0] == 0 and out.validation_iterations[-1] == 300
    assert np.all(np.diff(out.validation_iterations)[:-1] == 7)
    best = int(np.argmin(out.validation_losses))
    assert out.best_iteration == out.validation_iterations[best]
    # Re-running gradient descent on the training part for best_iteration steps gives U.
    U0 = 1e-3 * np.random.default_rng(1).standard_normal((6, 6))
    rerun = lib.gradient_descent(lib.Objective(out.split.train), U0, 0.05,
                                 max(out.best_iteration, 1), tol=0.0)
    expected = U0 if out.best_iteration == 0 else rerun.U
    assert np.array_equal(out.U, expected)
    assert out.validation_losses[best] == pytest.approx(
        out.split.validation.operator.value(out.U), rel=1e-14)


def test_early_stopping_rejects_bad_input() -> None:
    prob = lib.make_problem(4, 1, 20, seed=0)
    with pytest.raises(ValueError, match="validate_every"):
        baselines.early_stopped_gd(prob, 2, holdout=0.2, step=0.1, max_iter=5,
                                   validate_every=0)
    with pytest.raises(TypeError, match="k"):
        baselines.early_stopped_gd(prob, 2.5, holdout=0.2, step=0.1, max_iter=5)


def test_svd_truncation_is_exact_for_a_rotated_padded_factor() -> None:
    rng = np.random.default_rng(0)
    U_star = lib.make_problem(7, 2, 1, sensing="population", seed=1).U_star
    Q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    padded = np.hstack([U_star, np.zeros((7, 3))]) @ Q
    truncated = baselines.svd_truncate(padded, 2)
    assert truncated.shape == (7, 2)
    assert lib.recovery_error(truncated, U_star) < 1e-13


def test_svd_truncation_is_the_best_rank_r_approximation() -> None:
    U = np.random.default_rng(1).standard_normal((6, 4))
    eigenvalues, vectors = np.linalg.eigh(U @ U.T)
    best = (vectors[:, -2:] * eigenvalues[-2:]) @ vectors[:, -2:].T
    truncated = baselines.svd_truncate(U, 2)
    assert relative_error(truncated @ truncated.T, best) < 1e-13
    singular_values = np.linalg.svd(U, compute_uv=False)
    assert np.linalg.norm(truncated @ truncated.T - U @ U.T) == pytest.approx(
        np.sqrt(np.sum(singular_values[2:] ** 4)), rel=1e-12)
    with pytest.raises(ValueError, match="r must be <= 4"):
        baselines.svd_truncate(U, 5)


def test_scaled_gd_follows_the_published_update() -> None:
    """Xu, Shen, Chi, Ma (2023): U <- U - eta grad L(U) (U^T U + lam I)^{-1}, by hand."""
    prob = lib.make_problem(5, 2, 60, sigma=0.05, seed=4)
    step, lam = 0.05, 0.1
    out = baselines.scaled_gd(prob, 4, lam=lam, step=step, max_iter=3, seed=7, init_scale=0.1,
                              tol=0.0)
    U = 0.1 * np.random.default_rng(7).standard_normal((5, 4))
    for _ in range(3):
        U = U - step * dense_gradient(prob, U) @ np.linalg.inv(U.T @ U + lam * np.eye(4))
    assert out.iterations == 3 and out.status == "max_iter"
    assert relative_error(out.U, U) < 1e-12


def test_scaled_gd_recovers_a_noiseless_low_rank_matrix() -> None:
    prob = lib.make_problem(8, 2, 400, seed=5)
    out = baselines.scaled_gd(prob, 6, lam=0.01, step=0.1, max_iter=3000, seed=0, tol=1e-9,
                              record_every=100)
    assert lib.recovery_error(out.U, prob.U_star) < 1e-4
    with pytest.raises(ValueError, match="lam"):
        baselines.scaled_gd(prob, 6, lam=0.0, step=0.1, max_iter=3)
    with pytest.raises(ValueError, match="step"):
        baselines.scaled_gd(prob, 6, lam=0.1, step=-1.0, max_iter=3)


@pytest.mark.parametrize(("d", "n"), [(6, 40), (8, 30)])
def test_nuclear_norm_satisfies_its_subgradient_optimality_conditions(d: int, n: int) -> None:
    r"""At the minimiser, G = -grad L(M)/mu is a subgradient of the nuclear norm at M:
    on the range of M, G = V sign(Lambda) V^T; off it, ||G||_2 <= 1."""
    prob = lib.make_problem(d, 2, n, sigma=0.1, seed=6)
    mu = 0.05
    fit = baselines.nuclear_norm(prob, mu=mu, max_iter=50000, tol=1e-11)
    assert fit.converged
    A = prob.sensing_matrices()
    residuals = np.einsum("nij,ij->n", A, fit.M) - prob.y
    G = -(2.0 / n) * np.einsum("n,nij->ij", residuals, A) / mu
    eigenvalues, vectors = np.linalg.eigh(fit.M)
    support = np.abs(eigenvalues) > 1e-8
    assert 0 < support.sum() == fit.rank < d
    V, W = vectors[:, support], vectors[:, ~support]
    assert np.abs(V.T @ G @ V - np.diag(np.sign(eigenvalues[support]))).max() < 1e-7
    assert np.abs(W.T @ G @ V).max() < 1e-7
    assert np.linalg.norm(W.T @ G @ W, 2) <= 1.0 + 1e-7


def test_nuclear_norm_validated_keeps_the_fit_with_the_smallest_validation_loss() -> None:
    prob = lib.make_problem(6, 1, 80, sigma=0.1, seed=8)
    out = baselines.nuclear_norm_validated(prob, [0.01, 0.3, 0.1, 0.03], holdout=0.25,
                                           split_seed=1, max_iter=500)
    assert np.array_equal(out.mus, [0.3, 0.1, 0.03, 0.01])
    best = int(np.argmin(out.validation_losses))
    assert out.fit.mu == out.mus[best]
    assert out.validation_losses[best] == pytest.approx(
        baselines.measurement_loss(out.split.validation, out.fit.M), rel=1e-12)
    assert out.iterations <= 4 * 500
    with pytest.raises(ValueError, match="mus"):
        baselines.nuclear_norm_validated(prob, [0.1, -1.0], holdout=0.25)
    with pytest.raises(ValueError, match="mu"):
        baselines.nuclear_norm(prob, mu=0.0)


@pytest.mark.parametrize("sensing", ["gaussian", "rank_one"])
def test_spectral_init_is_the_top_eigenpairs_of_an_unbiased_estimate(sensing: str) -> None:
    prob = lib.make_problem(5, 2, 20000, sensing=sensing, kappa=1.5, seed=9)
    U0 = baselines.spectral_init(prob, 2)
    assert U0.shape == (5, 2)
    assert lib.recovery_error(U0, prob.U_star) < 0.15


def test_spectral_init_matches_the_dense_formula() -> None:
    prob = lib.make_problem(5, 2, 50, sigma=0.1, seed=10)
    estimate = np.einsum("n,nij->ij", prob.y, prob.sensing_matrices()) / prob.n
    eigenvalues, vectors = np.linalg.eigh(estimate)
    expected = vectors[:, [4, 3]] * np.sqrt(np.maximum(eigenvalues[[4, 3]], 0.0))
    assert relative_error(baselines.spectral_init(prob, 2), expected) < 1e-12
    with pytest.raises(ValueError, match="r must be <= 5"):
        baselines.spectral_init(prob, 6)
