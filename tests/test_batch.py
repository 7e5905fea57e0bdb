"""lib.run_seeds: the parallel multi-seed path gives exactly the results of a plain loop, a
killed worker does not make it hang, and Ctrl-C keeps the finished seeds."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import lib
from lib.sweep import engine


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
    for processes in (1, 2):
        parallel = lib.run_seeds(gradient, range(4), processes=processes)
        assert all(np.array_equal(a, b) for a, b in zip(parallel, sequential, strict=True))


def test_results_come_back_in_seed_order_and_lambdas_work() -> None:
    assert lib.run_seeds(lambda seed: seed * seed, range(7), processes=2) == [
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


@contextmanager
def _fails_after(seconds: int) -> Iterator[None]:
    """Turn a hang into a failure: SIGALRM raises TimeoutError in this (the main) thread."""
    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_worker_killed_mid_seed_has_the_seed_rerun_instead_of_hanging(tmp_path: Path) -> None:
    """Seed 1 SIGKILLs its own worker process the first time it runs (as an out-of-memory kill
    would); Dask reruns it on a live worker and the results are those of the loop."""
    marker = tmp_path / "killed-once"

    def dies_once(seed: int) -> tuple[int, int]:
        if seed == 1 and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return seed, seed * seed

    with _fails_after(240):
        results = lib.run_seeds(dies_once, range(4), processes=2)
    assert marker.exists()
    assert results == [(seed, seed * seed) for seed in range(4)]


def test_ctrl_c_raises_with_the_finished_seeds(tmp_path: Path) -> None:
    """Seeds 0 and 1 finish at once, 2 and 3 wait for a file that never comes; a SIGINT to this
    process once 0 and 1 are back raises SeedsInterrupted carrying them (and stops the local
    cluster, so the waiting seeds do not keep running)."""
    def slow_after_two(seed: int) -> int:
        if seed >= 2:
            while not (tmp_path / "never").exists():
                time.sleep(0.01)
        (tmp_path / f"done-{seed}").touch()
        return 10 * seed

    def interrupt_when_two_are_done() -> None:
        while not all((tmp_path / f"done-{seed}").exists() for seed in (0, 1)):
            time.sleep(0.01)
        time.sleep(1.0)  # time for the two results to reach this process
        os.kill(os.getpid(), signal.SIGINT)

    interrupter = threading.Thread(target=interrupt_when_two_are_done, daemon=True)
    with _fails_after(240), pytest.raises(lib.SeedsInterrupted) as stop:
        interrupter.start()
        lib.run_seeds(slow_after_two, range(4), processes=2)
    assert stop.value.finished == [(0, 0), (1, 10)]
    assert isinstance(stop.value, KeyboardInterrupt)


def test_ctrl_c_in_the_one_process_loop_keeps_the_finished_seeds() -> None:
    def interrupted_at_two(seed: int) -> int:
        if seed == 2:
            raise KeyboardInterrupt
        return seed

    with pytest.raises(lib.SeedsInterrupted, match="after 2 of 4 seeds") as stop:
        lib.run_seeds(interrupted_at_two, range(4), processes=1)
    assert stop.value.finished == [(0, 0), (1, 1)]


def test_a_second_cluster_on_the_machine_prints_no_port_warning() -> None:
    """Notebooks compare stderr: a fresh local cluster must not warn that the default
    dashboard port 8787 is taken (by another cluster on the machine: here a socket we hold)."""
    engine.close_local_cluster()
    with socket.socket() as holder, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            holder.bind(("", 8787))
            holder.listen()
        except OSError:
            pass  # already taken by someone else: the case under test
        assert lib.run_seeds(lambda seed: seed + 1, range(3), processes=2) == [1, 2, 3]
    assert not [str(warning.message) for warning in caught if "8787" in str(warning.message)]
