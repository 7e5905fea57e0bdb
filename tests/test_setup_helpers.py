"""The setup chapter's helpers: sensing costs, finite differences, sensing statistics."""

import numpy as np
import pytest

import lib
from lib.costs import gradient_multiply_adds, stored_numbers
from lib.finite_differences import finite_difference_gradient, finite_difference_hvp, relative_error
from lib.sensing_statistics import population_loss, relative_loss_deviation, z_score


def test_costs_count_what_each_operator_stores() -> None:
    d, r, k, n = 6, 2, 4, 50
    for kind, array in (("gaussian", "packed"), ("rank_one", "X")):
        prob = lib.make_problem(d, r, n, sensing=kind, seed=0)
        assert stored_numbers(kind, d, r, n) == getattr(prob.operator, array).size
    assert stored_numbers("population", d, r, n) == d * r
    assert gradient_multiply_adds("gaussian", d, r, k, n) == 2 * n * 21 + 2 * d * d * k
    assert gradient_multiply_adds("rank_one", d, r, k, n) == 2 * n * d * k
    assert gradient_multiply_adds("population", d, r, k, n) == 2 * d * k * (k + r)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda: stored_numbers("dense", 3, 1, 5), ValueError, "sensing"),
    (lambda: stored_numbers("gaussian", 3, 4, 5), ValueError, "r"),
    (lambda: gradient_multiply_adds("gaussian", 3, 1, 0, 5), ValueError, "k"),
    (lambda: gradient_multiply_adds("rank_one", 3.0, 1, 2, 5), TypeError, "d"),
])
def test_costs_reject_bad_arguments(call, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        call()


def test_finite_differences_match_a_quadratic() -> None:
    rng = np.random.default_rng(0)
    B = rng.standard_normal((4, 4))
    U, V = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    assert relative_error(finite_difference_gradient(lambda W: np.sum(W * (B @ W)), U),
                          (B + B.T) @ U) < 1e-9
    assert relative_error(finite_difference_hvp(lambda W: (B + B.T) @ W, U, V),
                          (B + B.T) @ V) < 1e-9
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    with pytest.raises(ValueError, match="h"):
        finite_difference_gradient(np.sum, U, h=0.0)
    with pytest.raises(ValueError, match="V"):
        finite_difference_hvp(lambda W: W, U, V[:, :2])


def test_population_loss_is_the_mean_of_fresh_squared_residuals() -> None:
    U = 0.3 * np.random.default_rng(1).standard_normal((5, 2))
    for kind in ("gaussian", "rank_one"):
        prob = lib.make_problem(5, 2, 40_000, sigma=0.1, sensing=kind, seed=2)
        assert np.mean(prob.operator.residuals(U) ** 2) == pytest.approx(
            population_loss(prob, U), rel=0.05)
    population = lib.make_problem(5, 2, 1, sigma=0.1, sensing="population", seed=2)
    assert population_loss(population, U) == pytest.approx(lib.Objective(population).value(U))
    with pytest.raises(TypeError, match="problem"):
        population_loss("gaussian", U)
    with pytest.raises(ValueError, match="U"):
        population_loss(population, U[:4])


def test_relative_loss_deviation_shrinks_with_the_block_size() -> None:
    prob = lib.make_problem(6, 2, 4000, sigma=0.1, seed=3)
    U = 0.3 * np.random.default_rng(4).standard_normal((6, 3))
    small, large = relative_loss_deviation(prob, U, np.array([10, 1000]))
    assert large < small
    with pytest.raises(ValueError, match="sizes"):
        relative_loss_deviation(prob, U, np.array([5000]))


def test_z_score_counts_standard_errors() -> None:
    assert z_score(np.array([0.0, 2.0]), 0.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="samples"):
        z_score(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="samples"):
        z_score(np.array([1.0]), 1.0)
