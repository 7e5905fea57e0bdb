r"""Pruning a quadratic network with and without the group Lasso, measured by its test error
(quadratic-network chapter, section "Train, prune, fine-tune on samples").

One teacher and data set per seed; two students from the same small start:

* regularised: :func:`lib.train_prune_finetune` on :math:`L + \lambda R_\beta`, pruned at
  :math:`\tau`, fine-tuned on :math:`L`;
* unregularised: gradient descent on :math:`L` for the same budget, pruned to the r largest
  neurons (:func:`lib.prune_to_rank`, the most favourable choice without a gap), fine-tuned.

At each stage the excess test error :math:`2\|D\|_F^2 + (\mathrm{tr}D)^2` is measured in closed
form (:func:`lib.networks.population_test_error`) and on held-out inputs
(:func:`lib.networks.empirical_test_error`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib._validation import check_float, check_int
from lib.certificate import suggest_step
from lib.columns import column_norms
from lib.networks import empirical_test_error, population_test_error
from lib.objective import Objective
from lib.optim import gradient_descent
from lib.problem import make_problem
from lib.pruning import fine_tune, prune_to_rank, train_prune_finetune

#: The three stages at which the test error is measured, in order.
STAGES = ("before pruning", "after pruning", "after fine-tuning")
#: The two students: with and without the regulariser.
VARIANTS = ("with", "without")


@dataclass(frozen=True)
class PruningComparison:
    r"""One seed of the comparison; every dict is keyed by :data:`VARIANTS`.

    Attributes
    ----------
    kept : int
        Neurons the threshold keeps in the regularised student.
    largest_pruned_norm : float
        Largest norm among the neurons it prunes.
    plain_grad_norm : float
        Gradient norm at the end of unregularised training.
    norms : dict of ndarray
        Neuron norms after training.
    errors : dict of dict
        ``errors[variant][stage] = (closed form, held-out)`` excess test error, stages
        :data:`STAGES`.
    fine_tune_steps : dict of int
    fine_tune_converged : dict of bool
    noisy_test_error : float
        Held-out test error of the regularised, fine-tuned student with label noise (about
        :math:`\sigma^2` plus the excess).
    """

    kept: int
    largest_pruned_norm: float
    plain_grad_norm: float
    norms: dict
    errors: dict
    fine_tune_steps: dict
    fine_tune_converged: dict
    noisy_test_error: float


def _excess_errors(U_star: np.ndarray, stages: dict, test_inputs: np.ndarray) -> dict:
    return {stage: (population_test_error(U, U_star), empirical_test_error(U, U_star, test_inputs))
            for stage, U in stages.items()}


def compare_pruning(seed: int, *, d: int, r: int, k: int, n: int, sigma: float, kappa: float,
                    lam: float, beta: float, train_iter: int, fine_tune_iter: int,
                    test_size: int) -> PruningComparison:
    r"""Train, prune and fine-tune a k-neuron student of a quadratic network with and without
    the group Lasso (see the module docstring) for one seed.

    Seeds: the teacher and the n training samples ``seed`` (:func:`lib.make_problem`,
    ``sensing="rank_one"``), the start ``100 + seed``, the ``test_size`` held-out inputs
    ``1000 + seed``, their label noise ``2000 + seed``.

    Parameters
    ----------
    seed : int
    d, r, k, n, sigma, kappa
        Inputs, teacher neurons, student neurons, samples, label noise, teacher's condition.
    lam, beta
        Regularisation of the regularised student.
    train_iter, fine_tune_iter : int
        Step budgets of training (both students) and fine-tuning.
    test_size : int
        Held-out inputs.
    """
    seed = check_int("seed", seed, minimum=0)
    test_size = check_int("test_size", test_size, minimum=2)
    k = check_int("k", k, minimum=1)
    lam = check_float("lam", lam, minimum=0.0, strict=True)
    beta = check_float("beta", beta, minimum=0.0, strict=True)
    train_iter = check_int("train_iter", train_iter, minimum=1)
    fine_tune_iter = check_int("fine_tune_iter", fine_tune_iter, minimum=1)
    problem = make_problem(d, r, n, sigma=sigma, kappa=kappa, sensing="rank_one", seed=seed)
    test_inputs = np.random.default_rng(1000 + seed).standard_normal((test_size, d))
    regularised = train_prune_finetune(problem, k, lam=lam, beta=beta, train_iter=train_iter,
                                       fine_tune_iter=fine_tune_iter, seed=100 + seed,
                                       record_every=50)
    plain_objective = Objective(problem)
    plain = gradient_descent(plain_objective, regularised.U0,
                             suggest_step(plain_objective, regularised.U0), train_iter,
                             tol=1e-9, record_every=50)
    plain_pruned = prune_to_rank(plain.U, r).U
    plain_tuned = fine_tune(problem, plain_pruned, suggest_step(plain_objective, plain_pruned),
                            fine_tune_iter, record_every=50)
    noise = sigma * np.random.default_rng(2000 + seed).standard_normal(test_size)
    pruned_away = np.setdiff1d(np.arange(k), regularised.kept)
    return PruningComparison(
        kept=int(regularised.kept.size),
        largest_pruned_norm=float(column_norms(regularised.train.U[:, pruned_away]).max()),
        plain_grad_norm=float(plain.history.grad_norms[-1]),
        norms={"with": column_norms(regularised.train.U), "without": column_norms(plain.U)},
        errors={"with": _excess_errors(problem.U_star, dict(zip(STAGES, (
                    regularised.train.U, regularised.U_prune, regularised.U_final),
                    strict=True)), test_inputs),
                "without": _excess_errors(problem.U_star, dict(zip(STAGES, (
                    plain.U, plain_pruned, plain_tuned.U), strict=True)), test_inputs)},
        fine_tune_steps={"with": regularised.fine_tune.iterations,
                         "without": plain_tuned.iterations},
        fine_tune_converged={"with": regularised.fine_tune.converged,
                             "without": plain_tuned.converged},
        noisy_test_error=empirical_test_error(regularised.U_final, problem.U_star, test_inputs,
                                              noise=noise),
    )
