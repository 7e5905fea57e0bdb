"""The on-disk store of a sweep: a manifest, one Parquet file per run finished since the last
compaction, and one Parquet file of the compacted runs.

Layout of a store directory::

    manifest.json        the task, its fixed arguments and the names of the grid parameters;
                         also the grid values and seeds of the latest spec (for ``status``)
    runs/<key>.parquet   one row: fixed arguments, grid values, seed, metrics
    runs.parquet         the rows of earlier runs/<key>.parquet files, with their ``key``

Every file is written to a temporary name in the same directory and renamed into place
(``os.replace``, atomic on POSIX), so a process killed at any moment leaves complete files only;
runs are only ever added. :func:`compact` (run at the end of every complete sweep, and by
``python -m lib.sweep compact``) folds the per-run files into ``runs.parquet``: it writes the
new ``runs.parquet`` first and deletes the per-run files after, so a kill in between leaves a
row in both places, which :func:`load` and :func:`done_keys` count once. A store of a few
thousand runs is then two files of some hundred kilobytes, small enough to commit.

A spec whose task, fixed arguments or grid parameters differ from the manifest's is refused,
so two incompatible sweeps cannot share a store; a spec that only changes the grid values or
the seeds extends it (finer grids, more seeds). pandas and pyarrow are imported on first use
(about a second), so that ``import lib`` does not pay for them.
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
    import pyarrow as pa

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


def _compacted(store: Path) -> Path:
    return store / "runs.parquet"


def _run_files(store: Path) -> list[Path]:
    return sorted(_runs(store).glob("*.parquet"))


def done_keys(store: Path) -> set[str]:
    """Keys of the runs in the store."""
    store = check_path("store", store, "directory path")
    keys = {path.stem for path in _run_files(store)}
    if _compacted(store).exists():
        import pyarrow.parquet as pq

        keys.update(pq.read_table(_compacted(store), columns=["key"])["key"].to_pylist())
    return keys


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

    manifest = _read_manifest(store)
    table = _keyed_rows(store)
    if table is None:
        return pd.DataFrame(columns=[*manifest["fixed"], *manifest["grid_parameters"], "seed"])
    frame = table.drop_columns(["key"]).to_pandas()
    order = [*manifest["grid_parameters"], "seed"]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def _keyed_rows(store: Path) -> pa.Table | None:
    """Every run of the store once, with its ``key`` column (None for an empty store)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [pq.read_table(_compacted(store))] if _compacted(store).exists() else []
    for path in _run_files(store):
        table = pq.read_table(path)
        tables.append(table.append_column("key", pa.array([path.stem] * table.num_rows)))
    if not tables:
        return None
    table = pa.concat_tables(tables, promote_options="default")
    first_rows = {}
    for index, key in enumerate(table["key"].to_pylist()):
        first_rows.setdefault(key, index)
    return table.take(pa.array(sorted(first_rows.values())))


def compact(store: str | os.PathLike[str]) -> int:
    """Fold the store's per-run files into ``runs.parquet``; returns the number of runs in it.

    The new ``runs.parquet`` replaces the old one atomically before any per-run file is
    deleted, so interrupting this loses nothing (a run left in both places is read once).
    """
    store = check_path("store", store, "directory path")
    import pyarrow.parquet as pq

    _read_manifest(store)
    files = _run_files(store)
    table = _keyed_rows(store)
    if table is None or not files:
        return 0 if table is None else table.num_rows
    _write_atomically(_compacted(store), lambda path: pq.write_table(table, path))
    for path in files:
        path.unlink()
    return table.num_rows


def status(store: str | os.PathLike[str]) -> StoreStatus:
    """How many runs of the latest spec run on ``store`` are done, out of how many."""
    store = check_path("store", store, "directory path")
    manifest = _read_manifest(store)
    spec = Spec(manifest["task"], tuple(manifest["seeds"]), manifest["fixed"],
                {name: tuple(values) for name, values in manifest["grid"].items()})
    done = done_keys(store)
    cells = spec.cells()
    return StoreStatus(sum(cell.key in done for cell in cells), len(cells))
