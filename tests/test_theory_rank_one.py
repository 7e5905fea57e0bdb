"""The rank-one (quadratic network) formulas of lib.theory against Hessians computed from
lib.networks.QuadraticNetworkPopulation and from a large rank-one sample."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib import networks, theory

LAM, BETA = 0.05, 1e-3


def _population(d: int = 7, r: int = 3, kappa: float = 2.0, seed: int = 0) -> lib.Problem:
    return networks.population_problem(
        lib.make_problem(d, r, 1, kappa=kappa, sensing="population", seed=seed))


def _predicted_spectrum(prob: lib.Problem, lam: float, k: int,
                        penalty: str = "ratio") -> np.ndarray:
    s = prob.singular_values**2
    signal = theory.curvature_at_zero(s, lam, BETA, penalty=penalty, sensing="rank_one")
    orthogonal = theory.curvature_at_zero_orthogonal(lam, BETA, trace=float(s.sum()),
                                                     penalty=penalty, sensing="rank_one")
    multiplicities = [k] * s.size + [k * (prob.d - s.size)]
    return np.sort(np.repeat(np.append(signal, orthogonal), multiplicities))


@pytest.mark.parametrize("penalty", ["ratio", "sqrt"])
@pytest.mark.parametrize("lam", [0.0, LAM])
def test_hessian_at_zero_has_the_predicted_spectrum(penalty: str, lam: float) -> None:
    prob = _population()
    k = 2
    objective = lib.Objective(prob, lam=lam, beta=BETA, penalty=penalty)
    hessian = lib.dense_hessian(objective.hvp, np.zeros((prob.d, k)))
    assert np.allclose(hessian, hessian.T)
    measured = np.linalg.eigvalsh(hessian)
    assert np.allclose(measured, _predicted_spectrum(prob, lam, k, penalty), atol=1e-9)


def test_curvature_along_each_eigenvector_and_orthogonal_direction() -> None:
    prob = _population()
    objective = lib.Objective(prob, lam=LAM, beta=BETA)
    zero = np.zeros((prob.d, 3))
    basis = np.linalg.svd(prob.U_star, full_matrices=True)[0]
    s = prob.singular_values**2
    predicted = theory.curvature_at_zero(s, LAM, BETA, sensing="rank_one")
    for j in range(prob.r):
        V = np.zeros((prob.d, 3))
        V[:, 2] = basis[:, j]
        assert np.sum(V * objective.hvp(zero, V)) == pytest.approx(predicted[j], rel=1e-12)
    V = np.zeros((prob.d, 3))
    V[:, 0] = basis[:, -1]
    assert np.sum(V * objective.hvp(zero, V)) == pytest.approx(
        theory.curvature_at_zero_orthogonal(LAM, BETA, trace=float(s.sum()), sensing="rank_one"),
        rel=1e-12)


def test_large_sample_hessian_at_zero_is_close_to_the_population_one() -> None:
    prob = lib.make_problem(6, 2, 300_000, kappa=2.0, sensing="rank_one", seed=3)
    measured = np.linalg.eigvalsh(lib.dense_hessian(lib.Objective(prob).hvp, np.zeros((6, 1))))
    s = prob.singular_values**2
    predicted = np.sort(np.append(-8 * s - 4 * s.sum(), np.full(4, -4 * s.sum())))
    assert np.max(np.abs(measured - predicted)) < 0.05 * np.max(np.abs(predicted))


def test_rank_one_bounds_are_where_curvatures_change_sign() -> None:
    s = np.array([1.0, 0.5, 0.25])
    trace = float(s.sum())
    bounds = theory.lambda_bounds(s, BETA, sensing="rank_one")
    low, high = bounds.all_grow, bounds.zero_is_min
    orthogonal = theory.lambda_orthogonal_bound(trace, BETA, sensing="rank_one")
    assert orthogonal == pytest.approx(2 * np.sqrt(BETA) * trace)
    assert low == pytest.approx(2 * np.sqrt(BETA) * (2 * s[-1] + trace))
    assert high == pytest.approx(2 * np.sqrt(BETA) * (2 * s[0] + trace))
    assert orthogonal < low < high
    for lam, sign in [(0.999 * orthogonal, -1), (1.001 * orthogonal, 1)]:
        curvature = theory.curvature_at_zero_orthogonal(lam, BETA, trace=trace,
                                                        sensing="rank_one")
        assert np.sign(curvature) == sign
    assert np.all(theory.curvature_at_zero(s, 0.999 * low, BETA, sensing="rank_one") < 0)
    assert theory.curvature_at_zero(s, 1.001 * low, BETA, sensing="rank_one")[-1] > 0
    assert np.all(theory.curvature_at_zero(s, 1.001 * high, BETA, sensing="rank_one") > 0)


def test_orthogonal_bound_is_zero_for_gaussian_sensing() -> None:
    assert theory.lambda_orthogonal_bound(3.0, BETA) == 0.0
    assert theory.lambda_orthogonal_bound(3.0, BETA, sensing="population") == 0.0
    assert theory.curvature_at_zero_orthogonal(0.0, BETA, trace=3.0) == 0.0


def test_rank_one_region_is_shifted_up_by_two_plus_trace_over_s() -> None:
    s = np.array([1.0, 0.5, 0.25])
    gaussian = theory.lambda_bounds(s, BETA)
    rank_one = theory.lambda_bounds(s, BETA, sensing="rank_one")
    ratios = [rank_one.all_grow / gaussian.all_grow, rank_one.zero_is_min / gaussian.zero_is_min]
    assert np.allclose(ratios, 2 + s.sum() / s[[-1, 0]])


def test_orthogonal_bound_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="trace must be >= 0"):
        theory.lambda_orthogonal_bound(-1.0, BETA, sensing="rank_one")
    with pytest.raises(ValueError, match="beta must be > 0"):
        theory.lambda_orthogonal_bound(1.0, 0.0, sensing="rank_one")
    with pytest.raises(ValueError, match="sensing must be one of"):
        theory.lambda_orthogonal_bound(1.0, BETA, sensing="bernoulli")
