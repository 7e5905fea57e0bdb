"""Optimisers, the SOSP certificate, the penalty's limits, pruning and the whole pipeline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import relative_error

import lib


def test_smooth_group_lasso_limits() -> None:
    beta = 1e-6
    large = np.array([[3.0, 0.0], [4.0, 0.0]])  # one column of norm 5 >> sqrt(beta)
    assert abs(lib.smooth_group_lasso(large, beta) - 5.0) < 1e-6
    tiny = np.array([[3e-6], [4e-6]])  # norm 5e-6 << sqrt(beta) = 1e-3
    assert relative_error(lib.smooth_group_lasso(tiny, beta), (5e-6) ** 2 / 1e-3) < 1e-4
    assert abs(lib.smooth_group_lasso(large, beta, penalty="sqrt") - 5.0) < 2e-3
    assert relative_error(lib.smooth_group_lasso(tiny, beta, penalty="sqrt"),
                          (5e-6) ** 2 / 2e-3) < 1e-4


def test_smooth_group_lasso_sums_over_columns() -> None:
    U = np.random.default_rng(0).standard_normal((5, 4))
    total = sum(lib.smooth_group_lasso(U[:, [j]], 0.1) for j in range(4))
    assert relative_error(lib.smooth_group_lasso(U, 0.1), total) < 1e-14


@pytest.mark.parametrize(("sensing", "lam"), [("gaussian", 0.0), ("population", 0.05),
                                              ("rank_one", 0.02)])
def test_sosp_certificate_matches_dense_hessian(sensing: str, lam: float) -> None:
    prob = lib.make_problem(5, 2, 200, sensing=sensing, seed=1)
    obj = lib.Objective(prob, lam=lam, beta=0.01)
    U = np.random.default_rng(1).standard_normal((5, 3)) * 0.3
    hessian = lib.dense_hessian(obj.hvp, U)
    assert relative_error(hessian, hessian.T) < 1e-10
    certificate = lib.sosp_certificate(obj, U)
    assert abs(certificate.min_eigenvalue - np.linalg.eigvalsh(hessian)[0]) < 1e-7
    assert certificate.grad_norm == pytest.approx(np.linalg.norm(obj.grad(U)), rel=1e-14)
    largest = np.max(np.abs(np.linalg.eigvalsh(hessian)))
    assert lib.largest_hessian_eigenvalue(obj, U) == pytest.approx(largest, rel=1e-3)


def test_gradient_descent_decreases_objective_monotonically() -> None:
    prob = lib.make_problem(10, 2, 400, sigma=0.05, seed=2)
    obj = lib.Objective(prob, lam=0.02, beta=1e-3)
    U0 = 1e-2 * np.random.default_rng(0).standard_normal((10, 6))
    result = lib.gradient_descent(obj, U0, 0.02, 600)
    assert np.all(np.diff(result.history.values) <= 1e-15)
    assert result.history.values[-1] < 0.1 * result.history.values[0]
    assert np.array_equal(result.history.iterations, np.arange(601))
    assert result.history.column_norms.shape == (601, 6)


def test_gradient_descent_stops_at_tolerance() -> None:
    prob = lib.make_problem(8, 2, 1, sensing="population", seed=3)
    U0 = 1e-2 * np.random.default_rng(1).standard_normal((8, 2))
    result = lib.gradient_descent(lib.Objective(prob), U0, 0.1, 20000, tol=1e-9)
    assert result.converged and result.status == "converged"
    assert result.history.grad_norms[-1] <= 1e-9
    assert result.iterations < 20000
    assert lib.recovery_error(result.U, prob.U_star) < 1e-8


def test_gradient_descent_does_not_modify_its_start() -> None:
    prob = lib.make_problem(6, 2, 1, sensing="population", seed=3)
    U0 = np.ones((6, 2)) * 0.1
    lib.gradient_descent(lib.Objective(prob), U0, 0.1, 5)
    assert np.array_equal(U0, np.ones((6, 2)) * 0.1)


def test_perturbed_gradient_descent_escapes_a_saddle() -> None:
    """From the exact saddle U = 0, plain GD stays put; perturbed GD finds the minimiser."""
    prob = lib.make_problem(8, 2, 1, sensing="population", seed=4)
    obj = lib.Objective(prob, lam=0.01, beta=1e-3)
    zero = np.zeros((8, 4))
    stuck = lib.gradient_descent(obj, zero, 0.05, 100)
    assert np.array_equal(stuck.U, zero)
    result = lib.perturbed_gradient_descent(obj, zero, 0.05, 20000, grad_threshold=1e-6,
                                            radius=1e-4, escape_iter=400, seed=0)
    assert result.converged
    assert len(result.perturbations) >= 2
    certificate = lib.sosp_certificate(obj, result.U)
    assert certificate.is_sosp(1e-5, 1e-6)
    pruned = lib.prune(result.U, lib.pruning_threshold(1e-3))
    assert pruned.kept.size == 2
    assert lib.recovery_error(pruned.U, prob.U_star) < 0.05


def test_prune_keeps_columns_above_threshold_in_order() -> None:
    U = np.array([[1.0, 0.0, 0.01, 2.0], [0.0, 0.0, 0.0, 0.0]])
    result = lib.prune(U, 0.5)
    assert result.kept.tolist() == [0, 3]
    assert np.array_equal(result.U, U[:, [0, 3]])


def test_prune_warns_when_nothing_or_too_much_is_kept() -> None:
    U = np.array([[1.0, 0.5], [0.0, 0.0]])
    with pytest.warns(UserWarning, match="kept no column"):
        result = lib.prune(U, 2.0)
    assert result.U.shape == (2, 0) and result.kept.size == 0
    with pytest.warns(UserWarning, match="kept 2 columns, expected 1"):
        lib.prune(U, 0.1, expected_rank=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pipeline_keeps_exactly_r_and_fine_tunes_to_exact_recovery(seed: int) -> None:
    prob = lib.make_problem(20, 3, 1200, kappa=1.5, seed=seed)
    out = lib.train_prune_finetune(prob, 20, lam=0.01, beta=1e-3, train_iter=6000,
                                   fine_tune_iter=3000, seed=seed + 10)
    assert out.kept.size == 3
    norms = lib.column_norms(out.train.U)
    assert np.sort(norms)[-3] > 10 * out.threshold > 100 * np.sort(norms)[-4]
    assert lib.recovery_error(out.U_prune, prob.U_star) < 0.05
    assert out.fine_tune is not None and out.fine_tune.converged
    assert out.train_step > 0 and out.fine_tune_step > 0
    assert lib.recovery_error(out.U_final, prob.U_star) < 1e-6


def test_pipeline_warns_when_lambda_kills_the_signal() -> None:
    prob = lib.make_problem(10, 2, 1, sensing="population", seed=0)
    kill = lib.theory.lambda_bounds(prob.singular_values**2, 1e-3).zero_is_min
    with pytest.warns(UserWarning, match="U = 0 is a local minimum"), \
            pytest.warns(UserWarning, match="kept no column"):
        out = lib.train_prune_finetune(prob, 10, lam=1.5 * kill, beta=1e-3, train_iter=2000)
    assert out.kept.size == 0 and out.fine_tune is None and np.isnan(out.fine_tune_step)


def test_squared_norm_has_the_bits_of_numpy_reduction() -> None:
    """The loop's compiled gradient norm replaces np.add.reduce(grad * grad, axis=None) only
    if it gives the same bits, for every length (pairwise summation switches at 8 and 128
    terms and recurses beyond) and for magnitudes spread over ten orders."""
    rng = np.random.default_rng(11)
    for size in [*range(1, 300), 1000, 4099, 250_000]:
        grad = rng.standard_normal((size, 1)) * 10.0 ** rng.integers(-5, 5, (size, 1))
        assert lib.optim._squared_norm(grad) == np.add.reduce(grad * grad, axis=None), size
    fortran = np.asfortranarray(rng.standard_normal((7, 5)))
    assert lib.optim._squared_norm(fortran) == np.add.reduce(fortran * fortran, axis=None)


def test_gradient_descent_takes_numpy_steps_bit_for_bit() -> None:
    """The compiled update and norm of the loop give the iterates and gradient norms of the
    plain NumPy loop U -= step * grad, bit for bit."""
    obj = lib.Objective(lib.make_problem(12, 2, 600, sigma=0.1, seed=4), lam=0.01, beta=1e-3)
    U = 0.1 * np.random.default_rng(5).standard_normal((12, 6))
    result = lib.gradient_descent(obj, U, 0.05, 40, tol=0.0)
    norms = []
    for _ in range(41):
        grad = obj.value_and_grad(U)[1]
        norms.append(math.sqrt(np.add.reduce(grad * grad, axis=None)))
        if len(norms) <= 40:
            U = U - 0.05 * grad
    assert np.array_equal(result.U, U)
    assert np.array_equal(result.history.grad_norms, norms)
