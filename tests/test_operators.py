"""The measurement operators against dense formulas, Monte Carlo and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import central_difference, relative_error

import lib

SHAPES = [(6, 2, 1), (6, 3, 3), (7, 2, 5), (5, 1, 8)]  # (d, r, k): k < r, k = r, k > r


def _instance(sensing: str, d: int, r: int, k: int, seed: int = 0, sigma: float = 0.1):
    prob = lib.make_problem(d, r, 60 * d, sigma=sigma, kappa=2.0, sensing=sensing, seed=seed)
    rng = np.random.default_rng(seed + 100)
    return prob, rng.standard_normal((d, k)) / np.sqrt(d), rng.standard_normal((d, k))


def _assert_matches_dense_stack(prob: lib.Problem, stack: np.ndarray, U: np.ndarray) -> None:
    """Residuals and gradient of ``prob`` equal the formulas evaluated on the dense A_i."""
    residuals = np.einsum("ijk,jk->i", stack, U @ U.T) - prob.y
    assert relative_error(prob.operator.residuals(U), residuals) < 1e-12
    dense_grad = (4 / prob.n) * np.einsum("i,ijk->jk", residuals, stack) @ U
    assert relative_error(lib.Objective(prob).grad(U), dense_grad) < 1e-12


def test_packed_gaussian_matches_dense_stack() -> None:
    prob = lib.make_problem(7, 2, 40, sigma=0.3, seed=3)
    stack = prob.sensing_matrices()
    assert stack.shape == (40, 7, 7)
    assert np.array_equal(stack, np.transpose(stack, (0, 2, 1)))
    _assert_matches_dense_stack(prob, stack, np.random.default_rng(0).standard_normal((7, 4)))
    clean = np.einsum("ijk,jk->i", stack, prob.M_star)
    noise = prob.y - clean
    assert abs(noise.std() - 0.3) < 0.15


def test_gaussian_entries_have_the_symmetrised_distribution() -> None:
    stack = lib.make_problem(10, 1, 4000, seed=1).sensing_matrices()
    diagonal = stack[:, np.arange(10), np.arange(10)]
    upper = stack[:, *np.triu_indices(10, 1)]
    assert abs(diagonal.var() - 1.0) < 0.03
    assert abs(upper.var() - 0.5) < 0.015


def test_isotropy_of_gaussian_sensing() -> None:
    """E <A, M>^2 = ||M||_F^2 for symmetric M, within 4 standard errors."""
    prob = lib.make_problem(8, 1, 20000, seed=2)
    rng = np.random.default_rng(5)
    G = rng.standard_normal((8, 8))
    M = G + G.T
    squares = prob.operator.measure(M) ** 2
    standard_error = squares.std() / np.sqrt(squares.size)
    assert abs(squares.mean() - np.linalg.norm(M) ** 2) < 4 * standard_error


def test_population_loss_matches_monte_carlo() -> None:
    d, r, k, sigma = 6, 2, 4, 0.5
    population = lib.make_problem(d, r, 1, sigma=sigma, sensing="population", seed=4)
    U = np.random.default_rng(1).standard_normal((d, k)) / 2
    rng = np.random.default_rng(9)
    n = 40000
    G = rng.standard_normal((n, d, d))
    A = (G + np.transpose(G, (0, 2, 1))) / 2
    samples = (np.einsum("ijk,jk->i", A, U @ U.T - population.M_star)
               - sigma * rng.standard_normal(n)) ** 2
    standard_error = samples.std() / np.sqrt(n)
    assert abs(samples.mean() - lib.Objective(population).value(U)) < 4 * standard_error
    expected = np.linalg.norm(U @ U.T - population.M_star) ** 2 + sigma**2
    assert relative_error(lib.Objective(population).value(U), expected) < 1e-12


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("k", "outer"), [(2, False), (8, True), (12, True)])
def test_population_orders_agree_with_the_dense_formula(k: int, outer: bool,
                                                        dtype: type) -> None:
    """Loss and gradient through U^T U (k much smaller than d) and through U U^T - M* (k >= d,
    the cheaper order there) both equal ||U U^T - M*||^2 + sigma^2 and 4 (U U^T - M*) U;
    float32 to 1e-5."""
    d, r = 8, 3
    prob = lib.make_problem(d, r, 1, sigma=0.3, sensing="population", seed=2, dtype=dtype)
    operator = prob.operator
    assert operator.outer_order(k) == outer
    U = np.random.default_rng(k).standard_normal((d, k)) / np.sqrt(d)
    error = U @ U.T - prob.M_star
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    value, grad = operator.value_and_grad(U)
    assert relative_error(value, np.sum(error**2) + 0.3**2) < tolerance
    assert relative_error(grad, 4 * error @ U) < tolerance
    assert grad.dtype == np.float64
    assert operator.value(U) == value


def test_rank_one_operator_matches_dense_formula() -> None:
    prob = lib.make_problem(6, 2, 50, sigma=0.2, sensing="rank_one", seed=6)
    X = prob.sensing_vectors()
    stack = np.einsum("ij,ik->ijk", X, X)
    _assert_matches_dense_stack(prob, stack, np.random.default_rng(2).standard_normal((6, 3)))
    clean = np.einsum("ijk,jk->i", stack, prob.M_star)
    assert relative_error(clean, np.sum((X @ prob.U_star) ** 2, axis=1)) < 1e-12


@pytest.mark.parametrize("sensing", lib.SENSING_KINDS)
@pytest.mark.parametrize(("d", "r", "k"), SHAPES)
@pytest.mark.parametrize(("lam", "penalty"), [(0.0, "ratio"), (0.05, "ratio"), (0.05, "sqrt")])
def test_gradient_and_hvp_match_finite_differences(sensing: str, d: int, r: int, k: int,
                                                   lam: float, penalty: str) -> None:
    prob, U, V = _instance(sensing, d, r, k)
    obj = lib.Objective(prob, lam=lam, beta=0.05, penalty=penalty)
    directional = central_difference(obj.value, U, V)
    assert abs(np.sum(obj.grad(U) * V) - directional) < 1e-7 * max(1.0, abs(directional))
    numeric_hvp = (obj.grad(U + 1e-5 * V) - obj.grad(U - 1e-5 * V)) / 2e-5
    assert relative_error(obj.hvp(U, V), numeric_hvp) < 1e-6


@pytest.mark.parametrize("sensing", lib.SENSING_KINDS)
@pytest.mark.parametrize("penalty", ["ratio", "sqrt"])
def test_value_and_grad_agree_with_separate_calls(sensing: str, penalty: str) -> None:
    prob, U, _ = _instance(sensing, 6, 2, 4)
    obj = lib.Objective(prob, lam=0.1, beta=1e-2, penalty=penalty)
    value, grad = obj.value_and_grad(U)
    assert value == obj.value(U)
    assert np.array_equal(grad, obj.grad(U))


@pytest.mark.parametrize("sensing", lib.SENSING_KINDS)
def test_float32_is_the_same_instance_close_to_float64(sensing: str) -> None:
    """dtype=float32 rounds the same instance (same ground truth; observations of the rounded
    data) and returns float64 values, gradients and Hessian-vector products within float32
    accuracy."""
    exact = lib.make_problem(12, 2, 300, sigma=0.1, sensing=sensing, seed=8)
    single = lib.make_problem(12, 2, 300, sigma=0.1, sensing=sensing, seed=8, dtype=np.float32)
    assert np.array_equal(single.U_star, exact.U_star)
    if lib.SENSING_REGISTRY[sensing].SAMPLED:
        assert 0 < relative_error(single.y, exact.y) < 1e-6
    if sensing == "gaussian":
        assert single.operator.packed.dtype == np.float32
        assert single.operator.packed.nbytes * 2 == exact.operator.packed.nbytes
    if sensing == "rank_one":
        assert single.sensing_vectors().dtype == np.float32
    rng = np.random.default_rng(3)
    U, V = rng.standard_normal((12, 5)) / 3, rng.standard_normal((12, 5))
    value64, grad64 = lib.Objective(exact).value_and_grad(U)
    value32, grad32 = lib.Objective(single).value_and_grad(U)
    hvp64 = lib.Objective(exact).hvp(U, V)
    hvp32 = lib.Objective(single).hvp(U, V)
    assert grad32.dtype == hvp32.dtype == np.float64
    assert 0 < relative_error(value32, value64) < 1e-5
    assert 0 < relative_error(grad32, grad64) < 1e-5
    assert 0 < relative_error(hvp32, hvp64) < 1e-5


def test_gaussian_memory_is_packed_once() -> None:
    prob = lib.make_problem(30, 2, 100, seed=0)
    assert prob.operator.packed.shape == (100, 30 * 31 // 2)
    assert prob.operator.packed.flags.owndata
