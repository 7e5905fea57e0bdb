"""Every public entry point rejects bad input with an error that names the argument."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import lib
from lib import theory

PROB = lib.make_problem(6, 2, 100, seed=0)
OBJ = lib.Objective(PROB, lam=0.01, beta=1e-3)
U = np.random.default_rng(0).standard_normal((6, 3)) * 0.1


def _with_nan() -> np.ndarray:
    bad = U.copy()
    bad[0, 0] = np.nan
    return bad


# (call, exception type, argument name that the message must contain)
CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("d not int", lambda: lib.make_problem(6.5, 2, 10), TypeError, "d"),
    ("d zero", lambda: lib.make_problem(0, 1, 10), ValueError, "d"),
    ("r zero", lambda: lib.make_problem(5, 0, 10), ValueError, "r"),
    ("r above d", lambda: lib.make_problem(3, 4, 10), ValueError, "r"),
    ("n zero", lambda: lib.make_problem(5, 1, 0), ValueError, "n"),
    ("n bool", lambda: lib.make_problem(5, 1, True), TypeError, "n"),
    ("sigma negative", lambda: lib.make_problem(5, 1, 10, sigma=-1.0), ValueError, "sigma"),
    ("sigma nan", lambda: lib.make_problem(5, 1, 10, sigma=float("nan")), ValueError, "sigma"),
    ("sigma string", lambda: lib.make_problem(5, 1, 10, sigma="0.1"), TypeError, "sigma"),
    ("kappa below one", lambda: lib.make_problem(5, 1, 10, kappa=0.5), ValueError, "kappa"),
    ("unknown sensing", lambda: lib.make_problem(5, 1, 10, sensing="gauss"), ValueError,
     "sensing"),
    ("sensing not str", lambda: lib.make_problem(5, 1, 10, sensing=1), TypeError, "sensing"),
    ("seed float", lambda: lib.make_problem(5, 1, 10, seed=1.5), TypeError, "seed"),
    ("seed negative", lambda: lib.make_problem(5, 1, 10, seed=-3), ValueError, "seed"),
    ("dtype int", lambda: lib.make_problem(5, 1, 10, dtype=np.int32), ValueError, "dtype"),
    ("dense of population", lambda: lib.make_problem(
        5, 1, 10, sensing="population").sensing_matrices(), ValueError, "sensing"),
    ("objective problem", lambda: lib.Objective("problem"), TypeError, "problem"),
    ("lam negative", lambda: lib.Objective(PROB, lam=-0.1), ValueError, "lam"),
    ("lam inf", lambda: lib.Objective(PROB, lam=np.inf), ValueError, "lam"),
    ("beta zero", lambda: lib.Objective(PROB, beta=0.0), ValueError, "beta"),
    ("beta negative", lambda: lib.Objective(PROB, beta=-1.0), ValueError, "beta"),
    ("unknown penalty", lambda: lib.Objective(PROB, penalty="l1"), ValueError, "penalty"),
    ("U wrong rows", lambda: OBJ.value(np.ones((5, 3))), ValueError, "U"),
    ("U 1-D", lambda: OBJ.grad(np.ones(6)), ValueError, "U"),
    ("U nan", lambda: OBJ.grad(_with_nan()), ValueError, "U"),
    ("U string", lambda: OBJ.value("U"), TypeError, "U"),
    ("U complex", lambda: OBJ.value(U.astype(complex)), TypeError, "U"),
    ("V wrong shape", lambda: OBJ.hvp(U, np.ones((6, 2))), ValueError, "V"),
    ("V nan", lambda: OBJ.hvp(U, _with_nan()), ValueError, "V"),
    ("R beta zero", lambda: lib.smooth_group_lasso(U, 0.0), ValueError, "beta"),
    ("R U 3-D", lambda: lib.smooth_group_lasso(np.ones((2, 2, 2)), 0.1), ValueError, "U"),
    ("error shapes", lambda: lib.recovery_error(np.ones((5, 2)), PROB.U_star), ValueError,
     "U"),
    ("GD obj", lambda: lib.gradient_descent("obj", U, 0.1, 10), TypeError, "obj"),
    ("GD U0 rows", lambda: lib.gradient_descent(OBJ, np.ones((4, 2)), 0.1, 10), ValueError,
     "U0"),
    ("GD U0 nan", lambda: lib.gradient_descent(OBJ, _with_nan(), 0.1, 10), ValueError, "U0"),
    ("GD step zero", lambda: lib.gradient_descent(OBJ, U, 0.0, 10), ValueError, "step"),
    ("GD step nan", lambda: lib.gradient_descent(OBJ, U, np.nan, 10), ValueError, "step"),
    ("GD max_iter zero", lambda: lib.gradient_descent(OBJ, U, 0.1, 0), ValueError, "max_iter"),
    ("GD max_iter float", lambda: lib.gradient_descent(OBJ, U, 0.1, 10.0), TypeError,
     "max_iter"),
    ("GD tol negative", lambda: lib.gradient_descent(OBJ, U, 0.1, 10, tol=-1.0), ValueError,
     "tol"),
    ("GD record_every", lambda: lib.gradient_descent(OBJ, U, 0.1, 10, record_every=0),
     ValueError, "record_every"),
    ("GD callback", lambda: lib.gradient_descent(OBJ, U, 0.1, 10, callback=3), TypeError,
     "callback"),
    ("GD progress", lambda: lib.gradient_descent(OBJ, U, 0.1, 10, progress="yes"), TypeError,
     "progress"),
    ("PGD radius", lambda: lib.perturbed_gradient_descent(OBJ, U, 0.1, 10, radius=0.0),
     ValueError, "radius"),
    ("PGD threshold", lambda: lib.perturbed_gradient_descent(OBJ, U, 0.1, 10,
                                                             grad_threshold=-1.0),
     ValueError, "grad_threshold"),
    ("PGD escape_iter", lambda: lib.perturbed_gradient_descent(OBJ, U, 0.1, 10, escape_iter=0),
     ValueError, "escape_iter"),
    ("PGD seed", lambda: lib.perturbed_gradient_descent(OBJ, U, 0.1, 10, seed="a"), TypeError,
     "seed"),
    ("certificate obj", lambda: lib.sosp_certificate(PROB, U), TypeError, "obj"),
    ("certificate U", lambda: lib.sosp_certificate(OBJ, np.ones((2, 2))), ValueError, "U"),
    ("is_sosp eps", lambda: lib.SOSPCertificate(1.0, 0.0).is_sosp(-1.0, 0.1), ValueError,
     "eps"),
    ("prune threshold", lambda: lib.prune(U, -1.0), ValueError, "threshold"),
    ("prune U", lambda: lib.prune([1.0, 2.0], 0.1), ValueError, "U"),
    ("prune expected_rank", lambda: lib.prune(U, 0.0, expected_rank=0), ValueError,
     "expected_rank"),
    ("threshold beta", lambda: lib.pruning_threshold(0.0), ValueError, "beta"),
    ("fine_tune prob", lambda: lib.fine_tune(OBJ, U, 0.1, 10), TypeError, "prob"),
    ("fine_tune U", lambda: lib.fine_tune(PROB, np.ones((3, 3)), 0.1, 10), ValueError,
     "U_prune"),
    ("fine_tune step", lambda: lib.fine_tune(PROB, U, -0.1, 10), ValueError, "step"),
    ("pipeline prob", lambda: lib.train_prune_finetune(None, 4, 0.01, 1e-3), TypeError, "prob"),
    ("pipeline k", lambda: lib.train_prune_finetune(PROB, 0, 0.01, 1e-3), ValueError, "k"),
    ("pipeline lam", lambda: lib.train_prune_finetune(PROB, 4, -0.01, 1e-3), ValueError, "lam"),
    ("pipeline beta", lambda: lib.train_prune_finetune(PROB, 4, 0.01, 0.0), ValueError, "beta"),
    ("pipeline init", lambda: lib.train_prune_finetune(PROB, 4, 0.01, 1e-3, init_scale=0.0),
     ValueError, "init_scale"),
    ("pipeline threshold", lambda: lib.train_prune_finetune(PROB, 4, 0.01, 1e-3,
                                                            threshold=-1.0),
     ValueError, "threshold"),
    ("pipeline step", lambda: lib.train_prune_finetune(PROB, 4, 0.01, 1e-3, train_step=0.0),
     ValueError, "step"),
    ("theory eigenvalues", lambda: theory.curvature_at_zero([1.0, -0.5], 0.1, 1e-3),
     ValueError, "eigenvalues"),
    ("theory lam", lambda: theory.curvature_at_zero([1.0], -0.1, 1e-3), ValueError, "lam"),
    ("theory beta", lambda: theory.lambda_bounds([1.0], 0.0), ValueError, "beta"),
    ("theory sensing", lambda: theory.lambda_bounds([1.0], 1e-3, sensing="x"), ValueError,
     "sensing"),
    ("theory penalty", lambda: theory.regularized_column_norms([1.0], 0.1, 1e-3, penalty="x"),
     ValueError, "penalty"),
    ("theory d", lambda: theory.hessian_spectrum_at_solution([1.0, 0.5], 1), ValueError, "d"),
    ("theory step", lambda: theory.linear_rate([1.0], 3, 0.0), ValueError, "step"),
    ("theory n", lambda: theory.statistical_error(5, 1, 0, 0.1), ValueError, "n"),
    ("theory sigma", lambda: theory.statistical_error(5, 1, 10, -0.1), ValueError, "sigma"),
    ("theory norm", lambda: theory.spurious_column_curvature(-1.0, 0.1, 1e-3), ValueError,
     "column_norm"),
]


@pytest.mark.parametrize(("call", "error", "argument"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_bad_input_is_rejected_with_a_named_argument(call: Callable[[], object],
                                                     error: type[Exception],
                                                     argument: str) -> None:
    with pytest.raises(error) as raised:
        call()
    assert argument in str(raised.value)


def test_messages_say_what_was_received_and_what_is_allowed() -> None:
    with pytest.raises(ValueError, match=r"step must be > 0.0, got -0.5"):
        lib.gradient_descent(OBJ, U, -0.5, 10)
    with pytest.raises(ValueError, match=r"sensing must be one of \('gaussian', 'rank_one', "
                                         r"'population', 'network_population'\), got 'dense'"):
        lib.make_problem(4, 1, 10, sensing="dense")
    with pytest.raises(ValueError, match=r"U must have 6 rows .* got shape \(5, 3\)"):
        OBJ.grad(np.ones((5, 3)))


def test_too_few_measurements_warn() -> None:
    with pytest.warns(UserWarning, match="fewer than the 27 degrees of freedom"):
        lib.make_problem(10, 3, 20, seed=0)


def test_k_below_r_warns_but_runs() -> None:
    prob = lib.make_problem(6, 3, 1, sensing="population", seed=0)
    with pytest.warns(UserWarning, match="k=2 < r=3"), pytest.warns(UserWarning, match="kept 2"):
        out = lib.train_prune_finetune(prob, 2, 0.01, 1e-3, train_iter=500, fine_tune_iter=50)
    assert out.U_final.shape[1] <= 2


def test_sensing_vectors_of_a_population_network_problem_explains_itself() -> None:
    sampled = lib.make_problem(5, 1, 50, sensing="rank_one", seed=0)
    with pytest.raises(ValueError, match="QuadraticNetworkPopulation"):
        lib.networks.population_problem(sampled).sensing_vectors()


def test_a_bad_fine_tuning_argument_is_refused_before_training(monkeypatch) -> None:
    def train(*args: object, **kwargs: object) -> None:
        raise AssertionError("training started before the arguments were checked")

    monkeypatch.setattr(lib.pruning, "gradient_descent", train)
    monkeypatch.setattr(lib.pruning, "suggest_step", train)
    for name, value, message in [("fine_tune_step", -1.0, "fine_tune_step must be > 0.0"),
                                 ("fine_tune_iter", 0, "fine_tune_iter must be >= 1"),
                                 ("fine_tune_tol", float("nan"), "fine_tune_tol must be finite"),
                                 ("progress", "no", "progress must be True or False")]:
        with pytest.raises((TypeError, ValueError), match=message):
            lib.train_prune_finetune(PROB, 4, 0.01, 1e-3, **{name: value})


def test_choices_are_exact_and_name_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"penalty must be one of \('ratio', 'sqrt'\), "
                                         r"got 'Ratio'"):
        lib.column_weight(0.5, 1e-3, penalty="Ratio")
    with pytest.raises(ValueError, match=r"s must hold values >= 0\.0"):
        lib.column_weight(np.array([-1.0]), 1e-3)
    with pytest.raises(TypeError, match="eigenvalues must be a 1-D array of real numbers"):
        theory.lambda_bounds("1.0", 1e-3)


def test_narrow_or_complex_arrays_never_give_inf_or_nan() -> None:
    assert np.isfinite(lib.recovery_error((300 * U).astype(np.float16), PROB.U_star))
    with pytest.raises(ValueError, match=r"U must have entries of magnitude at most 1e"):
        lib.recovery_error(1e200 * U, PROB.U_star)
    with pytest.raises(TypeError, match="noise must have a real dtype"):
        lib.networks.empirical_test_error(U, PROB.U_star, np.ones((3, 6)),
                                          noise=np.ones(3, dtype=complex))
