r"""How pruning separates the columns of a trained factor: kept and pruned norms, the empty band
between them, and the small-column bound that certifies it (pruning-threshold chapter).

At a point with gradient norm :math:`\varepsilon` and residual top eigenvalue :math:`\rho`, no
column has a norm in :math:`(b(\varepsilon), \tau]`, with
:math:`b(\varepsilon) = \varepsilon / (\lambda w(\tau^2) - 4\rho)`
(:func:`lib.theory.certified_small_column_bound`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib import theory
from lib._validation import check_instance
from lib.certificate import residual_matrix
from lib.columns import column_norms
from lib.objective import Objective, recovery_error
from lib.problem import Problem
from lib.pruning import PipelineResult


@dataclass(frozen=True)
class ColumnSeparation:
    r"""The column norms of a trained factor against the pruning threshold
    (pruning-threshold chapter).

    Attributes
    ----------
    norms : ndarray, shape (k,)
        :math:`\|U e_j\|_2` after regularised training.
    kept : int
        Columns above the threshold :math:`\tau`.
    smallest_kept, largest_pruned : float
        The edges of the empty band (``inf``/``0`` when no column is kept or pruned).
    grad_norm : float
        :math:`\varepsilon = \|\nabla f(U)\|_F` of the regularised objective.
    residual_top_eigenvalue : float
        :math:`\rho = \lambda_{\max}(R)` of :func:`lib.certificate.residual_matrix`.
    bound_minimiser : float
        :func:`lib.theory.small_column_bound`: :math:`\rho` of the regularised minimiser,
        from the smallest kept norm.
    bound_certified : float
        :func:`lib.theory.certified_small_column_bound` with the measured :math:`\rho`.
    error_prune : float
        :math:`\|U_{\text{prune}}U_{\text{prune}}^\top - M^\star\|_F`.
    settled : int or None
        First recorded step after which the count above :math:`\tau` no longer changes
        (:meth:`lib.History.settled_iteration`).
    """

    norms: np.ndarray
    kept: int
    smallest_kept: float
    largest_pruned: float
    grad_norm: float
    residual_top_eigenvalue: float
    bound_minimiser: float
    bound_certified: float
    error_prune: float
    settled: int | None

    @property
    def margin(self) -> float:
        """Smallest kept norm over largest pruned norm: how far the threshold could move."""
        return self.smallest_kept / self.largest_pruned


def column_separation(prob: Problem, result: PipelineResult, lam: float,
                      beta: float) -> ColumnSeparation:
    r"""Measure the separation of kept and pruned columns after the training stage of
    ``result`` (a :func:`lib.train_prune_finetune` run on ``prob`` with ``lam``, ``beta``),
    at its pruning threshold :math:`\tau` (pruning-threshold chapter).

    Needs Gaussian sensing (the residual matrix is formed densely).
    """
    check_instance("prob", prob, Problem)
    check_instance("result", result, PipelineResult)
    U, tau = result.train.U, result.threshold
    objective = Objective(prob, lam, beta)
    norms = column_norms(U)
    kept = norms > tau
    smallest_kept = float(norms[kept].min()) if kept.any() else float("inf")
    largest_pruned = float(norms[~kept].max()) if not kept.all() else 0.0
    grad_norm = float(np.linalg.norm(objective.grad(U)))
    rho = float(np.linalg.eigvalsh(residual_matrix(prob, U))[-1])
    counts = result.train.history.columns_above(tau)
    return ColumnSeparation(
        norms=norms,
        kept=int(kept.sum()),
        smallest_kept=smallest_kept,
        largest_pruned=largest_pruned,
        grad_norm=grad_norm,
        residual_top_eigenvalue=rho,
        bound_minimiser=theory.small_column_bound(grad_norm, lam, beta, tau, smallest_kept)
        if kept.any() else float("inf"),
        bound_certified=theory.certified_small_column_bound(grad_norm, lam, beta, tau, rho),
        error_prune=recovery_error(result.U_prune, prob.U_star),
        settled=result.train.history.settled_iteration(counts == counts[-1]),
    )
