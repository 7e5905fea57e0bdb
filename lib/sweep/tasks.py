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
from lib.certificate import suggest_step
from lib.objective import Objective, recovery_error
from lib.optim import gradient_descent
from lib.problem import Problem, make_problem
from lib.pruning import train_prune_finetune
from lib.registry import SENSING_KINDS
from lib.regularizer import PENALTIES
from lib.theory import lambda_bounds


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
    #: Groups of parameters of which a spec gives exactly one (e.g. ``lam`` or ``lam_ratio``).
    exactly_one_of: tuple[tuple[str, ...], ...] = ()


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


def seeded_problem(seed: int, **problem: Any) -> tuple[Problem, np.random.Generator]:
    """The problem of a run and the generator of its start, by the seed convention of every
    task (the first and second child of ``numpy.random.SeedSequence(seed)``); ``problem`` holds
    the arguments of :func:`lib.make_problem` (sample-size chapter), which checks them."""
    seed = check_int("seed", seed, minimum=0)
    problem_seed, init_seed = np.random.SeedSequence(seed).spawn(2)
    prob = make_problem(**problem, seed=np.random.default_rng(problem_seed))
    return prob, np.random.default_rng(init_seed)


def run_train_prune_finetune(seed: int, **parameters: Any) -> dict[str, Any]:
    r"""One run of :func:`lib.train_prune_finetune` on a fresh :func:`lib.make_problem`.

    The problem draws its randomness from the first child of
    ``numpy.random.SeedSequence(seed)``, the initial point from the second, so runs that share
    a seed and the problem's parameters (d, r, n, sigma, kappa, sensing, dtype) share the
    problem instance. The strength is ``lam``, or ``lam_ratio`` times
    :math:`\lambda_{\text{low}}` = :attr:`lib.theory.LambdaBounds.all_grow` of the problem's
    eigenvalues (:math:`2\sqrt\beta\, s_r` for Gaussian sensing; chapter 10's phase diagram over
    :math:`(\lambda/\lambda_{\text{low}}, \beta)`): exactly one of the two. Metrics, with
    :math:`\operatorname{err}(U) = \|UU^\top - U^*U^{*\top}\|_F`:

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
    if ("lam" in parameters) == ("lam_ratio" in parameters):
        raise ValueError("give exactly one of lam and lam_ratio (lambda as a multiple of "
                         "lambda_low = 2 sqrt(beta) s_r), got "
                         f"{sorted(set(parameters) & {'lam', 'lam_ratio'}) or 'neither'}")
    start = time.perf_counter()
    prob, init_rng = seeded_problem(seed, **{name: parameters.pop(name)
                                             for name in _PROBLEM_PARAMETERS
                                             if name in parameters})
    if "lam_ratio" in parameters:
        parameters["lam"] = parameters.pop("lam_ratio") * lambda_bounds(
            prob.singular_values**2, parameters["beta"],
            penalty=parameters.get("penalty", "ratio"), sensing=prob.sensing).all_grow
    out = train_prune_finetune(prob, **parameters, seed=init_rng)
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


def run_overparameterized_gd(seed: int, *, k: int, iterations: int, init_scale: float = 1e-3,
                             step: float | None = None, record_every: int = 10,
                             **problem: Any) -> dict[str, Any]:
    r"""Over-parameterised gradient descent without regularisation, run to its budget: the
    peer of :func:`run_train_prune_finetune` (sample-size chapter; method "over-parameterised
    GD" of the baselines chapter).

    :math:`U_{t+1} = U_t - \eta\,\nabla L(U_t)` for exactly ``iterations`` steps from
    :math:`U_0 = \alpha G` (d x k). The problem and :math:`G` derive from ``seed`` exactly as
    in :func:`run_train_prune_finetune`, so a run of each task with the same seed, problem
    parameters, ``k`` and ``init_scale`` starts from the same :math:`U_0` on the same instance
    (a paired comparison). Metrics, with
    :math:`\operatorname{err}(U) = \|UU^\top - U^*U^{*\top}\|_F`:

    - ``error_final``: err of the last iterate (the estimate: no ground truth and no held-out
      data choose anything);
    - ``error_best``, ``best_iteration``: the smallest err over the recorded iterates and its
      iteration, an oracle's early stopping (it looks at :math:`M^*`), a lower envelope of
      what any stopping rule could reach;
    - ``step``: :math:`\eta` (``step``, or :func:`lib.certificate.suggest_step` of the loss
      at :math:`U_0`);
    - ``wall_seconds``: time of the whole run (the only machine-dependent metric).
    """
    seed = check_int("seed", seed, minimum=0)
    checked = _checked_arguments(TASKS["overparameterized_gd"],
                                 {"k": k, "iterations": iterations, "init_scale": init_scale,
                                  "record_every": record_every, **problem,
                                  **({} if step is None else {"step": step})})
    k, iterations, init_scale, record_every = (checked.pop(name) for name in
                                               ("k", "iterations", "init_scale", "record_every"))
    step = checked.pop("step", None)
    start = time.perf_counter()
    prob, init_rng = seeded_problem(seed, **checked)
    U0 = init_scale * init_rng.standard_normal((prob.d, k))
    loss = Objective(prob)
    eta = suggest_step(loss, U0) if step is None else step
    run = gradient_descent(loss, U0, eta, iterations, tol=0.0, record_every=record_every)
    best = int(np.argmin(run.history.errors))
    return {
        "error_final": _error_of(run.U, prob.U_star),
        "error_best": float(run.history.errors[best]),
        "best_iteration": int(run.history.iterations[best]),
        "step": float(eta),
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
        "lam": Parameter(float, minimum=0.0),
        "lam_ratio": Parameter(float, minimum=0.0),
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
    }), exactly_one_of=(("lam", "lam_ratio"),)),
})

#: The peer of the pipeline shares the problem's parameters and the start's with
#: ``train_prune_finetune``, declared once there.
_SHARED = {name: TASKS["train_prune_finetune"].parameters[name]
           for name in (*_PROBLEM_PARAMETERS, "k", "init_scale", "record_every")}
TASKS = MappingProxyType({
    **TASKS,
    "overparameterized_gd": Task("overparameterized_gd", run_overparameterized_gd,
                                 MappingProxyType({
        **_SHARED,
        "iterations": Parameter(int, required=True, minimum=1),
        "step": Parameter(float, minimum=0.0, strict=True),
    })),
})
