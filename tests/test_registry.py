"""The registry of sensing kinds: every kind implements the operator interface, make_problem and
lib.theory read kinds only from the registry, and adding a kind is one class and one line."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib import networks, theory
from lib.operators import PopulationOperator
from lib.sensing import SampledSensingOperator, SensingOperator


def test_sensing_kinds_are_the_registry() -> None:
    assert lib.SENSING_KINDS == tuple(lib.SENSING_REGISTRY)
    assert set(lib.SENSING_KINDS) == {"gaussian", "rank_one", "population",
                                      "network_population"}


@pytest.mark.parametrize("sensing", lib.SENSING_KINDS)
def test_every_kind_builds_its_registered_operator(sensing: str) -> None:
    kind = lib.SENSING_REGISTRY[sensing]
    prob = lib.make_problem(6, 2, 100, sigma=0.1, sensing=sensing, seed=3)
    assert type(prob.operator) is kind
    assert isinstance(prob.operator, SensingOperator)
    assert isinstance(prob.operator, SampledSensingOperator) == kind.SAMPLED
    assert (prob.y is not None) == kind.SAMPLED
    assert kind.degrees_of_freedom(6, 2) == theory.degrees_of_freedom(6, 2, sensing=sensing) == 11


def test_network_population_kind_is_the_population_of_rank_one_sensing() -> None:
    sample = lib.make_problem(5, 2, 50, sigma=0.2, kappa=2.0, sensing="rank_one", seed=4)
    built = lib.make_problem(5, 2, 50, sigma=0.2, kappa=2.0, sensing="network_population",
                             seed=4)
    replaced = networks.population_problem(sample)
    assert np.array_equal(built.U_star, sample.U_star)
    assert built.sensing == replaced.sensing == "network_population"
    U = np.random.default_rng(0).standard_normal((5, 3))
    assert lib.Objective(built).value(U) == lib.Objective(replaced).value(U)
    assert lib.Objective(built).value(U) == pytest.approx(
        networks.population_test_error(U, sample.U_star, sigma=0.2), rel=1e-12)


@pytest.mark.parametrize("sensing", ["network_population", "rank_one"])
def test_rank_one_kinds_share_the_theory_constants(sensing: str) -> None:
    s = np.array([1.0, 0.5])
    assert theory.lambda_bounds(s, 1e-3, sensing=sensing) == theory.lambda_bounds(
        s, 1e-3, sensing="rank_one")
    assert theory.lambda_orthogonal_bound(2.0, 1e-3, sensing=sensing) > 0


@pytest.mark.parametrize("call", [
    lambda: theory.lambda_bounds([1.0], 1e-3, sensing="bernoulli"),
    lambda: theory.curvature_at_zero([1.0], 0.1, 1e-3, sensing="bernoulli"),
    lambda: theory.curvature_at_zero_orthogonal(0.1, 1e-3, trace=1.0, sensing="bernoulli"),
    lambda: theory.lambda_orthogonal_bound(1.0, 1e-3, sensing="bernoulli"),
    lambda: theory.degrees_of_freedom(4, 2, sensing="bernoulli"),
    lambda: lib.make_problem(4, 2, 10, sensing="bernoulli"),
])
def test_an_unregistered_kind_is_rejected_by_name(call) -> None:
    with pytest.raises(ValueError, match=r"sensing must be one of .*'bernoulli'"):
        call()


class _DoubledPopulation(PopulationOperator):
    """Twice the population loss: its curvature constants double."""

    CURVATURE_PER_EIGENVALUE = 8.0

    def value(self, U: np.ndarray) -> float:
        return 2.0 * super().value(U)

    def value_and_grad(self, U: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = super().value_and_grad(U)
        return 2.0 * value, 2.0 * grad

    def hvp(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        return 2.0 * super().hvp(U, V)


def test_adding_a_kind_is_one_class_and_one_registry_line(monkeypatch) -> None:
    monkeypatch.setitem(lib.SENSING_REGISTRY, "doubled", _DoubledPopulation)
    prob = lib.make_problem(6, 2, 1, kappa=2.0, sensing="doubled", seed=0)
    reference = lib.make_problem(6, 2, 1, kappa=2.0, sensing="population", seed=0)
    U = np.random.default_rng(1).standard_normal((6, 2))
    assert lib.Objective(prob).value(U) == 2.0 * lib.Objective(reference).value(U)
    s = prob.singular_values**2
    doubled = theory.lambda_bounds(s, 1e-3, sensing="doubled")
    single = theory.lambda_bounds(s, 1e-3, sensing="population")
    assert doubled.all_grow == 2.0 * single.all_grow
    curvature = theory.curvature_at_zero(s, 0.0, 1e-3, sensing="doubled")
    hessian = lib.dense_hessian(lib.Objective(prob).hvp, np.zeros((6, 1)))
    assert np.allclose(np.linalg.eigvalsh(hessian)[:2], np.sort(curvature), atol=1e-12)
