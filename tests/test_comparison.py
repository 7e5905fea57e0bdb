"""lib.comparison: equal budgets, shared starts, summaries; lib.plots.baselines: its figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lib
import lib.plots
from lib import comparison

SETTINGS = comparison.ComparisonSettings(budget=1000, fine_tune_iter=200, mus=(0.2, 0.05),
                                         record_every=10)


@pytest.fixture(scope="module")
def runs() -> tuple[comparison.MethodRun, ...]:
    prob = lib.make_problem(6, 1, 80, sigma=0.02, seed=1)
    return comparison.compare_methods(prob, 4, SETTINGS, seed=2)


def test_every_method_runs_within_the_budget(runs: tuple[comparison.MethodRun, ...]) -> None:
    assert tuple(run.method for run in runs) == comparison.METHODS
    for run in runs:
        assert 0 < run.steps <= SETTINGS.budget and run.seconds > 0 and run.error >= 0
    by_method = {run.method: run for run in runs}
    assert by_method["gd"].steps == SETTINGS.budget
    assert by_method["oracle"].k == 1 and by_method["nuclear_norm"].k == 6
    assert by_method["svd_truncation"].rank == 1
    assert by_method["gd"].iterations[-1] == SETTINGS.budget


def test_gd_run_is_one_uninterrupted_run_from_the_shared_start(
        runs: tuple[comparison.MethodRun, ...]) -> None:
    prob = lib.make_problem(6, 1, 80, sigma=0.02, seed=1)
    U0 = SETTINGS.init_scale * np.random.default_rng(2).standard_normal((6, 4))
    direct = lib.gradient_descent(lib.Objective(prob), U0, SETTINGS.step, SETTINGS.budget,
                                  tol=0.0)
    gd = next(run for run in runs if run.method == "gd")
    assert gd.error == pytest.approx(lib.recovery_error(direct.U, prob.U_star), rel=1e-12)
    pipeline = lib.train_prune_finetune(prob, 4, SETTINGS.lam, SETTINGS.beta,
                                        train_step=SETTINGS.step, train_iter=800,
                                        fine_tune_step=SETTINGS.step, fine_tune_iter=200,
                                        seed=2)
    assert np.array_equal(pipeline.U0, U0)


def test_summaries(runs: tuple[comparison.MethodRun, ...]) -> None:
    keys, means = comparison.mean_over_seeds(list(runs) * 2, "gd")
    assert keys.tolist() == [4] and means[0] == pytest.approx(runs[1].error)
    with pytest.raises(ValueError, match="method"):
        comparison.mean_over_seeds(runs, "lasso")
    with pytest.raises(ValueError, match="'colour'"):
        comparison.mean_over_seeds(runs, "gd", "colour")
    table = comparison.markdown_table(["a", "b"], [[1, 2]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2 |"]
    with pytest.raises(ValueError, match="cells"):
        comparison.markdown_table(["a", "b"], [[1]])


def test_power_law_fit_recovers_an_exact_power_law() -> None:
    t = np.arange(1, 200)
    a, c = comparison.power_law_fit(t, 3.0 * t**-0.7, 10)
    assert a == pytest.approx(0.7, rel=1e-12) and c == pytest.approx(3.0, rel=1e-12)
    with pytest.raises(ValueError, match="start"):
        comparison.power_law_fit(t, t * 1.0, 199)


def test_bad_settings_and_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="fine_tune_iter"):
        comparison.ComparisonSettings(budget=10, fine_tune_iter=10)
    with pytest.raises(ValueError, match="mus"):
        comparison.ComparisonSettings(mus=())
    prob = lib.make_problem(4, 1, 20, seed=0)
    with pytest.raises(ValueError, match="methods"):
        comparison.compare_methods(prob, 2, SETTINGS, methods=("lasso",))
    with pytest.raises(TypeError, match="settings"):
        comparison.compare_methods(prob, 2, {"budget": 10})


def test_baseline_figures_draw_and_validate(runs: tuple[comparison.MethodRun, ...]) -> None:
    fig, axes = lib.plots.figure(ncols=3)
    assert lib.plots.error_against_width(axes[0], runs, 80, reference=0.05) is axes[0]
    lib.plots.error_against_samples(axes[1], runs, 4)
    lib.plots.error_against_iteration(axes[2], runs, fit=(0.5, 1.0, 10), log_steps=True)
    assert len(axes[0].lines) >= 4 and len(axes[2].lines) == len(runs)
    with pytest.raises(TypeError, match="ax"):
        lib.plots.error_against_width("axes", runs, 80)
    with pytest.raises(ValueError, match="runs must not be empty"):
        lib.plots.error_against_samples(axes[1], [], 4)
    with pytest.raises(ValueError, match="n=7"):
        lib.plots.error_against_width(axes[0], runs, 7)
    plt.close(fig)
