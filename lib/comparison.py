r"""Every method of the baselines chapter on one instance, with one budget of gradient steps.

:func:`compare_methods` runs the pipeline of :func:`lib.train_prune_finetune` and the
alternatives of :mod:`lib.baselines` from the same start :math:`U_0 = \alpha G` (drawn from the
same seed), with the same step size and at most ``budget`` gradient evaluations each, and
returns one :class:`MethodRun` per method: its recovery error, the steps it used, its wall
time and its error curve. :func:`mean_over_seeds` and :func:`markdown_table` summarise a list
of runs; :func:`power_law_fit` measures a sublinear rate.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lib import baselines
from lib._validation import (
    check_choice,
    check_choices,
    check_float,
    check_instance,
    check_int,
    check_sequence,
    check_strings,
    check_vector,
)
from lib.objective import Objective, recovery_error
from lib.optim import OptimizationResult, gradient_descent
from lib.problem import Problem
from lib.pruning import fine_tune, train_prune_finetune

#: The methods, in the order of the chapter.
METHODS = ("pipeline", "gd", "early_stopped", "svd_truncation", "scaled_gd", "nuclear_norm",
           "oracle")
#: The methods whose model has k columns (the others do not depend on k).
WIDTH_METHODS = METHODS[:5]
#: Names for tables and legends.
LABELS = {"pipeline": "prune + fine-tune", "gd": "over-parameterised GD",
          "early_stopped": "GD, early-stopped", "svd_truncation": "SVD truncation + fine-tune",
          "scaled_gd": "ScaledGD(λ)", "nuclear_norm": "nuclear norm",
          "oracle": "exact-rank oracle"}


@dataclass(frozen=True)
class ComparisonSettings:
    r"""Shared settings of :func:`compare_methods`.

    Attributes
    ----------
    budget : int
        Gradient evaluations allowed to every method.
    fine_tune_iter : int
        Steps of the budget reserved for fine-tuning (pipeline, SVD truncation).
    step : float
        Step size of every gradient method.
    lam, beta : float
        Group Lasso of the pipeline.
    damping : float
        :math:`\lambda` of ScaledGD(:math:`\lambda`).
    holdout : float
        Fraction of the measurements held out by the validated methods.
    mus : tuple of float
        Nuclear-norm weights tried; the budget is shared between them.
    init_scale : float
        :math:`\alpha` of the start.
    record_every : int
        Interval of the error curves.
    """

    budget: int = 4000
    fine_tune_iter: int = 1000
    step: float = 0.1
    lam: float = 0.015
    beta: float = 2e-3
    damping: float = 0.05
    holdout: float = 0.2
    mus: tuple[float, ...] = (0.4, 0.2, 0.1, 0.05, 0.025)
    init_scale: float = 1e-3
    record_every: int = 50

    def __post_init__(self) -> None:
        budget = check_int("budget", self.budget, minimum=2)
        check_int("fine_tune_iter", self.fine_tune_iter, minimum=1, maximum=budget - 1)
        for name in ("step", "lam", "beta", "damping", "init_scale"):
            check_float(name, getattr(self, name), minimum=0.0, strict=True)
        check_float("holdout", self.holdout, minimum=0.0, strict=True, maximum=1.0)
        check_vector("mus", self.mus, minimum=0.0, strict=True)
        check_int("record_every", self.record_every, minimum=1)


@dataclass(frozen=True, eq=False)
class MethodRun:
    r"""One method on one instance.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    n, k, seed : int
        Measurements, columns of the model (r for the oracle, d for the nuclear norm) and seed.
    error : float
        :math:`\|\hat M - M^*\|_F`.
    rank : int
        Rank of the estimate (columns kept by the pipeline).
    steps : int
        Gradient evaluations used (the validated methods: on the training part).
    seconds : float
        Wall time.
    iterations, errors : ndarray
        Error curve (empty for the nuclear norm, whose iterates are not recorded).
    """

    method: str
    n: int
    k: int
    seed: int
    error: float
    rank: int
    steps: int
    seconds: float
    iterations: np.ndarray = field(repr=False)
    errors: np.ndarray = field(repr=False)


def _curve(*runs: OptimizationResult) -> tuple[np.ndarray, np.ndarray]:
    """The error curves of consecutive runs, joined with their iterations offset."""
    iterations, errors, offset = [], [], 0
    for run in runs:
        iterations.append(run.history.iterations + offset)
        errors.append(run.history.errors)
        offset += run.iterations
    return np.concatenate(iterations), np.concatenate(errors)


class _Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.start


def compare_methods(prob: Problem, k: int, settings: ComparisonSettings, *, seed: int = 0,
                    methods: Sequence[str] = METHODS) -> tuple[MethodRun, ...]:
    r"""Run ``methods`` on ``prob`` with k columns, each within ``settings.budget`` gradient
    evaluations (baselines chapter).

    * ``pipeline``: :func:`lib.train_prune_finetune`, ``budget - fine_tune_iter`` training
      steps, at most ``fine_tune_iter`` fine-tuning steps;
    * ``gd``: gradient descent on :math:`L` for the whole budget;
    * ``early_stopped``: :func:`lib.baselines.early_stopped_gd`, the whole budget on the
      training part;
    * ``svd_truncation``: the ``gd`` iterate after ``budget - fine_tune_iter`` steps,
      :func:`lib.baselines.svd_truncate` to rank r, then :func:`lib.fine_tune`;
    * ``scaled_gd``: :func:`lib.baselines.scaled_gd` for the whole budget;
    * ``nuclear_norm``: :func:`lib.baselines.nuclear_norm_validated`, the budget shared
      between the weights;
    * ``oracle``: gradient descent with r columns from :func:`lib.baselines.spectral_init`.

    The k-column methods start from the same :math:`U_0`, drawn from ``seed``; the validated
    methods split the measurements with ``seed``. Fine-tuning and the oracle stop early when
    the gradient norm falls below 1e-10.
    """
    check_instance("prob", prob, Problem)
    k = check_int("k", k, minimum=1)
    check_instance("settings", settings, ComparisonSettings)
    seed = check_int("seed", seed, minimum=0)
    methods = check_choices("methods", methods, METHODS)
    s = settings
    train_iter = s.budget - s.fine_tune_iter
    loss = Objective(prob)
    U0 = s.init_scale * np.random.default_rng(seed).standard_normal((prob.d, k))

    def run(method: str, timer: _Timer, U: np.ndarray, steps: int,
            curve: tuple[np.ndarray, np.ndarray], width: int = k, rank: int | None = None,
            ) -> MethodRun:
        return MethodRun(method=method, n=prob.n, k=width, seed=seed,
                         error=recovery_error(U, prob.U_star),
                         rank=U.shape[1] if rank is None else rank, steps=steps,
                         seconds=timer(), iterations=curve[0], errors=curve[1])

    def pipeline() -> list[MethodRun]:
        timer = _Timer()
        out = train_prune_finetune(prob, k, s.lam, s.beta, init_scale=s.init_scale,
                                   train_step=s.step, train_iter=train_iter,
                                   fine_tune_step=s.step, fine_tune_iter=s.fine_tune_iter,
                                   record_every=s.record_every, seed=seed)
        stages = (out.train,) if out.fine_tune is None else (out.train, out.fine_tune)
        return [run("pipeline", timer, out.U_final, sum(r.iterations for r in stages),
                    _curve(*stages))]

    def gd_and_truncation() -> list[MethodRun]:
        timer = _Timer()
        first = gradient_descent(loss, U0, s.step, train_iter, tol=0.0,
                                 record_every=s.record_every)
        first_seconds = timer()
        second = gradient_descent(loss, first.U, s.step, s.fine_tune_iter, tol=0.0,
                                  record_every=s.record_every)
        overparameterised = run("gd", timer, second.U, s.budget, _curve(first, second))
        timer = _Timer()
        tuned = fine_tune(prob, baselines.svd_truncate(first.U, min(prob.r, k)), s.step,
                          s.fine_tune_iter, record_every=s.record_every)
        truncated = run("svd_truncation", timer, tuned.U, train_iter + tuned.iterations,
                        _curve(first, tuned))
        return [overparameterised,
                dataclasses.replace(truncated, seconds=first_seconds + truncated.seconds)]

    def early_stopped() -> list[MethodRun]:
        timer = _Timer()
        out = baselines.early_stopped_gd(prob, k, holdout=s.holdout, step=s.step,
                                         max_iter=s.budget, init_scale=s.init_scale,
                                         seed=seed, split_seed=seed,
                                         record_every=s.record_every)
        return [run("early_stopped", timer, out.U, s.budget, _curve(out.run))]

    def scaled() -> list[MethodRun]:
        timer = _Timer()
        out = baselines.scaled_gd(prob, k, lam=s.damping, step=s.step, max_iter=s.budget,
                                  seed=seed, init_scale=s.init_scale,
                                  record_every=s.record_every)
        return [run("scaled_gd", timer, out.U, out.iterations, _curve(out))]

    def nuclear() -> list[MethodRun]:
        timer = _Timer()
        out = baselines.nuclear_norm_validated(prob, list(s.mus), holdout=s.holdout,
                                               split_seed=seed,
                                               max_iter=s.budget // len(s.mus))
        error = float(np.linalg.norm(out.fit.M - prob.M_star))
        return [MethodRun(method="nuclear_norm", n=prob.n, k=prob.d, seed=seed, error=error,
                          rank=out.fit.rank, steps=out.iterations, seconds=timer(),
                          iterations=np.zeros(0, dtype=int), errors=np.zeros(0))]

    def oracle() -> list[MethodRun]:
        timer = _Timer()
        out = gradient_descent(loss, baselines.spectral_init(prob, prob.r), s.step, s.budget,
                               tol=1e-10, record_every=s.record_every)
        return [run("oracle", timer, out.U, out.iterations, _curve(out), width=prob.r)]

    runners: dict[str, Callable[[], list[MethodRun]]] = {
        "pipeline": pipeline, "gd": gd_and_truncation, "svd_truncation": gd_and_truncation,
        "early_stopped": early_stopped, "scaled_gd": scaled, "nuclear_norm": nuclear,
        "oracle": oracle}
    results: dict[str, MethodRun] = {}
    for method in METHODS:
        if method in methods and method not in results:
            results.update((r.method, r) for r in runners[method]())
    return tuple(results[method] for method in METHODS if method in methods)


#: The numbers of a :class:`MethodRun` that :func:`mean_over_seeds` averages and selects by.
RUN_NUMBERS = ("n", "k", "seed", "error", "rank", "steps", "seconds")


def mean_over_seeds(runs: Sequence[MethodRun], method: str, key: str = "error", *,
                    by: str = "k", **fixed: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the attribute ``key`` of the runs of ``method`` over seeds, for every value of
    the attribute ``by`` (sorted), among the runs whose attributes equal ``fixed``.

    Returns
    -------
    (values of ``by``, means)
    """
    runs = check_sequence("runs", runs, MethodRun)
    method = check_choice("method", method, METHODS)
    key = check_choice("key", key, RUN_NUMBERS)
    by = check_choice("by", by, RUN_NUMBERS)
    for name, value in fixed.items():
        check_choice("a keyword of fixed", name, RUN_NUMBERS)
        check_float(name, value)
    chosen = [run for run in runs if run.method == method
              and all(getattr(run, name) == value for name, value in fixed.items())]
    if not chosen:
        raise ValueError(f"no run of method {method!r} with {fixed}")
    keys = np.array(sorted({getattr(run, by) for run in chosen}))
    means = np.array([np.mean([getattr(run, key) for run in chosen if getattr(run, by) == value])
                      for value in keys])
    return keys, means


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown pipe table (for ``IPython.display.Markdown``) of already formatted cells."""
    header = check_strings("header", header)
    rows = check_sequence("rows", rows, list | tuple)
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(f"rows[{i}] must have {len(header)} cells, like header={header!r}, "
                             f"got {len(row)}")
    lines = ["| " + " | ".join(map(str, header)) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def power_law_fit(iterations: np.ndarray, errors: np.ndarray, start: int) -> tuple[float, float]:
    r"""Least-squares fit of :math:`e_t \approx c\, t^{-a}` on a log-log scale over the
    iterations :math:`t \ge` ``start`` (baselines chapter: the sublinear rate of
    over-parameterised gradient descent).

    Returns
    -------
    (a, c)
    """
    iterations = check_vector("iterations", iterations, minimum=0.0)
    errors = check_vector("errors", errors, iterations.size, minimum=0.0, strict=True)
    start = check_int("start", start, minimum=1)
    window = iterations >= start
    if window.sum() < 2 or np.any(errors[window] <= 0):
        raise ValueError(f"start={start} leaves {int(window.sum())} points; the fit needs at "
                         "least two, all with positive error")
    slope, intercept = np.polyfit(np.log(iterations[window]), np.log(errors[window]), 1)
    return float(-slope), float(np.exp(intercept))
