"""The Gaussian operator (the compiled code of lib.streaming) and its BLAS reference
implementation (benchmarks/blas_reference.py): each gives the dense-formula answer, the compiled
code does not depend on the thread count, and a gradient allocates O(n + d^2 + dk) memory,
never a copy of the sensing data."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
from conftest import relative_error

import lib
from benchmarks.blas_reference import BlasGaussianOperator
from lib.operators import GaussianOperator
from lib.streaming import CHUNKS, GROUP

# The compiled operator and the BLAS reference implementation.
LAYOUTS = [BlasGaussianOperator, GaussianOperator]


def _operator(prob: lib.Problem, layout: type[GaussianOperator]) -> GaussianOperator:
    return layout(prob.operator.packed, prob.operator.y, prob.d)


@pytest.fixture
def threads(monkeypatch):
    """Threads for data of any size (THREAD_BYTES = 0, so that the small test problems exercise
    the parallel kernels), and the thread count restored after a test that changes it."""
    monkeypatch.setattr(lib.runtime, "THREAD_BYTES", 0)
    before = lib.get_threads()
    yield
    lib.set_threads(before)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("n", [3, 70, GROUP * CHUNKS + 5])
@pytest.mark.filterwarnings("ignore:n = 3 measurements")
def test_both_regimes_match_the_dense_formulas(layout: type[GaussianOperator], n: int) -> None:
    """n = 3 is all remainder rows, 70 leaves chunks empty, 133 fills every chunk."""
    prob = lib.make_problem(9, 2, n, sigma=0.2, seed=5)
    operator = _operator(prob, layout)
    stack = prob.sensing_matrices()
    rng = np.random.default_rng(1)
    U, V = rng.standard_normal((9, 4)), rng.standard_normal((9, 4))
    residuals = np.einsum("ijk,jk->i", stack, U @ U.T) - prob.y
    delta = np.einsum("ijk,jk->i", stack, U @ V.T + V @ U.T)
    grad = (4 / n) * np.einsum("i,ijk->jk", residuals, stack) @ U
    hvp = (4 / n) * (np.einsum("i,ijk->jk", delta, stack) @ U
                     + np.einsum("i,ijk->jk", residuals, stack) @ V)
    value, gradient = operator.value_and_grad(U)
    assert relative_error(operator.residuals(U), residuals) < 1e-13
    assert relative_error(value, residuals @ residuals / n) < 1e-13
    assert relative_error(gradient, grad) < 1e-13
    assert relative_error(operator.hvp(U, V), hvp) < 1e-13
    assert relative_error(operator.adjoint(residuals), np.einsum("i,ijk->jk", residuals,
                                                                 stack)) < 1e-13


@pytest.mark.parametrize("layout", LAYOUTS)
def test_value_is_bitwise_the_value_of_value_and_grad(layout: type[GaussianOperator]) -> None:
    prob = lib.make_problem(8, 2, 90, sigma=0.1, seed=2)
    operator = _operator(prob, layout)
    U = np.random.default_rng(4).standard_normal((8, 5))
    assert operator.value(U) == operator.value_and_grad(U)[0]


def test_float32_storage_accumulates_in_float64() -> None:
    exact = lib.make_problem(12, 2, 400, sigma=0.1, seed=8)
    single = lib.make_problem(12, 2, 400, sigma=0.1, seed=8, dtype=np.float32)
    U = np.random.default_rng(3).standard_normal((12, 5)) / 3
    value64, grad64 = exact.operator.value_and_grad(U)
    for layout in LAYOUTS:
        value32, grad32 = _operator(single, layout).value_and_grad(U)
        assert grad32.dtype == np.float64
        assert relative_error(value32, value64) < 1e-5
        assert relative_error(grad32, grad64) < 1e-5


def test_gradient_allocates_no_copy_of_the_sensing_data() -> None:
    """tracemalloc sees NumPy's allocations: the peak during a gradient and a Hessian-vector
    product is a small fraction of the packed data (here 53 MB), in both regimes. The compiled
    pass legitimately allocates CHUNKS accumulators of d(d+1)/2 numbers per right-hand side
    (0.47 MB for the product's two), independent of n, so n is large enough that they are a
    fifth of the bound: any copy of the data, even of a tenth of it, still fails."""
    prob = lib.make_problem(60, 2, 3600, seed=1)
    U = np.random.default_rng(0).standard_normal((60, 10))
    packed_bytes = prob.operator.packed.nbytes
    for layout in LAYOUTS:
        operator = _operator(prob, layout)
        operator.value_and_grad(U)  # loads the compiled kernels (one-time allocations of
        operator.hvp(U, U)  # Numba's, more when read from its cache than when just compiled)
        tracemalloc.start()
        operator.value_and_grad(U)
        operator.hvp(U, U)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < packed_bytes / 20, (layout, peak, packed_bytes)


def test_compiled_pass_does_not_depend_on_the_thread_count(threads) -> None:
    prob = lib.make_problem(12, 2, 500, sigma=0.1, seed=3)
    operator = prob.operator
    rng = np.random.default_rng(6)
    U, V = rng.standard_normal((12, 4)), rng.standard_normal((12, 4))
    results = []
    for count in (1, 2, 3, CHUNKS, 64):
        lib.set_threads(count)
        value, grad = operator.value_and_grad(U)
        results.append((value, grad, operator.hvp(U, V)))
    assert lib.get_threads() == CHUNKS
    for value, grad, hvp in results[1:]:
        assert value == results[0][0]
        assert np.array_equal(grad, results[0][1])
        assert np.array_equal(hvp, results[0][2])


@pytest.mark.parametrize("threads_value", [0, -1, 1.5, "2", None])
def test_set_threads_rejects_bad_counts(threads_value: object) -> None:
    with pytest.raises((TypeError, ValueError), match="threads"):
        lib.set_threads(threads_value)


def test_forked_children_fall_back_to_one_thread(threads) -> None:
    """OpenMP cannot run in a process forked after the parent's pass used threads (GNU OpenMP
    terminates it): such a child must run the pass on one thread, say so with a RuntimeWarning,
    and give the parent's numbers. Also through lib.run_seeds (one thread per worker)."""
    lib.set_threads(2)
    prob = lib.make_problem(12, 2, 400, sigma=0.1, seed=3)
    operator = prob.operator

    def gradient(seed: int) -> np.ndarray:
        return operator.value_and_grad(np.full((12, 3), 0.1 * seed))[1]

    def child_task() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gradients = [gradient(seed) for seed in range(4)]
        sender.send((gradients, [str(warning.message) for warning in caught], lib.get_threads()))

    expected = [gradient(seed) for seed in range(4)]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=child_task)
    child.start()
    try:
        assert receiver.poll(30), "the forked child did not finish the compiled pass in 30 s"
        forked, messages, child_threads = receiver.recv()
    finally:
        child.kill()
        child.join()
    assert child_threads == 1
    assert len(messages) == 1 and "forked" in messages[0], messages
    seeded = lib.run_seeds(gradient, range(4), processes=2)
    for want, got, got_seeded in zip(expected, forked, seeded, strict=True):
        assert np.array_equal(got, want)
        assert np.array_equal(got_seeded, want)


def test_small_data_runs_on_one_thread_and_numba_loads_only_for_gaussian_sensing() -> None:
    """Importing lib, or sensing of the other kinds without a penalty (lam = 0), does not load
    Numba (0.3 s and tens of MB);
    data of at most THREAD_BYTES never starts OpenMP threads (a hand-off costs more than it
    saves there, and a process that has used OpenMP cannot fork safely); larger data does."""
    script = ("import sys, numpy as np, lib, lib.runtime as runtime\n"
              "print('numba' in sys.modules)\n"
              "for kind in ('rank_one', 'population'):\n"
              "    lib.Objective(lib.make_problem(10, 2, 100, sensing=kind, seed=0))"
              ".value_and_grad(np.ones((10, 2)))\n"
              "print('numba' in sys.modules)\n"
              "small = lib.make_problem(10, 2, 100, seed=0)\n"
              "assert small.operator.packed.nbytes <= runtime.THREAD_BYTES\n"
              "lib.Objective(small).value_and_grad(np.ones((10, 2)))\n"
              "small.operator.hvp(np.ones((10, 2)), np.ones((10, 2)))\n"
              "print('numba' in sys.modules, runtime._used_threads)\n"
              "lib.set_threads(2)\n"
              "large = lib.make_problem(50, 2, 1000, seed=0)\n"
              "assert large.operator.packed.nbytes > runtime.THREAD_BYTES\n"
              "lib.Objective(large).value_and_grad(np.ones((50, 2)))\n"
              "print(runtime._used_threads)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False", "True", "False", "True"]
