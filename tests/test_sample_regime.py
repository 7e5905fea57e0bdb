"""lib.sample_regime: the least-squares error near n = p and the transition of a grid."""

from __future__ import annotations

import numpy as np
import pytest

from lib import sample_regime, theory


def test_least_squares_error_is_the_mean_of_an_inverse_wishart() -> None:
    """sigma^2 E tr (X^T X)^-1 over Gaussian designs X (n x p), by Monte Carlo, against the
    formula sigma^2 p / (n - p - 1), with p = rd - r(r-1)/2 = 5 for d = 3, r = 2."""
    d, r, n, sigma = 3, 2, 12, 0.3
    p = theory.degrees_of_freedom(d, r)
    X = np.random.default_rng(0).standard_normal((20000, n, p))
    traces = np.trace(np.linalg.inv(np.einsum("sni,snj->sij", X, X)), axis1=1, axis2=2)
    simulated = sigma * np.sqrt(traces.mean())
    standard_error = sigma**2 * traces.std() / np.sqrt(traces.size) / (2 * simulated)
    predicted = sample_regime.least_squares_error(d, r, n, sigma)
    assert predicted == pytest.approx(sigma * np.sqrt(p / (n - p - 1)), rel=1e-15)
    assert abs(simulated - predicted) < 4 * standard_error


def test_the_inflation_over_the_reference() -> None:
    assert sample_regime.least_squares_inflation(20, 3, 86) == pytest.approx(np.sqrt(86 / 28))
    assert sample_regime.least_squares_inflation(20, 3, 10**7) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("n", [57, 58])
def test_no_finite_mean_at_or_below_p_plus_one(n: int) -> None:
    with pytest.raises(ValueError, match="n must exceed p"):
        sample_regime.least_squares_error(20, 3, n, 0.1)


def test_transition_is_where_the_property_holds_for_good() -> None:
    x = [1.0, 1.5, 2.0, 3.0]
    assert sample_regime.transition(x, np.array([False, True, False, True])) == 3.0
    assert sample_regime.transition(x, np.array([True] * 4)) == 1.0
    assert sample_regime.transition(x, np.array([True, True, True, False])) is None


@pytest.mark.parametrize(("x", "holds", "error", "match"), [
    ([1.0, 1.0], np.array([True, True]), ValueError, "increasing"),
    ([], np.array([], dtype=bool), ValueError, "x must have at least 1"),
    ([1.0, 2.0], np.array([1, 0]), TypeError, "holds must be a bool array"),
    ([1.0, 2.0], np.array([True]), ValueError, r"holds must have shape \(2,\)"),
])
def test_transition_rejects_bad_grids(x: list, holds: np.ndarray, error: type,
                                      match: str) -> None:
    with pytest.raises(error, match=match):
        sample_regime.transition(x, holds)
