"""lib.phase_boundaries: the boundaries of chapter 10 against direct computation."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib import phase_boundaries as pb
from lib import theory


def test_noise_operator_is_the_noise_weighted_sum_of_the_sensing_matrices() -> None:
    prob = lib.make_problem(5, 2, 80, sigma=0.3, seed=3)
    A = prob.sensing_matrices()
    noise = prob.y - np.einsum("ijk,jk->i", A, prob.M_star)
    direct = np.einsum("i,ijk->jk", noise, A) / prob.n
    E = pb.noise_operator(prob)
    assert np.allclose(E, direct, rtol=0, atol=1e-13)
    assert np.array_equal(E, E.T)
    assert pb.noise_eigenvalue(prob) == pytest.approx(np.linalg.eigvalsh(direct)[-1], abs=1e-13)


def test_noise_operator_is_the_residual_matrix_at_the_ground_truth() -> None:
    prob = lib.make_problem(6, 2, 100, sigma=0.2, seed=4)
    assert np.allclose(pb.noise_operator(prob), lib.residual_matrix(prob, prob.U_star),
                       rtol=0, atol=1e-13)


def test_noiseless_problem_has_no_noise_operator() -> None:
    prob = lib.make_problem(6, 2, 100, sigma=0.0, seed=5)
    assert np.max(np.abs(pb.noise_operator(prob))) < 1e-13


@pytest.mark.parametrize(("d", "n", "low", "high"), [(20, 1200, 0.8, 1.0), (60, 4000, 0.9, 1.02)])
def test_noise_edge_predicts_the_top_eigenvalue(d: int, n: int, low: float, high: float) -> None:
    # Tracy-Widom: the top eigenvalue sits O(d^(-2/3)) below the semicircle edge on average
    # (about 8% at d = 20, 4% at d = 60); the ranges were fixed before running.
    ratios = [pb.noise_eigenvalue(lib.make_problem(d, 1, n, sigma=0.5, seed=seed))
              / pb.noise_edge(d, n, 0.5) for seed in range(8)]
    assert low < np.mean(ratios) < high, ratios


def test_support_lambda_starts_at_the_curvature_bound_and_tends_to_the_group_lasso_value() -> None:
    e = 0.1
    for beta in (1e-4, 1e-3, 1e-2):
        support = pb.column_support_lambda(e, beta)
        assert support >= 2 * np.sqrt(beta) * e
    group_lasso = 8 * e**1.5 / (3 * np.sqrt(3))
    assert pb.column_support_lambda(e, 1e-9) == pytest.approx(group_lasso, rel=1e-3)
    # With a large beta the maximum is at a = 0: the curvature bound itself.
    assert pb.column_support_lambda(1e-3, 1.0) == pytest.approx(2 * np.sqrt(1.0) * 1e-3, rel=1e-9)
    assert pb.column_support_lambda(e, 1e-3, floor=1.0) == 0.0


@pytest.mark.parametrize("beta", [1e-4, 2e-3, 2e-2, 1e-1])
@pytest.mark.parametrize("penalty", ["ratio", "sqrt"])
def test_support_lambda_is_where_the_stationary_norm_crosses_the_floor(beta: float,
                                                                       penalty: str) -> None:
    s = 0.25
    floor = lib.pruning_threshold(beta)
    support = pb.column_support_lambda(s, beta, floor=floor, penalty=penalty)
    below = theory.regularized_column_norms([s], 0.999 * support, beta, penalty=penalty)[0]
    above = theory.regularized_column_norms([s], 1.001 * support, beta, penalty=penalty)[0]
    assert below > floor
    assert above <= floor


def test_admissible_lambda_reads_the_weakest_eigenvalue() -> None:
    s = np.array([1.0, 0.5, 0.25])
    floor = np.sqrt(0.1) / 2
    assert pb.admissible_lambda(s, 0.1) == pb.column_support_lambda(0.25, 0.1, floor=floor)
    # At beta = 0.1 the weakest direction is lost a little above lambda_low (chapter 10).
    ratio = pb.admissible_lambda(s, 0.1) / theory.lambda_bounds(s, 0.1).all_grow
    assert 1.1 < ratio < 1.25


def test_noise_lambda_bounds() -> None:
    bounds = pb.noise_lambda_bounds(0.11, 2e-3)
    assert bounds.noise_eigenvalue == 0.11
    assert bounds.curvature == pytest.approx(2 * np.sqrt(2e-3) * 0.11, rel=1e-12)
    assert bounds.support == pb.column_support_lambda(0.11, 2e-3, floor=np.sqrt(2e-3) / 2)
    assert bounds.support > bounds.curvature
    assert pb.noise_edge(20, 1200, 0.6) == pytest.approx(0.6 * np.sqrt(40 / 1200), rel=1e-15)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: pb.column_support_lambda(0.0, 1e-3), ValueError, "eigenvalue"),
    (lambda: pb.column_support_lambda(0.1, -1.0), ValueError, "beta"),
    (lambda: pb.column_support_lambda(0.1, 1e-3, floor=-1.0), ValueError, "floor"),
    (lambda: pb.column_support_lambda(0.1, 1e-3, penalty="huber"), ValueError, "penalty"),
    (lambda: pb.admissible_lambda([0.5, -1.0], 1e-3), ValueError, "eigenvalues"),
    (lambda: pb.noise_operator("problem"), TypeError, "prob"),
    (lambda: pb.noise_operator(lib.make_problem(4, 1, 1, sensing="population")), ValueError,
     "sensing='gaussian'"),
    (lambda: pb.noise_edge(0, 10, 0.1), ValueError, "d"),
    (lambda: pb.noise_edge(10, 10, -0.1), ValueError, "sigma"),
    (lambda: pb.noise_lambda_bounds(float("nan"), 1e-3), ValueError, "noise_eigenvalue"),
])
def test_bad_input_is_refused(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


def test_column_signal_fractions() -> None:
    U_star = np.zeros((4, 1))
    U_star[0, 0] = 2.0
    U = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0, 0, 0, 0], [0, 0, 0, 0]])
    fractions = lib.landscape.column_signal_fractions(U, U_star)
    assert np.allclose(fractions, [1.0, 0.0, 0.5, 0.0], rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="U"):
        lib.landscape.column_signal_fractions(np.ones((3, 2)), U_star)


def test_curvature_with_signal_solves_its_equation() -> None:
    s = np.array([1.0, 0.5, 0.25])
    beta, e = 2e-3, 0.1
    assert pb.noise_lambda_bounds(e, beta).curvature_with_signal is None
    bounds = pb.noise_lambda_bounds(e, beta, eigenvalues=s)
    lam = bounds.curvature_with_signal
    a_r = theory.regularized_column_norms(s, lam, beta)[-1]
    margin = lam * (lib.column_weight(0.0, beta) - lib.column_weight(a_r**2, beta))
    assert margin == pytest.approx(4 * e, rel=1e-10)
    assert bounds.curvature < lam < 1.2 * bounds.curvature
    # A noise eigenvalue beyond every admissible lambda: no lambda qualifies.
    assert pb.noise_lambda_bounds(50.0, 0.1, eigenvalues=s).curvature_with_signal == float("inf")


def test_kept_columns_reads_signal_and_noise() -> None:
    prob = lib.make_problem(8, 1, 400, sigma=0.5, seed=6)
    E = pb.noise_operator(prob)
    basis, _ = np.linalg.qr(prob.U_star)
    orthogonal = np.eye(8) - basis @ basis.T
    noise_direction = np.linalg.eigh(orthogonal @ E @ orthogonal)[1][:, -1]
    U = np.column_stack([prob.U_star[:, 0], 0.3 * noise_direction, 1e-6 * noise_direction])
    lam, beta = 0.01, 1e-3
    columns = pb.kept_columns(prob, U, lam, beta)
    assert np.allclose(columns.norms, [np.linalg.norm(prob.U_star), 0.3], rtol=1e-12)
    assert np.allclose(columns.signal_fractions, [1.0, 0.0], rtol=0, atol=1e-12)
    assert columns.noise_quotients[1] == pytest.approx(noise_direction @ E @ noise_direction,
                                                       rel=1e-12)
    expected = theory.regularized_column_norms([columns.noise_quotients[1]], lam, beta)[0]
    assert columns.predicted_norms[1] == expected
    with pytest.raises(ValueError, match="U must have 8 rows"):
        pb.kept_columns(prob, np.ones((3, 2)), lam, beta)


def test_supported_noise_directions_counts_eigenvalues_above_the_support_level() -> None:
    prob = lib.make_problem(10, 2, 300, sigma=0.6, seed=8)
    E = pb.noise_operator(prob)
    basis, _ = np.linalg.qr(prob.U_star)
    orthogonal = np.eye(10) - basis @ basis.T
    values = np.sort(np.linalg.eigvalsh(orthogonal @ E @ orthogonal))[::-1]
    beta = 2e-3
    floor = lib.pruning_threshold(beta)
    supports = [pb.column_support_lambda(e, beta, floor=floor) for e in values[values > 0]]
    # A lambda between the supports of the 2nd and 3rd largest eigenvalues allows 2 columns.
    lam = 0.5 * (supports[1] + supports[2])
    assert pb.supported_noise_directions(prob, lam, beta) == 2
    assert pb.supported_noise_directions(prob, 10.0, beta) == 0
    assert pb.supported_noise_directions(prob, 0.0, beta) == len(supports)
