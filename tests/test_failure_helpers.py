"""Helpers of the failure and quadratic-network chapters: fraction of comparable columns, the norm
gap, the relative error, the runs table, the spectrum and Hessian at zero, the orthogonal path,
the time to an exact rank and the network pruning comparison."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib import theory
from lib.columns import NormGap, fraction_at_least, norm_gap
from lib.network_pruning import STAGES, PruningComparison, compare_pruning
from lib.pruning import time_to_exact_rank
from lib.small_init import orthogonal_component_path


def test_fraction_at_least_counts_columns_against_the_largest() -> None:
    norms = np.array([4.0, 2.0, 1.0, 0.0])
    np.testing.assert_array_equal(fraction_at_least(norms, [0.0, 0.25, 0.5, 1.0]),
                                  [1.0, 0.75, 0.5, 0.25])
    assert fraction_at_least(norms, 0.3).shape == (1,)


@pytest.mark.parametrize(("norms", "c", "error", "match"), [
    (np.array([1.0, -1.0]), 0.5, ValueError, "norms"),
    ("abc", 0.5, TypeError, "norms"),
    (np.array([1.0]), 1.5, ValueError, "c must"),
    (np.ones((2, 2)), 0.5, ValueError, "norms"),
])
def test_fraction_at_least_rejects_bad_input(norms: object, c: object, error: type,
                                             match: str) -> None:
    with pytest.raises(error, match=match):
        fraction_at_least(norms, c)


def test_norm_gap_summarises_a_prunable_model() -> None:
    gap = norm_gap(np.array([1.0, 0.9, 1e-8, 0.6, 2e-8]), threshold=0.05, rank=3)
    assert gap == NormGap(above_threshold=3, at_least_half=3,
                          ratio_at_rank=pytest.approx(0.6 / 2e-8))
    with pytest.raises(ValueError, match="rank"):
        norm_gap(np.array([1.0, 0.5]), 0.1, 2)
    with pytest.raises(ValueError, match="threshold"):
        norm_gap(np.array([1.0, 0.5]), -0.1, 1)


def test_norm_gap_table_has_one_row_per_model() -> None:
    table = lib.columns.norm_gap_table({"a": np.array([1.0, 0.9, 1e-8]),
                                        "b": np.array([1.0, 0.8, 0.7])}, 0.05, 2)
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "above tau"] == 2
    assert table.loc["b", "share >= 0.5 x max"] == "100%"
    assert table.loc["b", "2th / 3th largest"] == f"{0.8 / 0.7:.3g}"
    with pytest.raises(TypeError, match="norms_by_label"):
        lib.columns.norm_gap_table([], 0.05, 1)


def test_relative_recovery_error_is_one_at_zero_and_zero_at_the_truth() -> None:
    U_star = np.random.default_rng(0).standard_normal((5, 2))
    assert lib.relative_recovery_error(np.zeros((5, 3)), U_star) == pytest.approx(1.0)
    assert lib.relative_recovery_error(U_star, U_star) == 0.0
    with pytest.raises(ValueError, match="U_star"):
        lib.relative_recovery_error(U_star, np.zeros((5, 2)))


def test_runs_table_has_one_row_per_run() -> None:
    prob = lib.make_problem(6, 2, 1, sensing="population", seed=0)
    U0 = 1e-2 * np.random.default_rng(1).standard_normal((6, 4))
    run = lib.gradient_descent(lib.Objective(prob), U0, 0.05, 20, tol=0.0)
    table = lib.optim.runs_table({"a": run, "b": run}, prob.U_star)
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "steps"] == 20
    relative = lib.relative_recovery_error(run.U, prob.U_star)
    assert table.loc["a", "relative error"] == f"{relative:.2e}"
    with pytest.raises(TypeError, match="runs"):
        lib.optim.runs_table({"a": 1}, prob.U_star)
    with pytest.raises(ValueError, match="runs must not be empty"):
        lib.optim.runs_table({}, prob.U_star)


@pytest.mark.parametrize(("sensing", "problem_of"), [
    ("gaussian", lambda: lib.make_problem(7, 2, 1, kappa=2.0, sensing="population", seed=0)),
    ("rank_one", lambda: lib.networks.population_problem(
        lib.make_problem(7, 2, 100, kappa=2.0, sensing="rank_one", seed=0))),
])
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_hessian_at_zero_has_the_predicted_spectrum(sensing: str, problem_of, lam: float) -> None:
    problem = problem_of()
    s = problem.singular_values**2
    measured = np.linalg.eigvalsh(lib.column_hessian_at_zero(
        lib.Objective(problem, lam=lam, beta=1e-3)))
    predicted = theory.spectrum_at_zero(s, lam, 1e-3, problem.d, sensing=sensing)
    assert predicted.shape == (problem.d,)
    np.testing.assert_allclose(measured, predicted, atol=1e-10)


def test_spectrum_and_hessian_at_zero_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="d"):
        theory.spectrum_at_zero([1.0, 0.5], 0.1, 1e-3, 1)
    with pytest.raises(TypeError, match="obj"):
        lib.column_hessian_at_zero(np.zeros((3, 1)))


def test_orthogonal_component_path_shrinks_under_gaussian_sensing() -> None:
    problem = lib.make_problem(6, 2, 1, sensing="population", seed=0)
    U0 = 1e-3 * np.random.default_rng(4).standard_normal((6, 6))
    path = orthogonal_component_path(lib.Objective(problem, lam=0.05, beta=1e-3), U0,
                                     problem.U_star, 100, every=10)
    np.testing.assert_array_equal(path.steps, 10 * np.arange(path.values.size))
    projector = np.eye(6) - problem.U_star @ np.linalg.pinv(problem.U_star)
    assert path.values[0] == pytest.approx(np.linalg.norm(projector @ U0, axis=0).max())
    assert path.values.max() <= path.values[0] * (1 + 1e-12)
    with pytest.raises(ValueError, match="every"):
        orthogonal_component_path(lib.Objective(problem), U0, problem.U_star, 10, every=0)


def test_time_to_exact_rank_finds_the_settled_step() -> None:
    problem = lib.make_problem(6, 2, 1, kappa=2.0, sensing="population", seed=0)
    U0 = 1e-3 * np.random.default_rng(4).standard_normal((6, 6))
    beta = 1e-3
    outcome = time_to_exact_rank(lib.Objective(problem, lam=0.02, beta=beta), U0, 3000,
                                 threshold=lib.pruning_threshold(beta), rank=2)
    assert outcome.kept == 2
    assert outcome.prunable_from is not None and 0 < outcome.prunable_from <= 3000
    assert outcome.step == pytest.approx(lib.suggest_step(
        lib.Objective(problem, lam=0.02, beta=beta), U0))
    with pytest.raises(ValueError, match="rank"):
        time_to_exact_rank(lib.Objective(problem), U0, 10, threshold=0.1, rank=0)


def test_compare_pruning_prunes_to_rank_with_the_regulariser() -> None:
    comparison = compare_pruning(0, d=6, r=2, k=6, n=300, sigma=0.05, kappa=2.0, lam=0.05,
                                 beta=1e-3, train_iter=1500, fine_tune_iter=500,
                                 test_size=2000)
    assert isinstance(comparison, PruningComparison)
    assert comparison.kept == 2
    assert set(comparison.errors) == {"with", "without"}
    for variant in comparison.errors.values():
        assert tuple(variant) == STAGES
        assert all(closed >= 0 and held_out >= 0 for closed, held_out in variant.values())
    assert comparison.norms["without"].shape == (6,)
    with pytest.raises(ValueError, match="seed"):
        compare_pruning(-1, d=6, r=2, k=6, n=300, sigma=0.05, kappa=2.0, lam=0.05, beta=1e-3,
                        train_iter=10, fine_tune_iter=10, test_size=100)
