"""Per-gradient time of lib against the ways people write matrix sensing by hand.

Run ``python -m benchmarks.bench_gradient`` (``make bench``); ``--quick`` takes fewer repeats.
It prints one table, every row measured in the same run:

* lib in float64 and with ``dtype=float32``;
* ``einsum`` over the (n, d, d) stack of sensing matrices, as public research code does;
* a flattened (n, d^2) matrix with two matrix-vector products, as a careful user does;
* JAX, the strongest peer a user would reach for: ``jax.jit(jax.value_and_grad(loss))`` of the
  same loss in float64, on the packed and on the flattened data, and for the population loss
  autodiff and the closed form (U U^T - M*) U (``benchmarks/requirements.txt``, installed by
  ``make bench``; rows say so when JAX is missing);
* PyTorch autograd on the same loss, when torch is importable (it is not a dependency);
* the floors: for the dense cases the read floor, the time to read the packed data once at its
  own size, so from the cache level where it lives (:func:`read_seconds`), for the rank-one
  and population cases the compute floor (multiply-adds divided by the rate of a large float64
  matrix product measured in this run).

Each time is the median over repeats (at least 15, and at least 0.5 s of them) of one
``(value, gradient)`` evaluation; the implementations of a case take turns, three times, each
turn after a short pause that lets the thread pools of the previous one go idle and a few
warm-up calls.
Then: lib's compiled gradient against its BLAS reference implementation on small and large
dense instances (``regime_comparison``), the time of a training step on the small ones
(``training_step``), peak resident memory of the dense cases (each implementation in its own
subprocess, see ``peak_memory``), the speed-up of ``lib.run_seeds`` over a loop, and the time of
the paper's Figure 1 computation as the failure-without-regularisation chapter runs it. The
Performance chapter (``book/07_performance.md``) imports this module for a quick version.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import lib
from benchmarks.blas_reference import BlasGaussianOperator
from lib.runtime import kernel, prange

try:
    import torch
except ImportError:
    torch = None
try:
    import jax
    import jax.numpy as jnp
except ImportError:
    jax = None
else:
    jax.config.update("jax_enable_x64", True)

MB = 1e6


@dataclass(frozen=True)
class Case:
    """One benchmark instance."""

    name: str
    sensing: str
    d: int
    n: int
    k: int
    r: int


CASES = (
    Case("dense d=50 n=750 k=50", "gaussian", 50, 750, 50, 5),
    Case("dense d=100 n=5000 k=20", "gaussian", 100, 5000, 20, 5),
    Case("rank-one d=k=500 n=5000", "rank_one", 500, 5000, 500, 5),
    Case("population d=k=500", "population", 500, 1, 500, 4),
    Case("dense d=20 n=1200 k=20", "gaussian", 20, 1200, 20, 3),
    Case("population d=500 k=20", "population", 500, 1, 20, 4),
)
#: Small dense instances, the sizes most chapters use, for the comparison of the two ways lib
#: can read the data (``regime_comparison``): here a gradient's time is mostly fixed costs.
SMALL_CASES = (
    Case("dense d=10 n=300 k=10", "gaussian", 10, 300, 10, 3),
    CASES[4],
)


# ---------------------------------------------------------------- the hand-written versions


def einsum_gradient(A: np.ndarray, y: np.ndarray,
                    U: np.ndarray) -> tuple[float, np.ndarray]:
    """Public research code: ``einsum`` over the (n, d, d) stack of the A_i."""
    n = len(y)
    res = np.einsum("ijk,jk->i", A, U @ U.T) - y
    return res @ res / n, 4 / n * np.einsum("i,ijk->jk", res, A) @ U


def flattened_gradient(A_flat: np.ndarray, y: np.ndarray,
                       U: np.ndarray) -> tuple[float, np.ndarray]:
    """A careful user: the stack flattened to (n, d^2), two matrix-vector
    products."""
    n, d = len(y), len(U)
    res = A_flat @ (U @ U.T).ravel() - y
    return res @ res / n, 4 / n * (res @ A_flat).reshape(d, d) @ U


def torch_gradient(A: torch.Tensor, y: torch.Tensor,
                   U: np.ndarray) -> tuple[float, np.ndarray]:
    """A deep-learning user: the loss in PyTorch (float64), the gradient by
    ``backward()``."""
    U_t = torch.from_numpy(U).requires_grad_()
    loss = ((torch.einsum("ijk,jk->i", A, U_t @ U_t.T) - y) ** 2).mean()
    loss.backward()
    return loss.item(), U_t.grad.numpy()


def dense_rank_one_gradient(X: np.ndarray, y: np.ndarray,
                            U: np.ndarray) -> tuple[float, np.ndarray]:
    """Rank-one sensing through d x d matrices: M = U U^T, then sum_i res_i x_i x_i^T."""
    n = len(y)
    res = np.sum((X @ (U @ U.T)) * X, axis=1) - y
    return res @ res / n, 4 / n * ((X.T * res) @ X) @ U


def torch_rank_one_gradient(X: torch.Tensor, y: torch.Tensor,
                            U: np.ndarray) -> tuple[float, np.ndarray]:
    """The quadratic network f_U(x) = ||U^T x||^2 in PyTorch, gradient by ``backward()``."""
    U_t = torch.from_numpy(U).requires_grad_()
    loss = ((((X @ U_t) ** 2).sum(dim=1) - y) ** 2).mean()
    loss.backward()
    return loss.item(), U_t.grad.numpy()


def dense_population_gradient(M_star: np.ndarray, noise_variance: float,
                              U: np.ndarray) -> tuple[float, np.ndarray]:
    """The population loss through the d x d error matrix E = U U^T - M*."""
    E = U @ U.T - M_star
    return float(np.sum(E * E)) + noise_variance, 4 * E @ U


def torch_population_gradient(M_star: torch.Tensor, noise_variance: float,
                              U: np.ndarray) -> tuple[float, np.ndarray]:
    """The population loss in PyTorch, gradient by ``backward()``."""
    U_t = torch.from_numpy(U).requires_grad_()
    loss = ((U_t @ U_t.T - M_star) ** 2).sum() + noise_variance
    loss.backward()
    return loss.item(), U_t.grad.numpy()


def jax_packed_loss(U: jax.Array, P: jax.Array, y: jax.Array, upper: jax.Array) -> jax.Array:
    """The Gaussian loss in JAX on lib's packed data: res = P triu(U U^T) - y."""
    return jnp.mean((P @ (U @ U.T).ravel()[upper] - y) ** 2)


def jax_flattened_loss(U: jax.Array, A_flat: jax.Array, y: jax.Array) -> jax.Array:
    """The Gaussian loss in JAX on the flattened (n, d^2) stack."""
    return jnp.mean((A_flat @ (U @ U.T).ravel() - y) ** 2)


def jax_population_loss(U: jax.Array, M_star: jax.Array, noise_variance: float) -> jax.Array:
    """The population loss ||U U^T - M*||_F^2 + sigma^2 in JAX."""
    E = U @ U.T - M_star
    return jnp.sum(E * E) + noise_variance


def jax_population_closed_form(U: jax.Array, M_star: jax.Array,
                               noise_variance: float) -> tuple[jax.Array, jax.Array]:
    """The population loss and its closed-form gradient 4 (U U^T - M*) U in JAX."""
    E = U @ U.T - M_star
    return jnp.sum(E * E) + noise_variance, 4 * E @ U


JAX_MISSING = "jax not installed (make bench installs benchmarks/requirements.txt)"


def jax_timed(function: Callable[..., object], *data: object) -> Gradient:
    """``jax.jit(function)`` with ``data`` as JAX arrays, as a function of U (float64). It
    converts U to a JAX array once and reuses it while called with the same U (so the timings
    do not include that copy), and waits for the results (``block_until_ready``)."""
    compiled = jax.jit(function)
    arrays = [jnp.asarray(item) for item in data]
    converted: dict[str, object] = {}

    def gradient(U: np.ndarray) -> tuple[float, np.ndarray]:
        if converted.get("host") is not U:
            converted.update(host=U, device=jnp.asarray(U))
        return jax.block_until_ready(compiled(converted["device"], *arrays))
    return gradient


# ---------------------------------------------------------------- building the instances


def build_problem(case: Case, dtype: type = np.float64) -> lib.Problem:
    """The instance of ``case`` (seed 0, noise 0.1); float32 storage holds the same numbers
    rounded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.make_problem(case.d, case.r, case.n, sigma=0.1, sensing=case.sensing, seed=0,
                                dtype=dtype)


def test_point(case: Case) -> np.ndarray:
    """The point U (seed 1) at which every gradient is evaluated, of norm about 1."""
    return np.random.default_rng(1).standard_normal((case.d, case.k)) / np.sqrt(case.d * case.k)


Gradient = Callable[[np.ndarray], tuple[float, np.ndarray]]


def lib_rows(case: Case, prob: lib.Problem) -> dict[str, Gradient]:
    """lib in float64 (the reference of the ratios) and with ``dtype=float32``."""
    return {"lib float64": lib.Objective(prob).value_and_grad,
            "lib float32": lib.Objective(build_problem(case, np.float32)).value_and_grad}


def baseline_rows(case: Case, prob: lib.Problem,
                  with_jax: bool = True) -> dict[str, Gradient | str]:
    """The hand-written versions on the same instance, and JAX's if ``with_jax``; a string
    says why a row is skipped."""
    torch_missing = "torch not installed (pip install torch to add this row)"
    rows: dict[str, Gradient | str] = {}
    jax_rows = with_jax and case.sensing != "rank_one"
    if jax_rows and jax is None:
        rows["jax.jit"] = JAX_MISSING
    if case.sensing == "gaussian":
        stack, y = prob.sensing_matrices(), prob.y
        flat = stack.reshape(case.n, case.d * case.d)
        rows["einsum (n, d, d)"] = lambda U: einsum_gradient(stack, y, U)
        rows["flattened (n, d^2)"] = lambda U: flattened_gradient(flat, y, U)
        if jax_rows and jax is not None:
            upper_rows, upper_cols = np.triu_indices(case.d)
            rows["jax.jit packed"] = jax_timed(jax.value_and_grad(jax_packed_loss),
                                               prob.operator.packed, y,
                                               upper_rows * case.d + upper_cols)
            rows["jax.jit flattened (n, d^2)"] = jax_timed(
                jax.value_and_grad(jax_flattened_loss), flat, y)
        if torch is not None:
            stack_t, y_t = torch.from_numpy(stack), torch.from_numpy(y)
            rows["torch autograd"] = lambda U: torch_gradient(stack_t, y_t, U)
    elif case.sensing == "rank_one":
        X, y = prob.sensing_vectors(), prob.y
        gigabytes = case.n * case.d**2 * 8 / 1e9
        rows["einsum (n, d, d)"] = f"skipped: the (n, d, d) stack would take {gigabytes:.0f} GB"
        rows["dense d x d"] = lambda U: dense_rank_one_gradient(X, y, U)
        if torch is not None:
            X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
            rows["torch autograd"] = lambda U: torch_rank_one_gradient(X_t, y_t, U)
    else:
        M_star, noise = prob.M_star, prob.sigma**2
        rows["dense d x d"] = lambda U: dense_population_gradient(M_star, noise, U)
        if jax_rows and jax is not None:
            rows["jax.jit autodiff"] = jax_timed(jax.value_and_grad(jax_population_loss),
                                                 M_star, noise)
            rows["jax.jit closed form"] = jax_timed(jax_population_closed_form, M_star, noise)
        if torch is not None:
            M_t = torch.from_numpy(M_star)
            rows["torch autograd"] = lambda U: torch_population_gradient(M_t, noise, U)
    if torch is None:
        rows["torch autograd"] = torch_missing
    return rows


# ---------------------------------------------------------------- measuring


def time_each(functions: dict[str, Callable[[], object]], repeats: int, warmup: int = 2,
              settle: float = 0.2, min_seconds: float = 0.0, rounds: int = 3,
              clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Median time (wall time, or another ``clock``) of each function over consecutive calls:
    at least ``repeats`` of them,
    and more while their total is under ``min_seconds`` (so that a sub-millisecond gradient gets
    enough samples for a stable median). The functions take turns, in ``rounds`` rounds that
    each take a share of the calls, so that a drift in machine load affects them alike. Before
    each turn the process sleeps ``settle`` seconds (BLAS and OpenMP worker threads keep
    spinning for a while after a call, and a pool left spinning by one implementation, NumPy's
    OpenBLAS, PyTorch's or lib's OpenMP, would otherwise slow down the next), then makes
    ``warmup`` untimed calls."""
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            time.sleep(settle)
            for _ in range(warmup):
                function()
            count, total = 0, 0.0
            while count < repeats / rounds or total < min_seconds / rounds:
                start = clock()
                function()
                samples[name].append(clock() - start)
                count, total = count + 1, total + samples[name][-1]
    return {name: float(np.median(values)) for name, values in samples.items()}


def matmul_rate(size: int = 1000, repeats: int = 5) -> float:
    """Float64 multiply-adds per second of a large matrix product (all BLAS threads)."""
    a = np.random.default_rng(0).standard_normal((size, size))
    b = a.copy()
    seconds = time_each({"gemm": lambda: a @ b}, repeats, warmup=1)["gemm"]
    return size**3 / seconds


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@dataclass
class Row:
    """One line of the table."""

    case: str
    implementation: str
    seconds: float | None
    ratio: float | None
    agreement: float | None
    note: str = ""


@kernel(parallel=True, fastmath=True)
def parallel_read(data, parts):
    """The sum of a 2-d array's entries, its rows cut into ``parts`` runs read by as many
    threads: one read of the array and nothing else, the least any gradient over it costs."""
    totals = np.zeros(parts)
    rows = data.shape[0]
    for part in prange(parts):
        total = 0.0
        for i in range(rows * part // parts, rows * (part + 1) // parts):
            row = data[i]
            for t in range(row.shape[0]):
                total += row[t]
        totals[part] = total
    return totals.sum()


def read_functions(data: np.ndarray) -> dict[str, Callable[[], object]]:
    """Two ways to read ``data`` once and do nothing else: a compiled parallel sum with lib's
    thread count and a BLAS matrix-vector product with all BLAS threads. Timed next to a
    gradient over the same data (the same repeats, so from the same cache level), the faster
    is the read floor of that gradient."""
    ones = np.ones(data.shape[1], dtype=data.dtype)
    parts = lib.runtime.threads_for(data.nbytes)
    return {"floor: compiled read": lambda: parallel_read(data, parts),
            "floor: BLAS read": lambda: data @ ones}


def floor_rows(case: Case, prob: lib.Problem, lib_seconds: float, rate: float,
               read: float) -> list[Row]:
    """The read floor (dense: ``read`` seconds, the faster of :func:`read_functions` timed in
    the same turns as lib) or the compute floor (rank-one, population: multiply-adds at the
    matrix-product ``rate``)."""
    if case.sensing == "gaussian":
        packed = prob.operator.packed
        floor = read
        bandwidth = packed.nbytes / floor / 1e9
        return [Row(case.name, f"floor: read {packed.nbytes / MB:.3g} MB once at "
                    f"{bandwidth:.1f} GB/s", floor, floor / lib_seconds, None,
                    f"lib float64 / floor = {lib_seconds / floor:.2f}")]
    if case.k < case.d:
        return [Row(case.name, "floor", None, None, None,
                    "none: products this small do not run at a large product's rate")]
    if case.sensing == "rank_one":
        multiply_adds, formula = 2 * case.n * case.d * case.k, "2 n d k"
    else:
        multiply_adds, formula = 1.5 * case.d * case.k**2, "1.5 d k^2"
    floor = multiply_adds / rate
    return [Row(case.name, f"floor: {formula} mult-adds at gemm rate", floor, floor / lib_seconds,
                None, f"lib float64 / floor = {lib_seconds / floor:.2f}")]


def benchmark_case(case: Case, repeats: int, rate: float | None = None,
                   with_baselines: bool = True,
                   warmup: int = 2, min_seconds: float = 0.0) -> list[Row]:
    """Time every implementation of ``case`` (``warmup`` untimed calls, then the median of at
    least ``repeats`` calls and of at least ``min_seconds``, see :func:`time_each`); ratios are
    time / time of lib float64."""
    prob, U = build_problem(case), test_point(case)
    rows: dict[str, Gradient | str] = {**lib_rows(case, prob)}
    if with_baselines:
        rows.update(baseline_rows(case, prob))
    runnable = {name: (lambda f=f: f(U)) for name, f in rows.items() if callable(f)}
    reads = read_functions(prob.operator.packed) if case.sensing == "gaussian" else {}
    seconds = time_each({**runnable, **reads}, repeats, warmup, min_seconds=min_seconds)
    reference_value, reference_grad = rows["lib float64"](U)
    base = seconds["lib float64"]
    table = []
    for name, function in rows.items():
        if not callable(function):
            table.append(Row(case.name, name, None, None, None, function))
            continue
        value, grad = function(U)
        agreement = max(abs(float(value) - reference_value) / abs(reference_value),
                        relative_difference(np.asarray(grad), reference_grad))
        table.append(Row(case.name, name, seconds[name], seconds[name] / base, agreement))
    if rate is not None:
        read = min((seconds[name] for name in reads), default=0.0)
        table.extend(floor_rows(case, prob, base, rate, read))
    return table


def format_table(rows: list[Row]) -> str:
    """Markdown table of the rows."""
    lines = ["| case | implementation | ms / gradient | x lib float64 | rel. diff. | note |",
             "|---|---|---:|---:|---:|---|"]
    for row in rows:
        ms = "" if row.seconds is None else f"{row.seconds * 1e3:.3g}"
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        agreement = "" if row.agreement is None else f"{row.agreement:.0e}"
        lines.append(f"| {row.case} | {row.implementation} | {ms} | {ratio} | {agreement} | "
                     f"{row.note} |")
    return "\n".join(lines)


def _ratio(rows: list[Row], case: Case, implementation: str) -> float:
    """Time of ``implementation`` over lib float64's on ``case`` in ``rows`` (NaN where the
    row was skipped or is missing)."""
    row = next((row for row in rows if row.case == case.name
                and row.implementation.split(":")[0] == implementation), None)
    return row.ratio if row is not None and row.ratio is not None else float("nan")


_DENSE = {case.d: case for case in CASES if case.sensing == "gaussian"}
_POPULATION, _NARROW = (case for case in CASES if case.sensing == "population")


def table_ratios(rows: list[Row]) -> dict[str, float]:
    """The numbers the Performance chapter quotes from one run's table, by name, apart from
    JAX's (:func:`jax_sentences`): the times of einsum and flattened over lib's
    (``einsum_d100``, ...), lib over the read floor (``floor_d50``, ...), and for the
    population loss lib's milliseconds and lib over the compute floor."""
    named = {f"einsum_d{d}": _ratio(rows, _DENSE[d], "einsum (n, d, d)") for d in (50, 100)}
    named |= {f"flattened_d{d}": _ratio(rows, _DENSE[d], "flattened (n, d^2)")
              for d in (50, 100)}
    named |= {f"floor_d{d}": 1.0 / _ratio(rows, case, "floor") for d, case in _DENSE.items()}
    population = next(row for row in rows
                      if (row.case, row.implementation) == (_POPULATION.name, "lib float64"))
    named["population_ms"] = 1e3 * population.seconds
    named["floor_population"] = 1.0 / _ratio(rows, _POPULATION, "floor")
    return named


#: What the Performance chapter says about JAX where this run could not measure it.
JAX_NOT_MEASURED = "JAX is not installed in this build; `make bench` measures it."


def jax_sentences(rows: list[Row]) -> dict[str, str]:
    """The Performance chapter's two sentences on JAX, as Markdown (glued into the prose):
    ``jax_dense`` (times of ``jax.jit`` over lib's on the packed and the flattened Gaussian
    data) and ``jax_population`` (JAX's closed form and autodiff at d = k = 500, its better
    one at k = 20), from the ratios of ``rows``; :data:`JAX_NOT_MEASURED` for both without JAX."""
    if jax is None:
        return {"jax_dense": JAX_NOT_MEASURED, "jax_population": JAX_NOT_MEASURED}
    ratios = {f"{kind}_d{d}": _ratio(rows, case, f"jax.jit {label}")
              for d, case in _DENSE.items()
              for kind, label in (("packed", "packed"), ("flat", "flattened (n, d^2)"))}
    ratios |= {f"{kind}_{case.k}": _ratio(rows, case, f"jax.jit {kind}")
               for case in (_POPULATION, _NARROW) for kind in ("closed form", "autodiff")}
    missing = sorted(name for name, value in ratios.items() if np.isnan(value))
    if missing:
        raise ValueError(f"JAX is installed but rows has no JAX time for {missing}")
    d = sorted(_DENSE)
    packed = ", ".join(f"{ratios[f'packed_d{size}']:.2f}" for size in d[:-1])
    flat = ", ".join(f"{ratios[f'flat_d{size}']:.2f}" for size in d[:-1])
    dense = (f"On the packed data it took {packed} and {ratios[f'packed_d{d[-1]}']:.2f} times "
             f"as long as lib (${', '.join(f'd = {size}' for size in d)}$), on the flattened "
             f"data {flat} and {ratios[f'flat_d{d[-1]}']:.2f} times.")
    best_narrow = min(ratios[f"closed form_{_NARROW.k}"], ratios[f"autodiff_{_NARROW.k}"])
    population = (
        f"JAX's closed form took {ratios[f'closed form_{_POPULATION.k}']:.2f} times as long "
        f"and its autodiff {ratios[f'autodiff_{_POPULATION.k}']:.2f} times (at $d = k$ both "
        "evaluate the same products, so the ratio is the speed of NumPy's BLAS against "
        f"XLA's on this machine); at $d = {_NARROW.d}$, $k = {_NARROW.k}$ JAX's better "
        f"formula took {best_narrow:.0f} times as long as lib.")
    return {"jax_dense": dense, "jax_population": population}


def regime_comparison(case: Case, repeats: int, min_seconds: float = 0.0) -> dict[str, float]:
    """Seconds per gradient of lib float64 on ``case`` computed by the compiled code (lib's
    default; with 1 thread and, for data above ``lib.runtime.THREAD_BYTES``, with all of
    them) and by the BLAS reference implementation (two matrix-vector products over the whole
    data, and NumPy around them); ``repeats`` and ``min_seconds`` as in :func:`time_each`."""
    prob, U = build_problem(case), test_point(case)
    packed, y = prob.operator.packed, prob.y
    compiled = lib.operators.GaussianOperator(packed, y, case.d)
    two_products = BlasGaussianOperator(packed, y, case.d)
    threads = lib.get_threads()
    counts = {1, threads} if packed.nbytes > lib.runtime.THREAD_BYTES else {1}

    def on_threads(count: int) -> Callable[[], object]:
        def gradient() -> object:
            lib.set_threads(count)  # about a microsecond: a check and an assignment
            return compiled.value_and_grad(U)
        return gradient

    functions = {f"compiled, {count} thread{'s' if count > 1 else ''}": on_threads(count)
                 for count in sorted(counts)}
    functions["BLAS reference"] = lambda: two_products.value_and_grad(U)
    try:
        return time_each(functions, repeats, min_seconds=min_seconds)
    finally:
        lib.set_threads(threads)


def training_step(case: Case, repeats: int, min_seconds: float = 0.0,
                  steps: int = 200) -> dict[str, float]:
    """Seconds per step of ``lib.gradient_descent`` on ``case`` with the group Lasso
    (lam = 0.01, beta = 1e-3, step ``lib.suggest_step``), as the pruning chapter trains, next
    to the two parts of its gradient timed alone: the loss (``operator.value_and_grad``) and
    the objective (loss plus penalty). The rest of a step is the update, the gradient norm
    and the divergence check. Each sample is ``steps`` steps or ``steps`` gradients in a loop,
    timed by the CPU time of this thread (``time.thread_time``): the data is at most
    ``lib.runtime.THREAD_BYTES``, so all the work runs on this thread, and the time the
    process waits for a core on a shared machine, which wall time would add to the longer
    loop more often, is left out. ``repeats`` and ``min_seconds`` as in :func:`time_each`,
    per sample."""
    prob, U = build_problem(case), test_point(case)
    if prob.operator.packed.nbytes > lib.runtime.THREAD_BYTES:
        raise ValueError(f"{case.name}: data above lib.runtime.THREAD_BYTES runs on several "
                         "threads, which the CPU time of one thread does not cover")
    objective = lib.Objective(prob, lam=0.01, beta=1e-3)
    step = lib.suggest_step(objective, U)

    def loop(gradient: Gradient) -> Callable[[], None]:
        def run() -> None:
            for _ in range(steps):
                gradient(U)
        return run

    times = time_each({
        "step": lambda: lib.gradient_descent(objective, U, step, steps, tol=0.0,
                                             record_every=steps),
        "objective": loop(objective.value_and_grad),
        "loss": loop(prob.operator.value_and_grad)}, max(3, repeats // 5),
        min_seconds=min_seconds, clock=time.thread_time)
    return {name: seconds / steps for name, seconds in times.items()}


# ---------------------------------------------------------------- peak memory


def _resident_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    """Reset the kernel's resident high-water mark (VmHWM) of this process, if allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _memory_child(case_index: int, implementation: str) -> dict[str, float]:
    """Runs in a subprocess: build one dense case, evaluate 3 gradients, report memory (MB)."""
    case = CASES[case_index]
    code = 0.0
    if implementation.startswith("lib"):
        # lib's Gaussian gradient is compiled code: load Numba and the kernels first (as the
        # other versions' imports are loaded), a fixed cost of code reported on its own.
        before = _resident_kb("VmRSS")
        tiny = build_problem(Case("tiny", "gaussian", 4, 8, 2, 1))
        tiny.operator.value_and_grad(np.ones((4, 2)))
        code = (_resident_kb("VmRSS") - before) * 1024 / MB
        _reset_peak()
    gc.collect()
    baseline = _resident_kb("VmRSS")
    if implementation.startswith("lib"):
        dtype = np.float32 if implementation == "lib float32" else np.float64
        prob = build_problem(case, dtype)
        data = prob.operator.packed.nbytes
        gradient = lib.Objective(prob).value_and_grad
        with_construction = True
    else:
        prob = build_problem(case)
        gradient = baseline_rows(case, prob, with_jax=False)[implementation]
        data = case.n * case.d**2 * 8
        del prob
        gc.collect()
        with_construction = not _reset_peak()
    U = test_point(case)
    for _ in range(3):
        gradient(U)
    peak = _resident_kb("VmHWM") if Path("/proc/self/status").exists() else (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return {"data": data / MB, "peak": (peak - baseline) * 1024 / MB,
            "with_construction": with_construction, "code": code}


def peak_memory(case_index: int, implementation: str) -> dict[str, float]:
    """Peak resident memory above the interpreter (MB) of one implementation on one dense case,
    measured in a fresh subprocess from the kernel's high-water mark (``VmHWM``). For lib the
    peak covers ``make_problem`` too; for the hand-written versions the mark is reset after their
    (n, d, d) data is built, so the peak is their data plus what their gradient allocates."""
    command = [sys.executable, "-m", "benchmarks.bench_gradient", "--memory-child",
               str(case_index), implementation]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


# ---------------------------------------------------------------- seeds in parallel, Figure 1


def seed_experiment(seed: int, train_iter: int = 5000) -> np.ndarray:
    """One small pipeline run (d = 20, r = 3, n = 1200, k = 20) as the pruning chapter runs it:
    problem and start drawn from ``seed``, ``train_iter`` training steps, 3000 fine-tuning."""
    prob = lib.make_problem(20, 3, 1200, sigma=0.01, seed=seed)
    out = lib.train_prune_finetune(prob, 20, lam=0.01, beta=1e-3, train_iter=train_iter,
                                   fine_tune_iter=3000, seed=seed + 1000)
    return out.U_final


def parallel_seeds(seeds: int = 8, processes: int = 2,
                   train_iter: int = 5000) -> dict[str, float]:
    """Wall time of ``seeds`` runs of :func:`seed_experiment` in a loop and through
    ``lib.run_seeds`` (its local Dask cluster started before the clock starts), and whether
    the results are identical."""
    def experiment(seed: int) -> np.ndarray:
        return seed_experiment(seed, train_iter)

    lib.run_seeds(experiment, range(processes), processes=processes)  # start the workers
    start = time.perf_counter()
    sequential = [experiment(seed) for seed in range(seeds)]
    loop = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Python warns that forking a process that has imported JAX (the JAX rows of the
        # table) may deadlock; the forked workers run lib only, never JAX.
        warnings.filterwarnings("ignore", "os.fork", RuntimeWarning)
        parallel = lib.run_seeds(experiment, range(seeds), processes=processes)
    pooled = time.perf_counter() - start
    identical = all(np.array_equal(a, b) for a, b in zip(sequential, parallel, strict=True))
    return {"loop": loop, "run_seeds": pooled, "identical": identical}


def figure_one() -> dict[str, float]:
    """The paper's Figure 1 as the failure chapter computes it: population loss, d = k = 500,
    r = 4, U0 = 1e-4 N(0, 1), step 0.2, two gradient-descent runs to convergence (lambda = 0 to
    gradient norm 1e-5; lambda = 0.1, beta = 0.01 to 1e-6), at most 3000 steps each."""
    prob = lib.make_problem(500, 4, 1, sensing="population", seed=0)
    U0 = 1e-4 * np.random.default_rng(1).standard_normal((500, 500))
    start = time.perf_counter()
    steps = 0
    for lam, tol in ((0.0, 1e-5), (0.1, 1e-6)):
        objective = lib.Objective(prob, lam=lam, beta=1e-2)
        steps += lib.gradient_descent(objective, U0, 0.2, 3000, tol=tol,
                                      record_every=50).iterations
    return {"seconds": time.perf_counter() - start, "steps": steps}


# ---------------------------------------------------------------- report


def machine_description() -> str:
    """CPU, cores, BLAS, library versions and load, for the header of the report."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    blas = ", ".join(f"{info['internal_api']} {info.get('version')} "
                     f"({info['num_threads']} threads)" for info in threadpool_info())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    torch_version = torch.__version__ if torch is not None else "not installed"
    jax_version = jax.__version__ if jax is not None else "not installed"
    cores = lib.runtime.available_cores()
    return (f"{model}, {cores} cores; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, BLAS: {blas}; JAX {jax_version}; torch {torch_version}; "
            f"load average {load:.2f}")


def main(quick: bool, threads: int | None) -> None:
    if threads is not None:
        threadpool_limits(limits=threads)
        lib.set_threads(threads)
        if torch is not None:
            torch.set_num_threads(threads)
    repeats, min_seconds = (5, 0.1) if quick else (15, 0.5)
    print(machine_description(), flush=True)
    rate = matmul_rate()
    print(f"float64 matrix product {rate / 1e9:.1f} G multiply-adds/s", flush=True)
    rows = []
    for case in CASES:
        rows.extend(benchmark_case(case, repeats, rate, min_seconds=min_seconds))
        print(f"measured {case.name}", file=sys.stderr, flush=True)
    print()
    print(format_table(rows))
    print()
    for case in SMALL_CASES + CASES[:2]:
        regimes = regime_comparison(case, repeats, min_seconds)
        print(f"lib float64 on {case.name}, ms per gradient: "
              + ", ".join(f"{name} {seconds * 1e3:.3g}" for name, seconds in regimes.items()))
    for case in SMALL_CASES:
        parts = training_step(case, repeats, min_seconds)
        print(f"lib.gradient_descent on {case.name} with the group Lasso: "
              f"{parts['step'] * 1e6:.0f} us of CPU per step, of which the objective's gradient "
              f"{parts['objective'] * 1e6:.0f} (the loss alone {parts['loss'] * 1e6:.0f}): "
              f"the loop adds {100 * (parts['step'] / parts['objective'] - 1):.0f}%")
    print()
    print("Peak resident memory above the interpreter (MB), each in its own subprocess:")
    print("| case | implementation | data held | peak RSS | peak includes construction | "
          "code loaded first |")
    print("|---|---|---:|---:|---|---:|")
    for index, case in enumerate(CASES):
        if case.sensing != "gaussian":
            continue
        names = ["lib float64", "lib float32", "einsum (n, d, d)", "flattened (n, d^2)"]
        names += ["torch autograd"] if torch is not None else []
        for name in names:
            memory = peak_memory(index, name)
            code = f"{memory['code']:.0f}" if name.startswith("lib") else ""
            print(f"| {case.name} | {name} | {memory['data']:.0f} | {memory['peak']:.0f} | "
                  f"{'yes' if memory['with_construction'] else 'no'} | {code} |", flush=True)
    print()
    count = 4 if quick else 8
    seeds = parallel_seeds(count)
    print(f"{count} seeds of the d=20 pipeline: loop {seeds['loop']:.2f} s, lib.run_seeds with 2 "
          f"processes {seeds['run_seeds']:.2f} s (x{seeds['loop'] / seeds['run_seeds']:.2f}), "
          f"identical results: {seeds['identical']}")
    if not quick:
        figure = figure_one()
        print(f"Figure 1 computation (both runs, {figure['steps']} gradient steps): "
              f"{figure['seconds']:.1f} s")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no Figure 1 run")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS, lib and torch threads (default: all cores)")
    parser.add_argument("--memory-child", nargs=2, metavar=("CASE", "IMPLEMENTATION"),
                        help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.memory_child:
        print(json.dumps(_memory_child(int(arguments.memory_child[0]),
                                       arguments.memory_child[1])))
    else:
        main(arguments.quick, arguments.threads)
