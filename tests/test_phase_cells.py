"""lib.phase_cells: summaries of sweep frames and the measured edges of a band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lib.sweep
from lib import phase_cells, theory


def _frame() -> pd.DataFrame:
    rows = []
    for lam in (1.0, 2.0, 3.0):
        for seed in range(4):
            kept = 3 if (lam == 2.0 or (lam == 3.0 and seed < 1)) else 4
            rows.append({"d": 20, "r": 3, "n": 1200, "sigma": 0.1, "lam": lam, "seed": seed,
                         "kept": kept, "error_final": 0.02 * (1 + seed),
                         "settled_iteration": 100 * seed})
    return pd.DataFrame(rows)


def test_summarize() -> None:
    summary = phase_cells.summarize(_frame(), ["lam"])
    assert list(summary["lam"]) == [1.0, 2.0, 3.0]
    assert list(summary["seeds"]) == [4, 4, 4]
    assert list(summary["exact_fraction"]) == [0.0, 1.0, 0.25]
    reference = theory.statistical_error(20, 3, 1200, 0.1)
    assert np.allclose(summary["error_ratio"], 0.05 / reference, rtol=1e-12)
    assert list(summary["settled"]) == [150.0] * 3
    assert list(summary["kept_median"]) == [4.0, 3.0, 4.0]


def test_transitions() -> None:
    summary = pd.DataFrame({"beta": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
                            "lam": [1, 2, 3, 4] * 3,
                            "exact_fraction": [0, 1, 1, 0, 1, 1, 0.2, 0, 0, 0, 0, 0]})
    edges = phase_cells.transitions(summary, "beta", "lam")
    assert edges.to_dict("records") == [
        {"beta": 1, "below_lower": 1, "lower": 2, "upper": 3, "above_upper": 4},
        {"beta": 2, "below_lower": 1, "lower": 1, "upper": 2, "above_upper": 3}]


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: phase_cells.summarize([1, 2], ["lam"]), TypeError, "frame"),
    (lambda: phase_cells.summarize(_frame(), "lam"), TypeError, "by"),
    (lambda: phase_cells.summarize(_frame().drop(columns="kept"), ["lam"]), ValueError, "kept"),
    (lambda: phase_cells.summarize(_frame().assign(sigma=0.0), ["lam"]), ValueError, "sigma"),
    (lambda: phase_cells.summarize(_frame().iloc[:0], ["lam"]), ValueError, "at least one row"),
    (lambda: phase_cells.transitions(_frame(), "beta", "lam"), ValueError, "beta"),
    (lambda: phase_cells.transitions(phase_cells.summarize(_frame(), ["lam"]), "seeds", "lam",
                                     level="half"), TypeError, "level"),
])
def test_bad_input_is_refused(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


@pytest.mark.filterwarnings("ignore:pruning kept:UserWarning")
def test_run_grid_gives_the_rows_of_the_task_in_cell_order() -> None:
    spec = {"task": "train_prune_finetune", "seeds": [0, 1],
            "fixed": {"d": 6, "r": 2, "n": 150, "sigma": 0.01, "k": 6, "beta": 1e-3,
                      "train_iter": 200, "fine_tune_iter": 50},
            "grid": {"lam": [0.01, 0.02]}}
    frame = phase_cells.run_grid(spec)
    assert list(zip(frame["lam"], frame["seed"], strict=True)) == [
        (0.01, 0), (0.01, 1), (0.02, 0), (0.02, 1)]
    cell = lib.sweep.read_spec(spec).cells()[3]
    direct = lib.sweep.run_cell("train_prune_finetune", cell)
    for name, value in direct.items():
        if name != "wall_seconds":
            assert frame.iloc[3][name] == value, name
