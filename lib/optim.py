r"""Gradient descent and perturbed gradient descent on an :class:`lib.Objective`.

Plain gradient descent :math:`U_{t+1} = U_t - \eta \nabla f(U_t)` trains the regularised model
(pruning chapter) and fine-tunes the pruned one (fine-tuning chapter). Perturbed gradient descent
(Jin et al., 2017) adds a small random kick from a ball of radius ``radius`` whenever the gradient
is small, and stops when a kick fails to decrease :math:`f` by ``escape_decrease`` within
``escape_iter`` steps: the point it returns is then an approximate second-order stationary point
(landscape chapter).

Every run checks the objective at each step (it is computed with the gradient anyway). A
non-finite or exploding value raises :class:`DivergenceError` with a step size to try instead.
An interrupted run (Ctrl-C) returns what it has, with ``status="interrupted"``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from lib._validation import check_bool, check_callable, check_float, check_int, make_rng
from lib.certificate import suggest_step
from lib.columns import column_norms
from lib.objective import Objective, relative_recovery_error

if TYPE_CHECKING:
    import pandas as pd

#: A run is declared divergent when f exceeds this factor times its scale (see ``_blowup_limit``).
DIVERGENCE_FACTOR = 1e4


class DivergenceError(RuntimeError):
    """Gradient descent diverged: the objective became non-finite or exploded.

    Raised by every training run of the book (none diverges).

    Attributes
    ----------
    iteration : int
        Iteration at which divergence was detected.
    last_finite_value : float
        Last finite objective value seen before it.
    suggested_step : float
        A step size estimated from the local smoothness (``1 / lambda_max`` of the Hessian at the
        starting point and at the ground-truth scale) that should not diverge.
    """

    def __init__(self, iteration: int, last_finite_value: float, step: float,
                 suggested_step: float) -> None:
        self.iteration = iteration
        self.last_finite_value = last_finite_value
        self.step = step
        self.suggested_step = suggested_step
        super().__init__(
            f"gradient descent diverged at iteration {iteration} with step={step:g} (last finite "
            f"objective {last_finite_value:.3g}); the step is too large for the local "
            f"smoothness: try step={suggested_step:.3g} or smaller")


@dataclass(frozen=True)
class History:
    r"""Quantities recorded every ``record_every`` iterations (and at the first and last),
    one row per record.

    The curves of the landscape, fine-tuning and failure chapters.

    Attributes
    ----------
    iterations : ndarray of int
    values : ndarray
        Objective :math:`f(U_t)`.
    grad_norms : ndarray
        :math:`\|\nabla f(U_t)\|_F`.
    errors : ndarray
        Recovery error :math:`\|U_tU_t^T - M^*\|_F`.
    column_norms : ndarray, shape (records, k)
        :math:`\|U_t e_j\|_2` for every column.
    """

    iterations: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    errors: np.ndarray
    column_norms: np.ndarray

    def columns_above(self, threshold: float) -> np.ndarray:
        r"""Number of columns with :math:`\|U_t e_j\|_2 > \tau` at each record (how many
        pruning at ``threshold`` would keep; pruning-threshold chapter)."""
        threshold = check_float("threshold", threshold, minimum=0.0)
        return np.sum(self.column_norms > threshold, axis=1)

    def settled_iteration(self, holds: np.ndarray) -> int | None:
        """First recorded iteration from which ``holds`` (one bool per record) is true at every
        later record, or None when it fails at the last one: the step after which, say, the
        number of columns above the pruning threshold stops changing (pruning-threshold and
        quadratic-network chapters)."""
        holds = np.asarray(holds)
        if holds.dtype != bool or holds.shape != self.iterations.shape:
            raise ValueError(f"holds must be a bool array of shape {self.iterations.shape} (one "
                             f"per record), got dtype {holds.dtype} and shape {holds.shape}")
        failures = np.flatnonzero(~holds)
        if failures.size == 0:
            return int(self.iterations[0])
        if failures[-1] == holds.size - 1:
            return None
        return int(self.iterations[failures[-1] + 1])

    def fitted_rate(self, low: float, high: float) -> float:
        r"""Contraction factor per step of the recorded errors (fine-tuning chapter):
        :math:`\exp(\text{slope})` of the least-squares line through
        :math:`(t, \log \|U_tU_t^\top - M^*\|_F)` over the records whose error lies in
        ``(low, high)``; errors then shrink like :math:`\rho^t`."""
        low = check_float("low", low, minimum=0.0, strict=True)
        high = check_float("high", high, minimum=low, strict=True)
        window = (self.errors > low) & (self.errors < high)
        if np.count_nonzero(window) < 2:
            raise ValueError(f"fewer than two recorded errors lie in (low, high) = ({low:g}, "
                             f"{high:g}); the errors range over [{self.errors.min():.3g}, "
                             f"{self.errors.max():.3g}]")
        slope = np.polyfit(self.iterations[window], np.log(self.errors[window]), 1)[0]
        return float(np.exp(slope))


class _Recorder:
    """Appends the records of a run; :meth:`history` builds the :class:`History` once."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, float, float, float, np.ndarray]] = []

    @property
    def last_iteration(self) -> int | None:
        return self.rows[-1][0] if self.rows else None

    def record(self, iteration: int, value: float, grad_norm: float, U: np.ndarray,
               U_star: np.ndarray) -> None:
        self.rows.append((iteration, value, grad_norm,
                          float(np.linalg.norm(U @ U.T - U_star @ U_star.T)), column_norms(U)))

    def history(self) -> History:
        iterations, values, grad_norms, errors, norms = zip(*self.rows, strict=True)
        return History(np.asarray(iterations), np.asarray(values), np.asarray(grad_norms),
                       np.asarray(errors), np.asarray(norms))


@dataclass(frozen=True)
class OptimizationResult:
    """Outcome of a run.

    Every chapter that trains.

    Attributes
    ----------
    U : ndarray
        Final iterate (for perturbed gradient descent: the certified point).
    history : History
    converged : bool
        Gradient norm reached ``tol`` (gradient descent) or a kick failed to escape
        (perturbed gradient descent).
    iterations : int
        Number of gradient steps taken.
    status : str
        ``"converged"``, ``"max_iter"`` or ``"interrupted"``.
    perturbations : list of int
        Iterations at which perturbed gradient descent added a kick.
    """

    U: np.ndarray
    history: History
    converged: bool
    iterations: int
    status: str
    perturbations: list[int] = field(default_factory=list)


def _check_run_arguments(obj: Objective, U0: object, step: object, max_iter: object,
                         tol: object, record_every: object, progress: object,
                         callback: object) -> tuple[np.ndarray, float, int, float, int]:
    if not isinstance(obj, Objective):
        raise TypeError(f"obj must be a lib.Objective, got {type(obj).__name__}")
    U = obj.check_point(U0, "U0").astype(np.float64, copy=True)
    step = check_float("step", step, minimum=0.0, strict=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_float("tol", tol, minimum=0.0)
    record_every = check_int("record_every", record_every, minimum=1)
    check_bool("progress", progress)
    check_callable("callback", callback)
    return U, step, max_iter, tol, record_every


def _blowup_limit(obj: Objective, initial_value: float) -> float:
    """Objective value beyond which a run counts as divergent: a large multiple of the larger
    of f(U0) and the loss of the zero model (the natural scale of the data)."""
    scale = obj.problem.operator.value(np.zeros((obj.problem.d, 1)))
    return DIVERGENCE_FACTOR * max(initial_value, scale, np.finfo(float).tiny)


class _Run:
    """Bookkeeping shared by the optimisers: history, divergence check, progress bar."""

    def __init__(self, obj: Objective, U: np.ndarray, step: float, max_iter: int,
                 record_every: int, progress: bool,
                 callback: Callable[[int, np.ndarray, float], None] | None) -> None:
        self.obj = obj
        self.U0 = U.copy()
        self.step = step
        self.record_every = record_every
        self.callback = callback
        self.recorder = _Recorder()
        self.last_finite = np.inf
        self.limit = np.inf
        self.bar = tqdm(total=max_iter, disable=not progress, leave=False, mininterval=0.5)

    def evaluate(self, iteration: int, U: np.ndarray) -> tuple[float, np.ndarray, float]:
        value, grad = self.obj.value_and_grad(U)
        if iteration == 0:
            self.limit = _blowup_limit(self.obj, value) if np.isfinite(value) else np.inf
        if not math.isfinite(value) or value > self.limit:
            self.bar.close()
            raise DivergenceError(iteration, self.last_finite, self.step,
                                  suggest_step(self.obj, self.U0))
        self.last_finite = value
        # np.sum's own reduction and sqrt, without their Python wrappers: the same bits, and
        # about 3 us less per step, a few percent of a small gradient (benchmarks/README.md).
        grad_norm = math.sqrt(np.add.reduce(grad * grad, axis=None))
        if iteration % self.record_every == 0:
            self.recorder.record(iteration, value, grad_norm, U, self.obj.problem.U_star)
        if self.callback is not None:
            self.callback(iteration, U, value)
        self.bar.update(1)
        return value, grad, grad_norm

    def finish(self, iteration: int, U: np.ndarray, status: str, converged: bool,
               perturbations: list[int] | None = None) -> OptimizationResult:
        self.bar.close()
        if self.recorder.last_iteration != iteration:
            value, grad = self.obj.value_and_grad(U)
            self.recorder.record(iteration, value, float(np.linalg.norm(grad)), U,
                                 self.obj.problem.U_star)
        if status == "interrupted":
            warnings.warn(f"interrupted at iteration {iteration}: returning the last iterate "
                          "and the history so far", stacklevel=3)
        return OptimizationResult(U=U, history=self.recorder.history(), converged=converged,
                                  iterations=iteration, status=status,
                                  perturbations=perturbations or [])


def gradient_descent(obj: Objective, U0: np.ndarray, step: float, max_iter: int, *,
                     tol: float = 1e-8, record_every: int = 1, progress: bool = False,
                     callback: Callable[[int, np.ndarray, float], None] | None = None,
                     ) -> OptimizationResult:
    r"""Fixed-step gradient descent :math:`U_{t+1} = U_t - \eta\,\nabla f(U_t)`.

    Every chapter that trains, from the landscape chapter on.

    Parameters
    ----------
    obj : Objective
        The objective :math:`f = L + \lambda R_\beta`.
    U0 : ndarray, shape (d, k)
        Starting point (copied, never modified).
    step : float
        Step size :math:`\eta > 0`.
    max_iter : int
        Maximum number of gradient steps (>= 1).
    tol : float
        Stop when :math:`\|\nabla f(U_t)\|_F \le` ``tol``.
    record_every : int
        Record value, gradient norm, recovery error and column norms every so many iterations.
        A record costs a d x d matrix product (the recovery error), so long runs that need
        only the curve's shape can record every 10 or more steps (its cost is measured in
        ``benchmarks/README.md``).
    progress : bool
        Show a tqdm progress bar.
    callback : callable, optional
        ``callback(iteration, U, value)`` called after each evaluation.

    Returns
    -------
    OptimizationResult

    Raises
    ------
    DivergenceError
        If :math:`f` becomes non-finite or exceeds ``DIVERGENCE_FACTOR`` times its scale.
    """
    U, step, max_iter, tol, record_every = _check_run_arguments(
        obj, U0, step, max_iter, tol, record_every, progress, callback)
    run = _Run(obj, U, step, max_iter, record_every, progress, callback)
    iteration = 0
    try:
        for iteration in range(max_iter + 1):
            _, grad, grad_norm = run.evaluate(iteration, U)
            if grad_norm <= tol:
                return run.finish(iteration, U, "converged", True)
            if iteration == max_iter:
                break
            U -= step * grad
    except KeyboardInterrupt:
        return run.finish(iteration, U, "interrupted", False)
    return run.finish(max_iter, U, "max_iter", False)


def _uniform_ball(rng: np.random.Generator, shape: tuple[int, ...], radius: float) -> np.ndarray:
    direction = rng.standard_normal(shape)
    direction /= np.linalg.norm(direction)
    return radius * rng.random() ** (1.0 / direction.size) * direction


def perturbed_gradient_descent(obj: Objective, U0: np.ndarray, step: float, max_iter: int, *,
                               grad_threshold: float = 1e-4, radius: float = 1e-3,
                               escape_iter: int = 200, escape_decrease: float = 1e-8,
                               seed: int | np.random.Generator = 0, record_every: int = 1,
                               progress: bool = False,
                               callback: Callable[[int, np.ndarray, float], None] | None = None,
                               ) -> OptimizationResult:
    r"""Perturbed gradient descent in the style of Jin et al. (2017).

    Landscape chapter, sections "Perturbed gradient descent and its certificate" and "Escaping a
    saddle".

    Runs gradient descent; when :math:`\|\nabla f(U_t)\|_F \le` ``grad_threshold`` and no kick
    is pending, it remembers :math:`\tilde U = U_t` and adds :math:`\xi` drawn uniformly from the
    ball of radius ``radius``. After ``escape_iter`` more steps it checks whether
    :math:`f(U_t) \le f(\tilde U) -` ``escape_decrease``: if so the kick escaped a saddle and the
    run goes on; if not, :math:`\tilde U` is returned as an approximate second-order stationary
    point (``converged=True``). Certify it with :func:`lib.sosp_certificate`.

    Parameters
    ----------
    obj, U0, step, max_iter, record_every, progress, callback
        As in :func:`gradient_descent`.
    grad_threshold : float
        Gradient norm below which a kick is added (> 0).
    radius : float
        Radius of the perturbation ball (> 0).
    escape_iter : int
        Steps after a kick before the escape test (>= 1).
    escape_decrease : float
        Decrease of :math:`f` that counts as an escape (>= 0).
    seed : int or numpy.random.Generator
        Source of the kicks.
    """
    U, step, max_iter, _, record_every = _check_run_arguments(
        obj, U0, step, max_iter, 0.0, record_every, progress, callback)
    grad_threshold = check_float("grad_threshold", grad_threshold, minimum=0.0, strict=True)
    radius = check_float("radius", radius, minimum=0.0, strict=True)
    escape_iter = check_int("escape_iter", escape_iter, minimum=1)
    escape_decrease = check_float("escape_decrease", escape_decrease, minimum=0.0)
    rng = make_rng("seed", seed)
    run = _Run(obj, U, step, max_iter, record_every, progress, callback)
    kicks: list[int] = []
    anchor: tuple[np.ndarray, float] | None = None
    iteration = 0
    try:
        for iteration in range(max_iter + 1):
            value, grad, grad_norm = run.evaluate(iteration, U)
            if anchor is not None and iteration - kicks[-1] == escape_iter:
                if value > anchor[1] - escape_decrease:
                    return run.finish(iteration, anchor[0], "converged", True, kicks)
                anchor = None
            if anchor is None and grad_norm <= grad_threshold:
                anchor = (U.copy(), value)
                kicks.append(iteration)
                U = U + _uniform_ball(rng, U.shape, radius)
                continue
            if iteration == max_iter:
                break
            U -= step * grad
    except KeyboardInterrupt:
        return run.finish(iteration, U, "interrupted", False, kicks)
    return run.finish(max_iter, U, "max_iter", False, kicks)


def runs_table(runs: Mapping[str, OptimizationResult], U_star: np.ndarray) -> pd.DataFrame:
    r"""One row per run (label -> result): its status, steps, final gradient norm (2 significant
    digits) and relative recovery error :math:`\|UU^\top - M^*\|_F / \|M^*\|_F`
    (:func:`lib.objective.relative_recovery_error`, 3 significant digits), as text so that the
    table shows exactly these digits (failure chapter).
    """
    import pandas as pd

    if not isinstance(runs, Mapping) or not runs:
        raise TypeError("runs must be a non-empty dict of label -> OptimizationResult")
    for label, run in runs.items():
        if not isinstance(run, OptimizationResult):
            raise TypeError(f"runs[{label!r}] must be an OptimizationResult, "
                            f"got {type(run).__name__}")
    return pd.DataFrame({label: {
        "status": run.status, "steps": run.iterations,
        "gradient norm": f"{run.history.grad_norms[-1]:.1e}",
        "relative error": f"{relative_recovery_error(run.U, U_star):.2e}"}
        for label, run in runs.items()}).T
