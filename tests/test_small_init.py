"""lib.small_init (failure chapter) against gradient descent and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi

import lib
from lib.small_init import (
    chi_max,
    limit_column_norms,
    predicted_fraction_above,
    signal_projection_norms,
)


def _start(d: int, k: int, alpha: float, seed: int = 1) -> np.ndarray:
    return alpha * np.random.default_rng(seed).standard_normal((d, k))


def test_signal_projection_norms_match_projection_matrix() -> None:
    prob = lib.make_problem(7, 3, 1, kappa=3.0, sensing="population", seed=0)
    U0 = _start(7, 11, 1.0)
    projector = prob.U_star @ np.linalg.pinv(prob.U_star)
    expected = np.linalg.norm(projector @ U0, axis=0)
    np.testing.assert_allclose(signal_projection_norms(U0, prob.U_star), expected, rtol=1e-10)


@pytest.mark.parametrize(("d", "k", "r"), [(6, 30, 2), (10, 10, 3)])
def test_limit_column_norms_match_gradient_descent(d: int, k: int, r: int) -> None:
    prob = lib.make_problem(d, r, 1, sensing="population", seed=2)
    U0 = _start(d, k, 1e-5)
    result = lib.gradient_descent(lib.Objective(prob), U0, 0.1, 5000, tol=1e-12,
                                  record_every=5000)
    measured = np.linalg.norm(result.U, axis=0)
    predicted = limit_column_norms(U0, prob.U_star)
    assert np.max(np.abs(predicted - measured)) < 1e-4 * measured.max()
    assert np.sum(predicted**2) == pytest.approx(np.trace(prob.M_star), rel=1e-10)


def test_limit_column_norms_scale_with_the_signal() -> None:
    prob = lib.make_problem(9, 2, 1, sensing="population", seed=0)
    U0 = _start(9, 20, 1e-3)
    np.testing.assert_allclose(limit_column_norms(U0, 3.0 * prob.U_star),
                               3.0 * limit_column_norms(U0, prob.U_star), rtol=1e-12)


def test_limit_column_norms_rejects_bad_input() -> None:
    prob = lib.make_problem(8, 3, 1, kappa=2.0, sensing="population", seed=0)
    with pytest.raises(ValueError, match="equal singular values"):
        limit_column_norms(_start(8, 20, 1e-3), prob.U_star)
    equal = lib.make_problem(8, 3, 1, sensing="population", seed=0).U_star
    with pytest.raises(ValueError, match="U0"):
        limit_column_norms(_start(7, 20, 1e-3), equal)
    with pytest.raises(ValueError, match="at least r"):
        limit_column_norms(_start(8, 2, 1e-3), equal)
    with pytest.raises(ValueError, match="rank deficient"):
        limit_column_norms(np.zeros((8, 5)), equal)


def test_chi_max_is_the_one_in_k_level() -> None:
    for r in (1, 4):
        level = chi_max(500, r)
        assert 500 * chi.sf(level, r) == pytest.approx(1.0, rel=1e-8)
    assert chi_max(500, 1) == pytest.approx(np.sqrt(2 * np.log(500)), rel=0.15)


@pytest.mark.parametrize("r", [1, 4])
def test_predicted_fraction_matches_monte_carlo(r: int) -> None:
    rng = np.random.default_rng(3)
    c = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    measured, predicted = [], []
    for _ in range(200):
        norms = np.linalg.norm(rng.standard_normal((500, r)), axis=1)
        measured.append([np.mean(norms >= x * norms.max()) for x in c])
        predicted.append(predicted_fraction_above(c, r, norms.max()))
    measured_mean, predicted_mean = np.mean(measured, axis=0), np.mean(predicted, axis=0)
    assert measured_mean[0] == predicted_mean[0] == 1.0
    np.testing.assert_allclose(measured_mean[1:4], predicted_mean[1:4], rtol=0.05)
    assert np.all(np.diff(predicted_mean) < 0)


def test_predicted_fraction_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"c must hold values <= 1\.0"):
        predicted_fraction_above(1.5, 4, 3.0)
    with pytest.raises(ValueError, match="max_value"):
        predicted_fraction_above(0.5, 4, 0.0)
    with pytest.raises(ValueError, match="r must be"):
        predicted_fraction_above(0.5, 0, 3.0)
