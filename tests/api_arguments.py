"""What every argument of the public API of :mod:`lib` accepts, and the bad values it must refuse.

A registry shared by ``tests/test_api_arguments.py`` (the property-based tests) and
``tests/tools/bad_input_campaign.py`` (the counts of the README's "Bad input"):

- :func:`public_callables` enumerates the public API from the package itself: every function
  and class a module of ``lib`` defines under a name without a leading underscore, and every
  public method of those classes;
- :data:`SPECS` holds, for each entry point, a cheap valid call and the kind of each argument;
- :data:`EXEMPT` names the callables that are not entry points, each with its reason (a result
  record that ``lib`` builds, or the unchecked inner loop behind a checked entry point).

The test suite fails when a public callable is in neither, so a new function needs its entry.
:func:`bad_values` turns an argument's kind into the values it must refuse: wrong types,
values out of range, NaN and infinities, choices in the wrong case, integers as booleans,
arrays of the wrong shape or dtype. :func:`overflow_values` gives valid-looking arrays whose
arithmetic overflows (float16, float32 at 1e30, float64 at 1e200): a function must refuse them
or return finite numbers.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import math
import pkgutil
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
from hypothesis import strategies as st

matplotlib.use("Agg")

import numpy as np
import pandas as pd

import lib
from lib import (
    baselines,
    columns,
    comparison,
    costs,
    display,
    finite_differences,
    landscape,
    network_pruning,
    networks,
    neuron_data,
    neuron_pruning,
    optim,
    phase_boundaries,
    phase_cells,
    plots,
    problem,
    prune_budget,
    pruning,
    registry,
    regularizer,
    runtime,
    sample_regime,
    sensing_statistics,
    small_init,
    sweep,
    theory,
    two_layer,
)
from lib.sweep import engine, spec, store, tasks


@dataclass(frozen=True)
class Arg:
    """The kind of one argument and what it allows.

    ``kind`` is one of the kinds :func:`bad_values` knows (``int float choice bool matrix
    vector instance seed path callable mapping sequence axes axes_sequence interval`` ...);
    ``optional`` means None is allowed.
    """

    kind: str
    minimum: float | None = None
    maximum: float | None = None
    strict: bool = False
    choices: tuple[str, ...] = ()
    rows: int | None = None
    optional: bool = False
    integer: bool = False


def I(minimum: float | None = None, maximum: float | None = None, *,  # noqa: E743
      optional: bool = False) -> Arg:
    """An integer in [minimum, maximum]."""
    return Arg("int", minimum=minimum, maximum=maximum, optional=optional)


def F(minimum: float | None = None, *, strict: bool = False, maximum: float | None = None,
      optional: bool = False) -> Arg:
    """A finite real number, >= minimum (> with strict) and <= maximum."""
    return Arg("float", minimum=minimum, maximum=maximum, strict=strict, optional=optional)


def C(*choices: str, optional: bool = False) -> Arg:
    """One of the strings ``choices``, exactly."""
    return Arg("choice", choices=choices, optional=optional)


def M(rows: int | None = None, *, optional: bool = False) -> Arg:
    """A finite real 2-D array (with ``rows`` rows)."""
    return Arg("matrix", rows=rows, optional=optional)


def V(minimum: float | None = None, *, strict: bool = False, optional: bool = False,
      integer: bool = False) -> Arg:
    """A non-empty finite real 1-D array (entries >= minimum, > with strict; of an integer
    dtype with ``integer``)."""
    return Arg("vector", minimum=minimum, strict=strict, optional=optional, integer=integer)


def K(kind: str, *, optional: bool = False) -> Arg:
    """An argument of a kind without options."""
    return Arg(kind, optional=optional)


BOOL, SEED, PATH, CALLABLE, MAPPING, SEQUENCE, INSTANCE = (
    K("bool"), K("seed"), K("path"), K("callable"), K("mapping"), K("sequence"),
    K("instance"))
AXES, AXES2 = K("axes"), K("axes_sequence")


@dataclass(frozen=True)
class Bad:
    """A value an argument must refuse (``error`` is the class expected) or, with
    ``error=None``, may accept only if the result is finite (an overflow)."""

    label: str
    value: Any
    error: type[Exception] | None


def bad_values(arg: Arg, valid: Any) -> list[Bad]:
    """The values an argument of kind ``arg`` (valid value ``valid``) must refuse."""
    bad: list[Bad] = []
    if not arg.optional:
        bad.append(Bad("None", None, TypeError))
    if arg.kind == "int":
        bad += [Bad("float", 1.5, TypeError), Bad("integral float", 2.0, TypeError),
                Bad("string", "3", TypeError), Bad("bool", True, TypeError),
                Bad("nan", float("nan"), TypeError), Bad("complex", 1 + 0j, TypeError)]
        if arg.minimum is not None:
            bad.append(Bad("below minimum", int(arg.minimum) - 1, ValueError))
        if arg.maximum is not None:
            bad.append(Bad("above maximum", int(arg.maximum) + 1, ValueError))
    elif arg.kind == "float":
        bad += [Bad("string", "0.5", TypeError), Bad("bool", True, TypeError),
                Bad("complex", 0.5 + 0j, TypeError), Bad("nan", float("nan"), ValueError),
                Bad("inf", float("inf"), ValueError), Bad("-inf", float("-inf"), ValueError),
                Bad("list", [0.5], TypeError), Bad("float16 inf", np.float16(np.inf),
                                                     ValueError)]
        if arg.minimum is not None:
            below = arg.minimum if arg.strict else arg.minimum - 1.0
            bad.append(Bad("at or below minimum", below, ValueError))
        if arg.maximum is not None:
            bad.append(Bad("above maximum", arg.maximum + 1.0, ValueError))
    elif arg.kind == "choice":
        first = arg.choices[0]
        bad += [Bad("unknown", "no-such-choice", ValueError), Bad("integer", 1, TypeError),
                Bad("padded", f" {first}", ValueError), Bad("bytes", first.encode(), TypeError)]
        for variant in {first.upper(), first.capitalize(), first.title()} - set(arg.choices):
            bad.append(Bad(f"case {variant!r}", variant, ValueError))
    elif arg.kind == "bool":
        bad += [Bad("string 'no'", "no", TypeError), Bad("integer 1", 1, TypeError),
                Bad("integer 0", 0, TypeError), Bad("float", 1.0, TypeError),
                Bad("string 'True'", "True", TypeError)]
    elif arg.kind == "matrix":
        base = np.asarray(valid, dtype=np.float64)
        with_nan, with_inf = base.copy(), base.copy()
        with_nan.flat[0], with_inf.flat[-1] = np.nan, np.inf
        bad += [Bad("string", "U", TypeError), Bad("1-D", base.ravel(), ValueError),
                Bad("3-D", base[None], ValueError), Bad("nan entry", with_nan, ValueError),
                Bad("inf entry", with_inf, ValueError),
                Bad("complex", base.astype(complex), TypeError),
                Bad("bool", base > 0, TypeError), Bad("object", base.astype(object), TypeError),
                Bad("scalar", 1.0, TypeError)]
        if arg.rows is not None:
            bad.append(Bad("wrong rows", np.ones((base.shape[0] + 1, base.shape[1])),
                           ValueError))
    elif arg.kind == "vector":
        base = np.asarray(valid)
        with_nan = base.astype(np.float64)
        with_nan[0] = np.nan
        bad += [Bad("string", "v", TypeError), Bad("2-D", base[None, :], ValueError),
                Bad("nan entry", with_nan, TypeError if arg.integer else ValueError),
                Bad("complex", base.astype(complex), TypeError),
                Bad("strings", ["a"] * base.size, TypeError), Bad("empty", [], ValueError)]
        if arg.minimum is not None:
            below = base.copy()
            below[0] = arg.minimum if arg.strict else arg.minimum - 1
            bad.append(Bad("entry below minimum", below, ValueError))
    elif arg.kind in ("instance", "callable"):
        bad += [Bad("string", "x", TypeError), Bad("integer", 1, TypeError)]
    elif arg.kind == "seed":
        bad += [Bad("float", 1.5, TypeError), Bad("negative", -1, ValueError),
                Bad("string", "0", TypeError), Bad("bool", True, TypeError)]
    elif arg.kind == "path":
        bad += [Bad("integer", 3, TypeError), Bad("bytes", b"run", TypeError),
                Bad("empty", "", ValueError)]
    elif arg.kind == "mapping":
        bad += [Bad("string", "x", TypeError), Bad("list", [1], TypeError),
                Bad("empty", {}, ValueError)]
    elif arg.kind == "sequence":
        bad += [Bad("string", "x", TypeError), Bad("empty", [], ValueError),
                Bad("of integers", [1, 2], TypeError)]
    elif arg.kind == "axes":
        bad += [Bad("string", "ax", TypeError), Bad("list", [1], TypeError)]
    elif arg.kind == "axes_sequence":
        bad += [Bad("string", "axes", TypeError), Bad("of integers", [1, 2], TypeError),
                Bad("empty", [], ValueError)]
    elif arg.kind == "dtype":
        bad += [Bad("integer", 3, TypeError), Bad("name in the wrong case", "Float32", TypeError),
                Bad("float16", "float16", ValueError), Bad("integer type", np.int32, ValueError)]
    elif arg.kind == "string":
        bad += [Bad("integer", 1, TypeError), Bad("bytes", b"x", TypeError)]
    elif arg.kind == "strings":
        bad += [Bad("one string", "ab", TypeError), Bad("of integers", [1], TypeError),
                Bad("empty", [], ValueError)]
    elif arg.kind == "bool_vector":
        size = np.size(valid)
        bad += [Bad("string", "x", TypeError), Bad("floats", np.ones(size), TypeError),
                Bad("wrong length", np.ones(size + 1, dtype=bool), ValueError)]
    elif arg.kind == "array":
        base = np.asarray(valid, dtype=np.float64)
        with_nan = base.copy()
        with_nan.flat[0] = np.nan
        bad += [Bad("string", "x", TypeError), Bad("complex", base.astype(complex), TypeError),
                Bad("nan entry", with_nan, ValueError)]
    elif arg.kind == "choices":
        bad += [Bad("one string", valid[0], TypeError),
                Bad("wrong case", [valid[0].upper()], ValueError),
                Bad("of integers", [1], TypeError), Bad("empty", [], ValueError)]
    elif arg.kind == "rows":
        bad += [Bad("string", "x", TypeError), Bad("of integers", [1], TypeError),
                Bad("empty", [], ValueError)]
    elif arg.kind == "indices":
        bad += [Bad("string", "x", TypeError), Bad("floats", [0.5], TypeError),
                Bad("negative", [-1], ValueError), Bad("too large", [99], ValueError),
                Bad("2-D", [[0]], ValueError)]
    elif arg.kind == "counts":
        bad += [Bad("string", "x", TypeError), Bad("floats", (1.5,), TypeError),
                Bad("zero", (0,), ValueError), Bad("empty", (), ValueError)]
    elif arg.kind in ("seeds", "items"):
        bad += [Bad("integer", 3, TypeError)]
    elif arg.kind == "spec":
        bad += [Bad("integer", 3, TypeError), Bad("float", 3.5, TypeError)]
    elif arg.kind == "curve":
        bad += [Bad("string", "x", TypeError), Bad("one array", (np.ones(2),), ValueError),
                Bad("lengths differ", (np.ones(2), np.ones(3)), ValueError)]
    elif arg.kind == "fit":
        bad += [Bad("string", "x", TypeError), Bad("two numbers", (1.0, 2.0), ValueError),
                Bad("nan", (float("nan"), 1.0, 1), ValueError)]
    elif arg.kind == "spectra":
        bad += [Bad("string", "x", TypeError), Bad("wrong count", valid[:1], ValueError),
                Bad("nan", [np.array([np.nan])] * len(valid), ValueError)]
    elif arg.kind == "interval":
        bad += [Bad("string", "x", TypeError), Bad("one number", (0.5,), ValueError),
                Bad("three numbers", (0.0, 0.5, 1.0), ValueError),
                Bad("reversed", (1.0, 0.0), ValueError), Bad("empty", (0.5, 0.5), ValueError),
                Bad("nan", (float("nan"), 1.0), ValueError),
                Bad("strings", ("0", "1"), TypeError)]
    elif arg.kind == "kicks":
        bad += [Bad("string", "x", TypeError), Bad("floats", [1.5], TypeError),
                Bad("negative", [-1], ValueError)]
    else:
        raise ValueError(f"unknown kind {arg.kind!r}")
    return bad


def overflow_values(valid: np.ndarray) -> list[Bad]:
    """Valid-looking matrices whose arithmetic overflows: refused, or a finite result."""
    base = np.asarray(valid, dtype=np.float64)
    scale = np.where(base == 0, 1.0, base)
    return [Bad("float16", base.astype(np.float16), None),
            Bad("float16 large", (300.0 * scale).astype(np.float16), None),
            Bad("float32 at 1e30", (1e30 * scale).astype(np.float32), None),
            Bad("float64 at 1e200", 1e200 * scale, None)]


@dataclass(frozen=True)
class Spec:
    """One entry point: ``target()`` returns the callable, ``valid()`` fresh keyword arguments
    that make a cheap valid call, ``args`` the kind of each argument that is checked.

    ``work`` lists ``module.attribute`` names of the stages a composite function runs: the
    tests replace them by a function raising :class:`WorkStarted`, so a bad argument must be
    refused before the first stage starts (and a valid call reaches it). ``edges`` are valid
    boundary values of single arguments the function must accept.
    """

    target: Callable[[], Callable[..., Any]]
    valid: Callable[[], dict[str, Any]]
    args: Mapping[str, Arg]
    work: tuple[str, ...] = ()
    edges: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


class WorkStarted(Exception):
    """Raised by a stage of a composite function replaced for a test."""


# ----------------------------------------------------------------------------------------------
# Cheap valid inputs, built once.

RNG = np.random.default_rng(0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    PROB = lib.make_problem(6, 2, 100, sigma=0.01, seed=0)
    RANK_ONE = lib.make_problem(5, 1, 80, sensing="rank_one", seed=0)
    POPULATION = lib.make_problem(6, 2, 1, sensing="population", seed=0)
OBJ = lib.Objective(PROB, lam=0.01, beta=1e-3)
U = 0.3 * RNG.standard_normal((6, 3))
V_DIRECTION = RNG.standard_normal((6, 3))
RUN = lib.gradient_descent(OBJ, U, 0.01, 5)
HISTORY = RUN.history
FINE_TUNING_HISTORY = lib.gradient_descent(lib.Objective(POPULATION), U[:, :2], 0.05, 50).history
PIPELINE = lib.train_prune_finetune(PROB, 3, 0.01, 1e-3, train_step=0.01, train_iter=5,
                                    fine_tune_step=0.01, fine_tune_iter=5, record_every=1,
                                    threshold=0.0)
DATA = neuron_data.teacher_student(4, 2, 30, 20, "relu", sigma=0.1, seed=0)
NETWORK = two_layer.init_network(4, 5, "relu", scale=0.5, seed=0)
NET_OBJ = two_layer.NetworkObjective(DATA.X_train, DATA.y_train, "relu", lam=0.01)
SETUP = neuron_pruning.PruningSetup(activation="relu", width=5, lams=(0.01,), counts=(2,),
                                    beta=1e-3, step=0.01, train_iter=2, fine_tune_iter=2,
                                    init_scale=0.5)
PRUNED_RUNS = (neuron_pruning.PrunedRun("group lasso", 0.01, 2, 0.5, 0.4),
               neuron_pruning.PrunedRun("magnitude", 2.0, 2, 0.9, 0.4),
               neuron_pruning.PrunedRun("random", 2.0, 2, 2.0, 1.0))
NEURON_COMPARISON = neuron_pruning.PruningComparison(
    seed=0, unpruned_error=0.3, unregularized=NETWORK, regularized=(NETWORK,), runs=PRUNED_RUNS)
METHOD_RUNS = [comparison.MethodRun(method=method, n=n, k=k, seed=seed, error=0.1 + 0.01 * k,
                                    rank=2, steps=10, seconds=0.1,
                                    iterations=np.array([1, 10, 100]),
                                    errors=np.array([1.0, 0.3, 0.1]))
               for method in ("pipeline", "gd") for n in (100, 200) for k in (2, 4)
               for seed in (0, 1)]
STAGES = network_pruning.STAGES
NETWORK_COMPARISON = network_pruning.PruningComparison(
    kept=2, largest_pruned_norm=1e-9, plain_grad_norm=1e-4,
    norms={"with": np.ones(4), "without": np.ones(4)},
    errors={variant: {stage: (0.1 * (i + 1), 0.1 * (i + 1)) for i, stage in enumerate(STAGES)}
            for variant in ("with", "without")},
    fine_tune_steps={"with": 1, "without": 1},
    fine_tune_converged={"with": True, "without": True}, noisy_test_error=0.01)
COMPONENT_PATH = small_init.ComponentPath(steps=np.arange(3) * 10,
                                          values=np.array([1e-3, 1e-2, 1e-8]))
RANK_TIMES = [pruning.ExactRankTime(step=0.1, kept=2, prunable_from=10),
              pruning.ExactRankTime(step=0.1, kept=0, prunable_from=None)]
BOUNDS = theory.lambda_bounds([1.0, 0.25], 1e-3)
EIGENVALUES = np.array([1.0, 0.25])
NORMS = np.concatenate([np.ones(2), np.full(4, 1e-9)])
SPEC_TABLE = {"task": "train_prune_finetune", "seeds": [0],
              "fixed": {"d": 4, "r": 1, "n": 40, "k": 2}, "grid": {"lam": [0.01], "beta": [1e-3]}}
CELL = spec.read_spec(SPEC_TABLE).cells()[0]
_FIGURE, _AXES = plots.figure(ncols=2)
AX = _AXES[0]
_PANELS_FIGURE, PANEL_AXES = plots.figure(ncols=3)
#: One row per run of a 2 x 2 grid of (lam_ratio, beta), as lib.sweep.load gives them.
SWEEP_ROWS = pd.DataFrame({"d": 6, "r": 2, "n": 100, "sigma": 0.01, "kept": [2, 2, 3, 2],
                           "error_final": [0.01, 0.02, 0.03, 0.01],
                           "settled_iteration": [10, 20, 30, 40],
                           "lam_ratio": [0.5, 0.5, 1.0, 1.0], "beta": [1e-4, 1e-3, 1e-4, 1e-3]})
SUMMARY = phase_cells.summarize(SWEEP_ROWS, ["lam_ratio", "beta"])
CURVES = {"a": (np.array([1e-4, 1e-3]), np.array([0.5, 1.0]))}
RULE = prune_budget.BudgetRule(constant=10.0, exponent=2.0)


@dataclass(frozen=True)
class _Row:
    case: str
    implementation: str
    seconds: float | None


BENCH_ROWS = [_Row("small", "lib", 1e-3), _Row("small", "hand-written: numpy", 2e-3)]


def _f(U: np.ndarray) -> float:
    return float(np.sum(U**2))


def _g(U: np.ndarray) -> np.ndarray:
    return 2.0 * U


def _square(seed: int) -> int:
    return seed * seed


# ----------------------------------------------------------------------------------------------
# The registry: one entry per public entry point.

_REG = {"lam": F(0.0), "beta": F(0.0, strict=True), "penalty": C("ratio", "sqrt")}
_SENSING = C(*lib.SENSING_KINDS)
_PRINCIPAL_SENSING = C(*lib.SENSING_KINDS)


def _spec(target: Callable[[], Callable[..., Any]], valid: Mapping[str, Any],
          args: Mapping[str, Arg], **options: Any) -> Spec:
    frozen = dict(valid)
    return Spec(target, lambda: {key: (value.copy() if isinstance(value, np.ndarray) else value)
                                 for key, value in frozen.items()}, args, **options)


def _factor_and_truth(target: Callable[[], Callable[..., Any]], factor: str) -> Spec:
    """The entry of a function of a factor (named ``factor``) and the ground truth ``U_star``."""
    return _spec(target, {factor: U, "U_star": PROB.U_star}, {factor: M(6), "U_star": M()})


SPECS: dict[str, Spec] = {
    # problem, sensing, objective
    "lib.problem.make_problem": _spec(
        lambda: problem.make_problem, {"d": 4, "r": 1, "n": 40, "sigma": 0.1, "kappa": 2.0,
                                      "sensing": "gaussian", "seed": 0, "dtype": np.float64},
        {"d": I(1), "r": I(1, 4), "n": I(1), "sigma": F(0.0), "kappa": F(1.0),
         "sensing": _SENSING, "seed": SEED, "dtype": K("dtype")},
        edges={"sigma": (0.0,), "kappa": (1.0,), "r": (4,), "dtype": (np.float32, "float32")}),
    "lib.problem.data_bytes": _spec(
        lambda: problem.data_bytes, {"sensing": "gaussian", "d": 4, "r": 1, "n": 10},
        {"sensing": _SENSING, "d": I(1), "r": I(1, 4), "n": I(1)}),
    "lib.problem.ground_truth": _spec(
        lambda: problem.ground_truth, {"d": 4, "r": 2, "kappa": 2.0, "rng": 0},
        {"d": I(1), "r": I(1, 4), "kappa": F(1.0), "rng": SEED}),
    "lib.problem.Problem.sensing_matrices": _spec(lambda: PROB.sensing_matrices, {}, {}),
    "lib.problem.Problem.sensing_vectors": _spec(lambda: RANK_ONE.sensing_vectors, {}, {}),
    "lib.registry.sensing_kind": _spec(
        lambda: registry.sensing_kind, {"name": "value", "value": "gaussian"},
        {"value": _SENSING}),
    "lib.costs.stored_numbers": _spec(
        lambda: costs.stored_numbers, {"sensing": "gaussian", "d": 4, "r": 1, "n": 10},
        {"sensing": C(*costs.COUNTED_KINDS), "d": I(1), "r": I(1, 4), "n": I(1)}),
    "lib.costs.gradient_multiply_adds": _spec(
        lambda: costs.gradient_multiply_adds,
        {"sensing": "rank_one", "d": 4, "r": 1, "k": 2, "n": 10},
        {"sensing": C(*costs.COUNTED_KINDS), "d": I(1), "r": I(1, 4), "k": I(1), "n": I(1)}),
    "lib.objective.Objective": _spec(
        lambda: lib.Objective, {"problem": PROB, "lam": 0.01, "beta": 1e-3, "penalty": "ratio"},
        {"problem": INSTANCE, **_REG}, edges={"lam": (0.0,)}),
    "lib.objective.Objective.value": _spec(lambda: OBJ.value, {"U": U}, {"U": M(6)}),
    "lib.objective.Objective.grad": _spec(lambda: OBJ.grad, {"U": U}, {"U": M(6)}),
    "lib.objective.Objective.hvp": _spec(lambda: OBJ.hvp, {"U": U, "V": V_DIRECTION},
                                         {"U": M(6), "V": M(6)}),
    "lib.objective.Objective.check_point": _spec(lambda: OBJ.check_point, {"U": U, "name": "U"},
                                                 {"U": M(6)}),
    "lib.objective.recovery_error": _factor_and_truth(lambda: lib.recovery_error, "U"),
    "lib.objective.relative_recovery_error":
        _factor_and_truth(lambda: lib.relative_recovery_error, "U"),
    "lib.regularizer.smooth_group_lasso": _spec(
        lambda: lib.smooth_group_lasso, {"U": U, "beta": 1e-3, "penalty": "sqrt"},
        {"U": M(), "beta": F(0.0, strict=True), "penalty": C("ratio", "sqrt")}),
    "lib.regularizer.column_penalty": _spec(
        lambda: regularizer.column_penalty, {"norms": np.array([-1.0, 0.0, 2.0]), "beta": 1e-3,
                                             "penalty": "ratio"},
        {"norms": V(), "beta": F(0.0, strict=True), "penalty": C("ratio", "sqrt")}),
    "lib.regularizer.column_weight": _spec(
        lambda: lib.column_weight, {"s": np.array([0.0, 1.0]), "beta": 1e-3, "penalty": "ratio"},
        {"s": V(0.0), "beta": F(0.0, strict=True), "penalty": C("ratio", "sqrt")},
        edges={"s": (0.0, 2.5)}),
    # optimisation
    "lib.optim.gradient_descent": _spec(
        lambda: lib.gradient_descent,
        {"obj": OBJ, "U0": U, "step": 0.01, "max_iter": 3, "tol": 1e-8, "record_every": 1,
         "progress": False, "callback": None, "checkpoint": None, "checkpoint_every": 60.0,
         "max_records": 100},
        {"obj": INSTANCE, "U0": M(6), "step": F(0.0, strict=True), "max_iter": I(1),
         "tol": F(0.0), "record_every": I(1), "progress": BOOL,
         "callback": K("callable", optional=True), "checkpoint": K("path", optional=True),
         "checkpoint_every": F(0.0, strict=True), "max_records": I(2)},
        work=("lib.optim._Run.__init__",), edges={"progress": (np.bool_(False),)}),
    "lib.optim.perturbed_gradient_descent": _spec(
        lambda: lib.perturbed_gradient_descent,
        {"obj": OBJ, "U0": U, "step": 0.01, "max_iter": 3, "grad_threshold": 1e-4,
         "radius": 1e-3, "escape_iter": 5, "escape_decrease": 1e-8, "seed": 0,
         "record_every": 1, "progress": False, "callback": None},
        {"obj": INSTANCE, "U0": M(6), "step": F(0.0, strict=True), "max_iter": I(1),
         "grad_threshold": F(0.0, strict=True), "radius": F(0.0, strict=True),
         "escape_iter": I(1), "escape_decrease": F(0.0), "seed": SEED, "record_every": I(1),
         "progress": BOOL, "callback": K("callable", optional=True)},
        work=("lib.optim._Run.__init__",)),
    "lib.optim.History.columns_above": _spec(lambda: HISTORY.columns_above, {"threshold": 0.1},
                                             {"threshold": F(0.0)}),
    "lib.optim.History.settled_iteration": _spec(
        lambda: HISTORY.settled_iteration,
        {"holds": np.ones(HISTORY.iterations.size, dtype=bool)}, {"holds": K("bool_vector")}),
    "lib.optim.History.fitted_rate": _spec(
        lambda: FINE_TUNING_HISTORY.fitted_rate, {"low": 1e-12, "high": 10.0},
        {"low": F(0.0, strict=True), "high": F(0.0, strict=True)}),
    "lib.optim.runs_table": _spec(lambda: optim.runs_table,
                                  {"runs": {"a": RUN}, "U_star": PROB.U_star},
                                  {"runs": MAPPING, "U_star": M()}),
    "lib.certificate.SOSPCertificate.is_sosp": _spec(
        lambda: lib.SOSPCertificate(1e-3, -1e-3).is_sosp, {"eps": 0.1, "gamma": 0.1},
        {"eps": F(0.0), "gamma": F(0.0)}),
    "lib.certificate.sosp_certificate": _spec(
        lambda: lib.sosp_certificate, {"obj": OBJ, "U": U, "tol": 1e-8, "seed": 0},
        {"obj": INSTANCE, "U": M(6), "tol": F(0.0), "seed": SEED}),
    "lib.certificate.largest_hessian_eigenvalue": _spec(
        lambda: lib.largest_hessian_eigenvalue, {"obj": OBJ, "U": U, "seed": 0},
        {"obj": INSTANCE, "U": M(6), "seed": SEED}),
    "lib.certificate.hessian_operator": _spec(lambda: lib.hessian_operator, {"obj": OBJ, "U": U},
                                              {"obj": INSTANCE, "U": M(6)}),
    "lib.certificate.dense_hessian": _spec(lambda: lib.dense_hessian,
                                           {"hvp": OBJ.hvp, "U": U[:, :1]},
                                           {"hvp": CALLABLE, "U": M()}),
    "lib.certificate.suggest_step": _spec(lambda: lib.suggest_step, {"obj": OBJ, "U0": U},
                                          {"obj": INSTANCE, "U0": M(6)}),
    "lib.certificate.column_hessian_at_zero": _spec(lambda: lib.column_hessian_at_zero,
                                                    {"obj": OBJ}, {"obj": INSTANCE}),
    "lib.certificate.residual_matrix": _spec(lambda: lib.residual_matrix,
                                             {"prob": PROB, "U": U},
                                             {"prob": INSTANCE, "U": M(6)}),
    # columns, pruning
    "lib.columns.column_norms": _spec(lambda: lib.column_norms, {"U": U}, {"U": M()}),
    "lib.columns.fraction_at_least": _spec(
        lambda: columns.fraction_at_least, {"norms": NORMS, "c": np.array([0.0, 0.5, 1.0])},
        {"norms": V(0.0), "c": V(0.0)}, edges={"c": (0.5, 1, [0.25])}),
    "lib.columns.norm_gap": _spec(lambda: columns.norm_gap,
                                  {"norms": NORMS, "threshold": 0.1, "rank": 2},
                                  {"norms": V(0.0), "threshold": F(0.0), "rank": I(1, 5)}),
    "lib.columns.norm_gap_table": _spec(
        lambda: columns.norm_gap_table,
        {"norms_by_label": {"a": NORMS}, "threshold": 0.1, "rank": 2},
        {"norms_by_label": MAPPING, "threshold": F(0.0), "rank": I(1, 5)}),
    "lib.pruning.pruning_threshold": _spec(lambda: lib.pruning_threshold, {"beta": 1e-3},
                                           {"beta": F(0.0, strict=True)}),
    "lib.pruning.prune": _spec(lambda: lib.prune,
                               {"U": U, "threshold": 0.1, "expected_rank": None},
                               {"U": M(), "threshold": F(0.0),
                                "expected_rank": I(1, optional=True)}),
    "lib.pruning.prune_to_rank": _spec(lambda: lib.prune_to_rank, {"U": U, "rank": 2},
                                       {"U": M(), "rank": I(1, 3)}),
    "lib.pruning.fine_tune": _spec(
        lambda: lib.fine_tune,
        {"prob": PROB, "U_prune": U, "step": 0.01, "max_iter": 3, "tol": 1e-10,
         "record_every": 1, "progress": False, "checkpoint": None, "checkpoint_every": 60.0},
        {"prob": INSTANCE, "U_prune": M(6), "step": F(0.0, strict=True), "max_iter": I(1),
         "tol": F(0.0), "record_every": I(1), "progress": BOOL,
         "checkpoint": K("path", optional=True), "checkpoint_every": F(0.0, strict=True)},
        work=("lib.optim._Run.__init__",)),
    "lib.pruning.train_prune_finetune": _spec(
        lambda: lib.train_prune_finetune,
        {"prob": PROB, "k": 3, "lam": 0.01, "beta": 1e-3, "init_scale": 1e-3,
         "train_step": None, "train_iter": 3, "train_tol": 1e-9, "threshold": None,
         "fine_tune_step": None, "fine_tune_iter": 3, "fine_tune_tol": 1e-10,
         "record_every": 1, "seed": 0, "progress": False, "penalty": "ratio",
         "checkpoint": None, "checkpoint_every": 60.0},
        {"prob": INSTANCE, "k": I(1), **_REG, "init_scale": F(0.0, strict=True),
         "train_step": F(0.0, strict=True, optional=True), "train_iter": I(1),
         "train_tol": F(0.0), "threshold": F(0.0, optional=True),
         "fine_tune_step": F(0.0, strict=True, optional=True), "fine_tune_iter": I(1),
         "fine_tune_tol": F(0.0), "record_every": I(1), "seed": SEED, "progress": BOOL,
         "checkpoint": K("path", optional=True), "checkpoint_every": F(0.0, strict=True)},
        work=("lib.pruning.suggest_step", "lib.pruning.gradient_descent")),
    "lib.pruning.time_to_exact_rank": _spec(
        lambda: pruning.time_to_exact_rank,
        {"obj": OBJ, "U0": U, "max_iter": 3, "threshold": 0.1, "rank": 2, "record_every": 1,
         "tol": 1e-10},
        {"obj": INSTANCE, "U0": M(6), "max_iter": I(1), "threshold": F(0.0), "rank": I(1),
         "record_every": I(1), "tol": F(0.0)},
        work=("lib.pruning.suggest_step", "lib.pruning.gradient_descent")),
    "lib.separation.column_separation": _spec(
        lambda: lib.column_separation,
        {"prob": PROB, "result": PIPELINE, "lam": 0.01, "beta": 1e-3},
        {"prob": INSTANCE, "result": INSTANCE, "lam": F(0.0), "beta": F(0.0, strict=True)}),
    # theory
    "lib.theory.curvature_at_zero": _spec(
        lambda: theory.curvature_at_zero,
        {"eigenvalues": EIGENVALUES, "lam": 0.01, "beta": 1e-3, "penalty": "ratio",
         "sensing": "gaussian", "trace": None},
        {"eigenvalues": V(0.0, strict=True), **_REG, "sensing": _SENSING,
         "trace": F(0.0, optional=True)}, edges={"eigenvalues": (1.0, [2.0])}),
    "lib.theory.curvature_at_zero_orthogonal": _spec(
        lambda: theory.curvature_at_zero_orthogonal,
        {"lam": 0.01, "beta": 1e-3, "trace": 1.0, "penalty": "ratio", "sensing": "rank_one"},
        {**_REG, "trace": F(0.0), "sensing": _SENSING}),
    "lib.theory.hessian_spectrum_at_zero": _spec(
        lambda: theory.hessian_spectrum_at_zero,
        {"eigenvalues": EIGENVALUES, "lam": 0.01, "beta": 1e-3, "d": 4, "k": 2,
         "penalty": "ratio"},
        {"eigenvalues": V(0.0, strict=True), **_REG, "d": I(2), "k": I(1)}),
    "lib.theory.lambda_orthogonal_bound": _spec(
        lambda: theory.lambda_orthogonal_bound,
        {"trace": 1.0, "beta": 1e-3, "penalty": "ratio", "sensing": "gaussian"},
        {"trace": F(0.0), "beta": F(0.0, strict=True), "penalty": C("ratio", "sqrt"),
         "sensing": _SENSING}),
    "lib.theory.lambda_bounds": _spec(
        lambda: theory.lambda_bounds,
        {"eigenvalues": EIGENVALUES, "beta": 1e-3, "penalty": "ratio", "sensing": "gaussian"},
        {"eigenvalues": V(0.0, strict=True), "beta": F(0.0, strict=True),
         "penalty": C("ratio", "sqrt"), "sensing": _SENSING}),
    "lib.theory.regularized_column_norms": _spec(
        lambda: theory.regularized_column_norms,
        {"eigenvalues": EIGENVALUES, "lam": 0.01, "beta": 1e-3, "penalty": "ratio"},
        {"eigenvalues": V(0.0, strict=True), **_REG}),
    "lib.theory.regularized_bias": _spec(
        lambda: theory.regularized_bias,
        {"eigenvalues": EIGENVALUES, "lam": 0.01, "beta": 1e-3, "penalty": "ratio"},
        {"eigenvalues": V(0.0, strict=True), **_REG}),
    "lib.theory.regularized_stationary_point": _spec(
        lambda: theory.regularized_stationary_point,
        {"U_star": PROB.U_star, "lam": 0.01, "beta": 1e-3, "k": 3, "directions": 2,
         "penalty": "ratio"},
        {"U_star": M(), **_REG, "k": I(1), "directions": I(0, 2)}),
    "lib.theory.spurious_column_curvature": _spec(
        lambda: theory.spurious_column_curvature,
        {"column_norm": 0.1, "lam": 0.01, "beta": 1e-3, "penalty": "ratio"},
        {"column_norm": F(0.0), **_REG}),
    "lib.theory.small_column_bound": _spec(
        lambda: theory.small_column_bound,
        {"grad_norm": 1e-6, "lam": 0.01, "beta": 1e-3, "threshold": 0.01,
         "smallest_kept_norm": 0.5, "penalty": "ratio"},
        {"grad_norm": F(0.0), "lam": F(0.0), "beta": F(0.0, strict=True),
         "threshold": F(0.0), "smallest_kept_norm": F(0.0),
         "penalty": C("ratio", "sqrt")}),
    "lib.theory.certified_small_column_bound": _spec(
        lambda: theory.certified_small_column_bound,
        {"grad_norm": 1e-6, "lam": 0.01, "beta": 1e-3, "threshold": 0.01,
         "residual_top_eigenvalue": 1e-3, "penalty": "ratio"},
        {"grad_norm": F(0.0), "lam": F(0.0), "beta": F(0.0, strict=True),
         "threshold": F(0.0), "residual_top_eigenvalue": F(),
         "penalty": C("ratio", "sqrt")}),
    "lib.theory.hessian_spectrum_at_solution": _spec(
        lambda: theory.hessian_spectrum_at_solution, {"eigenvalues": EIGENVALUES, "d": 4},
        {"eigenvalues": V(0.0, strict=True), "d": I(2)}),
    "lib.theory.contraction_factor": _spec(
        lambda: theory.contraction_factor,
        {"spectrum": np.array([0.0, 1.0, 2.0]), "step": 0.1, "null_dimension": 1},
        {"spectrum": V(), "step": F(0.0, strict=True), "null_dimension": I(0, 2)}),
    "lib.theory.linear_rate": _spec(lambda: theory.linear_rate,
                                    {"eigenvalues": EIGENVALUES, "d": 4, "step": 0.1},
                                    {"eigenvalues": V(0.0, strict=True), "d": I(2),
                                     "step": F(0.0, strict=True)}),
    "lib.theory.degrees_of_freedom": _spec(
        lambda: theory.degrees_of_freedom, {"d": 4, "rank": 2, "sensing": "gaussian"},
        {"d": I(1), "rank": I(1), "sensing": _SENSING}),
    "lib.theory.statistical_error": _spec(
        lambda: theory.statistical_error, {"d": 4, "rank": 2, "n": 100, "sigma": 0.1},
        {"d": I(1), "rank": I(1), "n": I(1), "sigma": F(0.0)}),
    "lib.theory.spectrum_at_zero": _spec(
        lambda: theory.spectrum_at_zero,
        {"eigenvalues": EIGENVALUES, "lam": 0.01, "beta": 1e-3, "d": 4, "penalty": "ratio",
         "sensing": "gaussian"},
        {"eigenvalues": V(0.0, strict=True), **_REG, "d": I(2), "sensing": _SENSING}),
    # landscape, small start, separation
    "lib.landscape.recovered_directions":
        _factor_and_truth(lambda: landscape.recovered_directions, "U"),
    "lib.landscape.descend_from_random_start": _spec(
        lambda: landscape.descend_from_random_start,
        {"problem": PROB, "lam": 0.01, "beta": 1e-3, "alpha": 1e-3, "seed": 0, "step": 0.01,
         "iterations": 3, "threshold": 0.01},
        {"problem": INSTANCE, **{k: v for k, v in _REG.items() if k != "penalty"},
         "alpha": F(0.0, strict=True), "seed": SEED, "step": F(0.0, strict=True),
         "iterations": I(1), "threshold": F(0.0)},
        work=("lib.landscape.gradient_descent",)),
    "lib.landscape.kept_rotation_fraction": _spec(
        lambda: landscape.kept_rotation_fraction,
        {"U": U, "direction": V_DIRECTION, "threshold": 0.01},
        {"U": M(), "direction": M(6), "threshold": F(0.0)}),
    "lib.small_init.signal_projection_norms":
        _factor_and_truth(lambda: small_init.signal_projection_norms, "U0"),
    "lib.small_init.limit_column_norms":
        _factor_and_truth(lambda: small_init.limit_column_norms, "U0"),
    "lib.small_init.chi_max": _spec(lambda: small_init.chi_max, {"k": 10, "r": 2},
                                    {"k": I(1), "r": I(1)}),
    "lib.small_init.predicted_fraction_above": _spec(
        lambda: small_init.predicted_fraction_above,
        {"c": np.array([0.0, 0.5]), "r": 2, "max_value": 2.0},
        {"c": V(0.0), "r": I(1), "max_value": F(0.0, strict=True)}, edges={"c": (0.5,)}),
    "lib.small_init.orthogonal_component_path": _spec(
        lambda: small_init.orthogonal_component_path,
        {"obj": OBJ, "U0": U, "U_star": PROB.U_star, "iterations": 3, "every": 1},
        {"obj": INSTANCE, "U0": M(6), "U_star": M(6), "iterations": I(1), "every": I(1)},
        work=("lib.small_init.suggest_step", "lib.small_init.gradient_descent")),
    # setup-chapter helpers
    "lib.finite_differences.central_difference": _spec(
        lambda: finite_differences.central_difference,
        {"function": _f, "U": U, "direction": V_DIRECTION, "h": 1e-5},
        {"function": CALLABLE, "U": M(), "direction": M(6), "h": F(0.0, strict=True)}),
    "lib.finite_differences.finite_difference_gradient": _spec(
        lambda: finite_differences.finite_difference_gradient,
        {"function": _f, "U": U, "h": 1e-5},
        {"function": CALLABLE, "U": M(), "h": F(0.0, strict=True)}),
    "lib.finite_differences.finite_difference_hvp": _spec(
        lambda: finite_differences.finite_difference_hvp,
        {"gradient": _g, "U": U, "V": V_DIRECTION, "h": 1e-5},
        {"gradient": CALLABLE, "U": M(), "V": M(6), "h": F(0.0, strict=True)}),
    "lib.finite_differences.relative_error": _spec(
        lambda: finite_differences.relative_error, {"approximate": U, "exact": U + 1e-3},
        {"approximate": K("array"), "exact": K("array")}),
    "lib.sensing_statistics.z_score": _spec(
        lambda: sensing_statistics.z_score, {"samples": np.array([1.0, 2.0, 3.5]),
                                             "expected": 2.0},
        {"samples": V(), "expected": F()}),
    "lib.sensing_statistics.population_loss": _spec(
        lambda: sensing_statistics.population_loss, {"problem": PROB, "U": U},
        {"problem": INSTANCE, "U": M(6)}),
    "lib.sensing_statistics.relative_loss_deviation": _spec(
        lambda: sensing_statistics.relative_loss_deviation,
        {"problem": PROB, "U": U, "sizes": np.array([1, 10])},
        {"problem": INSTANCE, "U": M(6), "sizes": V(1, integer=True)}),
    "lib.display.significant": _spec(lambda: display.significant, {"value": 0.123456, "digits": 3},
                                     {"value": F(), "digits": I(1, 15)}),
    # baselines and the comparison
    "lib.baselines.measurement_loss": _spec(
        lambda: baselines.measurement_loss, {"prob": PROB, "M": PROB.M_star},
        {"prob": INSTANCE, "M": M(6)}),
    "lib.baselines.split_measurements": _spec(
        lambda: baselines.split_measurements, {"prob": PROB, "holdout": 0.2, "seed": 0},
        {"prob": INSTANCE, "holdout": F(0.0, strict=True, maximum=1.0), "seed": SEED}),
    "lib.baselines.early_stopped_gd": _spec(
        lambda: baselines.early_stopped_gd,
        {"prob": PROB, "k": 3, "holdout": 0.2, "step": 0.01, "max_iter": 3,
         "validate_every": 1, "init_scale": 1e-3, "seed": 0, "split_seed": 0,
         "record_every": 1},
        {"prob": INSTANCE, "k": I(1), "holdout": F(0.0, strict=True, maximum=1.0),
         "step": F(0.0, strict=True), "max_iter": I(1), "validate_every": I(1),
         "init_scale": F(0.0, strict=True), "seed": SEED, "split_seed": SEED,
         "record_every": I(1)},
        work=("lib.baselines.split_measurements", "lib.baselines.gradient_descent")),
    "lib.baselines.svd_truncate": _spec(lambda: baselines.svd_truncate, {"U": U, "r": 2},
                                        {"U": M(), "r": I(1, 3)}),
    "lib.baselines.scaled_gd": _spec(
        lambda: baselines.scaled_gd,
        {"prob": PROB, "k": 3, "lam": 0.05, "step": 0.01, "max_iter": 3, "seed": 0,
         "init_scale": 1e-3, "tol": 1e-8, "record_every": 1},
        {"prob": INSTANCE, "k": I(1), "lam": F(0.0, strict=True), "step": F(0.0, strict=True),
         "max_iter": I(1), "seed": SEED, "init_scale": F(0.0, strict=True), "tol": F(0.0),
         "record_every": I(1)},
        work=("lib.baselines.gradient_descent",)),
    "lib.baselines.loss_smoothness": _spec(lambda: baselines.loss_smoothness,
                                           {"prob": PROB, "seed": 0},
                                           {"prob": INSTANCE, "seed": SEED}),
    "lib.baselines.nuclear_norm": _spec(
        lambda: baselines.nuclear_norm,
        {"prob": PROB, "mu": 0.1, "max_iter": 3, "tol": 1e-8, "step": 0.1, "M0": PROB.M_star},
        {"prob": INSTANCE, "mu": F(0.0, strict=True), "max_iter": I(1), "tol": F(0.0),
         "step": F(0.0, strict=True, optional=True), "M0": M(6, optional=True)}),
    "lib.baselines.nuclear_norm_validated": _spec(
        lambda: baselines.nuclear_norm_validated,
        {"prob": PROB, "mus": [0.2, 0.1], "holdout": 0.2, "split_seed": 0, "max_iter": 3,
         "tol": 1e-8},
        {"prob": INSTANCE, "mus": V(0.0, strict=True),
         "holdout": F(0.0, strict=True, maximum=1.0), "split_seed": SEED, "max_iter": I(1),
         "tol": F(0.0)},
        work=("lib.baselines.split_measurements", "lib.baselines.nuclear_norm")),
    "lib.baselines.spectral_init": _spec(lambda: baselines.spectral_init,
                                         {"prob": PROB, "r": 2},
                                         {"prob": INSTANCE, "r": I(1, 6)}),
    "lib.comparison.ComparisonSettings": _spec(
        lambda: comparison.ComparisonSettings,
        {"budget": 20, "fine_tune_iter": 5, "step": 0.01, "lam": 0.01, "beta": 1e-3,
         "damping": 0.05, "holdout": 0.2, "mus": (0.2, 0.1), "init_scale": 1e-3,
         "record_every": 5},
        {"budget": I(2), "fine_tune_iter": I(1, 19), "step": F(0.0, strict=True),
         "lam": F(0.0, strict=True), "beta": F(0.0, strict=True),
         "damping": F(0.0, strict=True), "holdout": F(0.0, strict=True, maximum=1.0),
         "mus": V(0.0, strict=True), "init_scale": F(0.0, strict=True),
         "record_every": I(1)}),
    "lib.comparison.compare_methods": _spec(
        lambda: comparison.compare_methods,
        {"prob": PROB, "k": 3, "settings": comparison.ComparisonSettings(
            budget=20, fine_tune_iter=5, mus=(0.1,)), "seed": 0, "methods": ("gd",)},
        {"prob": INSTANCE, "k": I(1), "settings": INSTANCE, "seed": I(0),
         "methods": K("choices")},
        work=("lib.comparison.train_prune_finetune", "lib.comparison.gradient_descent",
              "lib.comparison.fine_tune", "lib.baselines.early_stopped_gd",
              "lib.baselines.scaled_gd", "lib.baselines.nuclear_norm_validated")),
    "lib.comparison.mean_over_seeds": _spec(
        lambda: comparison.mean_over_seeds,
        {"runs": METHOD_RUNS, "method": "gd", "key": "error", "by": "k", "n": 100},
        {"runs": SEQUENCE, "method": C(*comparison.METHODS), "key": C("error", "seconds",
                                                                      "steps", "rank"),
         "by": C("k", "n")}),
    "lib.comparison.markdown_table": _spec(
        lambda: comparison.markdown_table, {"header": ["a", "b"], "rows": [[1, 2], [3, 4]]},
        {"header": K("strings"), "rows": K("rows")}),
    "lib.comparison.power_law_fit": _spec(
        lambda: comparison.power_law_fit,
        {"iterations": np.array([1.0, 10.0, 100.0]), "errors": np.array([1.0, 0.3, 0.1]),
         "start": 1},
        {"iterations": V(0.0), "errors": V(0.0, strict=True), "start": I(1)}),
    # quadratic networks
    "lib.networks.network_output": _spec(lambda: networks.network_output,
                                         {"U": U, "X": RNG.standard_normal((4, 6))},
                                         {"U": M(), "X": M()}),
    "lib.networks.population_test_error": _spec(
        lambda: networks.population_test_error, {"U": U, "U_star": PROB.U_star, "sigma": 0.1},
        {"U": M(6), "U_star": M(), "sigma": F(0.0)}),
    "lib.networks.empirical_test_error": _spec(
        lambda: networks.empirical_test_error,
        {"U": U, "U_star": PROB.U_star, "X": RNG.standard_normal((4, 6)),
         "noise": np.zeros(4)},
        {"U": M(6), "U_star": M(), "X": M(), "noise": V(optional=True)}),
    "lib.networks.population_problem": _spec(lambda: networks.population_problem,
                                             {"prob": RANK_ONE}, {"prob": INSTANCE}),
    "lib.network_pruning.compare_pruning": _spec(
        lambda: network_pruning.compare_pruning,
        {"seed": 0, "d": 4, "r": 1, "k": 3, "n": 60, "sigma": 0.1, "kappa": 1.0, "lam": 0.05,
         "beta": 1e-3, "train_iter": 3, "fine_tune_iter": 3, "test_size": 10},
        {"seed": I(0), "d": I(1), "r": I(1, 4), "k": I(1), "n": I(1), "sigma": F(0.0),
         "kappa": F(1.0), "lam": F(0.0, strict=True), "beta": F(0.0, strict=True),
         "train_iter": I(1), "fine_tune_iter": I(1), "test_size": I(2)},
        work=("lib.network_pruning.train_prune_finetune",)),
    # two-layer networks and neuron pruning
    "lib.two_layer.TwoLayerNetwork": _spec(
        lambda: two_layer.TwoLayerNetwork,
        {"W": NETWORK.W, "a": NETWORK.a, "activation": "relu"},
        {"W": M(), "a": V(), "activation": C(*two_layer.ACTIVATIONS)}),
    "lib.two_layer.TwoLayerNetwork.from_packed": _spec(
        lambda: two_layer.TwoLayerNetwork.from_packed,
        {"theta": NETWORK.packed(), "activation": "relu"},
        {"theta": M(), "activation": C(*two_layer.ACTIVATIONS)}),
    "lib.two_layer.TwoLayerNetwork.packed": _spec(lambda: NETWORK.packed, {}, {}),
    "lib.two_layer.TwoLayerNetwork.group_norms": _spec(lambda: NETWORK.group_norms, {}, {}),
    "lib.two_layer.TwoLayerNetwork.output": _spec(lambda: NETWORK.output,
                                                  {"X": DATA.X_test}, {"X": M()}),
    "lib.two_layer.TwoLayerNetwork.keep": _spec(lambda: NETWORK.keep,
                                                {"indices": np.array([0, 2])},
                                                {"indices": K("indices")}),
    "lib.two_layer.init_network": _spec(
        lambda: two_layer.init_network,
        {"d": 4, "k": 5, "activation": "quadratic", "scale": 0.5, "seed": 0},
        {"d": I(1), "k": I(1), "activation": C(*two_layer.ACTIVATIONS),
         "scale": F(0.0, strict=True), "seed": SEED}),
    "lib.two_layer.mean_squared_error": _spec(
        lambda: two_layer.mean_squared_error,
        {"network": NETWORK, "X": DATA.X_test, "y": DATA.y_test},
        {"network": INSTANCE, "X": M(), "y": V()}),
    "lib.two_layer.imbalance": _spec(lambda: two_layer.imbalance, {"network": NETWORK},
                                     {"network": INSTANCE}),
    "lib.two_layer.neuron_scale": _spec(lambda: two_layer.neuron_scale, {"network": NETWORK},
                                        {"network": INSTANCE}),
    "lib.two_layer.balanced_group_norm": _spec(
        lambda: two_layer.balanced_group_norm,
        {"scale": np.array([0.0, 1.0]), "activation": "relu"},
        {"scale": V(0.0), "activation": C(*two_layer.ACTIVATIONS)}),
    "lib.two_layer.NetworkObjective": _spec(
        lambda: two_layer.NetworkObjective,
        {"X": DATA.X_train, "y": DATA.y_train, "activation": "relu", "lam": 0.01,
         "beta": 1e-3},
        {"X": M(), "y": V(), "activation": C(*two_layer.ACTIVATIONS), "lam": F(0.0),
         "beta": F(0.0, strict=True)}),
    "lib.two_layer.NetworkObjective.check_point": _spec(
        lambda: NET_OBJ.check_point, {"theta": NETWORK.packed(), "name": "theta"},
        {"theta": M(5)}),
    "lib.two_layer.NetworkObjective.value": _spec(lambda: NET_OBJ.value,
                                                  {"theta": NETWORK.packed()},
                                                  {"theta": M(5)}),
    "lib.two_layer.NetworkObjective.grad": _spec(lambda: NET_OBJ.grad,
                                                 {"theta": NETWORK.packed()},
                                                 {"theta": M(5)}),
    "lib.two_layer.NetworkObjective.largest_curvature": _spec(
        lambda: NET_OBJ.largest_curvature, {"theta": NETWORK.packed(), "iterations": 5},
        {"theta": M(5), "iterations": I(1)}),
    "lib.two_layer.train_network": _spec(
        lambda: two_layer.train_network,
        {"objective": NET_OBJ, "network": NETWORK, "step": 0.01, "max_iter": 3, "tol": 1e-8},
        {"objective": INSTANCE, "network": INSTANCE, "step": F(0.0, strict=True),
         "max_iter": I(1), "tol": F(0.0)}),
    "lib.neuron_data.RegressionData": _spec(
        lambda: neuron_data.RegressionData,
        {"name": "data", "X_train": DATA.X_train, "y_train": DATA.y_train,
         "X_test": DATA.X_test, "y_test": DATA.y_test, "teacher": None},
        {"name": K("string"), "X_train": M(), "y_train": V(), "X_test": M(), "y_test": V(),
         "teacher": K("instance", optional=True)}),
    "lib.neuron_data.teacher_student": _spec(
        lambda: neuron_data.teacher_student,
        {"d": 4, "r": 2, "n_train": 10, "n_test": 5, "activation": "relu", "sigma": 0.1,
         "seed": 0},
        {"d": I(1), "r": I(1, 4), "n_train": I(1), "n_test": I(1),
         "activation": C(*two_layer.ACTIVATIONS), "sigma": F(0.0), "seed": SEED}),
    "lib.neuron_data.diabetes": _spec(lambda: neuron_data.diabetes,
                                      {"n_train": 300, "seed": 0},
                                      {"n_train": I(2, 441), "seed": SEED}),
    "lib.neuron_pruning.prune_neurons": _spec(
        lambda: neuron_pruning.prune_neurons, {"network": NETWORK, "threshold": 0.1},
        {"network": INSTANCE, "threshold": F(0.0)}),
    "lib.neuron_pruning.magnitude_prune": _spec(
        lambda: neuron_pruning.magnitude_prune, {"network": NETWORK, "count": 2},
        {"network": INSTANCE, "count": I(1, 5)}),
    "lib.neuron_pruning.random_prune": _spec(
        lambda: neuron_pruning.random_prune, {"network": NETWORK, "count": 2, "seed": 0},
        {"network": INSTANCE, "count": I(1, 5), "seed": SEED}),
    "lib.neuron_pruning.eigen_truncate": _spec(
        lambda: neuron_pruning.eigen_truncate,
        {"network": two_layer.init_network(4, 5, "quadratic", scale=0.5), "count": 2},
        {"network": INSTANCE, "count": I(1, 4)}),
    "lib.neuron_pruning.PruningSetup": _spec(
        lambda: neuron_pruning.PruningSetup,
        {"activation": "relu", "width": 5, "lams": (0.01,), "counts": (2,), "beta": 1e-3,
         "step": 0.01, "train_iter": 2, "fine_tune_iter": 2, "init_scale": 0.5},
        {"activation": C(*two_layer.ACTIVATIONS), "width": I(1), "lams": V(0.0, strict=True),
         "counts": K("counts"), "beta": F(0.0, strict=True), "step": F(0.0, strict=True),
         "train_iter": I(1), "fine_tune_iter": I(1), "init_scale": F(0.0, strict=True)}),
    "lib.neuron_pruning.PruningComparison.find": _spec(
        lambda: NEURON_COMPARISON.find, {"method": "group lasso", "setting": 0.01},
        {"method": C(*neuron_pruning.METHODS), "setting": F(0.0)}),
    "lib.neuron_pruning.compare_neuron_pruning": _spec(
        lambda: neuron_pruning.compare_neuron_pruning,
        {"data": DATA, "setup": SETUP, "seed": 0},
        {"data": INSTANCE, "setup": INSTANCE, "seed": I(0)},
        work=("lib.neuron_pruning.init_network",)),
    "lib.neuron_pruning.comparison_table": _spec(
        lambda: neuron_pruning.comparison_table, {"comparisons": [NEURON_COMPARISON]},
        {"comparisons": SEQUENCE}),
    # runtime, parallel runs, sweeps
    "lib.runtime.set_threads": _spec(lambda: lib.set_threads, {"threads": runtime.get_threads()},
                                     {"threads": I(1)}),
    "lib.batch.run_seeds": _spec(
        lambda: lib.run_seeds,
        {"function": _square, "seeds": [1, 2], "processes": 2, "scheduler": None,
         "progress": False},
        {"function": CALLABLE, "seeds": K("seeds"), "processes": I(1, optional=True),
         "scheduler": K("string", optional=True), "progress": BOOL},
        work=("lib.batch.map_unordered",)),
    "lib.sweep.engine.map_unordered": _spec(
        lambda: engine.map_unordered,
        {"function": _square, "items": [1, 2], "on_result": print, "scheduler": None,
         "workers": 1, "progress": False, "description": None},
        {"function": CALLABLE, "items": K("items"), "on_result": CALLABLE,
         "scheduler": K("string", optional=True), "workers": I(1), "progress": BOOL,
         "description": K("string", optional=True)},
        work=("lib.sweep.engine._connect",)),
    "lib.sweep.run": _spec(
        lambda: sweep.run,
        {"spec": SPEC_TABLE, "store": "unused-store", "scheduler": None, "workers": 1,
         "progress": False},
        {"spec": K("spec"), "store": PATH, "scheduler": K("string", optional=True),
         "workers": I(1, optional=True), "progress": BOOL},
        work=("lib.sweep.open_store",)),
    "lib.sweep.run_cell": _spec(lambda: sweep.run_cell,
                                {"task": "train_prune_finetune", "cell": CELL},
                                {"task": C(*tasks.TASKS), "cell": INSTANCE},
                                work=("lib.sweep.tasks.train_prune_finetune",)),
    "lib.sweep.tasks.run_train_prune_finetune": _spec(
        lambda: tasks.run_train_prune_finetune,
        {"seed": 0, "d": 4, "r": 1, "n": 40, "k": 2, "lam": 0.01, "beta": 1e-3},
        {"seed": I(0), "d": I(1), "r": I(1), "n": I(1), "k": I(1),
         "lam": F(0.0), "beta": F(0.0, strict=True)},
        work=("lib.sweep.tasks.train_prune_finetune", "lib.sweep.tasks.make_problem")),
    "lib.sweep.tasks.Parameter.check": _spec(
        lambda: tasks.TASKS["train_prune_finetune"].parameters["d"].check,
        {"field": "value", "value": 4}, {"value": I(1)}),
    "lib.sweep.spec.read_spec": _spec(lambda: spec.read_spec, {"spec": SPEC_TABLE},
                                      {"spec": K("spec")}),
    "lib.sweep.spec.Spec.cells": _spec(lambda: spec.read_spec(SPEC_TABLE).cells, {}, {}),
    "lib.sweep.store.load": _spec(lambda: sweep.load, {"store": "unused-store"},
                                  {"store": PATH}, work=("lib.sweep.store._read_manifest",)),
    "lib.sweep.store.status": _spec(lambda: store.status, {"store": "unused-store"},
                                    {"store": PATH}, work=("lib.sweep.store._read_manifest",)),
    "lib.sweep.store.open_store": _spec(
        lambda: store.open_store, {"store": "unused-store", "spec": spec.read_spec(SPEC_TABLE)},
        {"store": PATH, "spec": INSTANCE}, work=("lib.sweep.store._manifest",)),
    "lib.sweep.store.done_keys": _spec(lambda: store.done_keys,
                                       {"store": Path("unused-store")}, {"store": PATH},
                                       work=("lib.sweep.store._runs",)),
    "lib.sweep.store.append": _spec(
        lambda: store.append,
        {"store": Path("unused-store"), "cell": CELL, "metrics": {"kept": 1}},
        {"store": PATH, "cell": INSTANCE, "metrics": MAPPING},
        work=("lib.sweep.store._runs",)),
    # figures
    "lib.plots.style.figure": _spec(
        lambda: plots.figure, {"ncols": 1, "nrows": 1, "height": 2.0, "sharex": False,
                               "sharey": False},
        {"ncols": I(1), "nrows": I(1), "height": F(0.0, strict=True, optional=True),
         "sharex": BOOL, "sharey": BOOL}, work=("lib.plots.style.plt.subplots",)),
    "lib.plots.baselines.error_against_width": _spec(
        lambda: plots.error_against_width,
        {"ax": AX, "runs": METHOD_RUNS, "n": 100, "reference": 0.05},
        {"ax": AXES, "runs": SEQUENCE, "n": I(1), "reference": F(0.0, strict=True,
                                                                  optional=True)}),
    "lib.plots.baselines.error_against_samples": _spec(
        lambda: plots.error_against_samples,
        {"ax": AX, "runs": METHOD_RUNS, "k": 2,
         "reference": (np.array([100.0, 200.0]), np.array([0.1, 0.07]))},
        {"ax": AXES, "runs": SEQUENCE, "k": I(1), "reference": K("curve", optional=True)}),
    "lib.plots.baselines.error_against_iteration": _spec(
        lambda: plots.error_against_iteration,
        {"ax": AX, "runs": METHOD_RUNS[:2], "fit": (0.5, 1.0, 1), "log_steps": True},
        {"ax": AXES, "runs": SEQUENCE, "fit": K("fit", optional=True), "log_steps": BOOL}),
    "lib.plots.failure.fraction_curves": _spec(
        lambda: plots.fraction_curves, {"ax": AX, "norms_by_label": {"a": NORMS}},
        {"ax": AXES, "norms_by_label": MAPPING}),
    "lib.plots.failure.norm_histogram": _spec(
        lambda: plots.norm_histogram,
        {"ax": AX, "norms_by_label": {"a": NORMS}, "threshold": 0.1, "floor": 1e-12},
        {"ax": AXES, "norms_by_label": MAPPING, "threshold": F(0.0, strict=True),
         "floor": F(0.0, strict=True)}),
    "lib.plots.failure.figure_one": _spec(
        lambda: plots.figure_one, {"axes": _AXES, "norms_by_label": {"a": NORMS},
                                   "threshold": 0.1},
        {"axes": AXES2, "norms_by_label": MAPPING, "threshold": F(0.0, strict=True)}),
    "lib.plots.failure.mechanism": _spec(
        lambda: plots.mechanism,
        {"axes": _AXES, "projection": NORMS + 0.1, "final": NORMS, "predicted": NORMS},
        {"axes": AXES2, "projection": V(0.0), "final": V(0.0), "predicted": V(0.0)}),
    "lib.plots.failure.comparable_column_counts": _spec(
        lambda: plots.comparable_column_counts, {"ax": AX, "runs": {2: (NORMS, 2.0)}},
        {"ax": AXES, "runs": MAPPING}),
    "lib.plots.failure.fine_tuning_errors": _spec(
        lambda: plots.fine_tuning_errors,
        {"ax": AX, "histories": {"a": HISTORY}, "norm_M_star": 1.0},
        {"ax": AXES, "histories": MAPPING, "norm_M_star": F(0.0, strict=True)}),
    "lib.plots.fine_tuning.error_vs_iteration": _spec(
        lambda: plots.error_vs_iteration,
        {"ax": AX, "train": HISTORY, "fine_tune": HISTORY, "over": HISTORY, "k": 3},
        {"ax": AXES, "train": INSTANCE, "fine_tune": INSTANCE, "over": INSTANCE,
         "k": I(1)}),
    "lib.plots.fine_tuning.fine_tuning_rate": _spec(
        lambda: plots.fine_tuning_rate,
        {"ax": AX, "history": HISTORY, "rates": {"a": 0.9}, "start_below": 10.0},
        {"ax": AXES, "history": INSTANCE, "rates": MAPPING,
         "start_below": F(0.0, strict=True)}),
    "lib.plots.fine_tuning.error_vs_measurements": _spec(
        lambda: plots.error_vs_measurements,
        {"ax": AX, "n_values": np.array([100, 200]), "errors": {"a": np.ones((2, 3))},
         "references": {"b": np.ones(2)}},
        {"ax": AXES, "n_values": V(0.0, strict=True), "errors": MAPPING,
         "references": MAPPING}),
    "lib.plots.landscape.smoothing_penalties": _spec(
        lambda: plots.smoothing_penalties, {"axes": _AXES, "beta": 1e-3},
        {"axes": AXES2, "beta": F(0.0, strict=True)}),
    "lib.plots.landscape.curvature_at_zero_lines": _spec(
        lambda: plots.curvature_at_zero_lines,
        {"ax": AX, "eigenvalues": EIGENVALUES, "beta": 1e-3, "lams": np.array([0.0, 0.01]),
         "measured_spectra": [np.array([-4.0, 0.0]), np.array([-3.0, 0.6])],
         "bounds": BOUNDS},
        {"ax": AXES, "eigenvalues": V(0.0, strict=True), "beta": F(0.0, strict=True),
         "lams": V(0.0), "measured_spectra": K("spectra"), "bounds": INSTANCE}),
    "lib.plots.landscape.growth_phase_diagram": _spec(
        lambda: plots.growth_phase_diagram,
        {"ax": AX, "betas": np.array([1e-4, 1e-3]), "lams": np.array([1e-3, 1e-2, 1e-1]),
         "growing": np.zeros((3, 2), dtype=int), "eigenvalues": EIGENVALUES},
        {"ax": AXES, "betas": V(0.0, strict=True), "lams": V(0.0, strict=True),
         "growing": M(3), "eigenvalues": V(0.0, strict=True)}),
    "lib.plots.landscape.recovery_sweep": _spec(
        lambda: plots.recovery_sweep,
        {"ax": AX, "lams": np.array([0.01, 0.05]), "growing_at_zero": [2, 1],
         "recovered": {(1e-3, 0): [2, 1]}, "bounds": BOUNDS},
        {"ax": AXES, "lams": V(0.0), "growing_at_zero": V(0.0), "recovered": MAPPING,
         "bounds": INSTANCE}),
    "lib.plots.landscape.column_norm_history": _spec(
        lambda: plots.column_norm_history,
        {"ax": AX, "history": HISTORY, "returned_iteration": 3, "threshold": 0.01},
        {"ax": AXES, "history": INSTANCE, "returned_iteration": I(0),
         "threshold": F(0.0, strict=True)}),
    "lib.plots.landscape.sorted_column_norms": _spec(
        lambda: plots.sorted_column_norms, {"ax": AX, "norms": NORMS, "threshold": 0.1},
        {"ax": AXES, "norms": V(0.0), "threshold": F(0.0, strict=True)}),
    "lib.plots.landscape.saddle_escape": _spec(
        lambda: plots.saddle_escape,
        {"ax": AX, "plain": HISTORY, "perturbed": HISTORY, "kicks": [1],
         "predicted_bias": 0.01},
        {"ax": AXES, "plain": INSTANCE, "perturbed": INSTANCE, "kicks": K("kicks"),
         "predicted_bias": F(0.0, strict=True)}),
    "lib.plots.networks.curvature_at_zero_by_design": _spec(
        lambda: plots.curvature_at_zero_by_design,
        {"axes": _AXES[:1], "eigenvalues": EIGENVALUES, "beta": 1e-3,
         "lams": np.array([0.0, 0.1]),
         "measured": {"a": ("gaussian", np.array([[-4.0, 0.0], [-3.0, 1.0]]))}},
        {"axes": AXES2, "eigenvalues": V(0.0, strict=True), "beta": F(0.0, strict=True),
         "lams": V(0.0), "measured": MAPPING}),
    "lib.plots.networks.junk_neuron_paths": _spec(
        lambda: plots.junk_neuron_paths,
        {"ax": AX, "paths": {"a": COMPONENT_PATH}, "threshold": 0.01},
        {"ax": AXES, "paths": MAPPING, "threshold": F(0.0, strict=True)}),
    "lib.plots.networks.lambda_window": _spec(
        lambda: plots.lambda_window,
        {"axes": _AXES, "lams": np.array([0.01, 0.1]), "outcomes": {"a": RANK_TIMES},
         "kill_bounds": {"a": 0.2}, "rank": 2},
        {"axes": AXES2, "lams": V(0.0), "outcomes": MAPPING,
         "kill_bounds": MAPPING, "rank": I(1)}),
    "lib.plots.networks.neuron_norms": _spec(
        lambda: plots.neuron_norms,
        {"ax": AX, "norms_by_label": {"a": NORMS}, "threshold": 0.1, "rank": 2,
         "floor": 1e-17},
        {"ax": AXES, "norms_by_label": MAPPING, "threshold": F(0.0, strict=True),
         "rank": I(1), "floor": F(0.0, strict=True)}),
    "lib.plots.networks.excess_error_by_stage": _spec(
        lambda: plots.excess_error_by_stage,
        {"ax": AX, "comparisons": [NETWORK_COMPARISON], "reference": 0.01},
        {"ax": AXES, "comparisons": SEQUENCE, "reference": F(0.0, strict=True)}),
    "lib.plots.neurons.neuron_norm_strip": _spec(
        lambda: plots.neuron_norm_strip,
        {"ax": AX, "networks": [NETWORK], "labels": ["a"], "threshold": 0.1, "floor": 1e-12,
         "legend": True},
        {"ax": AXES, "networks": SEQUENCE, "labels": K("strings"),
         "threshold": F(0.0, strict=True), "floor": F(0.0, strict=True), "legend": BOOL}),
    "lib.plots.neurons.error_against_kept": _spec(
        lambda: plots.error_against_kept,
        {"ax": AX, "runs": list(PRUNED_RUNS), "unpruned": [0.3, 0.35], "width": 5},
        {"ax": AXES, "runs": SEQUENCE, "unpruned": V(0.0, strict=True), "width": I(1)}),
    "lib.plots.neurons.layer_balance": _spec(
        lambda: plots.layer_balance, {"ax": AX, "networks": {"relu": [NETWORK]},
                                      "threshold": 0.01},
        {"ax": AXES, "networks": MAPPING, "threshold": F(0.0)}),
    "lib.plots.performance.gradient_times": _spec(
        lambda: plots.gradient_times, {"axes": _AXES[:1], "rows": BENCH_ROWS,
                                       "cases": ["small"]},
        {"axes": AXES2, "rows": K("rows"), "cases": K("strings")}),
    "lib.plots.pruning.column_norm_separation": _spec(
        lambda: plots.column_norm_separation,
        {"axes": _AXES, "norms": NORMS, "threshold": 0.01, "bound": 1e-6,
         "predicted_norm": 0.9},
        {"axes": AXES2, "norms": V(0.0, strict=True), "threshold": F(0.0, strict=True),
         "bound": F(0.0, strict=True), "predicted_norm": F(0.0, strict=True)}),
    "lib.plots.setup.concentration": _spec(
        lambda: plots.concentration,
        {"ax": AX, "sizes": np.array([10, 100]), "deviations": {"gaussian": np.ones((3, 2))},
         "slopes": {"gaussian": -0.5}},
        {"ax": AXES, "sizes": V(0.0, strict=True), "deviations": MAPPING, "slopes": MAPPING}),
    # chapters 10 and 11: phase diagrams, sample size and conditioning
    "lib.landscape.column_signal_fractions":
        _factor_and_truth(lambda: landscape.column_signal_fractions, "U"),
    "lib.phase_boundaries.column_support_lambda": _spec(
        lambda: phase_boundaries.column_support_lambda,
        {"eigenvalue": 1.0, "beta": 1e-3, "floor": 0.0, "penalty": "ratio"},
        {"eigenvalue": F(0.0, strict=True), "beta": F(0.0, strict=True), "floor": F(0.0),
         "penalty": C("ratio", "sqrt")}, edges={"floor": (2.0,), "penalty": ("sqrt",)}),
    "lib.phase_boundaries.admissible_lambda": _spec(
        lambda: phase_boundaries.admissible_lambda,
        {"eigenvalues": EIGENVALUES, "beta": 1e-3, "penalty": "ratio"},
        {"eigenvalues": V(0.0, strict=True), "beta": F(0.0, strict=True),
         "penalty": C("ratio", "sqrt")}, edges={"eigenvalues": (1.0,)}),
    "lib.phase_boundaries.noise_operator": _spec(
        lambda: phase_boundaries.noise_operator, {"prob": PROB}, {"prob": INSTANCE}),
    "lib.phase_boundaries.noise_eigenvalue": _spec(
        lambda: phase_boundaries.noise_eigenvalue, {"prob": PROB}, {"prob": INSTANCE}),
    "lib.phase_boundaries.noise_edge": _spec(
        lambda: phase_boundaries.noise_edge, {"d": 6, "n": 100, "sigma": 0.1},
        {"d": I(1), "n": I(1), "sigma": F(0.0)}),
    "lib.phase_boundaries.noise_lambda_bounds": _spec(
        lambda: phase_boundaries.noise_lambda_bounds,
        {"noise_eigenvalue": 0.05, "beta": 1e-3, "eigenvalues": EIGENVALUES,
         "penalty": "ratio"},
        {"noise_eigenvalue": F(0.0, strict=True), "beta": F(0.0, strict=True),
         "eigenvalues": V(0.0, strict=True, optional=True), "penalty": C("ratio", "sqrt")}),
    "lib.phase_boundaries.kept_columns": _spec(
        lambda: phase_boundaries.kept_columns,
        {"prob": PROB, "U": U, "lam": 0.01, "beta": 1e-3, "threshold": None,
         "penalty": "ratio"},
        {"prob": INSTANCE, "U": M(6), "lam": F(0.0), "beta": F(0.0, strict=True),
         "threshold": F(0.0, optional=True), "penalty": C("ratio", "sqrt")}),
    "lib.phase_boundaries.supported_noise_directions": _spec(
        lambda: phase_boundaries.supported_noise_directions,
        {"prob": PROB, "lam": 0.01, "beta": 1e-3, "penalty": "ratio"},
        {"prob": INSTANCE, "lam": F(0.0), "beta": F(0.0, strict=True),
         "penalty": C("ratio", "sqrt")}),
    "lib.phase_cells.run_grid": _spec(lambda: phase_cells.run_grid, {"spec": SPEC_TABLE},
                                      {"spec": K("spec")}, work=("lib.phase_cells.run_cell",)),
    "lib.phase_cells.summarize": _spec(
        lambda: phase_cells.summarize, {"frame": SWEEP_ROWS, "by": ["lam_ratio", "beta"]},
        {"frame": INSTANCE, "by": K("strings")}),
    "lib.phase_cells.transitions": _spec(
        lambda: phase_cells.transitions,
        {"summary": SUMMARY, "across": "beta", "along": "lam_ratio", "value": "exact_fraction",
         "level": 0.5},
        {"summary": INSTANCE, "across": K("string"), "along": K("string"),
         "value": K("string"), "level": F()}),
    "lib.prune_budget.BudgetRule.steps": _spec(
        lambda: RULE.steps, {"kappa": np.array([1.0, 2.0])}, {"kappa": K("array")},
        edges={"kappa": (3.0,)}),
    "lib.prune_budget.fit_budget_rule": _spec(
        lambda: prune_budget.fit_budget_rule,
        {"kappa": np.array([1.0, 2.0, 4.0]), "steps": np.array([10.0, 40.0, 160.0])},
        {"kappa": V(1.0), "steps": V(0.0, strict=True)}),
    "lib.prune_budget.supporting_eigenvalue": _spec(
        lambda: prune_budget.supporting_eigenvalue,
        {"lam": 0.01, "beta": 1e-3, "column_norm": 0.1, "penalty": "ratio"},
        {"lam": F(0.0), "beta": F(0.0, strict=True), "column_norm": F(0.0),
         "penalty": C("ratio", "sqrt")}),
    "lib.sample_regime.least_squares_error": _spec(
        lambda: sample_regime.least_squares_error, {"d": 6, "rank": 2, "n": 100, "sigma": 0.1},
        {"d": I(1), "rank": I(1), "n": I(1), "sigma": F(0.0)}),
    "lib.sample_regime.least_squares_inflation": _spec(
        lambda: sample_regime.least_squares_inflation, {"d": 6, "rank": 2, "n": 100},
        {"d": I(1), "rank": I(1), "n": I(1)}),
    "lib.sample_regime.transition": _spec(
        lambda: sample_regime.transition,
        {"x": np.array([1.0, 2.0, 3.0]), "holds": np.array([False, True, True])},
        {"x": V(), "holds": K("bool_vector")}),
    "lib.sweep.store.compact": _spec(lambda: store.compact, {"store": "unused-store"},
                                     {"store": PATH}, work=("lib.sweep.store._read_manifest",)),
    "lib.sweep.tasks.run_overparameterized_gd": _spec(
        lambda: tasks.run_overparameterized_gd,
        {"seed": 0, "k": 2, "iterations": 3, "init_scale": 1e-3, "step": None,
         "record_every": 1, "d": 4, "r": 1, "n": 40},
        {"seed": I(0), "k": I(1), "iterations": I(1), "init_scale": F(0.0, strict=True),
         "step": F(0.0, strict=True, optional=True), "record_every": I(1), "d": I(1),
         "r": I(1), "n": I(1)},
        work=("lib.sweep.tasks.gradient_descent", "lib.sweep.tasks.make_problem")),
    "lib.sweep.tasks.seeded_problem": _spec(
        lambda: tasks.seeded_problem, {"seed": 0, "d": 4, "r": 1, "n": 40},
        {"seed": I(0), "d": I(1), "r": I(1, 4), "n": I(1)}),
    "lib.plots.phase.phase_heatmap": _spec(
        lambda: plots.phase_heatmap,
        {"ax": AX, "summary": SUMMARY, "x": "beta", "y": "lam_ratio", "value": "exact_fraction",
         "log_x": True, "log_y": True, "limits": None, "cmap": "viridis", "label": None},
        {"ax": AXES, "summary": INSTANCE, "x": K("string"), "y": K("string"),
         "value": K("string"), "log_x": BOOL, "log_y": BOOL, "cmap": K("string"),
         "label": K("string", optional=True), "limits": K("interval", optional=True)},
        edges={"limits": ((0.0, 1.0),)}),
    "lib.plots.phase.boundary_curves": _spec(
        lambda: plots.boundary_curves, {"ax": AX, "curves": CURVES},
        {"ax": AXES, "curves": MAPPING}),
    "lib.plots.phase.regularization_phase_diagram": _spec(
        lambda: plots.regularization_phase_diagram,
        {"axes": PANEL_AXES, "summary": SUMMARY, "curves": CURVES, "x": "beta",
         "y": "lam_ratio"},
        {"axes": AXES2, "summary": INSTANCE, "curves": MAPPING, "x": K("string"),
         "y": K("string")}),
    "lib.plots.phase.noise_phase_diagram": _spec(
        lambda: plots.noise_phase_diagram,
        {"ax": AX, "summary": SUMMARY, "curves": CURVES, "x": "beta", "y": "lam_ratio"},
        {"ax": AXES, "summary": INSTANCE, "curves": MAPPING, "x": K("string"),
         "y": K("string")}),
    "lib.plots.phase_samples.exact_rank_map": _spec(
        lambda: plots.exact_rank_map,
        {"ax": AX, "ratios": np.array([1.0, 2.0, 3.0]), "widths": np.array([2, 4]),
         "fraction": np.full((2, 3), 0.5)},
        {"ax": AXES, "ratios": V(), "widths": V(), "fraction": M(2)}),
    "lib.plots.phase_samples.error_ratio_against_samples": _spec(
        lambda: plots.error_ratio_against_samples,
        {"ax": AX, "ratios": np.array([1.0, 2.0]), "pipeline": np.array([1.2, 1.1]),
         "peers": {4: np.array([1.5, 1.3])},
         "inflation": (np.array([1.5, 2.0]), np.array([2.0, 1.5]))},
        {"ax": AXES, "ratios": V(), "pipeline": V(), "peers": MAPPING,
         "inflation": K("curve", optional=True)}),
    "lib.plots.phase_samples.prune_steps_against_kappa": _spec(
        lambda: plots.prune_steps_against_kappa,
        {"ax": AX, "kappa": np.array([1.0, 2.0, 4.0]), "steps": np.array([10.0, 40.0, 160.0]),
         "exact": np.array([True, True, False]), "rule": RULE},
        {"ax": AXES, "kappa": V(1.0), "steps": V(0.0, strict=True), "exact": K("bool_vector"),
         "rule": K("instance", optional=True)}),
}

#: Public callables that are not entry points, each with the reason.
RECORD = "a result record (frozen dataclass) that lib builds and returns"
UNCHECKED = ("the unchecked inner loop behind a checked entry point (its docstring says "
             "'unchecked'), called once per step")
OPERATOR = ("a sensing operator: built by lib.make_problem, which checks its arguments; its "
            "methods are the unchecked inner loop that lib.Objective checks")
MACHINERY = ("machinery of the compiled code (the Numba kernels among it) or of the Dask "
             "workers and the command line, not called by users")
EXEMPT: dict[str, str] = {
    **{name: RECORD for name in (
        "lib.baselines.MeasurementSplit", "lib.baselines.EarlyStoppedResult",
        "lib.baselines.NuclearNormResult", "lib.baselines.ValidatedNuclearNorm",
        "lib.batch.SeedsInterrupted", "lib.certificate.SOSPCertificate", "lib.columns.NormGap",
        "lib.comparison.MethodRun", "lib.landscape.RandomStartOutcome",
        "lib.network_pruning.PruningComparison", "lib.neuron_pruning.NeuronPruning",
        "lib.neuron_pruning.PrunedRun", "lib.neuron_pruning.PruningComparison",
        "lib.optim.DivergenceError", "lib.optim.History", "lib.optim.OptimizationResult",
        "lib.problem.Problem", "lib.pruning.PruneResult", "lib.pruning.PipelineResult",
        "lib.pruning.ExactRankTime", "lib.separation.ColumnSeparation",
        "lib.small_init.ComponentPath", "lib.theory.LambdaBounds",
        "lib.two_layer.TrainingResult", "lib.sweep.SweepReport", "lib.sweep.spec.Cell",
        "lib.sweep.spec.Spec", "lib.sweep.store.StoreStatus", "lib.sweep.tasks.Parameter",
        "lib.sweep.tasks.Task", "lib.phase_boundaries.KeptColumns",
        "lib.phase_boundaries.NoiseLambdaBounds", "lib.prune_budget.BudgetRule")},
    **{name: UNCHECKED for name in (
        "lib.objective.Objective.value_and_grad", "lib.objective.Objective.hvp_unchecked",
        "lib.objective.Objective.require_finite",
        "lib.objective.Objective.finite_value_and_grad",
        "lib.objective.recovery_error_unchecked", "lib.regularizer.add_penalty",
        "lib.columns.column_norms_unchecked",
        "lib.regularizer.penalty_hvp", "lib.regularizer.column_weight_unchecked",
        "lib.two_layer.NetworkObjective.value_and_grad",
        "lib.streaming.packed_gram", "lib.streaming.fused_pass", "lib.streaming.fused_gradient",
        "lib.operators.packed_gaussian_sensing")},
    **{name: OPERATOR for name in (
        "lib.operators.GaussianOperator", "lib.operators.RankOneOperator",
        "lib.operators.PopulationOperator", "lib.networks.QuadraticNetworkPopulation",
        "lib.sensing.SensingOperator", "lib.sensing.SampledSensingOperator",
        "lib.sensing.PopulationSensingOperator")},
    **{name: MACHINERY for name in (
        "lib.runtime.Kernel", "lib.runtime.kernel", "lib.runtime.compile_module",
        "lib.runtime.prange", "lib.runtime.load_numba", "lib.runtime.threads_for",
        "lib.sweep.worker_plugin.OneThreadPerWorker",
        "lib.sweep.engine.close_local_cluster", "lib.sweep.__main__.main",
        "lib.regularizer.add_group_lasso", "lib.streaming.chunk_range", "lib.streaming.pack_gram",
        "lib.streaming.parallel_chunks", "lib.streaming.parallel_gradient",
        "lib.streaming.serial_gradient", "lib.streaming.symmetric_times",
        "lib.streaming.weighted_chunk_sum")},
    "lib.runtime.available_cores": "takes no argument",
    "lib.runtime.get_threads": "takes no argument",
}


def exempt_reason(qualname: str) -> str | None:
    """Why ``qualname`` is not an entry point (a method of an operator or of the machinery is
    exempt with its class), or None."""
    if qualname in EXEMPT:
        return EXEMPT[qualname]
    owner = qualname.rsplit(".", 1)[0]
    return EXEMPT[owner] if EXEMPT.get(owner) in (OPERATOR, MACHINERY) else None


def _modules() -> list[Any]:
    names = ["lib"] + [info.name for info in pkgutil.walk_packages(lib.__path__, "lib.")]
    return [importlib.import_module(name) for name in names
            if not any(part.startswith("_") and part != "__main__"
                       for part in name.split(".")[1:])]


def public_callables() -> set[str]:
    """Every public function and class defined in a module of ``lib``, and every public method
    (plain, class or static) defined in those classes, by qualified name."""
    found = set()
    for module in _modules():
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(value):
                found.add(f"{module.__name__}.{name}")
                for method, member in vars(value).items():
                    if not method.startswith("_") and (
                            inspect.isfunction(member)
                            or isinstance(member, classmethod | staticmethod)):
                        found.add(f"{module.__name__}.{name}.{method}")
            elif callable(value):
                found.add(f"{module.__name__}.{name}")
    return found


# ----------------------------------------------------------------------------------------------
# Calling an entry point, and judging the outcome.


def resolve(dotted: str) -> tuple[Any, str]:
    """The object holding the last attribute of ``dotted`` (``module.Class.attr``), and it."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for part in parts[cut:-1]:
            owner = getattr(owner, part)
        return owner, parts[-1]
    raise LookupError(dotted)


def _refuse_work(*args: object, **kwargs: object) -> None:
    raise WorkStarted


@contextlib.contextmanager
def stages_replaced(spec: Spec) -> Iterator[None]:
    """Replace the work stages of a composite function by :func:`_refuse_work`."""
    saved = []
    try:
        for dotted in spec.work:
            owner, name = resolve(dotted)
            saved.append((owner, name, owner.__dict__.get(name, getattr(owner, name))))
            setattr(owner, name, _refuse_work)
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


def call(spec: Spec, **overrides: Any) -> Any:
    """Call the entry point with its valid arguments, ``overrides`` replacing some."""
    arguments = {**spec.valid(), **overrides}
    with stages_replaced(spec), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spec.target()(**arguments)


def names_argument(message: str, name: str) -> bool:
    """Whether ``message`` names ``name`` as a word (``U`` is not named by ``U0``)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", message) is not None


def finite(result: Any) -> bool:
    """Whether every number in ``result`` (arrays, tuples, dataclasses, dicts) is finite;
    NaN stands for "not run" in some records, so only infinities and complex values fail
    there."""
    if isinstance(result, bool | str | type(None)):
        return True
    if isinstance(result, complex | np.complexfloating):
        return False
    if isinstance(result, float | np.floating | int | np.integer):
        return math.isfinite(result)
    if isinstance(result, np.ndarray):
        if result.dtype.kind == "c":
            return False
        return result.dtype.kind not in "f" or bool(np.all(np.isfinite(result)))
    if isinstance(result, tuple | list):
        return all(finite(item) for item in result)
    if isinstance(result, dict):
        return all(finite(item) for item in result.values())
    return True


def bad_numbers(arg: Arg) -> st.SearchStrategy[Any]:
    """Generated values an int, float, choice or bool argument must refuse."""
    strategies = [st.text(max_size=4), st.complex_numbers()]
    if arg.kind == "int":
        strategies += [st.floats(allow_nan=True), st.booleans()]
        if arg.minimum is not None:
            strategies.append(st.integers(max_value=int(arg.minimum) - 1))
        if arg.maximum is not None:
            strategies.append(st.integers(min_value=int(arg.maximum) + 1))
    elif arg.kind == "float":
        strategies += [st.booleans(), st.sampled_from([math.nan, math.inf, -math.inf])]
        if arg.minimum is not None:
            low = arg.minimum
            strategies.append(st.floats(max_value=low, allow_nan=False).filter(
                lambda x: x <= low if arg.strict else x < low))
        if arg.maximum is not None:
            high = arg.maximum
            strategies.append(st.floats(min_value=high, allow_nan=False).filter(
                lambda x: x > high))
    elif arg.kind == "choice":
        strategies = [st.text(max_size=10).filter(lambda s: s not in arg.choices),
                      st.sampled_from(arg.choices).map(str.swapcase).filter(
                          lambda s: s not in arg.choices),
                      st.integers(), st.binary(max_size=4)]
    elif arg.kind == "bool":
        strategies += [st.integers(), st.floats()]
    return st.one_of(strategies)
