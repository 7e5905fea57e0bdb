"""Ctrl-C and SIGTERM stop a run between two steps and leave a consistent result: history arrays
of one length, the returned iterate the one of the last record, status "interrupted"."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import lib
import lib.pruning


def _assert_consistent(result: lib.OptimizationResult, seen: dict[int, np.ndarray],
                       values: dict[int, float]) -> None:
    history = result.history
    length = history.iterations.size
    assert history.values.size == history.grad_norms.size == history.errors.size == length
    assert history.column_norms.shape[0] == length
    assert np.all(np.diff(history.iterations) > 0)
    assert history.iterations[-1] == result.iterations
    assert np.array_equal(result.U, seen[result.iterations])
    assert history.values[-1] == values[result.iterations]
    assert np.array_equal(history.column_norms[-1], lib.column_norms(result.U))


def _interrupter(how: str, at: int, seen: dict[int, np.ndarray],
                 values: dict[int, float]) -> Callable[[int, np.ndarray, float], None]:
    def callback(iteration: int, U: np.ndarray, value: float) -> None:
        seen[iteration], values[iteration] = U.copy(), value
        if iteration != at:
            return
        if how == "raise":
            raise KeyboardInterrupt
        signal.raise_signal(signal.SIGINT if how == "sigint" else signal.SIGTERM)

    return callback


@pytest.fixture(scope="module")
def tiny_objectives() -> list[lib.Objective]:
    return [lib.Objective(lib.make_problem(4, 2, 40, sensing=sensing, seed=0), lam=0.01)
            for sensing in ("gaussian", "population")]


def test_a_thousand_random_interrupts_leave_consistent_results(
        tiny_objectives: list[lib.Objective]) -> None:
    rng = np.random.default_rng(19)
    for case in range(1000):
        obj = tiny_objectives[case % 2]
        max_iter = int(rng.integers(1, 60))
        at = int(rng.integers(0, max_iter + 1))
        how = ("raise", "sigint", "sigterm")[case % 3]
        perturbed = case % 4 == 3
        record_every = int(rng.integers(1, 8))
        U0 = 0.1 * rng.standard_normal((4, 3))
        seen: dict[int, np.ndarray] = {}
        values: dict[int, float] = {}
        callback = _interrupter(how, at, seen, values)
        with pytest.warns(UserWarning, match=f"interrupted at iteration {at}"):
            if perturbed:
                result = lib.perturbed_gradient_descent(
                    obj, U0, 0.05, max_iter, grad_threshold=1e-12, record_every=record_every,
                    callback=callback)
            else:
                result = lib.gradient_descent(obj, U0, 0.05, max_iter, tol=0.0,
                                              record_every=record_every, callback=callback)
        assert result.status == "interrupted" and not result.converged, case
        assert result.iterations == at, case
        _assert_consistent(result, seen, values)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


@pytest.fixture
def outer_handlers() -> Iterator[list[int]]:
    """Signals that arrive outside a run are recorded here instead of stopping the test."""
    received: list[int] = []
    previous = {number: signal.signal(number, lambda number, frame: received.append(number))
                for number in (signal.SIGINT, signal.SIGTERM)}
    yield received
    for number, handler in previous.items():
        signal.signal(number, handler)


def test_signals_at_random_times_leave_consistent_results(outer_handlers: list[int]) -> None:
    obj = lib.Objective(lib.make_problem(5, 2, 60, seed=1), lam=0.01)
    rng = np.random.default_rng(7)
    for case in range(60):
        number = (signal.SIGINT, signal.SIGTERM)[case % 2]
        seen: dict[int, np.ndarray] = {}
        values: dict[int, float] = {}
        timer = threading.Timer(float(rng.uniform(0.0, 0.03)), os.kill, (os.getpid(), number))
        record = _interrupter("never", -1, seen, values)

        def remember(iteration: int, U: np.ndarray, value: float,
                     record: Callable[..., None] = record,
                     timer: threading.Timer = timer) -> None:
            record(iteration, U, value)
            if iteration == 0:  # the run's handlers are in place: a signal now is in the run
                timer.start()

        with pytest.warns(UserWarning, match="interrupted at iteration"):
            result = lib.gradient_descent(obj, 0.1 * rng.standard_normal((5, 3)), 0.05, 10**6,
                                          tol=0.0, record_every=int(rng.integers(1, 5)),
                                          callback=remember)
        timer.join()
        assert result.status == "interrupted"
        _assert_consistent(result, seen, values)
    assert outer_handlers == []


@pytest.mark.parametrize("stage, call", [("train", 0), ("fine_tune", 1)])
def test_interrupted_pipeline_stops_in_its_stage(stage: str, call: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def interrupted_at_five(*args: object, **kwargs: object) -> lib.OptimizationResult:
        calls.append(len(calls))
        if len(calls) - 1 == call:
            kwargs["callback"] = _interrupter("raise", 5, {}, {})
        return lib.gradient_descent(*args, **kwargs)

    monkeypatch.setattr(lib.pruning, "gradient_descent", interrupted_at_five)
    prob = lib.make_problem(8, 2, 300, seed=0)
    with pytest.warns(UserWarning, match="interrupted at iteration 5"):
        out = lib.train_prune_finetune(prob, 4, 0.01, 1e-3, train_iter=200, fine_tune_iter=200,
                                       seed=1)
    assert out.interrupted_stage == stage
    assert len(calls) == call + 1
    if stage == "train":
        assert out.train.iterations == 5 and out.fine_tune is None
        assert np.array_equal(out.U_final, out.train.U)
    else:
        assert out.train.status != "interrupted"
        assert out.fine_tune.iterations == 5 and out.fine_tune.status == "interrupted"


def test_uninterrupted_pipeline_says_so() -> None:
    out = lib.train_prune_finetune(lib.make_problem(8, 2, 300, seed=0), 4, 0.01, 1e-3,
                                   train_iter=100, fine_tune_iter=10, seed=1)
    assert out.interrupted_stage is None
