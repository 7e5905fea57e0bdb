r"""Gradient descent and perturbed gradient descent on an :class:`lib.Objective`.

Plain gradient descent :math:`U_{t+1} = U_t - \eta \nabla f(U_t)` trains the regularised model
(pruning chapter) and fine-tunes the pruned one (fine-tuning chapter). Perturbed gradient descent
(Jin et al., 2017) adds a small random kick from a ball of radius ``radius`` whenever the gradient
is small, and stops when a kick fails to decrease :math:`f` by ``escape_decrease`` within
``escape_iter`` steps: the point it returns is then an approximate second-order stationary point
(landscape chapter).

Every run checks the objective at each step (it is computed with the gradient anyway). A
non-finite or exploding value raises :class:`DivergenceError` with a step size to try instead.
An interrupted run (Ctrl-C or SIGTERM, or a callback that raises :class:`KeyboardInterrupt`)
stops between two steps and returns a consistent result: the last iterate, its record at the end
of the history and ``status="interrupted"``.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from lib._validation import (
    check_bool,
    check_callable,
    check_float,
    check_instance,
    check_int,
    check_mapping,
    check_mask,
    check_path,
    make_rng,
)
from lib.certificate import suggest_step
from lib.columns import column_norms_unchecked
from lib.objective import Objective, recovery_error_unchecked, relative_recovery_error
from lib.runtime import kernel

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
        holds = check_mask("holds", holds, self.iterations.size)
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


#: Default bound on the records a run keeps (see ``max_records`` of :func:`gradient_descent`).
MAX_RECORDS = 100_000

_HISTORY_FIELDS = ("iterations", "values", "grad_norms", "errors", "column_norms")


class _Recorder:
    """Appends the records of a run due every ``record_every`` iterations, at most
    ``max_records`` of them: when full, it keeps the records at multiples of twice the interval
    and doubles the interval, so a run of any length keeps at most ``max_records`` evenly spaced
    records (and the last); :meth:`history` builds the :class:`History` once."""

    def __init__(self, record_every: int, max_records: int) -> None:
        self.record_every = record_every
        self.max_records = max_records
        self.rows: list[tuple[int, float, float, float, np.ndarray]] = []

    @property
    def last_iteration(self) -> int | None:
        return self.rows[-1][0] if self.rows else None

    def due(self, iteration: int) -> bool:
        return iteration % self.record_every == 0 and self.last_iteration != iteration

    def record(self, iteration: int, value: float, grad_norm: float, U: np.ndarray,
               U_star: np.ndarray) -> None:
        if len(self.rows) >= self.max_records:
            self.record_every *= 2
            self.rows = [row for row in self.rows if row[0] % self.record_every == 0]
        self.rows.append((iteration, value, grad_norm, recovery_error_unchecked(U, U_star),
                          column_norms_unchecked(U)))

    def arrays(self, k: int) -> dict[str, np.ndarray]:
        """The records as one array per :class:`History` field (for :meth:`history` and the
        checkpoints)."""
        columns = list(zip(*self.rows, strict=True)) or [()] * len(_HISTORY_FIELDS)
        arrays = dict(zip(_HISTORY_FIELDS, map(np.asarray, columns), strict=True))
        arrays["column_norms"] = arrays["column_norms"].reshape(-1, k)
        return arrays

    def restore(self, arrays: dict[str, np.ndarray], record_every: int) -> None:
        """Replace the records by those of :meth:`arrays` (a resumed checkpoint)."""
        self.record_every = record_every
        self.rows = [(int(iteration), float(value), float(grad_norm), float(error), norms)
                     for iteration, value, grad_norm, error, norms in zip(
                         *(arrays[name] for name in _HISTORY_FIELDS), strict=True)]

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
    check_instance("obj", obj, Objective)
    U = obj.check_point(U0, "U0").astype(np.float64, copy=True)
    step = check_float("step", step, minimum=0.0, strict=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_float("tol", tol, minimum=0.0)
    record_every = check_int("record_every", record_every, minimum=1)
    check_bool("progress", progress)
    check_callable("callback", callback, optional=True)
    return U, step, max_iter, tol, record_every


def _blowup_limit(obj: Objective, initial_value: float) -> float:
    """Objective value beyond which a run counts as divergent: a large multiple of the larger
    of f(U0) and the loss of the zero model (the natural scale of the data)."""
    scale = obj.problem.operator.value(np.zeros((obj.problem.d, 1)))
    return DIVERGENCE_FACTOR * max(initial_value, scale, np.finfo(float).tiny)


class _StopRequest:
    """While active, SIGINT (Ctrl-C) and SIGTERM only set :attr:`requested`, which the
    optimisers read between two steps, so that an interrupt never lands inside a step or a
    record. Signal handlers can only be set in the main thread; elsewhere nothing is replaced
    (no signal reaches other threads)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.requested = False
        self.previous: dict[int, object] = {}

    def _request(self, signum: int, frame: object) -> None:
        self.requested = True

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():
            for number in self.SIGNALS:
                self.previous[number] = signal.signal(number, self._request)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


class _Checkpoint:
    """A run's state in one ``.npz`` file, written every ``every`` seconds (and at the end) to a
    temporary file that is then renamed over ``path``, so the file is always a whole checkpoint.

    ``signature`` holds what identifies the run (start, step, limits, objective): a checkpoint
    written by another run is refused rather than resumed.
    """

    def __init__(self, path: Path, every: float, signature: dict[str, object]) -> None:
        self.path = path
        self.every = every
        self.signature = signature
        self.last_write = time.monotonic()

    def due(self) -> bool:
        return time.monotonic() - self.last_write >= self.every

    def write(self, state: dict[str, object]) -> None:
        temporary = self.path.with_name(self.path.name + ".partial")
        with open(temporary, "wb") as file:
            np.savez(file, **{f"run_{name}": value for name, value in self.signature.items()},
                     **state)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
        self.last_write = time.monotonic()

    def read(self) -> dict[str, np.ndarray] | None:
        """The saved state, or None when there is no checkpoint yet."""
        if not self.path.exists():
            return None
        try:
            with np.load(self.path) as saved:
                state = {name: saved[name] for name in saved.files}
        except (OSError, ValueError) as error:
            raise ValueError(f"checkpoint {str(self.path)!r} is not a checkpoint of "
                             f"lib.gradient_descent ({error}); delete it or name another file"
                             ) from error
        for name, value in self.signature.items():
            saved_value = state.get(f"run_{name}")
            if saved_value is None or not np.array_equal(saved_value, np.asarray(value)):
                raise ValueError(f"checkpoint {str(self.path)!r} was written by another run "
                                 f"({name} differs: {saved_value!r} there, {value!r} here); "
                                 "delete it or name another file")
        return state


class _Run:
    """Bookkeeping shared by the optimisers: history, divergence check, progress bar, the
    stop request (use as a context manager around the loop)."""

    def __init__(self, obj: Objective, U: np.ndarray, step: float, max_iter: int,
                 record_every: int, progress: bool,
                 callback: Callable[[int, np.ndarray, float], None] | None,
                 max_records: int = MAX_RECORDS, checkpoint: _Checkpoint | None = None) -> None:
        self.obj = obj
        self.U0 = U.copy()
        self.step = step
        self.callback = callback
        self.recorder = _Recorder(record_every, max_records)
        self.checkpoint = checkpoint
        self.last_finite = np.inf
        self.limit = np.inf
        self.bar = tqdm(total=max_iter, disable=not progress, leave=False, mininterval=0.5)
        self.stop = _StopRequest()

    def __enter__(self) -> _Run:
        self.stop.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.close()
        self.stop.__exit__(*exc_info)

    @property
    def interrupted(self) -> bool:
        """Whether a stop was requested: the loop returns before its next step."""
        return self.stop.requested

    def evaluate(self, iteration: int, U: np.ndarray) -> tuple[float, np.ndarray, float]:
        if iteration == 0:
            value, grad = self.obj.finite_value_and_grad(U, "U0")
            self.limit = _blowup_limit(self.obj, value)
        else:
            value, grad = self.obj.value_and_grad(U)
        if not math.isfinite(value) or value > self.limit:
            raise DivergenceError(iteration, self.last_finite, self.step, self.safe_step())
        self.last_finite = value
        grad_norm = math.sqrt(_squared_norm(grad))
        if self.recorder.due(iteration):
            self.recorder.record(iteration, value, grad_norm, U, self.obj.problem.U_star)
        if self.callback is not None:
            try:
                self.callback(iteration, U, value)
            except KeyboardInterrupt:
                self.stop.requested = True
        self.bar.update(1)
        return value, grad, grad_norm

    def save(self, iteration: int, U: np.ndarray, status: str) -> None:
        """Checkpoint the state after evaluating ``iteration`` (before its step)."""
        self.checkpoint.write({
            "iteration": iteration, "U": U, "status": status,
            "record_every": self.recorder.record_every, "last_finite": self.last_finite,
            "limit": self.limit, **self.recorder.arrays(U.shape[1])})

    def save_if_due(self, iteration: int, U: np.ndarray) -> None:
        if self.checkpoint is not None and self.checkpoint.due():
            self.save(iteration, U, "running")

    def resume(self) -> tuple[int, np.ndarray, str] | None:
        """Restore the state of the checkpoint, if there is one: (iteration, U, status)."""
        state = None if self.checkpoint is None else self.checkpoint.read()
        if state is None:
            return None
        self.recorder.restore(state, int(state["record_every"]))
        self.last_finite = float(state["last_finite"])
        self.limit = float(state["limit"])
        iteration = int(state["iteration"])
        self.bar.update(iteration)
        return iteration, state["U"].astype(np.float64, copy=True), str(state["status"])

    def safe_step(self) -> float:
        """:func:`suggest_step` at the start; a tenth of the step when the curvature there
        cannot be computed (it overflows)."""
        try:
            return suggest_step(self.obj, self.U0)
        except ValueError:
            return self.step / 10.0

    def finish(self, iteration: int, U: np.ndarray, status: str, converged: bool,
               perturbations: list[int] | None = None) -> OptimizationResult:
        self.bar.close()
        # An interrupted run resumes from here, so its checkpoint leaves out the extra last
        # record, which the same run never interrupted does not have; a finished one keeps it.
        if self.checkpoint is not None and status == "interrupted":
            self.save(iteration, U, status)
        if self.recorder.last_iteration != iteration:
            value, grad = self.obj.value_and_grad(U)
            self.recorder.record(iteration, value, float(np.linalg.norm(grad)), U,
                                 self.obj.problem.U_star)
        if self.checkpoint is not None and status != "interrupted":
            self.save(iteration, U, status)
        if status == "interrupted":
            warnings.warn(f"interrupted at iteration {iteration}: returning the last iterate "
                          "and the history so far", stacklevel=3)
        return OptimizationResult(U=U, history=self.recorder.history(), converged=converged,
                                  iterations=iteration, status=status,
                                  perturbations=perturbations or [])


def _check_checkpoint(checkpoint: object, checkpoint_every: object,
                      max_records: object) -> tuple[Path | None, float, int]:
    path = None if checkpoint is None else check_path("checkpoint", checkpoint, "file path")
    every = check_float("checkpoint_every", checkpoint_every, minimum=0.0, strict=True)
    max_records = check_int("max_records", max_records, minimum=2)
    return path, every, max_records


def gradient_descent(obj: Objective, U0: np.ndarray, step: float, max_iter: int, *,
                     tol: float = 1e-8, record_every: int = 1, progress: bool = False,
                     callback: Callable[[int, np.ndarray, float], None] | None = None,
                     checkpoint: str | os.PathLike | None = None,
                     checkpoint_every: float = 60.0, max_records: int = MAX_RECORDS,
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
        A record costs a d x d matrix product (the recovery error, from k x k products
        instead when d > ``lib.objective.DENSE_ERROR_MAX_D``, see :func:`lib.recovery_error`),
        so long runs that need only the curve's shape can record every 10 or more steps (its
        cost is measured in ``benchmarks/README.md``).
    progress : bool
        Show a tqdm progress bar.
    callback : callable, optional
        ``callback(iteration, U, value)`` called after each evaluation. Raising
        :class:`KeyboardInterrupt` in it interrupts the run like Ctrl-C.
    checkpoint : str or os.PathLike, optional
        A ``.npz`` file for the run's state (iterate, history, divergence bookkeeping), written
        every ``checkpoint_every`` seconds and at the end, each time to a temporary file renamed
        over it (a kill never leaves half a file). If the file exists when the run starts, the
        run resumes from it and continues bit-identically to a run never stopped; a finished
        run's checkpoint returns its result at once. A checkpoint of another run (other
        ``U0``, ``step``, ``max_iter``, ``tol``, ``record_every`` or objective) is refused with
        a ValueError.
    checkpoint_every : float
        Seconds between two checkpoints (> 0).
    max_records : int
        Bound on the history (>= 2, default ``MAX_RECORDS`` = 100,000 records): when it is
        full, every other record is dropped and the interval doubled, so a run of any length
        keeps at most this many evenly spaced records (and the last). A record takes about
        8k + 150 bytes (k columns), so the default bounds the history at about 55 MB for
        k = 50.

    Returns
    -------
    OptimizationResult

    Raises
    ------
    DivergenceError
        If :math:`f` becomes non-finite or exceeds ``DIVERGENCE_FACTOR`` times its scale.
    ValueError
        If :math:`f` or its gradient is not finite at ``U0`` (data holding NaN, or a start so
        large that the loss overflows): no step size would help.

    Notes
    -----
    Ctrl-C (SIGINT) and SIGTERM only request a stop while the run is in progress (in the main
    thread): the run returns after the step under way, with ``status="interrupted"``, the
    history ending with the record of the returned iterate, and a warning.
    """
    U, step, max_iter, tol, record_every = _check_run_arguments(
        obj, U0, step, max_iter, tol, record_every, progress, callback)
    path, checkpoint_every, max_records = _check_checkpoint(checkpoint, checkpoint_every,
                                                            max_records)
    saver = None if path is None else _Checkpoint(path, checkpoint_every, {
        "U0": U.copy(), "step": step, "max_iter": max_iter, "tol": tol,
        "record_every": record_every, "max_records": max_records, "lam": obj.lam,
        "beta": obj.beta, "penalty": obj.penalty, "sensing": obj.problem.sensing})
    with _Run(obj, U, step, max_iter, record_every, progress, callback, max_records,
              saver) as run:
        start = 0
        resumed = run.resume()
        if resumed is not None:
            start, U, status = resumed
            if status in ("converged", "max_iter"):
                return run.finish(start, U, status, status == "converged")
        for iteration in range(start, max_iter + 1):
            _, grad, grad_norm = run.evaluate(iteration, U)
            if grad_norm <= tol:
                return run.finish(iteration, U, "converged", True)
            if run.interrupted:
                return run.finish(iteration, U, "interrupted", False)
            if iteration == max_iter:
                break
            run.save_if_due(iteration, U)
            _descend(U, grad, step)
        return run.finish(max_iter, U, "max_iter", False)


def _squared_norm(grad: np.ndarray) -> float:
    r""":math:`\|\nabla f\|_F^2` with the bits of ``np.add.reduce(grad * grad, axis=None)``
    (NumPy's pairwise summation, :func:`_pairwise_squares`), in one compiled call instead of
    NumPy's reduction machinery (about 3 microseconds a step, a fifth of a small gradient;
    ``benchmarks/README.md``). Used by the optimisation loop; arrays that are not C-contiguous
    float64 go to NumPy."""
    if grad.dtype == np.float64 and grad.flags.c_contiguous:
        return _pairwise_squares(grad.reshape(-1), 0, grad.size)
    return float(np.add.reduce(grad * grad, axis=None))


@kernel(boundscheck=False)
def _pairwise_squares(a, first, n):
    r""":math:`\sum_i a_i^2` over ``a[first:first + n]`` in NumPy's pairwise order: below 8
    terms in sequence, up to 128 in eight interleaved sums combined as
    ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) and the rest added in sequence, beyond
    that the two halves (split at a multiple of 8) summed recursively. No ``fastmath``: the
    products and sums are rounded as NumPy rounds them (``tests/test_optim_pruning.py`` checks
    the bits)."""
    if n < 8:
        total = 0.0
        for i in range(first, first + n):
            total += a[i] * a[i]
        return total
    if n <= 128:
        r0, r1 = a[first] * a[first], a[first + 1] * a[first + 1]
        r2, r3 = a[first + 2] * a[first + 2], a[first + 3] * a[first + 3]
        r4, r5 = a[first + 4] * a[first + 4], a[first + 5] * a[first + 5]
        r6, r7 = a[first + 6] * a[first + 6], a[first + 7] * a[first + 7]
        i = first + 8
        stop = first + n - n % 8
        while i < stop:
            r0 += a[i] * a[i]
            r1 += a[i + 1] * a[i + 1]
            r2 += a[i + 2] * a[i + 2]
            r3 += a[i + 3] * a[i + 3]
            r4 += a[i + 4] * a[i + 4]
            r5 += a[i + 5] * a[i + 5]
            r6 += a[i + 6] * a[i + 6]
            r7 += a[i + 7] * a[i + 7]
            i += 8
        total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for j in range(stop, first + n):
            total += a[j] * a[j]
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_squares(a, first, half) + _pairwise_squares(a, first + half, n - half)


@kernel(boundscheck=False)
def _descend(U, grad, step):
    r"""The step :math:`U \leftarrow U - \eta\, \nabla f` in place, each entry rounded as
    NumPy's ``U -= step * grad`` rounds it (no fused multiply-add), in one compiled call."""
    for a in range(U.shape[0]):
        for j in range(U.shape[1]):
            U[a, j] -= step * grad[a, j]


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
    kicks: list[int] = []
    anchor: tuple[np.ndarray, float] | None = None
    with _Run(obj, U, step, max_iter, record_every, progress, callback) as run:
        for iteration in range(max_iter + 1):
            value, grad, grad_norm = run.evaluate(iteration, U)
            if anchor is not None and iteration - kicks[-1] == escape_iter:
                if value > anchor[1] - escape_decrease:
                    return run.finish(iteration, anchor[0], "converged", True, kicks)
                anchor = None
            if run.interrupted:
                return run.finish(iteration, U, "interrupted", False, kicks)
            if anchor is None and grad_norm <= grad_threshold:
                anchor = (U.copy(), value)
                kicks.append(iteration)
                U = U + _uniform_ball(rng, U.shape, radius)
                continue
            if iteration == max_iter:
                break
            _descend(U, grad, step)
        return run.finish(max_iter, U, "max_iter", False, kicks)


def runs_table(runs: Mapping[str, OptimizationResult], U_star: np.ndarray) -> pd.DataFrame:
    r"""One row per run (label -> result): its status, steps, final gradient norm (2 significant
    digits) and relative recovery error :math:`\|UU^\top - M^*\|_F / \|M^*\|_F`
    (:func:`lib.objective.relative_recovery_error`, 3 significant digits), as text so that the
    table shows exactly these digits (failure chapter).
    """
    import pandas as pd

    for label, run in check_mapping("runs", runs).items():
        check_instance(f"runs[{label!r}]", run, OptimizationResult)
    return pd.DataFrame({label: {
        "status": run.status, "steps": run.iterations,
        "gradient norm": f"{run.history.grad_norms[-1]:.1e}",
        "relative error": f"{relative_recovery_error(run.U, U_star):.2e}"}
        for label, run in runs.items()}).T
