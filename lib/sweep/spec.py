"""A sweep's specification: a registered task, seeds, fixed arguments and a grid, validated.

Read from TOML (standard library ``tomllib``) or given as a mapping of the same shape::

    task = "train_prune_finetune"
    seeds = [0, 1, 2]
    [fixed]
    d = 20
    [grid]
    lam = [0.01, 0.02]

Every error names the field as the spec spells it (``task``, ``seeds[1]``, ``fixed.d``,
``grid.lam[2]``) and is raised before any run starts or anything is written.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lib._validation import check_int
from lib.sweep.tasks import TASKS

_FIELDS = ("task", "seeds", "fixed", "grid")


@dataclass(frozen=True)
class Cell:
    """One run of a sweep: the task's arguments (fixed and grid values), the seed, and the key
    under which the store keeps its result (a digest of the grid values and the seed)."""

    arguments: Mapping[str, Any]
    seed: int
    key: str


@dataclass(frozen=True)
class Spec:
    """A validated sweep: ``task`` run for every seed at every point of the Cartesian product
    of ``grid``, with the ``fixed`` arguments shared by all runs."""

    task: str
    seeds: tuple[int, ...]
    fixed: Mapping[str, Any]
    grid: Mapping[str, tuple[Any, ...]]

    def cells(self) -> list[Cell]:
        """Every (grid point, seed), grid points in the order of the product, seeds inner."""
        names = list(self.grid)
        cells = []
        for values in itertools.product(*self.grid.values()):
            point = dict(zip(names, values, strict=True))
            for seed in self.seeds:
                digest = hashlib.sha256(json.dumps([point, seed], sort_keys=True).encode())
                cells.append(Cell(MappingProxyType({**self.fixed, **point}), seed,
                                  digest.hexdigest()[:24]))
        return cells


def _table(field: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{field} must be a table of parameter = value, got {value!r}")
    return value


def _parameter(task: str, field: str, name: object) -> Any:
    parameters = TASKS[task].parameters
    if name not in parameters:
        raise ValueError(f"{field}: unknown parameter {name!r} of task {task!r}; allowed: "
                         f"{', '.join(parameters)}")
    return parameters[name]


def read_spec(spec: Spec | Mapping[str, Any] | str | os.PathLike[str]) -> Spec:
    """Validate a sweep specification.

    Parameters
    ----------
    spec : Spec, mapping, or path of a TOML file
        ``task`` (a name in :data:`lib.sweep.TASKS`), ``seeds`` (distinct non-negative
        integers), ``fixed`` (a table of arguments) and ``grid`` (a table of non-empty lists of
        distinct values, at least one list). Each argument of the task appears in at most one
        of the two tables, and every required argument in one of them.

    Returns
    -------
    Spec
        Values converted to the parameters' kinds (an integer given for a float becomes a
        float), so that equal specs have equal cells and keys.
    """
    if isinstance(spec, Spec):
        return spec
    source = spec
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            with path.open("rb") as file:
                source = tomllib.load(file)
        except FileNotFoundError:
            raise ValueError(f"spec: no such file {str(path)!r}") from None
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"spec: {str(path)!r} is not valid TOML: {error}") from None
    source = _table("spec", source)
    unknown = [name for name in source if name not in _FIELDS]
    if unknown:
        raise ValueError(f"spec: unknown field {unknown[0]!r}; allowed: {', '.join(_FIELDS)}")
    task = source.get("task")
    if not isinstance(task, str):
        raise TypeError(f"task must be the name of a task, one of {tuple(TASKS)}, got {task!r}")
    if task not in TASKS:
        raise ValueError(f"task: unknown task {task!r}; registered: {', '.join(TASKS)}")

    seeds = source.get("seeds")
    if not isinstance(seeds, list) or not seeds:
        raise TypeError(f"seeds must be a non-empty list of non-negative integers, got {seeds!r}")
    seeds = tuple(check_int(f"seeds[{i}]", seed, minimum=0) for i, seed in enumerate(seeds))
    if len(set(seeds)) < len(seeds):
        raise ValueError(f"seeds must be distinct, got {list(seeds)}")

    fixed = {name: _parameter(task, f"fixed.{name}", name).check(f"fixed.{name}", value)
             for name, value in _table("fixed", source.get("fixed", {})).items()}
    grid_table = _table("grid", source.get("grid", {}))
    if not grid_table:
        raise ValueError("grid is empty: give at least one parameter a list of values (for a "
                         "sweep over seeds only, a one-value list such as lam = [0.01])")
    grid = {}
    for name, values in grid_table.items():
        parameter = _parameter(task, f"grid.{name}", name)
        if name in fixed:
            raise ValueError(f"grid.{name}: {name!r} is also in fixed; give it in one table")
        if not isinstance(values, list):
            raise TypeError(f"grid.{name} must be a list of values, got {values!r}")
        if not values:
            raise ValueError(f"grid.{name} is an empty list: the sweep would have no runs")
        grid[name] = tuple(parameter.check(f"grid.{name}[{i}]", value)
                           for i, value in enumerate(values))
        if len(set(grid[name])) < len(grid[name]):
            raise ValueError(f"grid.{name} must have distinct values, got {values}")
    missing = [name for name, parameter in TASKS[task].parameters.items()
               if parameter.required and name not in fixed and name not in grid]
    if missing:
        raise ValueError(f"missing required parameter {missing[0]!r} of task {task!r}: set it "
                         "in fixed or grid")
    for group in TASKS[task].exactly_one_of:
        given = [name for name in group if name in fixed or name in grid]
        if len(given) != 1:
            raise ValueError(f"task {task!r} needs exactly one of {', '.join(group)} in fixed "
                             f"or grid, got {', '.join(given) or 'none'}")
    return Spec(task, seeds, MappingProxyType(fixed), MappingProxyType(grid))
