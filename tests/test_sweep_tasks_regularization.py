"""The ``lam_ratio`` parameter of the sweep task ``train_prune_finetune`` (chapter 10)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import lib
import lib.sweep

FIXED: dict[str, Any] = {"d": 6, "r": 2, "n": 150, "sigma": 0.01, "kappa": 2.0, "k": 6,
                         "beta": 1e-3, "train_iter": 300, "fine_tune_iter": 100}
pytestmark = pytest.mark.filterwarnings("ignore:pruning kept:UserWarning")


def test_lam_ratio_is_lam_times_lambda_low_of_the_problem() -> None:
    ratio = 0.8
    problem_seed = np.random.SeedSequence(7).spawn(2)[0]     # the task's problem for seed 7
    prob = lib.make_problem(6, 2, 150, sigma=0.01, kappa=2.0,
                            seed=np.random.default_rng(problem_seed))
    lam_low = lib.theory.lambda_bounds(prob.singular_values**2, FIXED["beta"]).all_grow
    task = lib.sweep.TASKS["train_prune_finetune"].function
    by_ratio = task(7, **FIXED, lam_ratio=ratio)
    by_lam = task(7, **FIXED, lam=ratio * lam_low)
    assert {k: v for k, v in by_ratio.items() if k != "wall_seconds"} == \
        {k: v for k, v in by_lam.items() if k != "wall_seconds"}


def test_a_spec_gives_exactly_one_of_lam_and_lam_ratio() -> None:
    spec = {"task": "train_prune_finetune", "seeds": [0], "fixed": dict(FIXED),
            "grid": {"lam_ratio": [0.5, 1.0]}}
    parsed = lib.sweep.read_spec(spec)
    assert [cell.arguments["lam_ratio"] for cell in parsed.cells()] == [0.5, 1.0]
    with pytest.raises(ValueError, match=r"exactly one of lam, lam_ratio.*got lam, lam_ratio"):
        lib.sweep.read_spec({**spec, "fixed": {**FIXED, "lam": 0.01}})
    with pytest.raises(ValueError, match=r"exactly one of lam, lam_ratio.*got none"):
        lib.sweep.read_spec({**spec, "grid": {"k": [6, 7]},
                             "fixed": {key: value for key, value in FIXED.items()
                                       if key != "k"}})
    with pytest.raises(ValueError, match=r"grid\.lam_ratio"):
        lib.sweep.read_spec({**spec, "grid": {"lam_ratio": [-1.0]}})


def test_the_task_function_refuses_both_or_neither() -> None:
    task = lib.sweep.TASKS["train_prune_finetune"].function
    with pytest.raises(ValueError, match="exactly one of lam and lam_ratio"):
        task(0, **FIXED, lam=0.01, lam_ratio=1.0)
    with pytest.raises(ValueError, match="exactly one of lam and lam_ratio"):
        task(0, **FIXED)
