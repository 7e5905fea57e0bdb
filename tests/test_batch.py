"""lib.run_seeds: the parallel multi-seed path gives exactly the results of a plain loop."""

from __future__ import annotations

import os

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import lib


def _pipeline(seed: int) -> lib.PipelineResult:
    prob = lib.make_problem(20, 3, 1200, sigma=0.01, seed=seed)
    return lib.train_prune_finetune(prob, 20, lam=0.01, beta=1e-3, train_iter=5000,
                                    fine_tune_iter=500, record_every=25, seed=seed + 1)


def _same_pipeline(a: lib.PipelineResult, b: lib.PipelineResult) -> bool:
    return (np.array_equal(a.U0, b.U0) and np.array_equal(a.train.U, b.train.U)
            and np.array_equal(a.kept, b.kept) and np.array_equal(a.U_final, b.U_final)
            and np.array_equal(a.train.history.values, b.train.history.values)
            and a.train.iterations == b.train.iterations)


def test_parallel_seeds_equal_the_sequential_loop_exactly() -> None:
    seeds = [3, 1, 4]
    sequential = [_pipeline(seed) for seed in seeds]
    parallel = lib.run_seeds(_pipeline, seeds, processes=2)
    assert len(parallel) == len(seeds)
    assert all(_same_pipeline(a, b) for a, b in zip(parallel, sequential, strict=True))
    assert [result.kept.size for result in sequential] == [3, 3, 3]


def test_medium_gaussian_gradients_equal_the_one_thread_loop_exactly() -> None:
    """A problem large enough for multi-threaded BLAS calls (d = 40, n = 2000, two row blocks):
    the parallel path equals the loop with one BLAS thread, and does not depend on processes."""
    prob = lib.make_problem(40, 3, 2000, seed=0)
    obj = lib.Objective(prob, lam=0.01, beta=1e-3)

    def gradient(seed: int) -> np.ndarray:
        return obj.value_and_grad(np.random.default_rng(seed).standard_normal((40, 30)))[1]

    with threadpool_limits(limits=1):
        sequential = [gradient(seed) for seed in range(4)]
    for processes in (1, 2, 3):
        parallel = lib.run_seeds(gradient, range(4), processes=processes)
        assert all(np.array_equal(a, b) for a, b in zip(parallel, sequential, strict=True))


def test_results_come_back_in_seed_order_and_lambdas_work() -> None:
    assert lib.run_seeds(lambda seed: seed * seed, range(7), processes=3) == [
        seed * seed for seed in range(7)]


def test_workers_run_blas_on_one_thread() -> None:
    counts = lib.run_seeds(lambda _: [info["num_threads"] for info in threadpool_info()],
                           range(2), processes=2)
    assert all(count == 1 for worker in counts for count in worker)


def test_workers_are_separate_processes() -> None:
    pids = lib.run_seeds(lambda _: os.getpid(), range(4), processes=2)
    assert os.getpid() not in pids


def test_one_process_runs_in_this_process_on_one_blas_thread() -> None:
    assert lib.run_seeds(lambda _: os.getpid(), range(3), processes=1) == [os.getpid()] * 3
    counts = lib.run_seeds(lambda _: [info["num_threads"] for info in threadpool_info()],
                           range(2), processes=1)
    assert all(count == 1 for call in counts for count in call)


def test_exceptions_propagate() -> None:
    def failing(seed: int) -> int:
        raise ValueError(f"seed {seed} failed")

    with pytest.raises(ValueError, match="failed"):
        lib.run_seeds(failing, range(3), processes=2)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(TypeError, match="function"):
        lib.run_seeds(None, range(3))
    with pytest.raises(TypeError, match="function"):
        lib.run_seeds(3, range(3))
    with pytest.raises(ValueError, match="processes"):
        lib.run_seeds(abs, range(3), processes=0)
    with pytest.raises(TypeError, match="processes"):
        lib.run_seeds(abs, range(3), processes=1.5)
    assert lib.run_seeds(abs, [], processes=2) == []
