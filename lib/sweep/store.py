"""The on-disk store of a sweep: a manifest and one Parquet file per finished run.

Layout of a store directory::

    manifest.json        the task, its fixed arguments and the names of the grid parameters;
                         also the grid values and seeds of the latest spec (for ``status``)
    runs/<key>.parquet   one row: fixed arguments, grid values, seed, metrics

Every file is written to a temporary name in the same directory and renamed into place
(``os.replace``, atomic on POSIX), so a process killed at any moment leaves complete files only;
runs are only ever added. A spec whose task, fixed arguments or grid parameters differ from
the manifest's is refused, so two incompatible sweeps cannot share a store; a spec that only
changes the grid values or the seeds extends it (finer grids, more seeds). pandas and pyarrow
are imported on first use (about a second), so that ``import lib`` does not pay for them.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lib._validation import check_instance, check_mapping, check_path
from lib.sweep.spec import Cell, Spec

if TYPE_CHECKING:
    import pandas as pd

_FORMAT = 1


@dataclass(frozen=True)
class StoreStatus:
    """Runs of the latest spec already in the store (``done``) out of its ``total``."""

    done: int
    total: int


def _write_atomically(path: Path, write: Any) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    os.close(descriptor)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _manifest(spec: Spec) -> dict[str, Any]:
    return {"format": _FORMAT, "task": spec.task, "fixed": dict(spec.fixed),
            "grid_parameters": list(spec.grid), "grid": {k: list(v) for k, v in spec.grid.items()},
            "seeds": list(spec.seeds)}


def _read_manifest(store: Path) -> dict[str, Any]:
    try:
        return json.loads((store / "manifest.json").read_text())
    except FileNotFoundError:
        raise ValueError(f"store {str(store)!r} is not a sweep store (no manifest.json)") from None


def _runs(store: Path) -> Path:
    return store / "runs"


def done_keys(store: Path) -> set[str]:
    """Keys of the runs in the store."""
    store = check_path("store", store, "directory path")
    return {path.stem for path in _runs(store).glob("*.parquet")}


def open_store(store: str | os.PathLike[str], spec: Spec) -> Path:
    """Create the store for ``spec``, or check that an existing one was made for a compatible
    spec and record ``spec``'s grid and seeds as the latest; returns its path.

    Raises ``ValueError`` naming the first field (``task``, ``fixed.<name>``, ``grid``) on which
    the spec and the store disagree, before writing anything.
    """
    store = check_path("store", store, "directory path")
    check_instance("spec", spec, Spec)
    wanted = _manifest(spec)
    if (store / "manifest.json").exists():
        recorded = _read_manifest(store)
        for field in ("format", "task"):
            if recorded.get(field) != wanted[field]:
                raise ValueError(f"store {str(store)!r} holds a sweep with {field} = "
                                 f"{recorded.get(field)!r}, the spec has {wanted[field]!r}")
        for name in sorted(set(recorded["fixed"]) | set(wanted["fixed"])):
            if recorded["fixed"].get(name) != wanted["fixed"].get(name):
                raise ValueError(f"fixed.{name}: store {str(store)!r} holds runs with "
                                 f"{name} = {recorded['fixed'].get(name)!r}, the spec has "
                                 f"{wanted['fixed'].get(name)!r}; use another store")
        if sorted(recorded["grid_parameters"]) != sorted(wanted["grid_parameters"]):
            raise ValueError(f"grid: store {str(store)!r} holds runs over "
                             f"{recorded['grid_parameters']}, the spec varies "
                             f"{wanted['grid_parameters']}; use another store")
    elif store.exists() and any(store.iterdir()):
        raise ValueError(f"store {str(store)!r} is a non-empty directory without a manifest: "
                         "not a sweep store")
    _runs(store).mkdir(parents=True, exist_ok=True)
    _write_atomically(store / "manifest.json",
                      lambda path: Path(path).write_text(json.dumps(wanted, indent=1)))
    return store


def append(store: Path, cell: Cell, metrics: dict[str, Any]) -> None:
    """Write the row of a finished run: its arguments, seed and metrics."""
    store = check_path("store", store, "directory path")
    check_instance("cell", cell, Cell)
    metrics = check_mapping("metrics", metrics)
    import pyarrow as pa
    import pyarrow.parquet as pq

    row = {**cell.arguments, "seed": cell.seed, **metrics}
    table = pa.Table.from_pylist([row])
    _write_atomically(_runs(store) / f"{cell.key}.parquet",
                      lambda path: pq.write_table(table, path))


def load(store: str | os.PathLike[str]) -> pd.DataFrame:
    """All runs in a store, one row per (grid point, seed): the task's arguments, ``seed`` and
    the metrics, sorted by the grid parameters and the seed (not by completion order)."""
    store = check_path("store", store, "directory path")
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    manifest = _read_manifest(store)
    paths = sorted(_runs(store).glob("*.parquet"))
    if not paths:
        return pd.DataFrame(columns=[*manifest["fixed"], *manifest["grid_parameters"], "seed"])
    frame = pa.concat_tables([pq.read_table(path) for path in paths],
                             promote_options="default").to_pandas()
    order = [*manifest["grid_parameters"], "seed"]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def status(store: str | os.PathLike[str]) -> StoreStatus:
    """How many runs of the latest spec run on ``store`` are done, out of how many."""
    store = check_path("store", store, "directory path")
    manifest = _read_manifest(store)
    spec = Spec(manifest["task"], tuple(manifest["seeds"]), manifest["fixed"],
                {name: tuple(values) for name, values in manifest["grid"].items()})
    done = done_keys(store)
    cells = spec.cells()
    return StoreStatus(sum(cell.key in done for cell in cells), len(cells))
