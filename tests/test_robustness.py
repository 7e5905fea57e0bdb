"""Divergence is caught with an actionable error; results are reproducible and thread-safe."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import lib


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sensing", lib.SENSING_KINDS)
def test_too_large_step_raises_with_a_step_that_works(sensing: str, dtype: type) -> None:
    prob = lib.make_problem(10, 2, 400, sensing=sensing, seed=1, dtype=dtype)
    obj = lib.Objective(prob, lam=0.01, beta=1e-3)
    U0 = 0.1 * np.random.default_rng(2).standard_normal((10, 6))
    with pytest.raises(lib.DivergenceError) as raised:
        lib.gradient_descent(obj, U0, 5.0, 1000)
    error = raised.value
    assert error.iteration <= 10
    assert np.isfinite(error.last_finite_value)
    assert "try step=" in str(error) and "diverged" in str(error)
    assert 0 < error.suggested_step < 5.0
    result = lib.gradient_descent(obj, U0, error.suggested_step, 3000)
    assert np.all(np.isfinite(result.history.values))
    assert result.history.values[-1] < result.history.values[0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sensing", lib.SENSING_KINDS)
def test_overflowing_start_is_refused_naming_U0(sensing: str, dtype: type) -> None:
    prob = lib.make_problem(6, 2, 100, sensing=sensing, seed=0, dtype=dtype)
    obj = lib.Objective(prob, lam=0.01, beta=1e-3)
    huge = np.full((6, 3), 1e80)
    with pytest.raises(ValueError, match=r"not finite at U0 \(largest \|entry\| 1e\+80"):
        lib.gradient_descent(obj, huge, 0.01, 10)
    with pytest.raises(ValueError, match="not finite at U0"):
        lib.perturbed_gradient_descent(obj, huge, 0.01, 10)
    with pytest.raises(ValueError, match="not finite at U"):
        lib.sosp_certificate(obj, huge)
    with pytest.raises(ValueError, match="not finite at U"):
        obj.value(huge)


def test_float32_loss_that_overflows_raises_instead_of_nan() -> None:
    prob = lib.make_problem(6, 2, 100, seed=0, dtype=np.float32)
    obj = lib.Objective(prob)
    with pytest.raises(ValueError, match=r"f\(U\) is not finite at U"):
        obj.value(np.full((6, 2), 1e20))
    with pytest.raises(ValueError, match="is not finite at U"):
        obj.grad(np.full((6, 2), 1e20))


@pytest.mark.parametrize("sensing", ["gaussian", "rank_one"])
def test_nan_in_the_observations_is_named_not_an_arpack_error(sensing: str) -> None:
    prob = lib.make_problem(6, 2, 100, sensing=sensing, seed=0)
    prob.y[3] = np.nan
    obj = lib.Objective(prob, lam=0.01)
    U = 0.1 * np.ones((6, 2))
    with pytest.raises(ValueError, match="observations y contain 1 non-finite"):
        lib.gradient_descent(obj, U, 0.01, 10)
    with pytest.raises(ValueError, match="observations y contain 1 non-finite"):
        lib.sosp_certificate(obj, U)
    with pytest.raises(ValueError, match="observations y contain 1 non-finite"):
        lib.suggest_step(obj, U)


def test_perturbed_gradient_descent_also_catches_divergence() -> None:
    prob = lib.make_problem(8, 2, 1, sensing="population", seed=0)
    obj = lib.Objective(prob, lam=0.01, beta=1e-3)
    with pytest.raises(lib.DivergenceError):
        lib.perturbed_gradient_descent(obj, np.ones((8, 4)), 3.0, 1000)


def test_fine_tune_catches_divergence() -> None:
    prob = lib.make_problem(8, 2, 300, seed=0)
    with pytest.raises(lib.DivergenceError):
        lib.fine_tune(prob, prob.U_star + 0.1, 10.0, 100)


def test_interrupted_run_returns_what_it_has() -> None:
    prob = lib.make_problem(8, 2, 1, sensing="population", seed=0)

    def interrupt(iteration: int, U: np.ndarray, value: float) -> None:
        if iteration == 25:
            raise KeyboardInterrupt

    U0 = 1e-2 * np.random.default_rng(0).standard_normal((8, 3))
    with pytest.warns(UserWarning, match="interrupted at iteration 25"):
        result = lib.gradient_descent(lib.Objective(prob), U0, 0.1, 1000, callback=interrupt)
    assert result.status == "interrupted" and not result.converged
    assert result.iterations == 25
    assert result.history.iterations[-1] == 25
    assert np.all(np.isfinite(result.U))


def _pipeline(seed: int) -> lib.PipelineResult:
    """A short noisy pipeline, large enough (d = 30, n = 1500) for BLAS to use threads."""
    prob = lib.make_problem(30, 3, 1500, sigma=0.01, kappa=1.5, seed=seed)
    return lib.train_prune_finetune(prob, 12, 0.01, 1e-3, train_iter=1500, fine_tune_iter=200,
                                    record_every=100, seed=seed + 1)


@pytest.mark.filterwarnings("ignore:pruning kept")
def test_same_seed_is_bit_identical() -> None:
    first, second = _pipeline(3), _pipeline(3)
    assert np.array_equal(first.U0, second.U0)
    assert np.array_equal(first.train.U, second.train.U)
    assert np.array_equal(first.U_final, second.U_final)
    assert np.array_equal(first.train.history.values, second.train.history.values)


@pytest.mark.filterwarnings("ignore:pruning kept")
def test_global_random_state_is_untouched() -> None:
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (the legacy state is the subject)
    _pipeline(4)
    lib.perturbed_gradient_descent(
        lib.Objective(lib.make_problem(5, 1, 1, sensing="population", seed=0), lam=0.01),
        np.zeros((5, 2)), 0.1, 300, seed=1)
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002


@pytest.mark.filterwarnings("ignore:pruning kept")
def test_one_and_two_blas_threads_agree() -> None:
    with threadpool_limits(limits=1):
        single = _pipeline(5)
    with threadpool_limits(limits=2):
        double = _pipeline(5)
    for a, b in [(single.train.U, double.train.U), (single.U_final, double.U_final)]:
        assert np.linalg.norm(a - b) <= 1e-10 * np.linalg.norm(b)


def test_problem_too_large_for_memory_is_refused_naming_d_n_and_bytes() -> None:
    needed = lib.problem.data_bytes("gaussian", 2000, 3, 10**6)
    assert needed == 8 * (10**6 * 2000 * 2001 // 2 + 10**6)
    with pytest.raises(ValueError, match=rf"d = 2000 and n = 1000000 needs {needed:,} bytes"):
        lib.make_problem(2000, 3, 10**6)
    assert lib.problem.data_bytes("rank_one", 10, 2, 50) == 8 * (50 * 10 + 50)
    assert lib.problem.data_bytes("population", 10, 2, 50) == 8 * 20


def test_recovery_error_beyond_dense_size_needs_no_d_by_d_matrix() -> None:
    d = lib.objective.DENSE_ERROR_MAX_D + 1
    rng = np.random.default_rng(0)
    U_star, U = rng.standard_normal((d, 2)), rng.standard_normal((d, 3))
    dense = np.linalg.norm(U @ U.T - U_star @ U_star.T)
    scale = np.linalg.norm(U_star.T @ U_star)
    assert abs(lib.recovery_error(U, U_star) - dense) <= 1e-7 * scale
    assert lib.recovery_error(U_star, U_star) <= 1e-7 * scale


def test_population_run_at_large_d_records_without_d_by_d_matrices() -> None:
    import tracemalloc

    d = 30_000
    prob = lib.make_problem(d, 1, 1, sensing="population", seed=0)
    U0 = 1e-3 * np.random.default_rng(1).standard_normal((d, 2))
    tracemalloc.start()
    result = lib.gradient_descent(lib.Objective(prob, lam=0.01), U0, 0.1, 3, record_every=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.history.errors.size == 4 and np.all(np.isfinite(result.history.errors))
    # One d x d float64 matrix would be d * d * 8 = 7.2 GB; the run's peak is linear in d
    # (about 30 MB, some 130 arrays of d numbers, measured), far below a hundredth of that.
    assert peak < d * d * 8 / 100
