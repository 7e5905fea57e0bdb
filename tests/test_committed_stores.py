"""Every committed sweep store under ``book/sweeps/`` still matches the code that made it.

For each store (``book/sweeps/*/manifest.json``) the test recomputes randomly chosen runs with
:func:`lib.sweep.run_cell` and requires every metric but ``wall_seconds`` to equal the stored
value exactly: stored results cannot drift from the code. The choice is seeded (deterministic):
``CELLS_PER_STORE`` runs per store, drawn among the runs whose stored wall time is below
``WALL_SECONDS_CAP`` when at least that many are (so that long runs, such as kappa = 8 with
150k steps, do not dominate the suite), among all runs otherwise.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import lib.sweep
from lib.sweep.spec import Spec

ROOT = Path(__file__).resolve().parent.parent
STORES = sorted(path.parent for path in (ROOT / "book" / "sweeps").glob("*/manifest.json"))
CELLS_PER_STORE = 5
WALL_SECONDS_CAP = 5.0


def _spec(store: Path) -> Spec:
    manifest = json.loads((store / "manifest.json").read_text())
    return Spec(manifest["task"], tuple(manifest["seeds"]), manifest["fixed"],
                {name: tuple(values) for name, values in manifest["grid"].items()})


def _same(stored: object, recomputed: object) -> bool:
    if isinstance(recomputed, float) and math.isnan(recomputed):
        return isinstance(stored, float) and math.isnan(stored)
    return stored == recomputed


def test_the_book_commits_sweep_stores() -> None:
    assert STORES, "no committed store under book/sweeps/"


@pytest.mark.filterwarnings("ignore:pruning kept:UserWarning")
@pytest.mark.parametrize("store", STORES, ids=[path.name for path in STORES])
def test_random_cells_of_a_committed_store_recompute_identically(store: Path) -> None:
    spec = _spec(store)
    frame = lib.sweep.load(store)
    cells = spec.cells()
    assert len(frame) == len(cells), f"{store.name}: {len(frame)} runs, the spec has {len(cells)}"
    grid = list(spec.grid)

    def row_of(cell: lib.sweep.Cell) -> dict:
        match = frame
        for name in grid:
            match = match[match[name] == cell.arguments[name]]
        match = match[match["seed"] == cell.seed]
        assert len(match) == 1, (store.name, dict(cell.arguments), cell.seed)
        return match.iloc[0].to_dict()

    rows = [row_of(cell) for cell in cells]
    quick = [i for i, row in enumerate(rows) if row["wall_seconds"] < WALL_SECONDS_CAP]
    pool = quick if len(quick) >= CELLS_PER_STORE else list(range(len(cells)))
    chosen = np.random.default_rng(20261201).choice(pool, size=min(CELLS_PER_STORE, len(pool)),
                                                   replace=False)
    assert len(chosen) >= min(CELLS_PER_STORE, len(cells))
    for index in sorted(chosen):
        cell, stored = cells[index], rows[index]
        with threadpool_limits(limits=1):      # as in the sweep's workers
            metrics = lib.sweep.run_cell(spec.task, cell)
        for name, value in metrics.items():
            if name == "wall_seconds":
                continue
            assert _same(stored[name], value), (store.name, dict(cell.arguments), cell.seed,
                                                name, stored[name], value)
