"""lib.networks: the quadratic network, its closed-form test error and its population loss."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import central_difference, relative_error

import lib
from lib import networks


def _teacher_and_student(d: int = 6, r: int = 2, k: int = 4, seed: int = 0):
    prob = lib.make_problem(d, r, 40 * d, sigma=0.2, kappa=2.0, sensing="rank_one", seed=seed)
    U = np.random.default_rng(seed + 1).standard_normal((d, k)) / np.sqrt(d)
    return prob, U


def test_network_output_is_rank_one_sensing() -> None:
    prob, U = _teacher_and_student()
    X = prob.sensing_vectors()
    outputs = networks.network_output(U, X)
    dense = np.einsum("ij,jk,ik->i", X, U @ U.T, X)
    assert relative_error(outputs, dense) < 1e-12
    sample_loss = np.mean((outputs - prob.y) ** 2)
    assert lib.Objective(prob).value(U) == pytest.approx(sample_loss, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_population_test_error_matches_monte_carlo(seed: int) -> None:
    """E (x^T D x)^2 = 2 ||D||_F^2 + (tr D)^2, within 4 standard errors."""
    prob, U = _teacher_and_student(seed=seed)
    X = np.random.default_rng(seed + 10).standard_normal((200_000, prob.d))
    squares = (networks.network_output(U, X) - networks.network_output(prob.U_star, X)) ** 2
    standard_error = squares.std() / np.sqrt(squares.size)
    closed_form = networks.population_test_error(U, prob.U_star)
    assert abs(squares.mean() - closed_form) < 4 * standard_error
    assert networks.empirical_test_error(U, prob.U_star, X) == pytest.approx(squares.mean())


def test_noise_adds_sigma_squared() -> None:
    prob, U = _teacher_and_student()
    rng = np.random.default_rng(3)
    X = rng.standard_normal((100_000, prob.d))
    noise = 0.5 * rng.standard_normal(100_000)
    noisy = networks.empirical_test_error(U, prob.U_star, X, noise=noise)
    closed_form = networks.population_test_error(U, prob.U_star, sigma=0.5)
    assert closed_form == pytest.approx(networks.population_test_error(U, prob.U_star) + 0.25)
    assert noisy == pytest.approx(closed_form, rel=0.05)


def test_teacher_has_zero_excess_error() -> None:
    prob, _ = _teacher_and_student()
    assert networks.population_test_error(prob.U_star, prob.U_star) == pytest.approx(0.0,
                                                                                       abs=1e-24)
    rotation, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((2, 2)))
    assert networks.population_test_error(prob.U_star @ rotation, prob.U_star) < 1e-24


def test_population_operator_value_matches_test_error() -> None:
    prob, U = _teacher_and_student()
    operator = networks.QuadraticNetworkPopulation(prob.U_star, sigma=0.2)
    assert operator.value(U) == pytest.approx(
        networks.population_test_error(U, prob.U_star, sigma=0.2), rel=1e-12)
    assert operator.value_and_grad(U)[0] == pytest.approx(operator.value(U), rel=1e-14)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_population_gradient_and_hvp_match_finite_differences(k: int) -> None:
    prob, U = _teacher_and_student(k=k, seed=k)
    operator = networks.QuadraticNetworkPopulation(prob.U_star)
    V = np.random.default_rng(7).standard_normal(U.shape)
    gradient = operator.value_and_grad(U)[1]
    assert np.sum(gradient * V) == pytest.approx(central_difference(operator.value, U, V),
                                                 rel=1e-7)
    h = 1e-5
    difference = (operator.value_and_grad(U + h * V)[1]
                  - operator.value_and_grad(U - h * V)[1]) / (2 * h)
    assert relative_error(operator.hvp(U, V), difference) < 1e-7


def test_sample_loss_concentrates_on_the_population_loss() -> None:
    d, r = 5, 2
    prob = lib.make_problem(d, r, 200_000, sigma=0.3, sensing="rank_one", seed=5)
    U = np.random.default_rng(2).standard_normal((d, 3)) / 2
    population = networks.population_problem(prob)
    sample_value = lib.Objective(prob).value(U)
    assert sample_value == pytest.approx(lib.Objective(population).value(U), rel=0.03)
    sample_hessian = lib.dense_hessian(lib.Objective(prob).hvp, U)
    population_hessian = lib.dense_hessian(lib.Objective(population).hvp, U)
    assert relative_error(sample_hessian, population_hessian) < 0.05


def test_population_problem_keeps_the_teacher() -> None:
    prob, _ = _teacher_and_student()
    population = networks.population_problem(prob)
    assert population.sensing == "network_population"
    assert population.y is None
    assert np.array_equal(population.U_star, prob.U_star)
    assert isinstance(population.operator, networks.QuadraticNetworkPopulation)


def test_bad_input_is_rejected() -> None:
    prob, U = _teacher_and_student()
    with pytest.raises(ValueError, match="X must have 6 columns"):
        networks.network_output(U, np.ones((3, 5)))
    with pytest.raises(ValueError, match="U must have 6 rows"):
        networks.population_test_error(np.ones((5, 2)), prob.U_star)
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        networks.population_test_error(U, prob.U_star, sigma=-1.0)
    with pytest.raises(ValueError, match="noise must have 3 entries"):
        networks.empirical_test_error(U, prob.U_star, np.ones((3, 6)), noise=np.ones(4))
    with pytest.raises(ValueError, match="U contains NaN"):
        networks.population_test_error(np.full((6, 2), np.nan), prob.U_star)
    with pytest.raises(TypeError, match=r"prob must be a lib\.Problem"):
        networks.population_problem("not a problem")
