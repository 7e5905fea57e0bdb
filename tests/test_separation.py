"""The chapter helpers of the pruning-threshold and fine-tuning chapters: the residual matrix,
the certified small-column bound, the column separation of a trained factor, the contraction
factor of a Hessian spectrum and the rate fitted to a recorded run."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib import theory
from lib.optim import History


def test_residual_matrix_gives_the_gradient_of_the_loss() -> None:
    prob = lib.make_problem(6, 2, 200, sigma=0.1, seed=1)
    U = np.random.default_rng(2).standard_normal((6, 4))
    R = lib.residual_matrix(prob, U)
    assert np.allclose(R, R.T)
    np.testing.assert_allclose(lib.Objective(prob).grad(U), -4.0 * R @ U, rtol=1e-10,
                               atol=1e-12)


def test_residual_matrix_rejects_bad_input() -> None:
    prob = lib.make_problem(6, 2, 50, seed=1)
    with pytest.raises(TypeError, match=r"prob must be a lib\.Problem"):
        lib.residual_matrix("problem", np.zeros((6, 2)))
    with pytest.raises(ValueError, match="U must have 6 rows"):
        lib.residual_matrix(prob, np.zeros((5, 2)))
    population = lib.make_problem(6, 2, 1, sensing="population", seed=1)
    with pytest.raises(ValueError, match="sensing='gaussian'"):
        lib.residual_matrix(population, np.zeros((6, 2)))


def test_certified_bound_is_the_minimiser_bound_at_the_minimiser_residual() -> None:
    lam, beta, tau, a_r = 0.015, 2e-3, lib.pruning_threshold(2e-3), 0.48
    rho = lam * lib.column_weight(a_r**2, beta) / 4
    assert theory.certified_small_column_bound(1e-3, lam, beta, tau, rho) == pytest.approx(
        theory.small_column_bound(1e-3, lam, beta, tau, a_r), rel=1e-12)
    expected = 1e-3 / (lam * lib.column_weight(tau**2, beta) - 4 * 0.02)
    assert theory.certified_small_column_bound(1e-3, lam, beta, tau, 0.02) == pytest.approx(
        expected, rel=1e-12)
    assert theory.certified_small_column_bound(1e-3, lam, beta, tau, 1.0) == np.inf
    with pytest.raises(ValueError, match="residual_top_eigenvalue must be finite"):
        theory.certified_small_column_bound(1e-3, lam, beta, tau, np.nan)


def test_column_separation_of_a_trained_factor() -> None:
    prob = lib.make_problem(8, 2, 400, sigma=0.05, seed=3)
    lam, beta = 0.02, 2e-3
    out = lib.train_prune_finetune(prob, 10, lam, beta, train_iter=1500, fine_tune_iter=1,
                                   record_every=100, seed=4)
    separation = lib.column_separation(prob, out, lam, beta)
    assert separation.kept == out.kept.size == 2
    assert separation.largest_pruned < out.threshold < separation.smallest_kept
    assert separation.largest_pruned <= separation.bound_certified < out.threshold
    assert separation.margin == separation.smallest_kept / separation.largest_pruned
    assert separation.error_prune == lib.recovery_error(out.U_prune, prob.U_star)
    assert separation.settled is not None and separation.settled <= 1500
    with pytest.raises(TypeError, match=r"result must be a lib\.PipelineResult"):
        lib.column_separation(prob, out.train, lam, beta)


def test_contraction_factor_leaves_out_the_null_space() -> None:
    spectrum = np.array([0.0, 0.0, 1.0, 2.0, 3.0])
    assert theory.contraction_factor(spectrum, 0.1, null_dimension=2) == pytest.approx(0.9)
    assert theory.contraction_factor(spectrum, 0.6, null_dimension=2) == pytest.approx(0.8)
    assert theory.contraction_factor([4.0], 0.1) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="null_dimension must be <= 4"):
        theory.contraction_factor(spectrum, 0.1, null_dimension=5)
    with pytest.raises(ValueError, match="spectrum must be a 1-D array, got shape"):
        theory.contraction_factor(np.ones((2, 2)), 0.1)
    with pytest.raises(TypeError, match="spectrum must have a real dtype"):
        theory.contraction_factor(["a"], 0.1)
    with pytest.raises(ValueError, match="step must be > 0"):
        theory.contraction_factor(spectrum, 0.0)


def test_fitted_rate_recovers_a_geometric_decay_inside_the_window() -> None:
    steps = np.arange(0, 200, 5)
    errors = 0.5 * 0.9 ** steps
    errors[-3:] = 1e-16  # a floor outside the window must not matter
    history = History(iterations=steps, values=errors, grad_norms=errors, errors=errors,
                      column_norms=np.ones((steps.size, 1)))
    assert history.fitted_rate(1e-8, 1e-2) == pytest.approx(0.9, rel=1e-10)
    with pytest.raises(ValueError, match="fewer than two recorded errors"):
        history.fitted_rate(1.0, 2.0)
    with pytest.raises(ValueError, match=r"high must be > 0\.1"):
        history.fitted_rate(0.1, 0.01)
