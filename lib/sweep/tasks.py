r"""The tasks a sweep can run, by name, and the parameters each one accepts.

A task is a function ``function(seed, **parameters) -> dict`` of plain numbers: the metrics of
one run, one row of the store. All of a run's randomness derives from ``seed`` (and the
parameters), never from the process or the order it runs in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from lib._validation import check_choice, check_float, check_int
from lib.objective import recovery_error
from lib.problem import make_problem
from lib.pruning import train_prune_finetune
from lib.registry import SENSING_KINDS
from lib.regularizer import PENALTIES


@dataclass(frozen=True)
class Parameter:
    """One argument of a task: its kind (``int``, ``float`` or ``str``) and allowed values.

    ``minimum`` (``strict``: exclusive) bounds numbers, ``choices`` lists the allowed strings.
    Parameters without ``required`` take the default of the wrapped lib function.
    """

    kind: type
    required: bool = False
    minimum: float | None = None
    strict: bool = False
    choices: tuple[str, ...] = ()

    def check(self, field: str, value: object) -> int | float | str:
        """``value`` converted to the parameter's kind, or a ``TypeError``/``ValueError`` naming
        ``field`` (as the spec spells it, e.g. ``grid.lam[2]``)."""
        if self.kind is int:
            return check_int(field, value, minimum=None if self.minimum is None
                             else int(self.minimum))
        if self.kind is float:
            return check_float(field, value, minimum=self.minimum, strict=self.strict)
        return check_choice(field, value, self.choices)


@dataclass(frozen=True)
class Task:
    """A registered task: ``function(seed, **parameters)`` returns the metrics of one run."""

    name: str
    function: Callable[..., dict[str, Any]]
    parameters: Mapping[str, Parameter]


_PROBLEM_PARAMETERS = ("d", "r", "n", "sigma", "kappa", "sensing", "dtype")


def _error_of(U: np.ndarray, U_star: np.ndarray) -> float:
    """:func:`lib.recovery_error`, with zero columns meaning :math:`U = 0`."""
    return recovery_error(U if U.shape[1] else np.zeros((U.shape[0], 1)), U_star)


def _checked_arguments(task: Task, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """``arguments`` checked by the task's parameters (each named as the caller wrote it)."""
    unknown = [name for name in arguments if name not in task.parameters]
    if unknown:
        raise TypeError(f"{unknown[0]} is not a parameter of the task {task.name!r}; allowed: "
                        f"{', '.join(task.parameters)}")
    missing = [name for name, parameter in task.parameters.items()
               if parameter.required and name not in arguments]
    if missing:
        raise TypeError(f"{missing[0]} is a required parameter of the task {task.name!r}")
    return {name: task.parameters[name].check(name, value) for name, value in arguments.items()}


def run_train_prune_finetune(seed: int, **parameters: Any) -> dict[str, Any]:
    r"""One run of :func:`lib.train_prune_finetune` on a fresh :func:`lib.make_problem`.

    The problem draws its randomness from the first child of
    ``numpy.random.SeedSequence(seed)``, the initial point from the second, so runs that share
    a seed and the problem's parameters (d, r, n, sigma, kappa, sensing, dtype) share the
    problem instance. Metrics, with :math:`\operatorname{err}(U) = \|UU^\top - U^*U^{*\top}\|_F`:

    - ``kept``: number of columns above the pruning threshold;
    - ``error_pruned``, ``error_final``: err of the pruned factor (before fine-tuning) and of
      the fine-tuned one (the pruned one when no column was kept);
    - ``train_iterations``, ``train_converged``, ``fine_tune_iterations`` (0 when nothing was
      kept), ``fine_tune_converged`` (False then);
    - ``settled_iteration``: the first recorded training iteration from which the set of
      columns above the threshold is the kept set at every later record (steps until the
      kept set settles, :meth:`lib.History.settled_iteration`; a multiple of
      ``record_every`` or the last iteration);
    - ``wall_seconds``: time of the whole run, problem construction included (the only metric
      that depends on the machine).
    """
    seed = check_int("seed", seed, minimum=0)
    parameters = _checked_arguments(TASKS["train_prune_finetune"], parameters)
    start = time.perf_counter()
    problem_seed, init_seed = np.random.SeedSequence(seed).spawn(2)
    problem_arguments = {name: parameters.pop(name) for name in _PROBLEM_PARAMETERS
                         if name in parameters}
    prob = make_problem(**problem_arguments, seed=np.random.default_rng(problem_seed))
    out = train_prune_finetune(prob, **parameters, seed=np.random.default_rng(init_seed))
    tuned = out.fine_tune
    history = out.train.history
    kept_mask = np.zeros(history.column_norms.shape[1], dtype=bool)
    kept_mask[out.kept] = True
    settled = history.settled_iteration(
        np.all((history.column_norms > out.threshold) == kept_mask, axis=1))
    return {
        "kept": int(out.kept.size),
        "error_pruned": _error_of(out.U_prune, prob.U_star),
        "error_final": _error_of(out.U_final, prob.U_star),
        "train_iterations": int(out.train.iterations),
        "train_converged": bool(out.train.converged),
        "fine_tune_iterations": 0 if tuned is None else int(tuned.iterations),
        "fine_tune_converged": False if tuned is None else bool(tuned.converged),
        "settled_iteration": settled,
        "wall_seconds": time.perf_counter() - start,
    }


#: The registered tasks, by the name a spec gives in its ``task`` field.
TASKS: Mapping[str, Task] = MappingProxyType({
    "train_prune_finetune": Task("train_prune_finetune", run_train_prune_finetune,
                                 MappingProxyType({
        "d": Parameter(int, required=True, minimum=1),
        "r": Parameter(int, required=True, minimum=1),
        "n": Parameter(int, required=True, minimum=1),
        "sigma": Parameter(float, minimum=0.0),
        "kappa": Parameter(float, minimum=1.0),
        "sensing": Parameter(str, choices=SENSING_KINDS),
        "dtype": Parameter(str, choices=("float64", "float32")),
        "k": Parameter(int, required=True, minimum=1),
        "lam": Parameter(float, required=True, minimum=0.0),
        "beta": Parameter(float, required=True, minimum=0.0, strict=True),
        "init_scale": Parameter(float, minimum=0.0, strict=True),
        "train_step": Parameter(float, minimum=0.0, strict=True),
        "train_iter": Parameter(int, minimum=1),
        "train_tol": Parameter(float, minimum=0.0),
        "threshold": Parameter(float, minimum=0.0),
        "fine_tune_step": Parameter(float, minimum=0.0, strict=True),
        "fine_tune_iter": Parameter(int, minimum=1),
        "fine_tune_tol": Parameter(float, minimum=0.0),
        "record_every": Parameter(int, minimum=1),
        "penalty": Parameter(str, choices=PENALTIES),
    })),
})
