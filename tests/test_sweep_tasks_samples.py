"""The sweep task of the sample-size chapter: over-parameterised gradient descent without
regularisation (``overparameterized_gd``), paired with ``train_prune_finetune`` by the seed."""

from __future__ import annotations

import numpy as np
import pytest

import lib
from lib.sweep.tasks import TASKS, run_overparameterized_gd

pytestmark = pytest.mark.filterwarnings("ignore:pruning kept:UserWarning")
PROBLEM = {"d": 6, "r": 2, "n": 40, "sigma": 0.05, "kappa": 2.0}


def test_the_task_is_registered_with_its_parameters() -> None:
    task = TASKS["overparameterized_gd"]
    assert task.function is run_overparameterized_gd
    required = {name for name, parameter in task.parameters.items() if parameter.required}
    assert required == {"d", "r", "n", "k", "iterations"}


def test_a_run_is_gradient_descent_from_the_start_the_pipeline_draws() -> None:
    """Same seed, same problem parameters and k: the same instance and the same U0 as the
    pipeline's task, so the comparison is paired; the metrics are those of a plain run."""
    seed, k, iterations, step = 3, 5, 60, 0.05
    metrics = run_overparameterized_gd(seed, k=k, iterations=iterations, step=step,
                                       record_every=1, **PROBLEM)
    problem_seed, init_seed = np.random.SeedSequence(seed).spawn(2)
    prob = lib.make_problem(**PROBLEM, seed=np.random.default_rng(problem_seed))
    pipeline = lib.train_prune_finetune(prob, k, 0.01, 1e-3, train_iter=2, fine_tune_iter=1,
                                        train_step=step, fine_tune_step=step,
                                        seed=np.random.default_rng(init_seed))
    run = lib.gradient_descent(lib.Objective(prob), pipeline.U0, step, iterations, tol=0.0,
                               record_every=1)
    assert metrics["error_final"] == lib.recovery_error(run.U, prob.U_star)
    assert metrics["error_best"] == run.history.errors.min()
    assert metrics["best_iteration"] == run.history.iterations[np.argmin(run.history.errors)]
    assert metrics["error_best"] <= metrics["error_final"]
    assert metrics["step"] == step
    assert metrics["wall_seconds"] > 0
    shared, start_rng = lib.sweep.tasks.seeded_problem(seed, **PROBLEM)
    assert np.array_equal(shared.U_star, prob.U_star) and np.array_equal(shared.y, prob.y)
    assert np.array_equal(0.001 * start_rng.standard_normal((PROBLEM["d"], k)), pipeline.U0)


def test_two_runs_of_one_seed_agree_bit_for_bit_and_the_default_step_is_suggested() -> None:
    first, second = (run_overparameterized_gd(1, k=4, iterations=30, **PROBLEM)
                     for _ in range(2))
    assert {key: value for key, value in first.items() if key != "wall_seconds"} == {
        key: value for key, value in second.items() if key != "wall_seconds"}
    assert 0 < first["step"] < 1


def test_run_cell_of_a_spec_runs_the_task() -> None:
    spec = lib.sweep.read_spec({"task": "overparameterized_gd", "seeds": [0],
                                "fixed": {**PROBLEM, "iterations": 20, "step": 0.05},
                                "grid": {"k": [2, 4]}})
    rows = [lib.sweep.run_cell("overparameterized_gd", cell) for cell in spec.cells()]
    assert [set(row) for row in rows] == [{"error_final", "error_best", "best_iteration",
                                           "step", "wall_seconds"}] * 2


@pytest.mark.parametrize(("table", "error", "match"), [
    ({"fixed": {**PROBLEM, "iterations": 0}, "grid": {"k": [2]}}, ValueError,
     "fixed.iterations"),
    ({"fixed": {**PROBLEM, "iterations": 5}, "grid": {"k": [2, "x"]}}, TypeError, r"grid.k\[1\]"),
    ({"fixed": {**PROBLEM, "iterations": 5, "lam": 0.1}, "grid": {"k": [2]}}, ValueError,
     "fixed.lam"),
    ({"fixed": {**PROBLEM}, "grid": {"k": [2]}}, ValueError, "iterations"),
])
def test_bad_specs_name_the_field(table: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        lib.sweep.read_spec({"task": "overparameterized_gd", "seeds": [0], **table})
