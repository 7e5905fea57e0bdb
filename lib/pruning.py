r"""Greedy pruning by column norm, fine-tuning, and the train -> prune -> fine-tune pipeline.

Used by the pruning-threshold and fine-tuning chapters.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from lib._validation import (
    check_bool,
    check_float,
    check_instance,
    check_int,
    check_matrix,
    check_path,
    make_rng,
)
from lib.certificate import suggest_step
from lib.columns import column_norms
from lib.objective import Objective
from lib.optim import OptimizationResult, gradient_descent
from lib.problem import Problem
from lib.theory import lambda_bounds


def pruning_threshold(beta: float) -> float:
    r"""The book's explicit pruning threshold :math:`\tau = \sqrt\beta / 2`.

    Derivation (ours; the paper's threshold is also of order :math:`\sqrt\beta` but its constant
    is not known to us). Two facts pin the threshold inside the empty band:

    1. *Large columns stay above it.* At the regularised minimiser each kept column has norm
       :math:`a_j` solving :math:`4(s_j - a_j^2) = \lambda w(a_j^2)`
       (:func:`lib.theory.regularized_column_norms`); the admissibility condition
       :math:`\sqrt\beta < 2 a_r` (pruning-threshold chapter) is exactly :math:`\tau < a_r`.
    2. *Small columns fall far below it.* At a point with gradient norm
       :math:`\varepsilon`, any column of norm :math:`x \le \tau` satisfies
       :math:`x \le \varepsilon / (\lambda (w(\tau^2) - w(a_r^2)))`
       (:func:`lib.theory.small_column_bound`), which is tiny when :math:`\varepsilon` is.
    """
    return float(np.sqrt(check_float("beta", beta, minimum=0.0, strict=True)) / 2.0)


@dataclass(frozen=True)
class PruneResult:
    """Pruned factor and the indices of the kept columns (pruning-threshold chapter).

    Attributes
    ----------
    U : ndarray, shape (d, len(kept))
        The kept columns, in their order.
    kept : ndarray of int
        Their indices in the unpruned factor.
    """

    U: np.ndarray
    kept: np.ndarray


def prune(U: np.ndarray, threshold: float, *, expected_rank: int | None = None) -> PruneResult:
    r"""Greedy pruning: keep the columns with :math:`\|U e_j\|_2 > \tau`, in their order.

    Pruning-threshold chapter.

    Parameters
    ----------
    U : ndarray, shape (d, k)
    threshold : float
        :math:`\tau \ge 0`.
    expected_rank : int, optional
        If given, warn when the number of kept columns differs from it.

    Returns
    -------
    PruneResult
        ``U = U[:, kept]`` and ``kept``. Keeping zero columns returns a (d, 0) array with a
        warning.
    """
    U = check_matrix("U", U)
    threshold = check_float("threshold", threshold, minimum=0.0)
    if expected_rank is not None:
        expected_rank = check_int("expected_rank", expected_rank, minimum=1)
    norms = column_norms(U)
    kept = np.flatnonzero(norms > threshold)
    if kept.size == 0:
        warnings.warn(f"pruning kept no column: the largest column norm {norms.max():.3g} is "
                      f"not above threshold={threshold:.3g}; lower the threshold or lambda",
                      stacklevel=2)
    elif expected_rank is not None and kept.size != expected_rank:
        warnings.warn(f"pruning kept {kept.size} columns, expected {expected_rank}: the column "
                      "norms are not separated at this threshold (train longer, or check "
                      "lambda and beta against lib.theory.lambda_bounds)", stacklevel=2)
    return PruneResult(U=U[:, kept], kept=kept)


def prune_to_rank(U: np.ndarray, rank: int) -> PruneResult:
    r"""Greedy pruning to a fixed number of columns: keep the ``rank`` columns of largest norm
    :math:`\|U e_j\|_2`, in their order (the failure and quadratic-network chapters prune an
    unregularised model this way, since it has no threshold gap).

    Parameters
    ----------
    U : ndarray, shape (d, k)
    rank : int
        Number of columns to keep, 1 <= rank <= k.
    """
    U = check_matrix("U", U)
    rank = check_int("rank", rank, minimum=1, maximum=U.shape[1])
    largest = np.sort(np.argsort(column_norms(U))[::-1][:rank])
    return PruneResult(U=U[:, largest], kept=largest)


def fine_tune(prob: Problem, U_prune: np.ndarray, step: float, max_iter: int, *,
              tol: float = 1e-10, record_every: int = 1, progress: bool = False,
              checkpoint: str | os.PathLike | None = None, checkpoint_every: float = 60.0,
              ) -> OptimizationResult:
    r"""Plain gradient descent on the unregularised loss :math:`L` from ``U_prune``
    (fine-tuning chapter). Converges linearly when ``U_prune`` has r columns close to the
    ground truth; see :func:`lib.theory.linear_rate`. ``checkpoint`` and ``checkpoint_every``
    as in :func:`lib.gradient_descent`."""
    check_instance("prob", prob, Problem)
    U_prune = check_matrix("U_prune", U_prune, rows=prob.d)
    return gradient_descent(Objective(prob, lam=0.0), U_prune, step, max_iter, tol=tol,
                            record_every=record_every, progress=progress,
                            checkpoint=checkpoint, checkpoint_every=checkpoint_every)


@dataclass(frozen=True)
class PipelineResult:
    """Every stage of :func:`train_prune_finetune`.

    Pruning-threshold, fine-tuning and quadratic-network chapters.

    Attributes
    ----------
    U0 : ndarray
        Initial point :math:`\\alpha G`, G with i.i.d. N(0, 1) entries.
    train : OptimizationResult
        Regularised training.
    threshold : float
        Pruning threshold used.
    U_prune : ndarray
    kept : ndarray
        Indices of the kept columns.
    fine_tune : OptimizationResult or None
        ``None`` when pruning kept no column.
    train_step, fine_tune_step : float
        Step sizes used by the two stages (NaN for a fine-tuning that did not run).
    interrupted_stage : {None, "train", "fine_tune"}
        The stage that was interrupted (Ctrl-C or SIGTERM), after which nothing else ran:
        after ``"train"``, ``U_prune`` is the unpruned training iterate (``kept`` every column)
        and ``fine_tune`` is ``None``. ``None`` for a run that went through.
    """

    U0: np.ndarray
    train: OptimizationResult
    threshold: float
    U_prune: np.ndarray
    kept: np.ndarray
    fine_tune: OptimizationResult | None
    train_step: float
    fine_tune_step: float
    interrupted_stage: str | None = None

    @property
    def U_final(self) -> np.ndarray:
        """The fine-tuned factor (or the pruned one when nothing was fine-tuned)."""
        return self.U_prune if self.fine_tune is None else self.fine_tune.U


def train_prune_finetune(prob: Problem, k: int, lam: float, beta: float, *,
                         init_scale: float = 1e-3, train_step: float | None = None,
                         train_iter: int = 5000, train_tol: float = 1e-9,
                         threshold: float | None = None,
                         fine_tune_step: float | None = None, fine_tune_iter: int = 2000,
                         fine_tune_tol: float = 1e-10, record_every: int = 10,
                         seed: int | np.random.Generator = 0, progress: bool = False,
                         penalty: str = "ratio", checkpoint: str | os.PathLike | None = None,
                         checkpoint_every: float = 60.0) -> PipelineResult:
    r"""The whole pipeline: train :math:`f = L + \lambda R_\beta` from a small random start,
    prune columns below the threshold, fine-tune on :math:`L` alone.

    Pruning-threshold, fine-tuning and quadratic-network chapters.

    Parameters
    ----------
    prob : Problem
    k : int
        Number of columns of the over-parameterised model.
    lam, beta : float
        Regularisation; a warning is issued when :math:`\lambda` exceeds the bound above which
        :math:`U = 0` is a local minimum (:func:`lib.theory.lambda_bounds`).
    init_scale : float
        :math:`\alpha` of the initial point :math:`U_0 = \alpha G`.
    train_step, fine_tune_step : float, optional
        Step sizes; by default :func:`lib.certificate.suggest_step` (``1/L`` from Lanczos).
    train_iter, train_tol, fine_tune_iter, fine_tune_tol : int, float
        Iteration limits and gradient-norm tolerances of the two stages.
    threshold : float, optional
        Pruning threshold; default :func:`pruning_threshold` (:math:`\sqrt\beta/2`).
    record_every : int
        History interval of both stages.
    seed : int or numpy.random.Generator
        Seeds the initial point.
    penalty : {"ratio", "sqrt"}
        Smoothing of the group Lasso (:mod:`lib.regularizer`).
    checkpoint : str or os.PathLike, optional
        A directory (created if missing) for the checkpoints of the two stages,
        ``train.npz`` and ``fine_tune.npz``, written every ``checkpoint_every`` seconds as in
        :func:`lib.gradient_descent`. Calling again with the same arguments resumes where
        the run stopped (a finished stage returns its result at once) and gives the result of
        an uninterrupted run, bit for bit.
    checkpoint_every : float
        Seconds between two checkpoints of a stage (> 0).
    """
    check_instance("prob", prob, Problem)
    k = check_int("k", k, minimum=1)
    init_scale = check_float("init_scale", init_scale, minimum=0.0, strict=True)
    objective = Objective(prob, lam=lam, beta=beta, penalty=penalty)
    threshold = pruning_threshold(beta) if threshold is None else check_float(
        "threshold", threshold, minimum=0.0)
    # Every argument of both stages is checked here, under the name the caller used, so that
    # a bad fine-tuning argument is refused before training starts.
    if train_step is not None:
        train_step = check_float("train_step", train_step, minimum=0.0, strict=True)
    if fine_tune_step is not None:
        fine_tune_step = check_float("fine_tune_step", fine_tune_step, minimum=0.0, strict=True)
    train_iter = check_int("train_iter", train_iter, minimum=1)
    fine_tune_iter = check_int("fine_tune_iter", fine_tune_iter, minimum=1)
    train_tol = check_float("train_tol", train_tol, minimum=0.0)
    fine_tune_tol = check_float("fine_tune_tol", fine_tune_tol, minimum=0.0)
    record_every = check_int("record_every", record_every, minimum=1)
    progress = check_bool("progress", progress)
    eigenvalues = prob.singular_values**2
    kill_bound = lambda_bounds(eigenvalues, objective.beta, penalty=penalty,
                               sensing=prob.sensing).zero_is_min
    if objective.lam > kill_bound:
        warnings.warn(f"lam={objective.lam:g} exceeds 2*sqrt(beta)*s_1-type bound {kill_bound:.3g}"
                      " of lib.theory.lambda_bounds: U = 0 is a local minimum and training from a"
                      " small start will return (nearly) zero", stacklevel=2)
    if k < prob.r:
        warnings.warn(f"k={k} < r={prob.r}: the model cannot represent the ground truth",
                      stacklevel=2)
    directory = None if checkpoint is None else check_path("checkpoint", checkpoint,
                                                           "directory path")
    checkpoint_every = check_float("checkpoint_every", checkpoint_every, minimum=0.0,
                                   strict=True)
    rng = make_rng("seed", seed)
    stage_files = {stage: None for stage in ("train", "fine_tune")}
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        stage_files = {stage: directory / f"{stage}.npz" for stage in stage_files}
    U0 = init_scale * rng.standard_normal((prob.d, k))
    step = suggest_step(objective, U0) if train_step is None else train_step
    train = gradient_descent(objective, U0, step, train_iter, tol=train_tol,
                             record_every=record_every, progress=progress,
                             checkpoint=stage_files["train"], checkpoint_every=checkpoint_every)
    if train.status == "interrupted":
        return PipelineResult(U0=U0, train=train, threshold=threshold, U_prune=train.U,
                              kept=np.arange(k), fine_tune=None, train_step=step,
                              fine_tune_step=float("nan"), interrupted_stage="train")
    pruned = prune(train.U, threshold, expected_rank=prob.r)
    tuned, tune_step = None, float("nan")
    if pruned.kept.size:
        tune_step = (suggest_step(Objective(prob), pruned.U) if fine_tune_step is None
                     else fine_tune_step)
        tuned = fine_tune(prob, pruned.U, tune_step, fine_tune_iter, tol=fine_tune_tol,
                          record_every=record_every, progress=progress,
                          checkpoint=stage_files["fine_tune"], checkpoint_every=checkpoint_every)
    stage = "fine_tune" if tuned is not None and tuned.status == "interrupted" else None
    return PipelineResult(U0=U0, train=train, threshold=threshold, U_prune=pruned.U,
                          kept=pruned.kept, fine_tune=tuned, train_step=step,
                          fine_tune_step=tune_step, interrupted_stage=stage)


@dataclass(frozen=True)
class ExactRankTime:
    """Outcome of training for a fixed budget and watching the number of kept columns.

    Attributes
    ----------
    step : float
        The step size used (:func:`lib.certificate.suggest_step` at the start).
    kept : int
        Columns above the threshold at the end.
    prunable_from : int or None
        First recorded iteration from which pruning keeps exactly ``rank`` columns at every
        later record; None if it does not hold at the end.
    """

    step: float
    kept: int
    prunable_from: int | None


def time_to_exact_rank(obj: Objective, U0: np.ndarray, max_iter: int, *, threshold: float,
                       rank: int, record_every: int = 25, tol: float = 1e-10) -> ExactRankTime:
    r"""Train ``obj`` by gradient descent from ``U0`` (step
    :func:`lib.certificate.suggest_step`) for at most ``max_iter`` steps, and report from which
    recorded step on :math:`\#\{j: \|U_t e_j\| > \tau\} = r` holds for good
    (:meth:`lib.optim.History.settled_iteration`).

    Quadratic-network chapter, section "Which lambda keeps exactly r neurons?".

    Parameters
    ----------
    obj : Objective
    U0 : ndarray, shape (d, k)
    max_iter : int
        Budget of steps.
    threshold : float
        Pruning threshold :math:`\tau`.
    rank : int
        r, the number of columns pruning should keep.
    record_every : int
        Recording interval (the resolution of ``prunable_from``).
    tol : float
        Gradient-norm tolerance of the training.
    """
    check_instance("obj", obj, Objective)
    U0 = obj.check_point(U0, "U0")
    max_iter = check_int("max_iter", max_iter, minimum=1)
    threshold = check_float("threshold", threshold, minimum=0.0)
    rank = check_int("rank", rank, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    tol = check_float("tol", tol, minimum=0.0)
    step = suggest_step(obj, U0)
    result = gradient_descent(obj, U0, step, max_iter, tol=tol, record_every=record_every)
    kept_counts = result.history.columns_above(threshold)
    return ExactRankTime(step=step, kept=int(kept_counts[-1]),
                         prunable_from=result.history.settled_iteration(kept_counts == rank))
