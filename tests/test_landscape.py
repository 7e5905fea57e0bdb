"""lib.landscape: recovered directions, runs from a random start, the rotation fraction."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib import landscape, theory


def _population() -> lib.Problem:
    return lib.make_problem(8, 3, 1, kappa=2.0, sensing="population", seed=0)


def test_recovered_directions_counts_the_directions_held() -> None:
    prob = _population()
    assert landscape.recovered_directions(prob.U_star, prob.U_star) == 3
    assert landscape.recovered_directions(np.zeros((8, 4)), prob.U_star) == 0
    two = theory.regularized_stationary_point(prob.U_star, 0.01, 1e-3, k=4, directions=2)
    assert landscape.recovered_directions(two, prob.U_star) == 2


def test_recovered_directions_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="U must have 8 rows"):
        landscape.recovered_directions(np.zeros((5, 2)), _population().U_star)


def test_descend_from_random_start_recovers_everything_below_the_lower_bound() -> None:
    prob = _population()
    bounds = theory.lambda_bounds(prob.singular_values**2, 1e-3)
    outcome = landscape.descend_from_random_start(
        prob, 0.5 * bounds.all_grow, 1e-3, alpha=1e-3, seed=1, step=0.1, iterations=3000,
        threshold=lib.pruning_threshold(1e-3))
    assert (outcome.directions, outcome.large_eigenvalues) == (3, 3)
    assert outcome.columns >= 3
    above = landscape.descend_from_random_start(
        prob, 1.2 * bounds.zero_is_min, 1e-3, alpha=1e-6, seed=1, step=0.1, iterations=500,
        threshold=lib.pruning_threshold(1e-3))
    assert above.directions == 0


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"alpha": 0.0}, ValueError, "alpha"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"iterations": 0}, ValueError, "iterations"),
])
def test_descend_from_random_start_rejects_bad_arguments(kwargs: dict, error: type,
                                                         name: str) -> None:
    arguments = {"alpha": 1e-3, "seed": 0, "step": 0.1, "iterations": 10, "threshold": 0.01}
    with pytest.raises(error, match=name):
        landscape.descend_from_random_start(_population(), 0.01, 1e-3, **arguments | kwargs)
    with pytest.raises(TypeError, match="problem"):
        landscape.descend_from_random_start("problem", 0.01, 1e-3, **arguments)


def test_kept_rotation_fraction_is_one_for_a_rotation_and_zero_for_a_scaling() -> None:
    U = np.zeros((4, 3))
    U[:, :2] = np.array([[1.0, 0.2], [0.0, 1.0], [0.3, 0.0], [0.0, 0.0]])
    skew = np.array([[0.0, 1.0], [-1.0, 0.0]])
    rotation = np.zeros_like(U)
    rotation[:, :2] = U[:, :2] @ skew
    rotation /= np.linalg.norm(rotation)
    assert landscape.kept_rotation_fraction(U, rotation, 0.1) == pytest.approx(1.0)
    outside = np.zeros_like(U)
    outside[3, 2] = 1.0
    assert landscape.kept_rotation_fraction(U, outside, 0.1) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="at least 2 columns above threshold"):
        landscape.kept_rotation_fraction(U, rotation, 2.0)
    with pytest.raises(ValueError, match="direction must have 4 rows"):
        landscape.kept_rotation_fraction(U, np.zeros((3, 3)), 0.1)
