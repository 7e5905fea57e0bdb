"""lib.prune_budget: the fitted budget rule and the noise part of the residual."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib import prune_budget


def test_the_fit_recovers_an_exact_power_law_and_predicts_with_it() -> None:
    kappa = np.array([1.0, 2.0, 2.0, 4.0])
    rule = prune_budget.fit_budget_rule(kappa, 300.0 * kappa**2)
    assert rule.exponent == pytest.approx(2.0, rel=1e-12)
    assert rule.constant == pytest.approx(300.0, rel=1e-12)
    assert rule.steps([1.0, 8.0]) == pytest.approx([300.0, 19200.0], rel=1e-12)


@pytest.mark.parametrize(("kappa", "steps", "match"), [
    ([1.0, 1.0], [10.0, 20.0], "two distinct"),
    ([0.5, 2.0], [10.0, 20.0], "kappa"),
    ([1.0, 2.0], [10.0, 0.0], "steps"),
    ([1.0, 2.0], [10.0], "steps must have 2 entries"),
])
def test_bad_fits_are_refused(kappa: list, steps: list, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        prune_budget.fit_budget_rule(kappa, steps)


def test_steps_refuses_kappa_below_one() -> None:
    with pytest.raises(ValueError, match="kappa"):
        prune_budget.BudgetRule(100.0, 2.0).steps([0.9])


def test_supporting_eigenvalue_at_zero_and_at_the_threshold() -> None:
    lam, beta = 0.015, 2e-3
    at_zero = prune_budget.supporting_eigenvalue(lam, beta, 0.0)
    assert at_zero == pytest.approx(lam / (2 * np.sqrt(beta)), rel=1e-14)
    at_tau = prune_budget.supporting_eigenvalue(lam, beta, lib.pruning_threshold(beta))
    assert at_tau / at_zero == pytest.approx(2.25 / 1.25**1.5 / 2, rel=1e-14)
    with pytest.raises(ValueError, match="column_norm"):
        prune_budget.supporting_eigenvalue(lam, beta, -1.0)
