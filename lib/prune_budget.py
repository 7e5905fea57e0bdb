r"""How many training steps pruning needs as the ground truth gets ill-conditioned
(conditioning chapter: sample size and conditioning).

With :math:`\lambda` held at a fixed fraction of :math:`\lambda_{\text{low}} = 2\sqrt\beta\,s_r`
(:func:`lib.theory.lambda_bounds`), every rate of the training dynamics near the weakest
direction is proportional to its eigenvalue :math:`s_r = \kappa^{-2}` (``lib.make_problem``
spaces the singular values of :math:`U^*` geometrically in :math:`[1/\kappa, 1]`): its growth
from zero, :math:`4 s_r - \lambda w(0) = 4 s_r(1 - \lambda/\lambda_{\text{low}})`, and the
penalty's push on surplus columns, :math:`\lambda w(0) \propto s_r`. At a fixed step
:math:`\eta` (set by :math:`s_1 = 1`) the steps until the kept set settles should therefore
grow like :math:`1/(\eta s_r) \propto \kappa^2`: :class:`BudgetRule` is the power law
:math:`t(\kappa) = C\kappa^a` fitted to measured steps, and the chapter checks both the
exponent and the rule's predictions at values of :math:`\kappa` it was not fitted on.

:func:`supporting_eigenvalue` is what can stop pruning altogether: the top eigenvalue of the
noise part of the residual (:func:`lib.phase_boundaries.noise_eigenvalue`) supports spurious
columns once it exceeds what the penalty charges a small column, :math:`\lambda w(0)/4`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib._validation import check_array, check_choice, check_float, check_vector
from lib.regularizer import PENALTIES, column_weight


@dataclass(frozen=True)
class BudgetRule:
    r"""The power law :math:`t(\kappa) = C\,\kappa^a` for the steps until the kept set settles
    (:func:`fit_budget_rule`).

    Attributes
    ----------
    constant : float
        :math:`C`, the steps at :math:`\kappa = 1`.
    exponent : float
        :math:`a` (2 by the argument of the module docstring).
    """

    constant: float
    exponent: float

    def steps(self, kappa: object) -> np.ndarray:
        r""":math:`C\kappa^a` for each ``kappa`` (>= 1)."""
        values = check_array("kappa", kappa)
        if np.any(values < 1):
            raise ValueError(f"kappa must be >= 1, got {kappa!r}")
        return self.constant * values**self.exponent


def fit_budget_rule(kappa: object, steps: object) -> BudgetRule:
    r"""Least-squares fit of :math:`\log t = \log C + a \log\kappa` (conditioning chapter).

    Parameters
    ----------
    kappa : array_like
        Condition numbers (>= 1), at least two distinct values.
    steps : array_like
        Steps until the kept set settles (> 0), one per ``kappa`` (repeated kappa values, one
        per seed, are allowed).
    """
    x = check_vector("kappa", kappa, minimum=1.0)
    if np.unique(x).size < 2:
        raise ValueError(f"kappa must hold at least two distinct values, got {x}")
    y = check_vector("steps", steps, x.size, minimum=0.0, strict=True)
    exponent, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return BudgetRule(constant=float(np.exp(intercept)), exponent=float(exponent))


def supporting_eigenvalue(lam: float, beta: float, column_norm: float, *,
                          penalty: str = "ratio") -> float:
    r"""The residual eigenvalue :math:`\lambda\,w(x^2)/4` that holds a column of norm
    :math:`x` in place (conditioning chapter).

    Column j of the gradient of :math:`L + \lambda R_\beta` is
    :math:`(\lambda w(x^2) I - 4R)\,Ue_j` with R the residual matrix, so a column along an
    eigenvector of R with eigenvalue :math:`\rho` grows while :math:`4\rho > \lambda w(x^2)`.
    At :math:`x = 0` this is :math:`\lambda/(2\sqrt\beta)` (ratio smoothing); at the pruning
    threshold :math:`x = \tau = \sqrt\beta/2` it is :math:`0.80` times that. Noise whose
    :func:`lib.phase_boundaries.noise_eigenvalue` exceeds it can hold a spurious column above
    the threshold.
    """
    lam = check_float("lam", lam, minimum=0.0)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    x = check_float("column_norm", column_norm, minimum=0.0)
    penalty = check_choice("penalty", penalty, PENALTIES)
    return lam * float(column_weight(x * x, beta, penalty)) / 4.0
